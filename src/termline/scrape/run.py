"""Scrape: one run of the pipeline, from sources.toml to one commit per changed document.

Takes the declarations, the repository and the options; selects the sources (``--only``),
fetches them concurrently, and as each page arrives extracts, normalises (dropping relative times
and the document's ``ignore`` patterns) and validates it, then records it with an ``Extracted-By``
trailer (or writes it to a results folder, or, in a dry run, nothing). Gives a ``Report`` with
one line per document: new, changed, unchanged or failed with the reason. Refuses to start while
another scrape holds the lock, or when the archive folder or the index has uncommitted changes.
"""

import fcntl
import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

import git

from termline.archive import document_path, open_repo
from termline.errors import TermlineError
from termline.readable import MIN_WORDS
from termline.scrape.extract import extract, extracted_by
from termline.scrape.fetch import FetchOptions, Page, Request, Validators, fetch_pages
from termline.scrape.normalise import drop_ignored, drop_relative_times, normalise
from termline.scrape.record import BOT, Record, record, write_atomically
from termline.scrape.reports import Entry, Progress, Report, Status, write_report
from termline.scrape.results import write_result
from termline.scrape.validate import Refusal, check_response, check_text
from termline.sources import Source, load_config, select_sources

LOCK_FILE = "termline-scrape.lock"
VALIDATORS_FILE = "termline-validators.json"


@dataclass(frozen=True)
class ScrapeOptions:
    """What to scrape, where to record it, and how."""

    sources: Path = Path("sources.toml")
    repo: Path = Path()
    archive: str = "archive"
    only: tuple[str, ...] = ()
    fetch: FetchOptions = field(default_factory=FetchOptions)
    report: Path | None = None
    dry_run: bool = False
    force: bool = False
    results: Path | None = None


@dataclass(frozen=True)
class _Run:
    """What every document of one run shares."""

    repo: git.Repo
    options: ScrapeOptions
    author: git.Actor
    known: dict[str, dict[str, str]]  # the validators, updated as documents are settled


def scrape(options: ScrapeOptions, progress_to: TextIO = sys.stderr) -> Report:
    """Fetch, check and record every selected source; return the report of the run."""
    if not options.sources.is_file():
        raise TermlineError(f"{options.sources}: no such sources file")
    config = load_config(options.sources)
    sources = select_sources(config.sources, options.only)
    repo = open_repo(options.repo)
    fetch_options = replace(options.fetch, contact=options.fetch.contact or config.repo_url)
    author = git.Actor(*config.author) if config.author else BOT
    with _lock(repo):
        if not options.dry_run and options.results is None:
            _refuse_uncommitted(repo, options.archive)
        run = _Run(repo, options, author, _load_validators(repo))
        requests = [Request(s.url, _validators_for(run, s)) for s in sources]
        outcomes: list[Entry] = [Entry.of(s, Status.FAILED, "not fetched") for s in sources]
        progress = Progress(len(requests), progress_to)

        def settle(index: int, page: Page) -> None:
            outcomes[index] = _settle(run, sources[index], page)
            progress.advance()

        fetch_pages(requests, fetch_options, settle)
        progress.close()
        if not options.dry_run and options.results is None:
            _save_validators(repo, run.known)
    report = Report(tuple(outcomes))  # in declaration order; commits are in order of arrival
    if options.report:
        write_report(options.report, report.documents)
    return report


@contextmanager
def _lock(repo: git.Repo) -> Iterator[None]:
    path = Path(repo.git_dir) / LOCK_FILE
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise TermlineError(f"{path}: another scrape is running on this repository") from error
        yield  # the lock goes with the file handle, even if this process dies


def _refuse_uncommitted(repo: git.Repo, archive: str) -> None:
    if repo.is_dirty(index=False, working_tree=True, untracked_files=True, path=archive):
        raise TermlineError(
            f"{archive}: the archive folder has uncommitted changes; commit or discard them first"
        )
    if repo.is_dirty(index=True, working_tree=False, untracked_files=False):
        raise TermlineError(
            f"{repo.working_tree_dir}: the index has staged changes that a scrape would commit"
        )


