"""History stage: read every version of every document from git, fast.

Takes a git repository and the archive folder in it; gives one ``DocumentHistory`` per
``<platform>/<document>.md`` file, its versions ordered by author date (real archives backdate
commits, so position in the log is not order). One ``git log`` pass lists the versions; one
long-lived ``git cat-file --batch`` (GitPython's object database) reads the blobs.

With a build cache, the parsed log is saved with the HEAD it was read at; when the next HEAD
descends from it through a chain of one-parent commits, only ``OLD..HEAD`` is read and appended
(``git log`` lists that chain before anything older, so log positions just continue). Anything
else (a merge among the new commits, a rewritten history, a deepened shallow clone) reads it all.
The commits read since the log was last saved whole are saved apart, as its tail, until there
are more than ``TAIL_COMMITS``: a rebuild saves those commits again, not the whole log.
"""

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path, PurePosixPath

import git

from termline.archive import parse_document_path, skipped_reason
from termline.cache import Cache, Shelf, digest

log = logging.getLogger(__name__)

REGULAR_MODES = {"100644", "100755"}
DELTA_BASE_CACHE = "256m"  # git cat-file's cache of inflated delta bases (see BlobReader)
LOG_FORMAT = "%x1e%H%x1f%P%x1f%at%x1f%B%x1f"
TAIL_COMMITS = 2_000  # commits saved apart from the saved log before it is saved whole again
# Characters no HTML page or XML feed may hold: C0 controls but tab and line breaks, noncharacters.
UNSHOWABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The bytes UTF-8 writes them with: the controls themselves, and \ufffe and \uffff's first two.
UNSHOWABLE_BYTES = (bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]), b"\xef\xbf")


@dataclass(frozen=True)
class Version:
    """One recorded state of a document: the commit that made it and its blob (None if deleted)."""

    sha: str
    date: datetime
    blob: str | None
    message: str

    @property
    def id(self) -> str:
        """Return the version's stable id, ``<YYYY-MM-DD>-<sha7>``."""
        return f"{day(self.date)}-{self.sha[:7]}"

    @property
    def title(self) -> str:
        """Return the first line of the commit message."""
        return self.message.strip().split("\n", 1)[0]


# One file touched by one commit, as plain values (cheap to pickle):
# (author timestamp, position in the log oldest first, commit sha, new blob or None, message).
Touch = tuple[int, int, str, str | None, str]


@dataclass(frozen=True)
class DocumentHistory:
    """Every version of one document file, oldest first."""

    path: str
    platform: str
    document: str
    # The commits that made its versions, oldest first, as plain values: the versions are made
    # from them when first asked for (a rebuild asks only for the documents that changed).
    touches: tuple[Touch, ...]

    @cached_property
    def versions(self) -> tuple[Version, ...]:
        """Return its versions, oldest first."""
        return tuple(
            Version(sha, datetime.fromtimestamp(timestamp, UTC), blob, message)
            for timestamp, _order, sha, blob, message in self.touches
        )

    def __getstate__(self) -> dict[str, object]:
        """Return what a pickle of it keeps: the touches, not the versions made from them."""
        return {name: value for name, value in vars(self).items() if name != "versions"}

    @property
    def key(self) -> str:
        """Return a digest that names this version list, from its path, names and commit shas.

        Sound: a version is a pure function of its commit and the path (the commit fixes its
        author date and message, its tree the blob), so path and shas fix every field. It hashes
        40 bytes per version and formats no date or message. The last version alone would not
        do: commits made after it but backdated before it (or one of them amended) change the
        list without changing the last version, its sha or the count.
        """
        names = f"{self.path}\0{self.platform}\0{self.document}\0"
        hasher = hashlib.sha256(names.encode("utf-8", "surrogatepass"))
        hasher.update("".join(sha for _time, _order, sha, _blob, _message in self.touches).encode())
        return hasher.hexdigest()


@dataclass(frozen=True)
class _Log:
    """The parsed ``git log`` of an archive folder at one HEAD, as the build cache keeps it."""

    head: str
    archive: str
    boundary: str  # what can cut or rewrite history: shallow, grafts, replace refs
    count: int  # commits in the log, so the next ones continue its positions
    touches: dict[str, tuple[Touch, ...]] = field(default_factory=dict)
    since: str = ""  # a tail's: the HEAD of the log whose commits it continues; "" when whole

    def after(self, earlier: "_Log") -> "_Log":
        """Return this log's tail past an earlier log it extends: its touches of newer commits."""
        newer = {
            path: tuple(t for t in rows if t[1] >= earlier.count)
            for path, rows in self.touches.items()
        }
        touches = {path: rows for path, rows in newer.items() if rows}
        return _Log(self.head, self.archive, self.boundary, self.count, touches, earlier.head)


