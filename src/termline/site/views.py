"""Views: frozen records of exactly what a page's template shows, and page keys derived from them.

Takes what the pages stage gathers (changes, documents, platforms, topics); gives, for each page
of a converted kind, a view whose fields are its template's variables (with what it derives
from them, ``derived``), and the page's key: a digest of its template and of every field of its
view. Templates receive the view and the site's settings, nothing else, so a key cannot leave
out what a page shows. Records contribute digests computed once (a change its key, a document
its key, names and notes), so a key stays cheap however much its page shows.
"""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from functools import singledispatch
from operator import attrgetter
from typing import Any, ClassVar, Protocol

from termline.analysis.catalogue import Platform, Tracked
from termline.analysis.changes import BriefChange, BriefProvision, Change, Provision
from termline.analysis.topics import Topic
from termline.cache import digest
from termline.site.render import FeedLink, Listed

SIMPLE = (str, int, float, bool, type(None), datetime)
_KEY = attrgetter("key")


class View(Protocol):
    """A frozen dataclass whose fields are what its page's template shows."""

    __dataclass_fields__: ClassVar[dict[str, Any]]


@dataclass(frozen=True)
class PlatformName:
    """A platform as the pages of one of its documents name it, without its documents."""

    slug: str
    name: str


@dataclass(frozen=True)
class DocumentName:
    """A document as a page of one of its versions names it: not its changes or provisions."""

    slug: str
    name: str
    path: str  # in the archive, for git


@dataclass(frozen=True)
class KeyedChange:
    """A change with its key (see ``Tracked.change_keys``): its versions up to it, its names."""

    change: Change
    key: str


@dataclass(frozen=True)
class KeyedChanges:
    """A document's changes with the key of its newest one, which covers them all."""

    changes: tuple[Change, ...]
    key: str


@dataclass(frozen=True)
class KeyedProvision:
    """A provision with its key (see ``Tracked.provision_keys``): its text and its history."""

    provision: Provision
    key: str


@dataclass(frozen=True)
class Neighbour:
    """The version before or after the one a page shows, as its links name it."""

    id: str
    date: datetime
    previous: str | None  # the version before it: a revert that undoes it names that one
    readable: bool = True  # False for an error page recorded as a version: its page has no diff

    @classmethod
    def of(cls, change: Change | None) -> "Neighbour | None":
        """Return a change's version as a neighbour's link names it, if there is one."""
        if change is None:
            return None
        return cls(change.id, change.version.date, change.previous, change.readable)


def view_key(template: str, view: View) -> str:
    """Return the key of a page: a digest of its template and of every field of its view."""
    return joined([template, *(part(getattr(view, f.name)) for f in fields(view))])


def context(view: View) -> dict[str, Any]:
    """Return a view's fields by name, and what it derives from them, for its template."""
    values = {f.name: getattr(view, f.name) for f in fields(view)}
    derived = getattr(view, "derived", None)
    return (values | derived()) if derived else values


def joined(parts: Iterable[str]) -> str:
    """Return a digest of many parts, cheaply (no repr of nested structures)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


@singledispatch
def part(value: object) -> str:
    """Return what a value contributes to a key: a record its fields' parts, a value its repr."""
    if is_dataclass(value) and not isinstance(value, type):
        inner = ",".join(part(getattr(value, f.name)) for f in fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, tuple | list):
        return _sequence(value)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{part(k)}:{part(v)}" for k, v in value.items()) + "}"
    if isinstance(value, SIMPLE):
        return repr(value)
    raise TypeError(f"a view holds a {type(value).__name__}, which gives no part of a key")


def _sequence(values: tuple[object, ...] | list[object]) -> str:
    """Return the part of a sequence; a list of changes is read without dispatch, it is long.

    Views hold changes in lists of changes only, so the first item tells (any other item
    without a key fails loudly).
    """
    if values and type(values[0]) is Listed:
        return "[L" + ",L".join(map(_KEY, values)) + "]"
    if all(type(value) is str for value in values):  # a sitemap's 100,000 paths: no dispatch
        return repr(tuple(values))
    return "[" + ",".join(map(part, values)) + "]"


@part.register(Listed)
def _listed(item: Listed) -> str:
    return f"L{item.key}"  # a change's key covers its versions up to it and its names


@part.register(FeedLink)
def _feed_link(link: FeedLink) -> str:
    return f"F{link.title!r}{link.path!r}"  # on every page: kept cheap


@part.register(KeyedChange)
def _keyed_change(item: KeyedChange) -> str:
    return f"K{item.key}"  # it covers the change's whole analysis: its versions up to it


@part.register(KeyedChanges)
def _keyed_changes(item: KeyedChanges) -> str:
    return f"KS{item.key}"  # the newest change's key covers its versions up to it: all of them


@part.register(KeyedProvision)
def _keyed_provision(item: KeyedProvision) -> str:
    return f"KP{item.key}"  # it covers the provision's text and history (its changes' keys)


@part.register(Neighbour)
def _neighbour(item: Neighbour) -> str:
    return f"N{item.id!r}{item.date!r}{item.previous!r}"


@part.register(Topic)
def _topic(topic: Topic) -> str:
    return f"T{topic.slug!r}"  # the site's settings hold the taxonomy, and key the whole site


@part.register(Tracked)
def _tracked(document: Tracked) -> str:
    notes = digest(document.notes) if document.notes else ""
    return f"D{document.key}{document.display}{notes}"


@part.register(Platform)
def _platform(platform: Platform[Tracked]) -> str:
    return f"P{platform.slug!r}{platform.name!r}" + "".join(map(_tracked, platform.documents))


@part.register(BriefProvision)
def _provision(provision: BriefProvision) -> str:
    raise TypeError(f"provision {provision.id}: a view holds a provision with its key")


@part.register(BriefChange)
def _change(change: BriefChange) -> str:
    raise TypeError(f"change {change.id}: a view holds a change with its key")
