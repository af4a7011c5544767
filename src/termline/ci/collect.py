"""Collect stage: commit what the CI scrape shards fetched, one commit per document, oldest first.

Takes the results folders the shards uploaded (see ``termline.scrape.results``), a repository
and its archive folder; gives one report ``Entry`` per result, with the commit it made. Every
result is checked before anything is committed (its file must land inside the archive folder,
and that folder must be clean), then recorded with ``record.record`` in fetch-time order, so the
history reads as the fetches happened and a rerun on the same results commits nothing.
"""

from collections.abc import Sequence
from pathlib import Path, PurePath

import git

from termline.archive import document_path, open_repo
from termline.errors import TermlineError
from termline.scrape.record import BOT, Record, record
from termline.scrape.reports import Entry
from termline.scrape.results import read_results


def record_results(
    repo_path: Path, archive: str, folders: Sequence[Path], author: git.Actor | None = None
) -> list[Entry]:
    """Commit every result in the folders, oldest fetch first; return what was done with each."""
    repo = open_repo(repo_path)
    root = Path(repo.working_tree_dir or repo_path)
    items = sorted(
        (item for folder in folders for item in _read(folder)),
        key=lambda r: (r.fetched_at, r.platform, r.document),
    )
    for item in items:
        _check_inside(root, archive, item)
    _check_clean(repo, archive)
    return [_record(repo, root, archive, item, author or BOT) for item in items]


def _read(folder: Path) -> list[Record]:
    if not folder.is_dir():
        raise TermlineError(f"{folder}: no such results folder")
    return read_results(folder)


def _check_inside(root: Path, archive: str, item: Record) -> None:
    folder = (root / archive).resolve()
    if ".." in PurePath(archive).parts or not folder.is_relative_to(root.resolve()):
        raise TermlineError(f"--archive {archive}: outside the repository {root}")
    relative = document_path(archive, item.platform, item.document)
    if not (root / relative).resolve().is_relative_to(folder):
        raise TermlineError(
            f"result {item.platform}/{item.document}: {relative} resolves outside {archive}/"
        )


def _check_clean(repo: git.Repo, archive: str) -> None:
    if repo.is_dirty(index=True, working_tree=True, untracked_files=True, path=archive):
        raise TermlineError(
            f"{archive}/ has uncommitted changes; commit or discard them before recording"
        )


def _record(repo: git.Repo, root: Path, archive: str, item: Record, author: git.Actor) -> Entry:
    existed = (root / document_path(archive, item.platform, item.document)).exists()
    sha = record(repo, archive, item, author)
    status = "unchanged" if sha is None else "changed" if existed else "new"
    return Entry(item.platform, item.document, item.url, status, None, sha)
