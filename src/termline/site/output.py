"""Writing the site: only what changed, staged first, so a failed build leaves the old site.

Every page is written through ``page``, with a key of everything it shows; a group of pages
(a document's folder) is kept whole or begun anew with ``folder``; work done apart (a worker's
share) is counted with ``part`` and ``merge``. Nothing outside writes its counters.

The ``Manifest`` of the previous build (each file's key, by group: a document folder, or the
site's own pages) says which files of the site in place are current; when it can be
trusted (the site's marker records the state it recorded), a file or a whole group whose key
did not change is kept as it is, without rendering it, and a build writes only the files whose
bytes changed. Without a trusted manifest every file is rendered, and those whose bytes are
unchanged are hard-linked from the previous site.

New bytes always go to a staging folder beside the site. ``commit`` then either moves the
staged files into the site in place (trusted) or swaps the staged site in with two renames; in
both cases a build that fails before ``commit`` leaves the previous site untouched, and nothing
is ever written outside the output folder. The marker says "moving" while files move, so a
build interrupted half-way through ``commit`` is never trusted again.

The manifest itself holds each group's key and the files of the site's own pages; a document
folder's files are kept in the build cache under its key, and read only when the folder is
written again, so a build that changes one document reads and writes little of it. A manifest
whose folders' files are not all in the cache is not trusted.
"""

import contextlib
import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from termline.cache import Cache
from termline.errors import TermlineError

MARKER = ".termline-site"
SEARCH = "pagefind"  # the search index: rewritten whole by Pagefind, never in a manifest

Stamp = str
Files = dict[str, str]  # each file's key, by its path in the site
Groups = dict[str, tuple[str, Files]]  # each group's key ("" when not keyed) and files
Sizes = dict[str, tuple[int, int]]  # bytes and files of the site, by page kind


@dataclass(frozen=True)
class Written:
    """What part of a build wrote: files by group, files staged anew, pages rendered."""

    groups: Groups
    staged: list[str]
    rendered: int
    sizes: Sizes = field(default_factory=dict)  # bytes and files it added, by page kind


@dataclass(frozen=True)
class Manifest:
    """What a build left in its output folder: each group's key, and its marker's state.

    The files of a group without a key are here; a keyed group's are in the build cache.
    """

    stamp: Stamp | None
    settings: str
    keys: dict[str, str] = field(default_factory=dict)
    files: dict[str, Files] = field(default_factory=dict)
    sizes: Sizes = field(default_factory=dict)  # the site's bytes and files by page kind