def joined(whole: _Log | None, tail: _Log | None) -> _Log | None:
    """Return a saved log extended by its saved tail, if the tail continues it."""
    if whole is None or tail is None or tail.since != whole.head:
        return whole
    if (tail.archive, tail.boundary) != (whole.archive, whole.boundary):
        return whole
    touches = dict(whole.touches)
    for path, rows in tail.touches.items():
        touches[path] = touches.get(path, ()) + rows
    return _Log(tail.head, tail.archive, tail.boundary, tail.count, touches)


def decode(data: bytes) -> str:
    """Decode git bytes as UTF-8, bad bytes and characters no page or feed may hold replaced."""
    text = data.decode("utf-8", "replace")
    controls, noncharacter = UNSHOWABLE_BYTES
    if noncharacter in data or len(data.translate(None, controls)) < len(data):
        return UNSHOWABLE.sub("\ufffd", text)
    return text  # most texts: no byte that could be one of them (a byte scan, not a regex's)


def day(moment: date) -> str:
    """Return a date (or a moment's date) as YYYY-MM-DD, about twice as fast as strftime."""
    return moment.isoformat()[:10]


def is_shallow(repo: git.Repo) -> bool:
    """Tell whether the repository is a shallow clone (its oldest versions are missing)."""
    return (Path(repo.git_dir) / "shallow").exists()


def read_history(repo: git.Repo, archive: str, store: Cache | None = None) -> list[DocumentHistory]:
    """Return the history of every document under archive, sorted by path; store keeps the log."""
    if not repo.head.is_valid():
        return []
    store = store or Cache(None, "")
    key = digest(str(Path(repo.git_dir).resolve()), archive)
    logs, tails = Shelf(store, "history", _Log), Shelf(store, "history-tail", _Log)
    whole = logs.load(key)
    cached = joined(whole, tails.load(key))
    current, extended = _current_log(repo, archive, cached)
    if current is not cached:
        _save(logs, tails, key, current, whole if extended else None)
    histories = (_document_history(path, rows, archive) for path, rows in current.touches.items())
    return sorted((h for h in histories if h.touches), key=lambda h: h.path)


def _save(
    logs: Shelf[_Log], tails: Shelf[_Log], key: str, current: _Log, whole: _Log | None
) -> None:
    """Save a log read anew: only its commits past the saved log it extends (whole), while few."""
    if whole is not None and current.count - whole.count <= TAIL_COMMITS:
        tails.save(key, current.after(whole))
    else:
        logs.save(key, current)
        tails.delete(key)


def skipped_files(repo: git.Repo, archive: str) -> list[tuple[str, str]]:
    """Return each file under archive at HEAD that is not built as a document, with the reason."""
    found = []
    for mode, path in _tree(repo, archive):
        reason = skipped_reason(archive, mode, path)
        if reason is not None:
            found.append((path, reason))
    return found


def documents_by_folder(repo: git.Repo) -> dict[str, int]:
    """Count the ``<platform>/<document>.md`` files at HEAD under each folder that holds some."""
    counts: dict[str, int] = {}
    for _mode, path in _tree(repo, "."):
        folder = str(PurePosixPath(path).parent.parent)
        if parse_document_path(folder, path) is not None:
            counts[folder] = counts.get(folder, 0) + 1
    return counts


def _tree(repo: git.Repo, archive: str) -> Iterator[tuple[str, str]]:
    """Yield (mode, path) of every file, submodule and link under archive in HEAD's tree."""
    if not repo.head.is_valid():
        return
    pathspec = [] if archive in ("", ".") else [archive.rstrip("/") + "/"]
    output: bytes = repo.git.ls_tree("-r", "-z", "HEAD", "--", *pathspec, stdout_as_string=False)
    for entry in output.split(b"\x00"):
        meta, _, path = entry.partition(b"\t")
        if path:
            yield meta.split(b" ", 1)[0].decode(), decode(path)


def _current_log(repo: git.Repo, archive: str, cached: _Log | None) -> tuple[_Log, bool]:
    """Return the log at HEAD: the cached one, extended by the new commits when they allow it;
    and whether it extends the cached one."""
    head = repo.head.commit.hexsha
    boundary = _boundary(repo)
    if cached is not None and (cached.archive, cached.boundary) == (archive, boundary):
        if cached.head == head:
            return cached, False
        if _is_chain(repo, cached.head, head):
            log.debug("history: reading %s..%s only", cached.head[:7], head[:7])
            output = _git_log(repo, archive, f"{cached.head}..{head}")
            return _extend(cached, output, head), True
    return _extend(_Log("", archive, boundary, 0), _git_log(repo, archive, head), head), False


