"""Data stage: the machine-readable JSON other tools rely on.

Takes the platforms; gives ``data/index.json`` and ``data/<platform>/<document>.json``. The key
names are a contract (see README): add keys, never rename them.
"""

import json
from typing import Any

from termline.analysis.catalogue import Document, Platform, Tracked
from termline.analysis.changes import Change, Provision
from termline.analysis.notes import Judged
from termline.cache import digest
from termline.site.output import Output


def write_index(platforms: tuple[Platform[Tracked], ...], out: Output) -> None:
    """Write the index of documents."""
    content = index(platforms)
    out.page("data/index.json", digest(content), lambda: _dump(content))


def write_document_data(platform: Platform[Tracked], document: Document, out: Output) -> None:
    """Write one document's versions and provisions, in its document's group of files."""
    out.page(
        f"data/{platform.slug}/{document.slug}.json",
        digest(document.key, document.notes),
        lambda: _dump(document_data(platform, document)),
        f"platforms/{platform.slug}/{document.slug}/",
    )


def index(platforms: tuple[Platform[Tracked], ...]) -> dict[str, Any]:
    """Return the index: current documents per platform, and retired ones apart."""
    live = [p for p in platforms if p.current]
    retired = [p for p in platforms if not p.current]
    return {
        "platforms": [_platform(p, p.current) for p in live],
        "retired": [_platform(p, p.documents) for p in retired]
        + [
            _platform(p, tuple(d for d in p.documents if d.deleted))
            for p in live
            if len(p.current) < len(p.documents)
        ],
    }


def _platform(platform: Platform[Tracked], documents: tuple[Tracked, ...]) -> dict[str, Any]:
    return {
        "slug": platform.slug,
        "name": platform.name,
        "url": f"platforms/{platform.slug}/",
        "documents": [
            {
                "slug": d.slug,
                "name": d.name,
                "type": d.type,
                "path": d.path,
                "url": f"platforms/{platform.slug}/{d.slug}/",
                "source_url": d.url,
                "versions": len(d.changes),
            }
            for d in documents
        ],
    }


def document_data(platform: Platform[Tracked], document: Document) -> dict[str, Any]:
    """Return one document's versions, oldest first."""
    return {
        "platform": platform.slug,
        "document": document.slug,
        "platform_name": platform.name,
        "document_name": document.name,
        "type": document.type,
        "path": document.path,
        "source_url": document.url,
        "versions": [_version(change) for change in document.changes],
        "provisions": [_provision(p, document.note(p.id)) for p in document.provisions],
    }


def _version(change: Change) -> dict[str, Any]:
    return {
        "id": change.id,
        "sha": change.version.sha,
        "date": change.version.date.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kind": change.kind,
        "message": change.version.title,
        "reverts_to": change.reverts_to,
        "added": list(change.added),
        "removed": list(change.removed),
        "modified": list(change.modified),
        "renamed": [list(pair) for pair in change.renamed],
        "words_added": change.words_added,
        "words_removed": change.words_removed,
        "words": list(change.words),
        "topics": list(change.topics),
        "significance": change.significance,
        "summary": change.summary,
    }


def _provision(provision: Provision, note: Judged | None) -> dict[str, Any]:
    return {
        "id": provision.id,
        "heading": provision.heading,
        "part": provision.part,
        "first_seen": provision.first_seen,
        "last_changed": provision.last_changed,
        "removed_in": provision.removed_in,
        "topics": list(provision.topics),
        "note": _note(note) if note else None,
    }


def _note(judged: Judged) -> dict[str, Any]:
    """Return what the data says of a provision's note: its words, and whether it is stale."""
    note = judged.note
    return {
        "summary": note.summary,
        "written_against": note.written_against,
        "stale": judged.stale,
        "changed_in": judged.changed_in,
        "authors": list(note.authors),
        "regulations": list(note.regulations),
        "jurisdictions": list(note.jurisdictions),
        "path": note.path,
    }


def _dump(value: object) -> str:
    """Return JSON without indentation: a third of the bytes (``jq .`` shows it indented)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"
