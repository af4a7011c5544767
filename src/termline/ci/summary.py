"""Summary: the Markdown table of a scrape that the workflow shows on its run page.

Takes merged report entries; gives Markdown: a count per status, then one row per document that
is new, changed or failed (failures first, with their reason). Unchanged documents are counted,
not listed. Reasons come from servers and pages, so every cell is escaped: no HTML, no breaking
out of the table.
"""

import html
from collections import Counter
from collections.abc import Sequence

from termline.scrape.reports import STATUSES, Entry

ORDER = {"failed": 0, "new": 1, "changed": 2}
MAX_CELL = 300


def summary_markdown(entries: Sequence[Entry], commit_url: str | None = None) -> str:
    """Return the Markdown summary of a scrape."""
    counts = Counter(entry.status for entry in entries)
    title = ", ".join(f"{counts[status]} {status}" for status in STATUSES)
    lines = [f"### Scrape: {title}", ""]
    listed = sorted(
        (e for e in entries if e.status in ORDER), key=lambda e: (ORDER[e.status], e.key)
    )
    if not listed:
        return "\n".join([*lines, "Nothing new, nothing changed, nothing failed.", ""])
    lines += ["| document | status | reason | commit |", "|---|---|---|---|"]
    lines += [_row(entry, commit_url) for entry in listed]
    return "\n".join([*lines, ""])


def _row(entry: Entry, commit_url: str | None) -> str:
    document = f"[{cell(entry.key)}]({cell(entry.url)})" if entry.url else cell(entry.key)
    commit = ""
    if entry.commit:
        short = cell(entry.commit[:7])
        commit = f"[{short}]({commit_url}{cell(entry.commit)})" if commit_url else short
    status = f"**{entry.status}**" if entry.status == "failed" else entry.status
    return f"| {document} | {status} | {cell(entry.reason or '')} | {commit} |"


def cell(text: str) -> str:
    """Return text made safe for one Markdown table cell: one line, escaped, bounded."""
    flat = " ".join(text.split())
    if len(flat) > MAX_CELL:
        flat = flat[: MAX_CELL - 1] + "…"
    escaped = html.escape(flat, quote=True)
    for char in "\\|[]()`*_":
        escaped = escaped.replace(char, "\\" + char)
    return escaped
