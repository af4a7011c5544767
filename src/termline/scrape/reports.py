"""Reports: what a scrape did with every document, as a table, as JSON, read back and merged.

A scrape gives one ``Entry`` per document; ``Report`` prints them as the table at the end of a
run, writes the JSON of ``--report`` and gives the exit status, and ``Progress`` draws a bar on a
terminal only. Reading takes report files (``{"documents": [{"platform", "document", "url",
"status", "reason", "commit"}]}``) or folders holding ``report.json`` files gives one
``Entry`` per document. The recorder writes the same shape for what it committed, so a later
report fills in the commits that a shard, which commits nothing, left empty.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from termline.errors import TermlineError
from termline.scrape.record import write_atomically
from termline.sources import Source

REPORT_NAME = "report.json"
BAR_WIDTH = 30


class Status(StrEnum):
    """What a scrape did with one document."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


STATUSES = tuple(str(status) for status in Status)


@dataclass(frozen=True)
class Entry:
    """What one scrape did with one document."""

    platform: str
    document: str
    url: str
    status: str
    reason: str | None = None
    commit: str | None = None

    @property
    def key(self) -> str:
        """Return the document's ``platform/document`` selector."""
        return f"{self.platform}/{self.document}"

    @classmethod
    def of(
        cls, source: Source, status: Status, reason: str | None = None, commit: str | None = None
    ) -> "Entry":
        """Return the entry of a declared source."""
        return cls(source.platform, source.document, source.url, str(status), reason, commit)


def report_files(paths: Iterable[Path]) -> list[Path]:
    """Return the report files among paths, a folder standing for every report.json under it."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():  # a result's metadata, beside its .md, may be called report.json too
            files += [
                p for p in sorted(path.rglob(REPORT_NAME)) if not p.with_suffix(".md").exists()
            ]
        elif path.is_file():
            files.append(path)
        else:
            raise TermlineError(f"{path}: no such report file or folder")
    return files


def read_report(path: Path) -> list[Entry]:
    """Read one report file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = [_entry(item) for item in data["documents"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TermlineError(f"{path}: not a valid report: {error}") from error
    return entries


def _entry(item: dict[str, object]) -> Entry:
    entry = Entry(
        platform=str(item["platform"]),
        document=str(item["document"]),
        url=str(item.get("url") or ""),
        status=str(item["status"]),
        reason=None if item.get("reason") is None else str(item["reason"]),
        commit=None if item.get("commit") is None else str(item["commit"]),
    )
    if entry.status not in STATUSES:
        raise ValueError(f"{entry.key}: status '{entry.status}' is not one of {STATUSES}")
    return entry


def read_reports(paths: Iterable[Path]) -> list[Entry]:
    """Read and merge every report among paths, in document order."""
    return merge(entry for path in report_files(paths) for entry in read_report(path))


def merge(entries: Iterable[Entry]) -> list[Entry]:
    """Merge entries of the same document: what a later one says replaces what it leaves empty."""
    merged: dict[str, Entry] = {}
    for entry in entries:
        earlier = merged.get(entry.key)
        if earlier is None:
            merged[entry.key] = entry
            continue
        known = {key: value for key, value in asdict(entry).items() if value not in (None, "")}
        merged[entry.key] = replace(earlier, **known)
    return [merged[key] for key in sorted(merged)]


def write_report(path: Path, entries: Sequence[Entry]) -> None:
    """Write entries as a report file."""
    data = Report(tuple(entries)).as_json()
    write_atomically(path, json.dumps(data, indent=1) + "\n")


@dataclass(frozen=True)
class Report:
    """Every document's outcome, in declaration order."""

    documents: tuple[Entry, ...]

    @property
    def exit_status(self) -> int:
        """Return 1 when any document failed, else 0."""
        return 1 if any(d.status == Status.FAILED for d in self.documents) else 0

    def as_json(self) -> dict[str, list[dict[str, str | None]]]:
        """Return the report in the shape ``--report`` writes."""
        return {"documents": [asdict(d) for d in self.documents]}

    def table(self) -> str:
        """Return a plain-text table of every document and a line of totals."""
        rows = [
            (str(d.status), f"{d.platform}/{d.document}", d.reason or (d.commit or "")[:12])
            for d in self.documents
        ]
        width = max((len(r[1]) for r in rows), default=0)
        lines = [f"{status:<9}  {name:<{width}}  {note}".rstrip() for status, name, note in rows]
        counts = {s: sum(d.status == s for d in self.documents) for s in Status}
        lines.append(", ".join(f"{n} {s}" for s, n in counts.items()))
        return "\n".join(lines)


class Progress:
    """A one-line progress bar, drawn only when the stream is a terminal."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.shown = total > 0 and stream.isatty()

    def advance(self) -> None:
        """Count one more document fetched and redraw the bar."""
        self.done += 1
        if self.shown:
            filled = BAR_WIDTH * self.done // self.total
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self.stream.write(f"\rfetching [{bar}] {self.done}/{self.total}")
            self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
