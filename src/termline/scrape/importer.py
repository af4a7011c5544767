"""Import stage: replay an Open Terms Archive versions repository into the archive.

Takes the declarations (documents of sources.toml that name their upstream file with ``import``),
a clone of the upstream versions repository and the archive's repository; gives one commit per
upstream version not imported yet, in upstream date order, touching only that document's file:
the author date is the original's and the committer date the import's (so committer dates never
go backwards along the branch), the message is termline's (``Start tracking`` /
``Update``) with ``Source-URL`` (the declared URL), ``Fetched-At`` (the original date),
``Extracted-By``, ``Imported-From: <upstream> <sha>``, and ``Recording-Change`` on the upstream's
technical upgrades. The upstream is read with one ``git log`` and one ``git cat-file --batch``;
the commits are written with one ``git fast-import`` and a fast-forward, so a failure leaves the
branch as it was. Idempotent: a version is added only when it is newer than the document's last
imported one and its text differs from the document's current text. Refuses an archive with
uncommitted changes, and a document whose scraped versions are newer than a version to add.
"""

import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import git

from termline.archive import (
    EXTENSION,
    EXTRACTED_BY,
    FOREIGN_TECHNICAL_PREFIXES,
    IMPORTED_FROM,
    RECORDING_CHANGE,
    check_archive,
    commit_message,
    document_path,
    open_repo,
    trailer,
)
from termline.errors import TermlineError
from termline.scrape.record import BOT
from termline.sources import Source, load_config, select_sources

# What extracted an imported text: the same value on every imported version, so that the first
# version termline extracts itself is seen as a change of the recording.
UPSTREAM_EXTRACTOR = "Open Terms Archive"
IMPORT_REF = "refs/termline/import"


@dataclass(frozen=True)
class ImportOptions:
    """Where to import from and into, and what."""

    upstream: Path
    sources: Path = Path("sources.toml")
    repo: Path = Path()
    archive: str = "archive"
    only: tuple[str, ...] = ()
    dry_run: bool = False
    name: str | None = None  # how Imported-From names the upstream (default: its origin URL)


@dataclass(frozen=True)
class UpstreamVersion:
    """One version of one upstream document: the commit that made it and its blob."""

    sha: str
    path: str
    blob: str | None  # None when the commit deleted the file
    title: str
    author: tuple[str, str]
    date: datetime


@dataclass(frozen=True)
class ArchivedState:
    """What the archive already holds of one document."""

    blob: str | None = None  # the current text's blob, None when there is no file
    imported: frozenset[str] = frozenset()  # upstream commit shas already imported
    last_imported: datetime | None = None
    last_scraped: datetime | None = None  # newest version that was not imported


@dataclass(frozen=True)
class Planned:
    """One commit the import makes."""

    source: Source
    version: UpstreamVersion
    first: bool

    @property
    def technical(self) -> bool:
        """Tell whether the upstream made this version by changing its recording."""
        return self.version.title.startswith(FOREIGN_TECHNICAL_PREFIXES)


@dataclass(frozen=True)
class DocumentResult:
    """What the import did with one declared document."""

    source: Source
    added: tuple[str, ...] = ()  # the new commits (planned upstream shas in a dry run)
    technical: int = 0
    skipped: tuple[str, ...] = ()  # why upstream versions were left out, one line each
    first_date: datetime | None = None
    last_date: datetime | None = None


@dataclass(frozen=True)
class ImportResult:
    """What one import did, document by document."""

    upstream: str
    documents: tuple[DocumentResult, ...] = field(default_factory=tuple)

    @property
    def commits(self) -> int:
        """Return how many commits the import made (or would make)."""
        return sum(len(d.added) for d in self.documents)

    def table(self) -> str:
        """Return a plain-text table of the documents and what was added to each."""
        rows: list[tuple[str, ...]] = [("document", "added", "technical", "from", "to", "skipped")]
        for d in self.documents:
            key = f"{d.source.platform}/{d.source.document}"
            dates = [f"{x:%Y-%m-%d}" if x else "" for x in (d.first_date, d.last_date)]
            rows.append((key, str(len(d.added)), str(d.technical), *dates, str(len(d.skipped))))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
        lines.append(f"{self.commits} versions from {self.upstream}")
        return "\n".join(line.rstrip() for line in lines)

    def as_json(self) -> dict[str, object]:
        """Return the report as plain JSON values."""
        return {
            "upstream": self.upstream,
            "documents": [
                {
                    "platform": d.source.platform,
                    "document": d.source.document,
                    "import": list(d.source.imports),
                    "url": d.source.url,
                    "added": len(d.added),
                    "commits": list(d.added),
                    "technical": d.technical,
                    "first": _iso(d.first_date),
                    "last": _iso(d.last_date),
                    "skipped": list(d.skipped),
                }
                for d in self.documents
            ],
        }


