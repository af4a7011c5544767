"""Notes stage: people's summaries and analyses of provisions, judged against the history.

Takes the ``notes/`` folder (``notes/<platform>/<document>/<provision-id>.md``: a TOML front
matter between two ``+++`` lines, then the analysis in Markdown) and the documents' changes;
gives ``Note`` records and, for each, a ``Judged`` record saying whether the clause it judged
changed substantively since the version it names (``written_against``). A note follows its
provision's id, so a renamed provision keeps its note. A malformed note is a one-line error
naming the file and the key.
"""

import re
import subprocess
import tomllib
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from termline.analysis.catalogue import D, Platform, Tracked, catalogue
from termline.analysis.changes import QUIET_KINDS, Analysis, BriefChange, analyse
from termline.analysis.history import BlobReader, read_history
from termline.archive import NOTES_FOLDER, open_repo
from termline.errors import TermlineError
from termline.slugs import is_slug
from termline.sources import Config

FOLDER = NOTES_FOLDER
FENCE = "+++"
README = "README.md"  # a notes folder may explain itself; it is no note
REQUIRED = ("summary", "written_against", "authors")
OPTIONAL = ("regulations", "jurisdictions")
VERSION_ID = re.compile(r"^(\d{4}-\d{2}-\d{2})-[0-9a-f]{7}$")
# What a judged note is: current; stale (its clause changed since); or a problem `notes check`
# reports: its provision is not in the document, its version is not one of the document's, or
# the provision was not in the text of that version.
FRESH, STALE, ORPHAN, UNKNOWN_VERSION, ABSENT = (
    "fresh",
    "stale",
    "orphan",
    "unknown-version",
    "absent",
)
SHOWN = (FRESH, STALE)  # the states a provision page shows


@dataclass(frozen=True)
class Note:
    """One note: a plain-language summary and an analysis of one provision's text."""

    path: str  # as messages name it, e.g. notes/acme/terms/arbitration.md
    platform: str
    document: str
    provision: str
    summary: str
    written_against: str
    authors: tuple[str, ...]
    analysis: str = ""
    regulations: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        """Return what the note is about: ``PLATFORM/DOCUMENT/PROVISION``."""
        return f"{self.platform}/{self.document}/{self.provision}"


@dataclass(frozen=True)
class Judged:
    """A note and what the history says of it: its state, and the change that made it stale."""

    note: Note
    state: str
    written: datetime | None = None  # the date of the version it was written against
    changed_in: str | None = None  # the first substantive change to the clause after that
    changed: datetime | None = None
    removed: bool = False  # that change removed the clause
    added: datetime | None = None  # when the note was first committed, if it was

    @property
    def stale(self) -> bool:
        """Tell whether the clause changed substantively after the note was written."""
        return self.state == STALE

    @property
    def problem(self) -> str | None:
        """Return the line ``notes check`` prints about this note, or None when it is fresh."""
        note = self.note
        if self.state == STALE:
            what = "was removed" if self.removed else "changed"
            return (
                f"{note.path}: stale: {note.target} {what} in {self.changed_in}, after the "
                f"text of {note.written_against} that the note judged"
            )
        if self.state == ORPHAN:
            return f"{note.path}: orphan: no provision {note.target} in the archive"
        if self.state == UNKNOWN_VERSION:
            return (
                f"{note.path}: key 'written_against': {note.written_against} is not a version "
                f"of {note.platform}/{note.document}"
            )
        if self.state == ABSENT:
            return f"{note.path}: {note.target} is not in the text of {note.written_against}"
        return None


def load_notes(folder: Path, shown_as: str = FOLDER) -> tuple[Note, ...]:
    """Read every note under a folder, sorted by path; raise on the first malformed one.

    ``shown_as`` is how messages name the folder. A missing folder holds no notes.
    """
    if not folder.is_dir():
        return ()
    notes = []
    for path in sorted(folder.rglob("*.md")):
        parts = path.relative_to(folder).parts
        shown = "/".join((shown_as, *parts))
        if parts == (README,):
            continue
        notes.append(read_note(path, shown, parts))
    return tuple(notes)


