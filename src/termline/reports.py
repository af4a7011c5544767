"""Reports: the JSON a scrape writes with ``--report``, read back and merged across shards.

Takes report files (``{"documents": [{"platform", "document", "url", "status", "reason",
"commit"}]}``) or folders holding ``report.json`` files; gives one ``Entry`` per document. The
recorder writes the same shape for what it committed, so a later report fills in the commits
that a shard, which commits nothing, left empty.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from termline.errors import TermlineError
from termline.record import write_atomically

STATUSES = ("new", "changed", "unchanged", "failed")
REPORT_NAME = "report.json"


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
    data = {"documents": [asdict(entry) for entry in entries]}
    write_atomically(path, json.dumps(data, indent=1) + "\n")