def import_versions(options: ImportOptions) -> ImportResult:
    """Replay the upstream versions of every selected document into the archive."""
    archive = check_archive(options.archive)
    if not options.sources.is_file():
        raise TermlineError(f"{options.sources}: no such sources file")
    config = load_config(options.sources)
    sources = _importing(config.sources, options.only, options.sources)
    upstream = open_repo(options.upstream)
    repo = open_repo(options.repo)
    if not options.dry_run:
        _refuse_uncommitted(repo, archive)
    name = options.name or _upstream_name(upstream, options.upstream)
    versions = read_upstream(upstream, sorted({u for s in sources for u in s.imports}))
    states = read_archive(repo, archive)
    plans = {}
    for source in sources:
        state = states.get(document_path(archive, source.platform, source.document))
        plans[source] = _plan(source, versions, state)
        _refuse_scraped(source, plans[source][0], state)
    ordered = sorted((p for planned, _ in plans.values() for p in planned), key=_order)
    committer = git.Actor(*config.author) if config.author else BOT
    signature = _Signature(archive, name, committer)
    written = {} if options.dry_run else _write(repo, upstream, ordered, signature)
    return ImportResult(name, tuple(_result(s, *plans[s], written) for s in sources))


def _importing(sources: Sequence[Source], only: Sequence[str], path: Path) -> list[Source]:
    chosen = select_sources(sources, only)
    importing = [s for s in chosen if s.imports]
    for selector in only:
        if not any(s.imports for s in select_sources(chosen, [selector])):
            raise TermlineError(f"--only {selector}: declares no import in {path}")
    if not importing:
        raise TermlineError(f"{path}: no document declares an import")
    return importing


def _refuse_uncommitted(repo: git.Repo, archive: str) -> None:
    if repo.is_dirty(index=True, working_tree=True, untracked_files=True, path=archive):
        raise TermlineError(
            f"{archive}: the archive folder has uncommitted changes; commit or discard them first"
        )


def _upstream_name(upstream: git.Repo, path: Path) -> str:
    """Return the upstream's origin URL when it has one, else the absolute path of the clone."""
    try:
        url = str(upstream.remote("origin").url)
    except ValueError:
        url = ""
    return url if "://" in url or url.startswith("git@") else str(path.resolve())


def read_upstream(upstream: git.Repo, documents: Sequence[str]) -> dict[str, list[UpstreamVersion]]:
    """Return each upstream document's versions, oldest first (one git log for all of them)."""
    paths = [f"{document}{EXTENSION}" for document in documents]
    has_head = upstream.git.rev_parse("--verify", "--quiet", "HEAD", with_exceptions=False)
    output = "" if not has_head else upstream.git.log(
        "-z", "--reverse", "--no-renames", "--no-abbrev", "--raw", "--date=raw",
        "--format=%x1e%H%x1f%an%x1f%ae%x1f%ad%x1f%s%x1f", "--", *[f":(literal){p}" for p in paths],
        strip_newline_in_stdout=False,
    )  # fmt: skip
    found: dict[str, list[UpstreamVersion]] = {document: [] for document in documents}
    for version in _parse_log(output):
        found[version.path.removesuffix(EXTENSION)].append(version)
    where = upstream.working_tree_dir or upstream.git_dir
    for document, versions in found.items():
        if not versions:
            raise TermlineError(f"import {document}: no such document in {where}")
    return found


def _parse_log(output: str) -> Iterator[UpstreamVersion]:
    for chunk in output.split("\x1e")[1:]:
        sha, name, email, raw_date, title, changes = chunk.split("\x1f", 5)
        fields = changes.strip("\0\n").split("\0")
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            parts = meta.split()
            blob = None if parts[-1] == "D" else parts[3]
            yield UpstreamVersion(sha, path, blob, title, (name, email), _parse_date(raw_date))


