"""History stage: read every version of every document from git, fast.

Takes a git repository and the archive folder in it; gives one ``DocumentHistory`` per
``<platform>/<document>.md`` file, its versions ordered by author date (real archives backdate
commits, so position in the log is not order). One ``git log`` pass lists the versions; one
long-lived ``git cat-file --batch`` (GitPython's object database) reads the blobs.
"""

import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import git

from termline.archive import parse_document_path
from termline.errors import TermlineError

log = logging.getLogger(__name__)

REGULAR_MODES = {"100644", "100755"}
LOG_FORMAT = "%x1e%H%x1f%P%x1f%at%x1f%B%x1f"
# Characters no HTML page or XML feed may hold: C0 controls but tab and line breaks, noncharacters.
UNSHOWABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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
        return f"{self.date:%Y-%m-%d}-{self.sha[:7]}"

    @property
    def title(self) -> str:
        """Return the first line of the commit message."""
        return self.message.strip().split("\n", 1)[0]


@dataclass(frozen=True)
class DocumentHistory:
    """Every version of one document file, oldest first."""

    path: str
    platform: str
    document: str
    versions: tuple[Version, ...]


@dataclass(frozen=True)
class _Touch:
    path: str
    blob: str | None
    order: int
    version: Version


def decode(data: bytes) -> str:
    """Decode git bytes as UTF-8, bad bytes and characters no page or feed may hold replaced."""
    return UNSHOWABLE.sub("\ufffd", data.decode("utf-8", "replace"))


def open_repo(path: str | Path) -> git.Repo:
    """Open a git repository, or raise a TermlineError naming the path."""
    try:
        return git.Repo(path)
    except git.NoSuchPathError as error:
        raise TermlineError(f"{path}: no such folder") from error
    except git.InvalidGitRepositoryError as error:
        raise TermlineError(f"{path}: not a git repository") from error


def is_shallow(repo: git.Repo) -> bool:
    """Tell whether the repository is a shallow clone (its oldest versions are missing)."""
    return (Path(repo.git_dir) / "shallow").exists()


def read_history(repo: git.Repo, archive: str) -> list[DocumentHistory]:
    """Return the history of every document under archive, sorted by path."""
    if not repo.head.is_valid():
        return []
    touches: dict[str, list[_Touch]] = defaultdict(list)
    for touch in _touches(_git_log(repo, archive), archive):
        touches[touch.path].append(touch)
    histories = [_document_history(path, items, archive) for path, items in touches.items()]
    return sorted((h for h in histories if h.versions), key=lambda h: h.path)


def _git_log(repo: git.Repo, archive: str) -> bytes:
    pathspec = [] if archive in ("", ".") else ["--", archive.rstrip("/") + "/"]
    output: bytes = repo.git.log(
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--diff-merges=first-parent",
        f"--format={LOG_FORMAT}",
        *pathspec,
        stdout_as_string=False,
    )
    return output


def _touches(output: bytes, archive: str) -> Iterator[_Touch]:
    """Parse ``git log -z --raw`` output into one touch per document file per commit."""
    chunks = output.split(b"\x1e")[1:]
    for order, chunk in enumerate(reversed(chunks)):
        sha, _parents, timestamp, rest = chunk.split(b"\x1f", 3)
        message, _, raw = rest.rpartition(b"\x1f")
        version_date = datetime.fromtimestamp(int(timestamp), UTC)
        text = decode(message)
        for path, blob in _raw_entries(raw):
            if parse_document_path(archive, path) is None:
                continue
            version = Version(sha.decode(), version_date, blob, text)
            yield _Touch(path, blob, order, version)


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


def _document_history(path: str, touches: list[_Touch], archive: str) -> DocumentHistory:
    """Order a file's touches by date and drop those that did not change its content."""
    where = parse_document_path(archive, path)
    assert where is not None
    versions: list[Version] = []
    current: str | None = None
    for touch in sorted(touches, key=lambda t: (t.version.date, t.order)):
        if touch.blob == current:
            continue  # a merge repeating its branch, or a deletion of what was never there
        current = touch.blob
        versions.append(touch.version)
    return DocumentHistory(path, where.platform, where.document, tuple(versions))


class BlobReader:
    """Read blobs through one long-lived ``git cat-file --batch`` process."""

    def __init__(self, repo: git.Repo) -> None:
        self._odb = repo.odb

    def text(self, blob: str | None) -> str:
        """Return a blob's text, decoded as UTF-8 with bad bytes replaced; '' for None."""
        if blob is None:
            return ""
        data: bytes = self._odb.stream(bytes.fromhex(blob)).read()
        return decode(data)
