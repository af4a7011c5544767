"""Report of a scrape: what became of every document, as a table, as JSON, as an exit status.

Takes one ``Outcome`` per document; gives the table printed at the end of a run, the JSON of
``--report`` (``{"documents": [{"platform", "document", "url", "status", "reason", "commit"}]}``,
names that the workflows parse) and the exit status. ``Progress`` draws a bar on a terminal only.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import TextIO

from termline.sources import Source

BAR_WIDTH = 30


class Status(StrEnum):
    """What a scrape did with one document."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    """One document's line in the report."""

    platform: str
    document: str
    url: str
    status: Status
    reason: str | None = None
    commit: str | None = None

    @classmethod
    def of(
        cls, source: Source, status: Status, reason: str | None = None, commit: str | None = None
    ) -> "Outcome":
        """Return the outcome of a declared source."""
        return cls(source.platform, source.document, source.url, status, reason, commit)


@dataclass(frozen=True)
class Report:
    """Every document's outcome, in declaration order."""

    documents: tuple[Outcome, ...]

    @property
    def exit_status(self) -> int:
        """Return 1 when any document failed, else 0."""
        return 1 if any(d.status is Status.FAILED for d in self.documents) else 0

    def as_json(self) -> dict[str, list[dict[str, str | None]]]:
        """Return the report in the shape ``--report`` writes."""
        return {
            "documents": [
                {
                    "platform": d.platform,
                    "document": d.document,
                    "url": d.url,
                    "status": str(d.status),
                    "reason": d.reason,
                    "commit": d.commit,
                }
                for d in self.documents
            ]
        }

    def table(self) -> str:
        """Return a plain-text table of every document and a line of totals."""
        rows = [
            (str(d.status), f"{d.platform}/{d.document}", d.reason or (d.commit or "")[:12])
            for d in self.documents
        ]
        width = max((len(r[1]) for r in rows), default=0)
        lines = [f"{status:<9}  {name:<{width}}  {note}".rstrip() for status, name, note in rows]
        counts = {s: sum(d.status is s for d in self.documents) for s in Status}
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