def _parse_date(raw: str) -> datetime:
    """Return the datetime of git's raw date ("<epoch> <+hhmm>"), in its own offset."""
    epoch, offset = raw.split()
    sign = -1 if offset.startswith("-") else 1
    delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])) * sign
    return datetime.fromtimestamp(int(epoch), tz=timezone(delta))


def read_archive(repo: git.Repo, archive: str) -> dict[str, ArchivedState]:
    """Return what the archive holds of each document file (one git log, one ls-tree)."""
    if not repo.git.rev_parse("--verify", "--quiet", "HEAD", with_exceptions=False):
        return {}
    blobs = {}
    for line in repo.git.ls_tree("-r", "-z", "HEAD", "--", archive).split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            blobs[path] = meta.split()[2]
    imported: dict[str, set[str]] = defaultdict(set)
    last_imported: dict[str, datetime] = {}
    last_scraped: dict[str, datetime] = {}
    log = repo.git.log("-z", "--no-renames", "--name-only", "--format=%x1e%at%x1f%B%x1f",
                       "--", archive)  # fmt: skip
    for chunk in log.split("\x1e")[1:]:
        stamp, message, names = chunk.split("\x1f", 2)
        date = datetime.fromtimestamp(int(stamp), tz=UTC)
        origin = trailer(message, IMPORTED_FROM)
        for path in filter(None, names.strip("\0\n").split("\0")):
            latest = last_imported if origin else last_scraped
            latest[path] = max(date, latest.get(path, date))
            if origin:
                imported[path].add(origin.rsplit(" ", 1)[-1])
    return {
        path: ArchivedState(
            blobs.get(path),
            frozenset(imported[path]),
            last_imported.get(path),
            last_scraped.get(path),
        )
        for path in set(blobs) | set(imported) | set(last_scraped)
    }


def _plan(
    source: Source, versions: dict[str, list[UpstreamVersion]], state: ArchivedState | None
) -> tuple[list[Planned], list[str]]:
    """Return the versions to add to one document and why others were left out."""
    state = state or ArchivedState()
    candidates = sorted((v for u in source.imports for v in versions[u]), key=_version_order)
    planned: list[Planned] = []
    skipped: list[str] = []
    blob = state.blob
    for version in candidates:
        if version.sha in state.imported:
            continue
        if state.last_imported is not None and version.date < state.last_imported:
            continue  # older than what was imported: history is never rewritten
        if version.blob is None:
            skipped.append(f"{version.sha} deleted {version.path} upstream: not recorded")
        elif version.blob == blob:
            skipped.append(f"{version.sha} left {version.path} as the archive has it")
        else:
            planned.append(Planned(source, version, first=blob is None))
            blob = version.blob
    return planned, skipped


def _version_order(version: UpstreamVersion) -> tuple[datetime, str]:
    return version.date.astimezone(UTC), version.path


def _order(planned: Planned) -> tuple[datetime, str, str]:
    return planned.version.date.astimezone(UTC), planned.source.platform, planned.source.document


def _refuse_scraped(source: Source, planned: list[Planned], state: ArchivedState | None) -> None:
    if not planned or state is None or state.last_scraped is None:
        return
    earliest = planned[0].version.date
    if state.last_scraped >= earliest:
        raise TermlineError(
            f"{source.platform}/{source.document}: the archive has versions scraped up to "
            f"{state.last_scraped:%Y-%m-%d %H:%M} UTC, newer than the import's first "
            f"({earliest.astimezone(UTC):%Y-%m-%d %H:%M} UTC); importing would bury them"
        )


def _message(planned: Planned, upstream: str) -> str:
    source, version = planned.source, planned.version
    extra = {EXTRACTED_BY: UPSTREAM_EXTRACTOR, IMPORTED_FROM: f"{upstream} {version.sha}"}
    if planned.technical:
        extra[RECORDING_CHANGE] = f"upstream: {version.title}"
    return commit_message(
        "first" if planned.first else "change",
        source.platform_name,
        source.name,
        source.url,
        version.date,
        extra=extra,
    )


@dataclass(frozen=True)
class _Signature:
    """What every imported commit shares: its folder, its committer, the upstream's name."""

    archive: str
    upstream: str
    committer: git.Actor
    committed_at: str = ""  # git's raw date of the import: "<epoch> +0000"


