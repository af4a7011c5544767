"""Record stage: write one document's new text into the archive and commit it alone.

Takes a repository, the archive folder, a document's slugs and display names, its text, source
URL, fetch time and what extracted it (the ``Extracted-By`` trailer); gives the new commit's sha,
or None when the text is unchanged. The file is written to a temporary file and renamed, so the
archive never holds a partial document; the commit touches only that file, and its date is the
fetch time.
"""

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import git

from termline.archive import EXTRACTED_BY, commit_message, document_path

BOT = git.Actor("termline", "bot@termline.invalid")


@dataclass(frozen=True)
class Record:
    """One fetched document to record: where it goes, what it says, where and when it came from."""

    platform: str
    document: str
    platform_name: str
    document_name: str
    text: str
    url: str
    fetched_at: datetime
    extracted_by: str | None = None  # "termline <version>; <selectors or trafilatura>"


def record(repo: git.Repo, archive: str, item: Record, author: git.Actor = BOT) -> str | None:
    """Write and commit one document; return the commit sha, or None if nothing changed."""
    relative = document_path(archive, item.platform, item.document)
    path = Path(repo.working_tree_dir or ".") / relative
    existed = path.exists()
    if existed and path.read_bytes() == item.text.encode("utf-8"):
        return None
    write_atomically(path, item.text)
    repo.index.add([relative])
    kind = "change" if existed else "first"
    extra = {EXTRACTED_BY: item.extracted_by} if item.extracted_by else {}
    message = commit_message(
        kind, item.platform_name, item.document_name, item.url, item.fetched_at, extra=extra
    )
    # git's own "<epoch> <offset>" form: GitPython misreads the seconds of "…T%H:%M:%S+0000".
    stamp = f"{int(item.fetched_at.timestamp())} {item.fetched_at.strftime('%z') or '+0000'}"
    commit = repo.index.commit(
        message, author=author, committer=author, author_date=stamp, commit_date=stamp
    )
    return str(commit.hexsha)


def write_atomically(path: Path, text: str) -> None:
    """Write text to path through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
