"""The archive format in one place: paths of documents and the commit messages that record them.

The scraper writes with these functions and the builder reads with them, so the two cannot
drift apart. A document lives at ``<archive>/<platform>/<document>.md``; every recorded version
is one commit titled ``Start tracking <Platform> <Document>`` or ``Update <Platform> <Document>``,
with ``Source-URL:`` and ``Fetched-At:`` trailers.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import git

from termline.errors import TermlineError

EXTENSION = ".md"
TITLE_PREFIXES = {"first": "Start tracking", "change": "Update"}
# Title prefixes of other archives' bots (Open Terms Archive), recognised when reading.
FOREIGN_FIRST_PREFIXES = ("First record of", "Start tracking")
SOURCE_URL = "Source-URL"
FETCHED_AT = "Fetched-At"
# What extracted the text ("termline <version>; <selectors>"): a new value means the recording
# changed, so a text that changed with it may be no change of the policy.
EXTRACTED_BY = "Extracted-By"
# Where an imported version came from: "<upstream repository> <upstream commit sha>".
IMPORTED_FROM = "Imported-From"
# Present when a version's text changed because the recording did, not the policy; says how.
RECORDING_CHANGE = "Recording-Change"
# Open Terms Archive's titles of commits that change the recording, not the policy.
FOREIGN_TECHNICAL_PREFIXES = ("Apply technical or declaration upgrade on", "Refilter")


# GitHub's folder of workflows and templates: at a repository's root, never a platform.
GITHUB_FOLDER = ".github"
# termline's notes on provisions (notes/<platform>/<document>/<id>.md): at the root, no platform.
NOTES_FOLDER = "notes"
ROOT_FOLDERS = (GITHUB_FOLDER, NOTES_FOLDER)
# Tree entries that hold no text, by git mode.
NOT_FILES = {"160000": "a submodule", "120000": "a symbolic link"}


@dataclass(frozen=True)
class DocumentPath:
    """Where a document sits: its platform and document names as they appear in the tree."""

    platform: str
    document: str


def check_archive(archive: str) -> str:
    """Return the archive folder if it is a relative path inside the repository, else raise."""
    path = PurePosixPath(archive)
    if path.is_absolute() or ".." in path.parts or "\\" in archive:
        raise TermlineError(f"--archive {archive}: must be a folder inside the repository")
    return archive


def document_path(archive: str, platform: str, document: str) -> str:
    """Return the repository path of a document, as git spells it."""
    parts = [p for p in PurePosixPath(archive).parts if p != "."]
    return str(PurePosixPath(*parts, platform, document + EXTENSION))


def parse_document_path(archive: str, path: str) -> DocumentPath | None:
    """Return the platform and document of a repository path, or None if it is not a document.

    Any name is taken as it is (dot-names and names that look like paths too): the site gives
    each a safe, unique slug. Only GitHub's folder and the notes' at the repository's root are
    no platform.
    """
    prefix = [p for p in PurePosixPath(archive).parts if p != "."]
    parts = PurePosixPath(path).parts
    if len(parts) != len(prefix) + 2 or list(parts[: len(prefix)]) != prefix:
        return None
    platform, filename = parts[-2], parts[-1]
    if (not prefix and platform in ROOT_FOLDERS) or not filename.endswith(EXTENSION):
        return None
    return DocumentPath(platform, filename[: -len(EXTENSION)])


def skipped_reason(archive: str, mode: str, path: str) -> str | None:
    """Say why a tracked file under the archive is not built; None for documents and other files.

    Other files are those outside the archive, and at the repository's root (when the archive is
    the root) its own files, GitHub's folder and the notes.
    """
    prefix = [p for p in PurePosixPath(archive).parts if p != "."]
    parts = PurePosixPath(path).parts
    if list(parts[: len(prefix)]) != prefix:
        return None
    depth = len(parts) - len(prefix)
    if not prefix and (depth == 1 or parts[0] in ROOT_FOLDERS):
        return None
    if depth == 1:
        return "not in a platform folder (<platform>/<document>.md)"
    if depth > 2:
        return "in a sub-folder of a platform folder (<platform>/<document>.md)"
    reason = NOT_FILES.get(mode)
    if reason is None and not path.endswith(EXTENSION):
        reason = f"not Markdown (no {EXTENSION} extension)"
    return reason


def format_fetched_at(moment: datetime) -> str:
    """Return a UTC ISO 8601 timestamp as the trailers spell it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def commit_message(
    kind: str,
    platform: str,
    document: str,
    url: str,
    fetched_at: datetime,
    *,
    extra: Mapping[str, str] | None = None,
) -> str:
    """Return the commit message that records one version of a document (extra: more trailers)."""
    title = f"{TITLE_PREFIXES[kind]} {platform} {document}"
    trailers = {SOURCE_URL: url, FETCHED_AT: format_fetched_at(fetched_at), **(extra or {})}
    lines = "".join(f"{key}: {value}\n" for key, value in trailers.items())
    return f"{title}\n\nFetched from {url}\n\n{lines}"


def trailer(message: str, key: str) -> str | None:
    """Return the value of a trailer in a commit message, or None."""
    for line in reversed(message.strip().splitlines()):
        name, sep, value = line.partition(":")
        if sep and name.strip() == key:
            return value.strip()
    return None


def open_repo(path: str | Path) -> git.Repo:
    """Open a git repository, or raise a TermlineError naming the path."""
    try:
        return git.Repo(path)
    except git.NoSuchPathError as error:
        raise TermlineError(f"{path}: no such folder") from error
    except git.InvalidGitRepositoryError as error:
        raise TermlineError(f"{path}: not a git repository") from error
