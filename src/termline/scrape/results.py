"""Results: fetched documents written to a folder instead of committed, to be recorded later.

A scrape shard on CI fetches and validates, then writes each new or changed document here
(``<dir>/<platform>/<document>.md`` and a ``.json`` beside it with names, URL, fetch time and
what extracted it);
one final job reads every shard's folder and records the documents in fetch-time order. This
module is the one place that format is written and read.
"""

import json
from datetime import datetime
from pathlib import Path

from termline.archive import document_path
from termline.errors import TermlineError
from termline.scrape.record import Record, write_atomically
from termline.slugs import is_slug

META_KEYS = ("platform", "document", "platform_name", "document_name", "url", "fetched_at")


def write_result(folder: Path, item: Record) -> Path:
    """Write one fetched document and its metadata into a results folder; return the text's path."""
    text_path = folder / document_path(".", item.platform, item.document)
    write_atomically(text_path, item.text)
    meta = {key: getattr(item, key) for key in META_KEYS[:-1]}
    meta["fetched_at"] = item.fetched_at.isoformat()
    if item.extracted_by:
        meta["extracted_by"] = item.extracted_by
    write_atomically(text_path.with_suffix(".json"), json.dumps(meta, indent=1) + "\n")
    return text_path


def read_results(folder: Path) -> list[Record]:
    """Read every result under a folder (any depth), oldest fetch first."""
    items = [
        _read(meta) for meta in sorted(folder.rglob("*.json")) if meta.with_suffix(".md").exists()
    ]
    return sorted(items, key=lambda r: (r.fetched_at, r.platform, r.document))


def _read(meta_path: Path) -> Record:
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        item = Record(
            platform=meta["platform"],
            document=meta["document"],
            platform_name=meta["platform_name"],
            document_name=meta["document_name"],
            text=meta_path.with_suffix(".md").read_text(encoding="utf-8"),
            url=meta["url"],
            fetched_at=datetime.fromisoformat(meta["fetched_at"]),
            extracted_by=_optional_text(meta.get("extracted_by")),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TermlineError(f"{meta_path}: not a valid result: {error}") from error
    for key in ("platform", "document"):
        if not is_slug(getattr(item, key)):
            raise TermlineError(f"{meta_path}: {key} '{getattr(item, key)}' is not a slug")
    if item.fetched_at.tzinfo is None:
        raise TermlineError(f"{meta_path}: fetched_at has no time zone")
    return item


def _optional_text(value: object) -> str | None:
    """Return a one-line text, None for none; anything else is no valid result."""
    if value is None:
        return None  # results written before the trailer existed
    if not isinstance(value, str) or "\n" in value:
        raise TypeError(f"extracted_by {value!r} is not one line of text")
    return value