def _write(
    repo: git.Repo, upstream: git.Repo, ordered: list[Planned], signature: _Signature
) -> dict[Planned, str]:
    """Commit the planned versions on the current branch; return each one's new commit sha."""
    if not ordered:
        return {}
    head = repo.git.rev_parse("--verify", "--quiet", "HEAD", with_exceptions=False)
    since = int(repo.git.log("-1", "--format=%ct", head)) if head else 0
    signature = replace(signature, committed_at=f"{max(int(time.time()), since)} +0000")
    start = f"reset {IMPORT_REF}\n" + (f"from {head}\n\n" if head else "\n")
    try:
        with _BlobReader(upstream) as blobs:
            commands = (
                _commit_command(mark, planned, signature, blobs.read)
                for mark, planned in enumerate(ordered, start=1)
            )
            marks = _fast_import(repo, start.encode(), commands)
        repo.git.merge("--ff-only", "--quiet", IMPORT_REF)
    except git.GitCommandError as error:
        last = str(error.stderr).strip().splitlines()[-1:] or [str(error)]
        raise TermlineError(
            f"{repo.working_tree_dir}: could not fast-forward: {last[0]}"
        ) from error
    finally:
        repo.git.update_ref("-d", IMPORT_REF, with_exceptions=False)
    return {p: marks[f":{mark}"] for mark, p in enumerate(ordered, start=1)}


def _fast_import(repo: git.Repo, start: bytes, commands: Iterator[bytes]) -> dict[str, str]:
    """Feed commands to one ``git fast-import``; return its marks (":<n>" to commit sha)."""
    marks = Path(repo.git_dir) / "termline-import-marks"
    process = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--date-format=raw", f"--export-marks={marks}"],
        cwd=repo.working_tree_dir,
        stdin=subprocess.PIPE,
    )
    assert process.stdin is not None
    try:
        process.stdin.write(start)
        for command in commands:
            process.stdin.write(command)
        process.stdin.close()
    except BrokenPipeError:
        pass  # fast-import stopped early; its status below says so
    try:
        if process.wait() != 0:
            raise TermlineError(
                f"{repo.working_tree_dir}: git fast-import failed; nothing imported"
            )
        return dict(line.split() for line in marks.read_text().splitlines())
    finally:
        marks.unlink(missing_ok=True)


def _commit_command(
    mark: int, planned: Planned, signature: _Signature, read: Callable[[str], bytes]
) -> bytes:
    """Return fast-import's command for one planned commit, its text read from the upstream."""
    version = planned.version
    path = document_path(signature.archive, planned.source.platform, planned.source.document)
    text = read(version.blob or "")
    stamp = f"{int(version.date.timestamp())} {version.date.strftime('%z')}"
    message = _message(planned, signature.upstream).encode()
    committer = signature.committer
    author_name, author_email = version.author
    header = (
        f"commit {IMPORT_REF}\nmark :{mark}\n"
        f"author {author_name} <{author_email}> {stamp}\n"
        f"committer {committer.name} <{committer.email}> {signature.committed_at}\n"
        f"data {len(message)}\n"
    ).encode()
    change = f"\nM 100644 inline {path}\ndata {len(text)}\n".encode()
    return header + message + change + text + b"\n\n"


class _BlobReader:
    """One ``git cat-file --batch`` process reading blobs of the upstream by sha."""

    def __init__(self, upstream: git.Repo) -> None:
        self.process = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=upstream.git_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def __enter__(self) -> "_BlobReader":
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()

    def read(self, blob: str) -> bytes:
        """Return the bytes of one blob."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{blob}\n".encode())
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            raise TermlineError(f"upstream blob {blob}: missing from the clone")
        data = self.process.stdout.read(int(header[2]))
        self.process.stdout.read(1)  # the newline after each object
        return data


def _result(
    source: Source,
    planned: list[Planned],
    skipped: list[str],
    written: dict[Planned, str],
) -> DocumentResult:
    added = tuple(written.get(p, p.version.sha) for p in planned)
    return DocumentResult(
        source,
        added,
        sum(p.technical for p in planned),
        tuple(skipped),
        planned[0].version.date if planned else None,
        planned[-1].version.date if planned else None,
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