def read_note(path: Path, shown: str, parts: Sequence[str]) -> Note:
    """Read one note; ``parts`` is its path under the notes folder."""
    if len(parts) != 3:
        raise TermlineError(f"{shown}: a note lives at {FOLDER}/<platform>/<document>/<id>.md")
    names = (*parts[:2], parts[2].removesuffix(".md"))
    for name in names:
        if not is_slug(name):
            raise TermlineError(f"{shown}: '{name}' is not a slug (lowercase letters, digits, -)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TermlineError(f"{shown}: not UTF-8 text") from None
    front, body = split_front_matter(text, shown)
    table = _front_matter(front, shown)
    platform, document, provision = names
    return Note(
        path=shown,
        platform=platform,
        document=document,
        provision=provision,
        summary=_text(table, "summary", shown),
        written_against=_version_id(table, shown),
        authors=_names(table, "authors", shown, required=True),
        analysis=body.strip(),
        regulations=_names(table, "regulations", shown),
        jurisdictions=_names(table, "jurisdictions", shown),
    )


def split_front_matter(text: str, shown: str) -> tuple[str, str]:
    """Return a note's front matter and its body."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        raise TermlineError(f"{shown}: the front matter must open with a '{FENCE}' line")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == FENCE:
            return "".join(lines[1:index]), "".join(lines[index + 1 :])
    raise TermlineError(f"{shown}: the front matter is not closed by a '{FENCE}' line")


def _front_matter(front: str, shown: str) -> dict[str, object]:
    """Return a front matter's table, with no unknown key and every required one."""
    try:
        table = tomllib.loads(front)
    except tomllib.TOMLDecodeError as error:
        raise TermlineError(f"{shown}: front matter: {error}") from None
    for key in table:
        if key not in REQUIRED + OPTIONAL:
            known = ", ".join(REQUIRED + OPTIONAL)
            raise TermlineError(f"{shown}: key '{key}': unknown key (known: {known})")
    for key in REQUIRED:
        if key not in table:
            raise TermlineError(f"{shown}: key '{key}': missing")
    return table


def _text(table: dict[str, object], key: str, shown: str) -> str:
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise TermlineError(f"{shown}: key '{key}': must be a non-empty string")
    return value.strip()


def _version_id(table: dict[str, object], shown: str) -> str:
    value = table["written_against"]
    found = VERSION_ID.match(value) if isinstance(value, str) else None
    if found is None or not _is_date(found.group(1)):
        raise TermlineError(
            f"{shown}: key 'written_against': {value!r} is not a version id "
            "(<YYYY-MM-DD>-<sha7>, as in the site's version URLs)"
        )
    return str(value)


def _is_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _names(
    table: dict[str, object], key: str, shown: str, *, required: bool = False
) -> tuple[str, ...]:
    value = table.get(key, [])
    good = isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)
    if not good or (required and not value):
        need = "a non-empty list" if required else "a list"
        raise TermlineError(f"{shown}: key '{key}': must be {need} of non-empty strings")
    assert isinstance(value, list)  # for mypy: checked above
    return tuple(v.strip() for v in value)


def judge(note: Note, document: Tracked | None) -> Judged:
    """Judge a note against its document's changes (a summary is enough)."""
    if document is None:
        return Judged(note, ORPHAN)
    return judge_changes(note, document.changes, {p.id for p in document.provisions})


def judge_changes(note: Note, changes: Sequence[BriefChange], ids: Container[str]) -> Judged:
    """Judge a note against a document's changes, oldest first, and the ids it ever had."""
    if note.provision not in ids:
        return Judged(note, ORPHAN)
    versions = [change.id for change in changes]
    if note.written_against not in versions:
        return Judged(note, UNKNOWN_VERSION)
    start = versions.index(note.written_against)
    written = changes[start].version.date
    if not _present(note.provision, changes[: start + 1]):
        return Judged(note, ABSENT, written)
    for change in changes[start + 1 :]:
        if change.kind not in QUIET_KINDS and _touches(note.provision, change):
            removed = note.provision in change.removed
            return Judged(note, STALE, written, change.id, change.version.date, removed)
    return Judged(note, FRESH, written)


def _touches(provision: str, change: BriefChange) -> bool:
    """Tell whether a change altered a provision's text (a rename alone leaves it as it was)."""
    return provision in (*change.modified, *change.removed, *change.added)


def _present(provision: str, changes: Iterable[BriefChange]) -> bool:
    """Tell whether a provision is in the text the last of these changes made."""
    present = False
    for change in changes:
        if provision in change.removed:
            present = False
        elif provision in change.added or provision in change.modified:
            present = True
    return present


