"""Writing the site: build beside the old one, keep unchanged files as they were, swap at the end.

Every file goes into a staging folder next to the output folder. A file whose bytes are the same
as in the previous site is hard-linked from it (same inode, same mtime, so deploys and rsync move
little); others are written anew. ``commit`` swaps the staging folder in with two renames, so a
build that fails half-way leaves the previous site untouched, and nothing is ever written outside
the output folder.
"""

import os
import shutil
from pathlib import Path

from termline.errors import TermlineError

MARKER = ".termline-site"


class Output:
    """A site being built: staged beside ``root``, swapped in by ``commit``."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        if _occupied(self.root):
            raise TermlineError(
                f"{root}: exists and is not a site termline built; refusing to replace it"
            )
        self.staging = self.root.with_name(f".{self.root.name}.building")
        self.written: set[str] = set()
        self.changed = 0
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)

    def write(self, relative: str, data: bytes | str) -> None:
        """Stage a file, linking the previous site's copy when its bytes are the same."""
        target = (self.staging / relative).resolve()
        if not target.is_relative_to(self.staging) or target == self.staging:
            raise TermlineError(f"{relative}: would be written outside {self.root}")
        payload = data.encode("utf-8") if isinstance(data, str) else data
        target.parent.mkdir(parents=True, exist_ok=True)
        self.written.add(relative)
        previous = self.root / relative
        if _same_bytes(previous, payload):
            os.link(previous, target)
            return
        target.write_bytes(payload)
        self.changed += 1

    def keep(self, relative: str) -> bool:
        """Keep the previous site's copy of a content-addressed file; tell whether there was one."""
        target = (self.staging / relative).resolve()
        previous = self.root / relative
        if not target.is_relative_to(self.staging) or not previous.is_file():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(previous, target)
        self.written.add(relative)
        return True

    def reuse(self, folder: str) -> bool:
        """Link a folder of the previous site, file by file, into the staged one; tell if it was."""
        previous = self.root / folder
        if not folder or ".." in folder.split("/") or not previous.is_dir():
            return False
        for parent, _folders, names in os.walk(previous):
            source = Path(parent)
            relative = source.relative_to(self.root).as_posix()
            (self.staging / relative).mkdir(parents=True, exist_ok=True)
            for name in names:
                os.link(source / name, self.staging / relative / name)
                self.written.add(f"{relative}/{name}")
        return True

    def commit(self) -> int:
        """Swap the staged site in place of the previous one; return how many files went away."""
        (self.staging / MARKER).write_text("built by termline; replaced whole on every build\n")
        if not self.root.exists():
            self.staging.rename(self.root)
            return 0
        removed = len(_files(self.root) - self.written - {MARKER})
        old = self.root.with_name(f".{self.root.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        self.root.rename(old)
        self.staging.rename(self.root)
        shutil.rmtree(old)
        return removed

    def stamp(self) -> tuple[int, int] | None:
        """Return what identifies the site now in place (its marker's inode and mtime), if any."""
        try:
            marker = (self.root / MARKER).stat()
        except OSError:
            return None
        return marker.st_ino, marker.st_mtime_ns

    def abandon(self) -> None:
        """Throw the staged site away, leaving the previous one as it was."""
        shutil.rmtree(self.staging, ignore_errors=True)


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
    return {p.as_posix() for p in paths if p.parts[0] != "pagefind"}


def _same_bytes(path: Path, payload: bytes) -> bool:
    try:
        return path.stat().st_size == len(payload) and path.read_bytes() == payload
    except OSError:
        return False