def _boundary(repo: git.Repo) -> str:
    """Return what cuts or rewrites this repository's history: shallow, grafts, replace refs."""
    common = Path(repo.common_dir)
    files = (common / "shallow", common / "info" / "grafts")
    contents = [path.read_bytes() if path.is_file() else None for path in files]
    return digest(*contents, repo.git.for_each_ref("refs/replace/"))


def _is_chain(repo: git.Repo, old: str, head: str) -> bool:
    """Tell whether head descends from old through commits of one parent each."""
    try:
        lines = repo.git.rev_list("--parents", f"{old}..{head}").splitlines()
    except git.GitCommandError:
        return False  # old is gone: a rewritten history, garbage-collected
    expected = head
    for line in lines:
        sha, *parents = line.split()
        if sha != expected or len(parents) != 1:
            return False  # a merge: git log may interleave its branches with older commits
        expected = parents[0]
    return expected == old


def _extend(earlier: _Log, output: bytes, head: str) -> _Log:
    """Append the touches of a log of newer commits to an earlier log."""
    chunks = output.split(b"\x1e")[1:]
    added: dict[str, list[Touch]] = {}
    for path, touch in _touches(chunks, earlier.archive, earlier.count):
        added.setdefault(path, []).append(touch)
    touches = dict(earlier.touches)
    for path, rows in added.items():
        touches[path] = touches.get(path, ()) + tuple(rows)
    return _Log(head, earlier.archive, earlier.boundary, earlier.count + len(chunks), touches)


def _git_log(repo: git.Repo, archive: str, revisions: str) -> bytes:
    pathspec = [] if archive in ("", ".") else [archive.rstrip("/") + "/"]
    output: bytes = repo.git.log(
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--diff-merges=first-parent",
        f"--format={LOG_FORMAT}",
        revisions,
        "--",
        *pathspec,
        stdout_as_string=False,
    )
    return output


def _touches(chunks: list[bytes], archive: str, start: int) -> Iterator[tuple[str, Touch]]:
    """Parse ``git log -z --raw`` commits into (path, touch), positions counted from start."""
    for order, chunk in enumerate(reversed(chunks), start):
        sha, _parents, timestamp, rest = chunk.split(b"\x1f", 3)
        message, _, raw = rest.rpartition(b"\x1f")
        text = decode(message)
        for path, blob in _raw_entries(raw):
            if parse_document_path(archive, path) is not None:
                yield path, (int(timestamp), order, sha.decode(), blob, text)


def _raw_entries(raw: bytes) -> Iterator[tuple[str, str | None]]:
    """Yield (path, new blob or None when removed) for each regular file in a raw diff."""
    fields = raw.lstrip(b"\x00\n").split(b"\x00")
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        if not meta.startswith(b":"):
            continue
        old_mode, new_mode, _old, new_blob, status = meta[1:].decode().split(" ")
        name = decode(path)
        if status.startswith("D") or new_mode not in REGULAR_MODES:
            if old_mode in REGULAR_MODES:
                yield name, None
            continue
        yield name, new_blob


def _document_history(path: str, touches: tuple[Touch, ...], archive: str) -> DocumentHistory:
    """Order a file's touches by date, then log position, and drop those that kept its content."""
    where = parse_document_path(archive, path)
    assert where is not None
    kept: list[Touch] = []
    current: str | None = None
    for touch in sorted(touches):
        if touch[3] == current:
            continue  # a merge repeating its branch, or a deletion of what was never there
        current = touch[3]
        kept.append(touch)
    return DocumentHistory(path, where.platform, where.document, tuple(kept))


class BlobReader:
    """Read blobs through one long-lived ``git cat-file --batch`` process.

    Its cache of delta bases is raised from git's 96 MB to 256 MB: versions of a document are
    stored as deltas of each other, and reading them all took 2.3 times longer with the default.
    """

    def __init__(self, repo: git.Repo) -> None:
        repo.git.set_persistent_git_options(c=f"core.deltaBaseCacheLimit={DELTA_BASE_CACHE}")
        self._odb = repo.odb

    def text(self, blob: str | None) -> str:
        """Return a blob's text, decoded as UTF-8 with bad bytes replaced; '' for None."""
        if blob is None:
            return ""
        data: bytes = self._odb.stream(bytes.fromhex(blob)).read()
        return decode(data)