def _settle(run: _Run, source: Source, page: Page) -> Entry:
    repo, options, known = run.repo, run.options, run.known
    previous = _archived(repo, options.archive, source)
    try:
        text = _checked_text(source, page, previous, options.force)
    except Refusal as refusal:
        return Entry.of(source, Status.FAILED, reason=str(refusal))
    if text is None:  # 304 Not Modified: the validators we sent still hold
        return Entry.of(source, Status.UNCHANGED)
    if text == previous:
        _remember(known, source, page.validators, text)
        return Entry.of(source, Status.UNCHANGED)
    item = Record(
        platform=source.platform,
        document=source.document,
        platform_name=source.platform_name,
        document_name=source.name,
        text=text,
        url=source.url,
        fetched_at=page.fetched_at,
        extracted_by=extracted_by(source),
    )
    status = Status.NEW if previous is None else Status.CHANGED
    if options.dry_run:
        return Entry.of(source, status)
    if options.results is not None:
        write_result(options.results, item)
        return Entry.of(source, status)
    commit = record(repo, options.archive, item, run.author)
    _remember(known, source, page.validators, text)
    return Entry.of(source, status, commit=commit)


def _checked_text(source: Source, page: Page, previous: str | None, force: bool) -> str | None:
    if page.failure is not None:
        raise Refusal(page.failure, page.detail)
    if page.not_modified:
        return None
    check_response(page.status, page.content_type, page.body, page.url, page.final_url)
    extracted = extract(page.body, page.content_type, page.final_url, source.select, source.remove)
    text = normalise(extracted.markdown)
    if not source.keep_relative_times:
        text = drop_relative_times(text)
    if source.ignore:
        text = drop_ignored(text, source.ignore)
    check_text(text, extracted.title, previous, force, source.min_words or MIN_WORDS)
    return text


def _archived(repo: git.Repo, archive: str, source: Source) -> str | None:
    path = Path(repo.working_tree_dir or ".") / document_path(
        archive, source.platform, source.document
    )
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


# Conditional requests: the ETag and Last-Modified of each document's last accepted fetch, kept
# in the repository's git folder (never committed) with a fingerprint of the archived text and the
# declaration, so that a 304 is trusted only while both are what they were.


def _fingerprint(source: Source, text: str) -> str:
    key = json.dumps([source.url, extracted_by(source), text])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _validators_for(run: _Run, source: Source) -> Validators | None:
    entry = run.known.get(f"{source.platform}/{source.document}")
    previous = _archived(run.repo, run.options.archive, source)
    if not entry or previous is None or entry.get("fingerprint") != _fingerprint(source, previous):
        return None
    return Validators(entry.get("etag"), entry.get("last_modified"))


def _remember(
    known: dict[str, dict[str, str]], source: Source, validators: Validators, text: str
) -> None:
    key = f"{source.platform}/{source.document}"
    if not (validators.etag or validators.last_modified):
        known.pop(key, None)
        return
    entry = {"fingerprint": _fingerprint(source, text)}
    entry |= {"etag": validators.etag} if validators.etag else {}
    entry |= {"last_modified": validators.last_modified} if validators.last_modified else {}
    known[key] = entry


def _load_validators(repo: git.Repo) -> dict[str, dict[str, str]]:
    path = Path(repo.git_dir) / VALIDATORS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}  # a lost or damaged cache only costs full downloads
    return data if isinstance(data, dict) else {}


def _save_validators(repo: git.Repo, known: dict[str, dict[str, str]]) -> None:
    write_atomically(
        Path(repo.git_dir) / VALIDATORS_FILE, json.dumps(known, indent=1, sort_keys=True)
    )
