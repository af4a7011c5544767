"""Catalogue stage: name, slug and describe every platform and document of the archive.

Takes the document histories and the declarations; gives ``Platform`` records holding
documents, each with URL-safe slugs that are unique within their parent. Names come
from sources.toml where a document is declared there, and from the tree otherwise (an Open Terms
Archive repository names its folders and files for people, not for URLs). A document comes in
two forms: a ``Summary`` for the lists and feeds across documents, the full ``Document`` for its
own pages (the site's library makes both).
"""

from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Generic, TypeVar

from termline.analysis.changes import BriefChange, BriefProvision, Change, Provision
from termline.analysis.history import DocumentHistory
from termline.slugs import unique_slugs
from termline.sources import Config

if TYPE_CHECKING:
    from termline.analysis.notes import Judged


@dataclass(frozen=True, kw_only=True)
class Tracked:
    """What both forms of a tracked document hold: its names, place, changes, provisions, keys.

    ``Summary`` is the form every list, feed and topic page across documents uses; ``Document``
    the full form its own pages use. Neither is the other: a summary passed where the full
    document is needed is a type error.
    """

    platform: str
    slug: str
    name: str
    type: str
    path: str
    url: str | None
    changes: tuple[BriefChange, ...]
    provisions: tuple[BriefProvision, ...]
    # Keys for the build: of everything the document's pages show, of its names as lists show
    # them, of each change (those names and its versions up to it) and of each provision (its
    # text and history).
    key: str
    display: str
    change_keys: tuple[str, ...]
    provision_keys: tuple[str, ...]
    # The notes on its provisions that its pages show, judged against its changes (never cached
    # with the analysis: the build attaches them, see ``termline.analysis.notes``).
    notes: tuple["Judged", ...] = ()

    def note(self, provision: str) -> "Judged | None":
        """Return the note on a provision that its page shows, if any."""
        return next((n for n in self.notes if n.note.provision == provision), None)

    def stale_notes(self, change: str | None = None) -> tuple["Judged", ...]:
        """Return the stale notes on its provisions (those one change made stale, if named)."""
        return tuple(n for n in self.notes if n.stale and change in (None, n.changed_in))

    @property
    def current_provisions(self) -> tuple[BriefProvision, ...]:
        """Return the provisions in the document's latest text, in reading order."""
        return tuple(p for p in self.provisions if p.current)

    @property
    def deleted(self) -> bool:
        """Tell whether the document's file is gone from the archive."""
        return self.changes[-1].kind == "deleted"

    @property
    def latest(self) -> BriefChange:
        """Return the newest change."""
        return self.changes[-1]

    @property
    def first(self) -> BriefChange:
        """Return the oldest change."""
        return self.changes[0]


@dataclass(frozen=True, kw_only=True)
class Summary(Tracked):
    """A document as lists, feeds and topic pages across documents show it: no texts, no diffs.

    Its changes keep their diffs' counts, not the diffs; its provisions keep no text and no
    history, but the opening words of each current one (``excerpts``) and which current ones
    are on each topic (``on_topics``).
    """

    excerpts: tuple[str, ...]
    # Each topic of the current provisions with the indexes of those on it, strongest first.
    on_topics: tuple[tuple[str, tuple[int, ...]], ...]
    # Each distinct ``strongest_topics`` of its provisions: what their pages compare with other
    # platforms (a rebuild keys 39,000 provision pages by 877 documents' few of these).
    topic_orders: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, kw_only=True)
class Document(Tracked):
    """One tracked document in full: its latest text, every change with its diff, oldest first."""

    changes: tuple[Change, ...]
    provisions: tuple[Provision, ...]
    text: str
    anchors: tuple[tuple[int, str], ...]

    @property
    def topics(self) -> tuple[str, ...]:
        """Return the topics of the document's current provisions, each once, in order."""
        return tuple(slug for slug, _indexes in self.provisions_by_topic())

    def provisions_by_topic(self) -> tuple[tuple[str, tuple[int, ...]], ...]:
        """Return each topic of the current provisions with their indexes, topics as first met."""
        found: dict[str, list[int]] = {}
        for index, provision in enumerate(self.provisions):
            if provision.current:
                for slug in provision.topics:
                    found.setdefault(slug, []).append(index)
        return tuple((slug, self._strongest(slug, indexes)) for slug, indexes in found.items())

    def _strongest(self, topic: str, indexes: list[int]) -> tuple[int, ...]:
        """Order provisions on a topic by how strongly they match it, in reading order on ties."""
        return tuple(sorted(indexes, key=lambda i: -self.provisions[i].score(topic)))


D_co = TypeVar("D_co", bound=Tracked, covariant=True)
D = TypeVar("D", bound=Tracked)


@dataclass(frozen=True)
class Platform(Generic[D_co]):
    """A platform and its documents (summaries in the site, full where read in full), by name."""

    slug: str
    name: str
    documents: tuple[D_co, ...]

    @property
    def current(self) -> tuple[D_co, ...]:
        """Return the documents still in the archive."""
        return tuple(d for d in self.documents if not d.deleted)


@dataclass(frozen=True)
class Entry:
    """A document history with the slugs and names it will be published under."""

    history: DocumentHistory
    platform_slug: str
    platform_name: str
    slug: str
    name: str
    type: str
    url: str | None


def catalogue(histories: list[DocumentHistory], config: Config) -> list[Entry]:
    """Give every document history its slugs, names, type and source URL."""
    platform_slugs = unique_slugs(h.platform for h in histories)
    by_platform: dict[str, list[DocumentHistory]] = defaultdict(list)
    for history in histories:
        by_platform[history.platform].append(history)
    entries = []
    for platform, items in by_platform.items():
        document_slugs = unique_slugs(h.document for h in items)
        for history in items:
            entries.append(_entry(history, platform_slugs[platform], document_slugs, config))
    return entries


def _entry(
    history: DocumentHistory, platform_slug: str, document_slugs: dict[str, str], config: Config
) -> Entry:
    slug = document_slugs[history.document]
    source = config.find(history.platform, history.document)
    if source is None:
        name = history.document or PurePosixPath(history.path).name  # ".md" has an empty stem
        return Entry(history, platform_slug, history.platform, slug, name, name, None)
    return Entry(
        history, platform_slug, source.platform_name, slug, source.name, source.type, source.url
    )


def group(documents: list[D], names: dict[str, str]) -> list[Platform[D]]:
    """Group documents into platforms, sorted by name."""
    by_platform: dict[str, list[D]] = defaultdict(list)
    for document in documents:
        by_platform[document.platform].append(document)
    platforms = [
        Platform(slug, names[slug], tuple(sorted(docs, key=lambda d: d.name.casefold())))
        for slug, docs in by_platform.items()
    ]
    return sorted(platforms, key=lambda p: p.name.casefold())