def judge_all(notes: Iterable[Note], platforms: Iterable[Platform[Tracked]]) -> list[Judged]:
    """Judge every note against the documents of the platforms, in the notes' order."""
    documents = {(p.slug, d.slug): d for p in platforms for d in p.documents}
    return [judge(note, documents.get((note.platform, note.document))) for note in notes]


def attach(platforms: Sequence[Platform[D]], judged: Iterable[Judged]) -> list[Platform[D]]:
    """Return the platforms with each document holding its notes that a page may show."""
    by_document: dict[tuple[str, str], list[Judged]] = {}
    for item in judged:
        if item.state in SHOWN:
            by_document.setdefault((item.note.platform, item.note.document), []).append(item)
    return [
        replace(
            platform,
            documents=tuple(
                replace(d, notes=tuple(by_document.get((platform.slug, d.slug), ())))
                for d in platform.documents
            ),
        )
        for platform in platforms
    ]


def added_dates(repo: Path, folder: Path) -> dict[str, datetime]:
    """Return when each note file under folder was first committed, by path under the folder.

    One ``git log`` for all of them; a folder outside the repository, or a note not committed
    yet, has no date.
    """
    try:
        inside = folder.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return {}
    if inside == ".":
        return {}
    command = ["git", "log", "--diff-filter=A", "--format=%x00%ct", "--name-only", "--"]
    result = subprocess.run(
        [*command, inside], cwd=repo, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        return {}
    found: dict[str, datetime] = {}
    for chunk in result.stdout.split("\0")[1:]:
        stamp, _, names = chunk.partition("\n")
        when = datetime.fromtimestamp(int(stamp.strip()), UTC)
        for name in names.split("\n"):
            if name.strip():  # newest first: the oldest add wins
                found[str(Path(name.strip()).relative_to(inside))] = when
    return found


@dataclass(frozen=True)
class Archive:
    """Where the documents notes are about live: a repository, its archive folder, its names."""

    repo: Path
    archive: str
    config: Config

    def analyses(self, wanted: Container[tuple[str, str]]) -> dict[tuple[str, str], Analysis]:
        """Return the analysis of each wanted document, by its (platform, document) slugs."""
        repo = open_repo(self.repo)
        reader = BlobReader(repo)
        entries = catalogue(read_history(repo, self.archive), self.config)
        return {
            (e.platform_slug, e.slug): analyse(e.history, reader.text)
            for e in entries
            if (e.platform_slug, e.slug) in wanted
        }


def check_notes(archive: Archive, folder: Path) -> list[Judged]:
    """Judge every note of a folder against the archive's history."""
    notes = load_notes(folder)
    if not notes:
        return []
    found = archive.analyses({(n.platform, n.document) for n in notes})
    judged = []
    for note in notes:
        analysis = found.get((note.platform, note.document))
        ids = {p.id for p in analysis.provisions} if analysis else set()
        judged.append(judge_changes(note, analysis.changes if analysis else (), ids))
    return judged


def new_note(archive: Archive, folder: Path, target: str) -> Path:
    """Write the skeleton of a note on a current provision, against its current version."""
    parts = target.split("/")
    if len(parts) != 3 or not all(map(is_slug, parts)):
        raise TermlineError(f"{target}: expected PLATFORM/DOCUMENT/PROVISION, three slugs")
    platform, document, provision = parts
    path = folder / platform / document / f"{provision}.md"
    if path.exists():
        raise TermlineError(f"{path}: a note is already there")
    analysis = archive.analyses({(platform, document)}).get((platform, document))
    if analysis is None:
        raise TermlineError(f"{target}: no document {platform}/{document} in the archive")
    found = next((p for p in analysis.provisions if p.id == provision), None)
    if found is None or not found.current:
        current = ", ".join(p.id for p in analysis.provisions if p.current)
        raise TermlineError(f"{target}: no current provision {provision} (there are: {current})")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(skeleton(found.heading, analysis.changes[-1].id), encoding="utf-8")
    return path


def skeleton(heading: str, version: str) -> str:
    """Return a note to fill in: it fails ``notes check`` until its summary and authors are set."""
    return f"""{FENCE}
# A note on "{heading.replace(chr(10), " ")}", judged against its text of {version[:10]}.
# Fill in the summary and the authors; the analysis goes below the closing line.
summary = ""
written_against = "{version}"
authors = []
# regulations = ["GDPR Art. 6"]
# jurisdictions = ["EU"]
{FENCE}

"""
