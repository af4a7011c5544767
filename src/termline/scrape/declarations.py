"""Declarations stage: convert Open Terms Archive declarations into sources.toml entries.

Takes service declaration files (``<Service>.json``: ``{"name", "terms": {<terms type>: {...}}}``)
and which platform slug each service goes under; gives the TOML text of one
``[platforms.<platform>.documents.<document>]`` table per terms type, each with ``import`` naming
the upstream document, and a list of what could not be converted. What converts: ``fetch`` →
``url``, string ``select``/``remove`` → ``select``/``remove``. What is reported instead: range
selectors (``startBefore``…), ``filter`` functions, ``executeClientScripts``, and the pages after
the first of a ``combine`` (termline fetches one page per document).
"""

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from termline.errors import TermlineError
from termline.slugs import slugify


@dataclass(frozen=True)
class Converted:
    """One declared document in termline's terms, and what of it did not convert."""

    platform: str
    platform_name: str
    document: str
    name: str
    type: str
    url: str
    select: tuple[str, ...]
    remove: tuple[str, ...]
    upstream: str  # "<Service>/<Terms type>"
    not_converted: tuple[str, ...]


def read_declaration(path: Path) -> tuple[str, Mapping[str, object]]:
    """Return a declaration file's service name and its terms, or raise naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TermlineError(f"{path}: not a readable JSON declaration: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("terms"), dict):
        raise TermlineError(f"{path}: not a service declaration (no 'terms' object)")
    return str(data.get("name") or path.stem), data["terms"]


def convert(
    declarations: Iterable[tuple[str, Mapping[str, object]]], platforms: Mapping[str, str]
) -> list[Converted]:
    """Convert every terms type of every service; platforms maps a service to its slug."""
    services = list(declarations)
    slugs = {name: platforms.get(name) or slugify(name) for name, _ in services}
    shared = {slug for slug in slugs.values() if list(slugs.values()).count(slug) > 1}
    converted = []
    for service, terms in services:
        prefix = service if slugs[service] in shared else ""
        platform_name = slugs[service] if prefix else service
        for terms_type, declaration in terms.items():
            if not isinstance(declaration, Mapping):
                raise TermlineError(f"{service}: {terms_type}: expected an object")
            where = (slugs[service], platform_name, prefix)
            converted.append(_convert_one(where, service, terms_type, declaration))
    return converted


def _convert_one(
    where: tuple[str, str, str], service: str, terms_type: str, declaration: Mapping[str, object]
) -> Converted:
    platform, platform_name, prefix = where
    parts = declaration.get("combine") or [declaration]
    if not isinstance(parts, list) or not parts or not isinstance(parts[0], Mapping):
        raise TermlineError(f"{service}: {terms_type}: 'combine' is not a list of pages")
    first = {**declaration, **parts[0]}
    notes = [
        f"combine: page {i} not converted: {p.get('fetch')}" for i, p in enumerate(parts[1:], 2)
    ]
    select, more = _selectors("select", first.get("select"))
    remove, other = _selectors("remove", first.get("remove"))
    notes += more + other
    if first.get("filter"):
        notes.append(f"filter {', '.join(map(str, _listed(first['filter'])))} not converted")
    if first.get("executeClientScripts"):
        notes.append("executeClientScripts not converted (termline reads the page as served)")
    url = str(first.get("fetch") or "")
    if not url:
        raise TermlineError(f"{service}: {terms_type}: no 'fetch' URL")
    name = f"{prefix} {terms_type}" if prefix else terms_type
    return Converted(
        platform, platform_name, slugify(name), name, terms_type, url, select, remove,
        f"{service}/{terms_type}", tuple(notes),
    )  # fmt: skip


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _selectors(key: str, value: object) -> tuple[tuple[str, ...], list[str]]:
    """Return the string selectors of a select or remove value, and notes on the others."""
    if value is None:
        return (), []
    strings = tuple(v for v in _listed(value) if isinstance(v, str))
    ranges = [v for v in _listed(value) if not isinstance(v, str)]
    return strings, [f"{key}: range selector {json.dumps(r)} not converted" for r in ranges]


def to_toml(documents: Sequence[Converted]) -> str:
    """Return sources.toml tables for the converted documents, notes as comments."""
    lines: list[str] = []
    platforms: set[str] = set()
    for doc in sorted(documents, key=lambda d: d.platform):
        if doc.platform not in platforms:
            platforms.add(doc.platform)
            lines += [f"[platforms.{doc.platform}]", f"name = {_string(doc.platform_name)}", ""]
        lines.append(f"[platforms.{doc.platform}.documents.{doc.document}]")
        lines += [f"# {note}" for note in doc.not_converted]
        lines += [f"name = {_string(doc.name)}", f"type = {_string(doc.type)}"]
        lines.append(f"url = {_string(doc.url)}")
        if doc.select:
            lines.append(f"select = {_strings(doc.select)}")
        if doc.remove:
            lines.append(f"remove = {_strings(doc.remove)}")
        lines += [f"import = {_string(doc.upstream)}", ""]
    return "\n".join(lines)


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _strings(texts: Sequence[str]) -> str:
    return _string(texts[0]) if len(texts) == 1 else f"[{', '.join(map(_string, texts))}]"