class Output:
    """A site being built: new bytes staged beside ``root``, moved in by ``commit``."""

    def __init__(
        self,
        root: Path,
        previous: Manifest | None = None,
        settings: str = "",
        store: Cache | None = None,
    ) -> None:
        self.root = root.resolve()
        if _occupied(self.root):
            raise TermlineError(
                f"{root}: exists and is not a site termline built; refusing to replace it"
            )
        self.staging = self.root.with_name(f".{self.root.name}.building")
        self.settings = settings
        self.store = store or Cache(None, "")
        self.last = previous  # trusted or not: its cache entries are replaced by this build's
        self.previous = previous if self._trusted(previous, settings) else None
        self.groups: Groups = {}
        self.kept: set[str] = set()  # groups kept whole: their files are those of the last build
        self.staged: list[str] = []
        self.rendered = 0
        self.sizes: Sizes = {}  # bytes and files added (or taken away), by page kind
        self._folders: set[Path] = set()
        self._before: dict[str, Files] = {}
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)

    @property
    def trusted(self) -> bool:
        """Tell whether the site in place is the one the previous manifest describes."""
        return self.previous is not None

    @property
    def changed(self) -> int:
        """Return how many files this build wrote anew."""
        return len(self.staged)

    def folder(self, group: str, key: str) -> bool:
        """Keep a whole group as it is when its key did not change, else start writing it anew
        under this key; tell whether it was kept."""
        if key and self.previous is not None and self.previous.keys.get(group) == key:
            self.groups[group] = (key, {})
            self.kept.add(group)
            return True
        self.groups[group] = (key, {})
        return False

    def page(
        self, relative: str, key: str, produce: Callable[[], bytes | str], group: str = ""
    ) -> None:
        """Write a file made by ``produce``, unless the file in place already has this key."""
        if not self.keeps(relative, key, group):
            self.rendered += 1
            self.write(relative, produce(), group, key)

    def keeps(self, relative: str, key: str, group: str = "") -> bool:
        """Keep the file in place if it has this key; tell whether it was kept."""
        if self.before(group).get(relative) != key:
            return False
        self.groups.setdefault(group, ("", {}))[1][relative] = key
        return True

    def before(self, group: str) -> Files:
        """Return the files a group had in the site in place, with their keys (none if untrusted).

        A keyed group's come from the build cache; if its entry cannot be read there, from the
        folder, with no keys (so each is made anew, and those no longer made are removed).
        """
        if self.previous is None or group not in self.previous.keys:
            return {}
        if group not in self._before:
            key = self.previous.keys[group]
            if not key:
                self._before[group] = self.previous.files.get(group, {})
            else:
                found = self.store.load("files", self._id(group, key))
                self._before[group] = found if isinstance(found, dict) else self._on_disk(group)
        return self._before[group]

    def _trusted(self, previous: Manifest | None, settings: str) -> bool:
        """Tell whether the site in place is what a manifest describes (its cache entries kept)."""
        if previous is None or previous.settings != settings:
            return False
        if previous.stamp is None or previous.stamp != stamp(self.root):
            return False
        return all(self.store.has("files", self._id(g, k)) for g, k in previous.keys.items() if k)

    def _id(self, group: str, key: str) -> str:
        """Return the name a keyed group's files have in the build cache (one site's own)."""
        name = f"{self.root}\0{group}\0{key}"
        return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()

    def _on_disk(self, folder: str) -> Files:
        """Return the files under a keyed group's folder in the site in place, without keys."""
        if not folder.endswith("/"):
            return {}
        return {f"{folder}{path}": "" for path in _files(self.root / folder)}

    def write(self, relative: str, data: bytes | str, group: str = "", key: str = "") -> None:
        """Stage a file, unless the file in place has the same bytes."""
        target = self._target(relative)
        payload = data.encode("utf-8") if isinstance(data, str) else data
        self.groups.setdefault(group, ("", {}))[1][relative] = key
        previous = self.root / relative
        size = _size(previous)
        if size == len(payload) and previous.read_bytes() == payload:
            if not self.trusted:
                self._link(relative)
                self._count(relative, len(payload), 1)
            return
        target.write_bytes(payload)
        self.staged.append(relative)
        if self.trusted and size is not None:
            self._count(relative, len(payload) - size, 0)  # replaces a file of the site in place
        else:
            self._count(relative, len(payload), 1)

    def _count(self, relative: str, size: int, files: int) -> None:
        """Count bytes and files added to the site under a file's page kind."""
        _add_size(self.sizes, page_kind(relative), size, files)

    def site_sizes(self) -> Sizes:
        """Return the new site's bytes and files by page kind (the search index aside)."""
        total = dict(self.previous.sizes) if self.previous else {}
        for kind, (size, files) in self.sizes.items():
            _add_size(total, kind, size, files)
        return {kind: value for kind, value in sorted(total.items()) if value[1]}

    def commit(self) -> int:
        """Put the staged files in place; return how many files of the previous site went away."""
        if self.trusted:
            return self._move_in()
        (self.staging / MARKER).write_text(_marker_text(self._state()))
        if not self.root.exists():
            self.staging.rename(self.root)
            return 0
        removed = len(_files(self.root) - self.written() - {MARKER})
        old = self.root.with_name(f".{self.root.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        self.root.rename(old)
        self.staging.rename(self.root)
        shutil.rmtree(old)
        return removed

    def part(self, work: Callable[[], object]) -> Written:
        """Run work that writes here (in this process or a worker) and return what it wrote
        alone, for ``merge``; this build's own count is left as it was."""
        before = self._take()
        try:
            work()
            return self._take()
        finally:
            self.merge(before)

    def merge(self, written: Written) -> None:
        """Count what part of the build wrote, here or in another process, into this build."""
        for group, (key, files) in written.groups.items():
            mine, known = self.groups.get(group, (key, {}))
            self.groups[group] = (mine or key, known | files)
        self.staged += written.staged
        self.rendered += written.rendered
        for kind, (size, count) in written.sizes.items():
            _add_size(self.sizes, kind, size, count)

    def _take(self) -> Written:
        written = Written(self.groups, self.staged, self.rendered, self.sizes)
        self.groups, self.staged, self.rendered, self.sizes = {}, [], 0, {}
        return written

    def manifest(self) -> Manifest:
        """Return what this build left in the output folder, to trust it next time.

        The files of each keyed group written anew go to the build cache, under its key; those
        the previous manifest kept there for another key are deleted.
        """
        for group, (key, files) in self.groups.items():
            if key and group not in self.kept:
                self.store.save("files", self._id(group, key), files)
        keys = {group: key for group, (key, _files) in self.groups.items()}
        for group, key in self.last.keys.items() if self.last else ():
            if key and keys.get(group) != key:
                self.store.delete("files", self._id(group, key))
        own = {group: files for group, (key, files) in self.groups.items() if not key}
        return Manifest(stamp(self.root), self.settings, keys, own, self.site_sizes())

    def written(self) -> set[str]:
        """Return every file of the new site."""
        return {relative for _key, files in self.groups.values() for relative in files}

    def abandon(self) -> None:
        """Throw the staged files away, leaving the previous site as it was."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def _move_in(self) -> int:
        assert self.previous is not None
        (self.root / MARKER).write_text(_marker_text("moving"))  # untrusted until the end
        for relative in self.staged:
            target = self.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.staging / relative, target)
        rewritten = [group for group in self.previous.keys if group not in self.kept]
        gone = {path for group in rewritten for path in self.before(group)} - self.written()
        for relative in sorted(gone):
            self._count(relative, -(_size(self.root / relative) or 0), -1)
            _remove(self.root, relative)
        shutil.rmtree(self.staging, ignore_errors=True)
        (self.root / MARKER).write_text(_marker_text(self._state()))
        return len(gone)

    def _state(self) -> str:
        """Return a digest of what this build left: the same for the same site, however built.

        A keyed group's files follow from its key; only the others are listed one by one.
        """
        parts = sorted(
            f"{group}\0{key}"
            if key
            else "\n".join(f"{path}\0{k}" for path, k in sorted(files.items()))
            for group, (key, files) in self.groups.items()
        )
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def _target(self, relative: str) -> Path:
        """Return where a site path is staged; refuse one that would leave the site."""
        if {"", ".", ".."} & set(relative.split("/")) or "\0" in relative:  # also "/x", "x//y"
            raise TermlineError(f"{relative}: would be written outside {self.root}")
        target = self.staging / relative
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        return target

    def _link(self, relative: str) -> None:
        target = self._target(relative)
        with contextlib.suppress(FileExistsError):
            os.link(self.root / relative, target)


def stamp(root: Path) -> Stamp | None:
    """Return what identifies the site in place: the state its marker records, if any.

    The state is in the file, not in its inode or mtime, so a site restored from a CI cache
    with its build cache is still trusted.
    """
    try:
        return (root / MARKER).read_text(encoding="utf-8").rsplit("state ", 1)[1].strip()
    except (OSError, UnicodeDecodeError, IndexError):
        return None


def _marker_text(state: str) -> str:
    return f"built by termline; only termline writes here\nstate {state}\n"


def _remove(root: Path, relative: str) -> None:
    """Delete a file of the site, and the folders it leaves empty."""
    path = root / relative
    path.unlink(missing_ok=True)
    for parent in path.parents:
        if parent == root or any(parent.iterdir()):
            return
        parent.rmdir()


def _occupied(root: Path) -> bool:
    """Tell whether root holds something other than a site termline built."""
    if not root.exists():
        return False
    if not root.is_dir():
        return True
    return any(root.iterdir()) and not (root / MARKER).is_file()


def _files(root: Path) -> set[str]:
    """Return the site files under root (the search index excepted: Pagefind rewrites it)."""
    paths = (p.relative_to(root) for p in root.rglob("*") if p.is_file())
    return {p.as_posix() for p in paths if p.parts[0] != SEARCH}


def _size(path: Path) -> int | None:
    """Return a file's size, or None if there is none."""
    try:
        return path.stat().st_size
    except OSError:
        return None


def totals(sizes: Sizes) -> tuple[int, int]:
    """Return the bytes and files of every kind together."""
    return sum(size for size, _ in sizes.values()), sum(files for _, files in sizes.values())


def _add_size(sizes: Sizes, kind: str, size: int, files: int) -> None:
    """Add bytes and files to a page kind's count."""
    before = sizes.get(kind, (0, 0))
    sizes[kind] = (before[0] + size, before[1] + files)


def page_kind(relative: str) -> str:
    """Return the kind of page a site path is, for the report of bytes by kind."""
    parts = relative.split("/")
    feed = relative.endswith(".xml")
    if len(parts) == 1:
        return "site feeds" if feed else "other pages"
    if parts[0] != "platforms" or len(parts) < 3:
        return _OTHER_KINDS.get(parts[0], "other pages")
    if len(parts) == 3:
        return "platform feeds" if feed else "platform pages"
    section = parts[3] if len(parts) > 4 else ""
    if section == "provisions":
        return "provision feeds" if feed else "provision pages"
    if section == "compare" or parts[-1].endswith(".gz"):
        return "compare pages and texts"
    return _SECTION_KINDS.get(section, "document feeds" if feed else "document pages")


_SECTION_KINDS = {"versions": "version pages"}
_OTHER_KINDS = {
    "changes": "change lists",
    "topics": "topic pages and feeds",
    "data": "data files",
    "sitemaps": "sitemaps",
    "static": "static assets",
}
