"""Pages stage: which pages the site has, the key of what each shows, and how to render it.

Takes the ``Site`` (documents as ``Summary`` records: no texts, no diffs) and, for a document whose
pages must be rendered, the ``Document`` in full; gives ``Viewed`` pages, each with a view of
exactly what its template shows (``termline.site.views``), rendered and written only when the key
derived from its view differs from the one the site in place was built with (``Output``). Views
hold records by small per-change and per-provision keys computed once per analysis, so a build
computes every page's key cheaply and renders only the pages one new commit changed: its
document's pages, the version page before it, the lists it enters.

Lists of changes are paginated from the oldest change: page N always holds the same hundred
changes, so a new change rewrites the first page of each list it is in, not every page.
"""

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, partial
from itertools import islice
from operator import attrgetter
from typing import Any

import jinja2

from termline import parallel
from termline.analysis.catalogue import Document, Platform, Summary, Tracked
from termline.analysis.changes import BriefProvision, Change, Provision
from termline.analysis.notes import Judged
from termline.analysis.topics import Match, Topic
from termline.site.output import Output
from termline.site.render import (
    COMPARED_PLATFORMS,
    LATEST,
    PAGE_SIZE,
    SHOWN_PLATFORMS,
    SHOWN_PROVISIONS,
    TOPIC_PROVISIONS,
    FeedLink,
    Listed,
    Site,
    StaleNote,
    anchored,
    build_date,
    changes_url,
    document_date,
    document_url,
    feed_links,
    is_news,
    kind_label,
    notes_feed_link,
    platform_url,
    provision_feed_link,
    provision_url,
    render_view,
    site_base,
    stale_notes,
    topic_feed_link,
    topic_url,
)
from termline.site.timeline import Months, Timeline, month_counts, months_chart, timeline
from termline.site.views import (
    DocumentName,
    KeyedChange,
    KeyedChanges,
    KeyedProvision,
    Neighbour,
    PlatformName,
    View,
    context,
    joined,
    part,
    view_key,
)
from termline.slugs import slugify

HELD = max(TOPIC_PROVISIONS, SHOWN_PROVISIONS)  # provisions a column holds: those shown
SHARES = 8  # shares of the pages to render per worker, so that no worker waits on another


@dataclass(frozen=True)
class Viewed:
    """One page rendered from a view: where it goes, its template, what it shows (see ``views``).

    Its key is derived from its template and its view, never written by hand.
    """

    path: str
    template: str
    view: View
    group: str = ""


Keyed = tuple[Viewed, str]  # a page and the key it is written with


@dataclass(frozen=True)
class Held:
    """A provision with the platform and document it belongs to, for lists across documents."""

    platform: Platform[Summary]
    document: Summary
    provision: BriefProvision
    key: str  # the provision's own key (see ``Tracked.provision_keys``), for page keys
    excerpt: str = ""  # its sentence that matches the topic best, else its opening words
    match: Match | None = None  # how strongly it is on the topic, the excerpt's matches marked

    @property
    def score(self) -> float:
        """Return how strongly the provision is on the topic it is held for."""
        return self.match.score if self.match else 0.0


@dataclass(frozen=True)
class Facet:
    """A way to filter the list of all changes: each change has zero or more (slug, label).

    ``cause`` is what a change's values depend on: changes with the same cause share them.
    """

    name: str
    label: str
    values: Callable[[Site, Listed], Iterable[tuple[str, str]]]
    cause: Callable[[Listed], Hashable]


_KIND, _TOPICS = attrgetter("change.kind"), attrgetter("change.topics")
_slug = cache(slugify)
FACETS: tuple[Facet, ...] = (
    Facet(
        "platform",
        "Platform",
        lambda site, i: [(i.platform.slug, i.platform.name)],
        lambda i: id(i.document),
    ),
    Facet(
        "type",
        "Document type",
        lambda site, i: [(_slug(i.document.type), i.document.type)],
        lambda i: id(i.document),
    ),
    Facet("kind", "Kind", lambda site, i: [(i.change.kind, kind_label(i.change.kind))], _KIND),
    Facet(
        "topic",
        "Topic",
        lambda site, i: [(t, site.topic_name(t)) for t in i.change.topics],
        _TOPICS,
    ),
)


@dataclass(frozen=True)
class Filter:
    """One value of a facet and the changes that have it, newest first."""

    facet: Facet
    slug: str
    label: str
    items: tuple[Listed, ...]


@dataclass(frozen=True)
class Month:
    """One month of a timeline: its news, and its cosmetic changes and reverts apart."""

    id: str
    label: str
    news: tuple[Listed, ...]
    quiet: tuple[Listed, ...]


def write_pages(
    site: Site, env: jinja2.Environment, out: Output, pages: Iterable[Viewed], jobs: int = 1
) -> None:
    """Render and write each page whose key changed since the site in place was built.

    The others are kept here; with ``jobs`` above one and enough pages to pay for the forks,
    workers render and stage a share each, and what they wrote is counted here.
    """
    todo = []
    for page in pages:
        key = view_key(page.template, page.view)
        if not out.keeps(page.path, key, page.group):
            todo.append((page, key))
    jobs = jobs if len(todo) >= parallel.MIN_ITEMS * jobs else 1
    shares = [todo[start :: SHARES * jobs] for start in range(min(len(todo), SHARES * jobs))]
    work = [partial(_write, site, env, out, share) for share in shares]
    for written in parallel.run(lambda i: out.part(work[i]), len(work), jobs):
        out.merge(written)


def _write(site: Site, env: jinja2.Environment, out: Output, pages: list[Keyed]) -> None:
    """Render and stage pages whose keys changed."""
    for page, key in pages:
        out.page(page.path, key, partial(_render, site, env, page), page.group)


def _render(site: Site, env: jinja2.Environment, page: Viewed) -> str:
    return render_view(env, page.template, page.path, site.settings, context(page.view))


def write_site_pages(
    site: Site, env: jinja2.Environment, out: Output, others: "Others | None" = None, jobs: int = 1
) -> None:
    """Write the pages that span the site (home, platforms, topics), then its sitemaps; the lists
    of changes apart (``write_change_lists``)."""
    write_pages(site, env, out, site_pages(site, others or Others(site)), jobs)
    write_sitemaps(site, env, out)
    out.write("robots.txt", env.get_template("robots.txt").render(base=site_base(site)))


def write_change_lists(site: Site, env: jinja2.Environment, out: Output, jobs: int = 1) -> None:
    """Write the lists of changes under /changes/: every change, and one list per facet value."""
    write_pages(site, env, out, change_lists(site), jobs)


def write_sitemaps(site: Site, env: jinja2.Environment, out: Output) -> None:
    """Write a sitemap index and one sitemap per platform, so one change rewrites one of them."""
    base = site_base(site)
    if not base:
        return
    maps = {"sitemaps/site.xml": ["", *(topic_url(t) for t in site.topics)]}
    maps["sitemaps/site.xml"] += [platform_url(p) for p in site.platforms]
    for platform in site.platforms:
        maps[f"sitemaps/{platform.slug}.xml"] = [
            path
            for document in platform.documents
            for path in (
                document_url(platform, document),
                *(provision_url(platform, document, p) for p in document.provisions),
            )
        ]
    template = env.get_template("sitemap.xml")
    for path, paths in maps.items():
        view = Sitemap(tuple(paths))
        out.page(path, view_key("sitemap.xml", view), _sitemap(template, base, view))
    index = env.get_template("sitemap-index.xml")
    out.write("sitemap.xml", index.render(base=base, sitemaps=list(maps)))


@dataclass(frozen=True)
class Sitemap:
    """What a sitemap lists: its pages' site paths (the site's base URL is in its settings)."""

    paths: tuple[str, ...]


def _sitemap(template: jinja2.Template, base: str, view: Sitemap) -> Callable[[], str]:
    return lambda: template.render(base=base, paths=view.paths)


@dataclass(frozen=True)
class Plain:
    """What a page showing nothing of the archive shows: the site's update and feed."""

    updated: datetime | None
    feeds: tuple[FeedLink, ...]


@dataclass(frozen=True)
class NotFound:
    """What the not-found page shows: it may be served from any folder, so links are absolute."""

    root: str
    updated: datetime | None
    feeds: tuple[FeedLink, ...]


@dataclass(frozen=True)
class Home:
    """What the home page shows: notable changes, the latest others, months, platforms."""

    latest: tuple[Listed, ...]
    others: tuple[Listed, ...]
    counts: tuple[tuple[str, int, int], ...]  # changes per month (``month_counts``)
    platforms: tuple[Platform[Summary], ...]
    updated: datetime | None
    feeds: tuple[FeedLink, ...]

    def derived(self) -> dict[str, Months | None]:
        """Return the chart of changes per month."""
        return {"months": months_chart(self.counts)}


@dataclass(frozen=True)
class PlatformView:
    """What a platform's page shows: its documents, its changes newest first, their picture."""

    platform: Platform[Summary]
    changes: tuple[Listed, ...]
    updated: datetime | None
    feeds: tuple[FeedLink, ...]

    def derived(self) -> dict[str, object]:
        """Return its changes by month and its timeline."""
        return {"months": months(self.changes), "timeline": platform_timeline(self.platform)}


def site_pages(site: Site, others: "Others") -> Iterator[Viewed]:
    """Yield the pages that span the site but the lists of changes: home, search, platforms…"""
    latest = site.notable
    shown = {id(item) for item in latest}
    smaller = tuple(item for item in site.changes[:LATEST] if id(item) not in shown)
    built, feeds = build_date(site), tuple(feed_links())
    counts = month_counts([item.change for item in site.changes])
    home = Home(latest, smaller, counts, site.platforms, built, feeds)
    yield Viewed("index.html", "index.html", home)
    yield Viewed("search/index.html", "search.html", Plain(built, feeds))
    yield Viewed("about/index.html", "about.html", Plain(built, feeds))
    yield Viewed("404.html", "404.html", NotFound(site_base(site) or "", built, feeds))
    by_platform = group_by(site.changes, lambda item: item.platform.slug)
    for platform in site.platforms:
        yield _platform_page(platform, by_platform.get(platform.slug, []))
    yield from _topic_pages(site, others.columns)


def _platform_page(platform: Platform[Summary], timeline: list[Listed]) -> Viewed:
    updated = timeline[0].change.version.date if timeline else None
    view = PlatformView(platform, tuple(timeline), updated, tuple(feed_links(platform)))
    return Viewed(f"{platform_url(platform)}index.html", "platform.html", view)


def platform_timeline(platform: Platform[Tracked]) -> Timeline | None:
    """Return the picture of a platform's versions: one lane per document, linked from its page."""
    return timeline(
        [
            (d.name, f"{d.slug}/index.html", d.changes, _version_link(f"{d.slug}/versions/"))
            for d in platform.documents
        ],
        kind_label,
    )


def document_timeline(document: Document) -> Timeline | None:
    """Return the picture of a document's versions, linked from its page."""
    return timeline([("", "", document.changes, _version_link("versions/"))], kind_label)


def _version_link(base: str) -> Callable[[Any], str]:
    return lambda change: f"{base}{change.id}/index.html"


def group_by(items: Iterable[Listed], key: Callable[[Listed], str]) -> dict[str, list[Listed]]:
    """Group changes by a key in one pass, keeping their order."""
    groups: dict[str, list[Listed]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def months(items: Sequence[Listed]) -> list[Month]:
    """Group a timeline, newest first, by month, with cosmetic changes and reverts apart."""
    grouped: dict[str, list[Listed]] = {}
    for item in items:
        grouped.setdefault(f"{item.change.version.date:%Y-%m}", []).append(item)
    return [
        Month(
            id=f"m{key}",
            label=f"{group[0].change.version.date:%B %Y}",
            news=tuple(i for i in group if is_news(i.change)),
            quiet=tuple(i for i in group if not is_news(i.change)),
        )
        for key, group in grouped.items()
    ]


def filters(site: Site) -> list[Filter]:
    """Return every value of every facet with its changes, facets in order, values by label.

    A change's values of a facet depend only on the facet's cause (its document, its kind, its
    topics): the lists they go into are worked out once for each cause.
    """
    groups: dict[tuple[int, str, str], list[Listed]] = {}
    for index, facet in enumerate(FACETS):
        seen: dict[Hashable, list[list[Listed]]] = {}
        for item, cause in zip(site.changes, map(facet.cause, site.changes), strict=True):
            lists = seen.get(cause)
            if lists is None:
                values = facet.values(site, item)
                lists = seen[cause] = [groups.setdefault((index, *v), []) for v in values]
            for found in lists:
                found.append(item)
    ordered = sorted(groups, key=lambda k: (k[0], k[2].casefold(), k[1]))
    return [
        Filter(FACETS[index], slug, label, tuple(groups[index, slug, label]))
        for index, slug, label in ordered
    ]


@dataclass(frozen=True)
class Named:
    """A facet as the menu of /changes/ names it."""

    name: str
    label: str


@dataclass(frozen=True)
class Choice:
    """A value of a facet in the menu of /changes/."""

    facet: Named
    slug: str
    label: str


@dataclass(frozen=True)
class ChangeList:
    """What a page of a list of changes shows: its changes, where it is, the menu on the first."""

    title: str
    current: tuple[str | None, str | None]  # the facet and value listed, if any
    filters: tuple[Choice, ...]  # the menu of every facet's values, on /changes/ only
    items: tuple[Listed, ...]
    page: int | None  # the newest page has no number
    total: int | None  # on the newest page, how many changes the list holds
    previous: str | None
    next: str | None
    updated: datetime | None
    feeds: tuple[FeedLink, ...]


def change_lists(site: Site) -> Iterator[Viewed]:
    """Yield the pages of /changes/: all changes, then one list per facet value."""
    every = filters(site)
    menu = tuple(Choice(Named(f.facet.name, f.facet.label), f.slug, f.label) for f in every)
    yield from paginated(site.changes, None, None, title="All changes", menu=menu)
    for item in every:  # the menu is on /changes/ only: it would weigh more than the lists
        title = f"{item.facet.label}: {item.label}"
        yield from paginated(item.items, item.facet.name, item.slug, title=title, menu=())


def paginated(
    items: tuple[Listed, ...],
    facet: str | None,
    value: str | None,
    *,
    title: str,
    menu: tuple[Choice, ...],
) -> Iterator[Viewed]:
    """Yield a list's pages: the newest changes first, then fixed pages counted from the oldest.

    With ``n`` changes, pages 1 to ``n // PAGE_SIZE - 1`` each hold ``PAGE_SIZE`` changes from the
    oldest on, and never change once written; the first page holds the rest, the newest.
    """
    full = max(0, len(items) // PAGE_SIZE - 1)
    newest = len(items) - full * PAGE_SIZE
    url = partial(changes_url, facet, value)
    feeds = tuple(feed_links())
    for page in range(full + 1):
        number = full + 1 - page if page else None  # the newest page has no number
        start = newest + (page - 1) * PAGE_SIZE if page else 0
        shown = items[start : start + (PAGE_SIZE if page else newest)]
        view = ChangeList(
            title=title,
            current=(facet, value),
            filters=() if page else menu,  # the menu is on the newest page only
            items=shown,
            page=number,
            total=None if number else len(items),
            previous=url(None if page == 1 else full + 2 - page) if page else None,
            next=url(full - page) if page < full else None,
            updated=shown[0].change.version.date if shown else None,
            feeds=feeds,
        )
        yield Viewed(f"{url(number)}index.html", "changes.html", view)


@dataclass(frozen=True)
class Column:
    """A platform's current provisions on a topic: how many, and the first few (``HELD``)."""

    platform: Platform[Summary]
    count: int
    held: tuple[Held, ...]


def topic_columns(site: Site) -> dict[str, list[Column]]:
    """Return, for each topic, a column for each platform with current provisions on it."""
    columns: dict[str, list[Column]] = {topic.slug: [] for topic in site.topics}
    for platform in site.platforms:
        counts: dict[str, int] = {}
        found: dict[str, list[tuple[float, Summary, int]]] = {}
        for document in platform.current:
            for slug, indexes in document.on_topics:
                counts[slug] = counts.get(slug, 0) + len(indexes)
                scored = found.setdefault(slug, [])
                distinct = islice(_distinct(document, indexes, slug), HELD)
                scored += ((document.provisions[i].score(slug), document, i) for i in distinct)
        for slug, count in counts.items():
            strongest = _spread(found[slug])  # Held made for these
            held = tuple(_held(platform, document, i, slug) for _, document, i in strongest)
            columns.setdefault(slug, []).append(Column(platform, count, held))
    return columns


def _spread(scored: list[tuple[float, Summary, int]]) -> list[tuple[float, Summary, int]]:
    """Return the ``HELD`` provisions a column shows: each document's strongest first, strongest
    to weakest, then the others by strength. A platform's strongest three may all be one
    document's: ChatGPT's column on AI training quoted its business privacy policy three times
    ("we do not use your business data for training") and its consumer policy not at all."""
    ranked = sorted(scored, key=lambda f: -f[0])
    seen: set[str] = set()
    firsts: list[tuple[float, Summary, int]] = []
    others: list[tuple[float, Summary, int]] = []
    for item in ranked:
        (others if item[1].slug in seen else firsts).append(item)
        seen.add(item[1].slug)
    return (firsts + others)[:HELD]


def _distinct(document: Summary, indexes: Iterable[int], topic: str) -> Iterator[int]:
    """Yield the indexes of a document's provisions on a topic but those that read as one before
    them, by heading and excerpt: a page that holds a section twice listed it twice (Le Chat's
    and Vibe's consumer terms, "4. Your Data", each with the same sentence)."""
    seen: set[tuple[str, str]] = set()
    for index in indexes:
        shown = (document.provisions[index].label, _excerpt(document, index, topic))
        if shown not in seen:
            seen.add(shown)
            yield index


def _held(platform: Platform[Summary], document: Summary, index: int, topic: str) -> Held:
    provision, key = document.provisions[index], document.provision_keys[index]
    excerpt = _excerpt(document, index, topic)
    return Held(platform, document, provision, key, excerpt, provision.match(topic))


def _excerpt(document: Summary, index: int, topic: str) -> str:
    """Return what a list of provisions on a topic quotes of one: its sentence on the topic,
    else its opening words."""
    match = document.provisions[index].match(topic)
    return match.text if match is not None else document.excerpts[index]


def _strongest_first(columns: list[Column]) -> list[Column]:
    """Order platforms' columns by their strongest provision on the topic, strongest first."""
    return sorted(columns, key=lambda c: -(c.held[0].score if c.held else 0.0))


@part.register(Held)
def _held_part(held: Held) -> str:
    """Return what a held provision gives a key: its names, its own key, its excerpt, its score.

    Its match's marks follow from its text (in its key) and its topic's words (in the settings).
    """
    score = held.match.score if held.match else None
    return f"H{held.document.display}{held.key}{held.excerpt!r}{score!r}"


@part.register(Column)
def _column_part(column: Column) -> str:
    names = f"C{column.platform.slug!r}{column.platform.name!r}{column.count}"
    return names + "".join(map(_held_part, column.held))


@dataclass(frozen=True)
class Topics:
    """What the topics page shows: how many current provisions are on each topic."""

    counts: dict[str, int]
    updated: datetime | None
    feeds: tuple[FeedLink, ...]


@dataclass(frozen=True)
class TopicView:
    """What a topic's page shows: each platform's provisions on it, its latest changes."""

    topic: Topic
    columns: tuple[Column, ...]
    latest: tuple[Listed, ...]
    updated: datetime | None
    feeds: tuple[FeedLink, ...]


def _topic_pages(site: Site, columns: dict[str, list[Column]]) -> Iterator[Viewed]:
    counts = {slug: sum(c.count for c in found) for slug, found in columns.items()}
    topics = Topics(counts, build_date(site), tuple(feed_links()))
    yield Viewed("topics/index.html", "topics.html", topics)
    for topic in site.topics:
        found = tuple(columns.get(topic.slug, []))
        latest = tuple(site.topic_news.get(topic.slug, [])[:LATEST])
        updated = latest[0].change.version.date if latest else build_date(site)
        feeds = (*feed_links(), topic_feed_link(site, topic.slug))
        view = TopicView(topic, found, latest, updated, feeds)
        yield Viewed(f"{topic_url(topic)}index.html", "topic.html", view)


@dataclass(frozen=True)
class Closest:
    """Another platform's closest provision on a topic, as a provision page links it."""

    platform: PlatformName
    document: str  # its document's slug
    document_name: str  # named beside its heading: a consumer clause is not a developer one
    id: str
    heading: str
    match: Match | None  # its sentence on the topic, the matches marked


@dataclass(frozen=True)
class Compared:
    """One topic of a provision: how many other platforms are on it, and the closest shown."""

    topic: Topic
    count: int
    closest: tuple[Closest, ...]


@dataclass(frozen=True)
class Comparison:
    """How other platforms handle a provision's topics, its strongest first, with its key."""

    topics: tuple[Compared, ...]
    key: str  # the digests of the parts of ``topics``, each made once for every page showing it


@part.register(Comparison)
def _comparison_part(comparison: Comparison) -> str:
    return f"O{comparison.key}"


@part.register(Closest)
def _closest_part(closest: Closest) -> str:
    platform, document = closest.platform, closest.document
    link = (platform.slug, platform.name, document, closest.document_name, closest.id)
    return f"{link!r}{closest.heading!r}{closest.match!r}"  # a match's repr: its score and marks


@part.register(Compared)
def _compared_part(compared: Compared) -> str:
    """Return a topic's part of a comparison: its slug (settings hold its names), count, clauses."""
    head = f"{compared.topic.slug!r}{compared.count}"
    return head + "".join(map(_closest_part, compared.closest))


class Others:
    """What provision pages show of the other platforms' current provisions on their topics."""

    def __init__(self, site: Site) -> None:
        self.topics = {topic.slug: topic for topic in site.topics}
        self.columns = topic_columns(site)
        self._ranked = {slug: _strongest_first(found) for slug, found in self.columns.items()}
        self._platforms = {
            slug: {c.platform.slug for c in found} for slug, found in self.columns.items()
        }
        self._compared = cache(self._topics)
        self._topic = cache(self._compare)

    def of(self, platform: Platform[Tracked], provision: BriefProvision) -> Comparison:
        """Return how the other platforms handle a provision's topics, its strongest first."""
        return self._compared(platform.slug, self._strongest_first(provision))

    def _topics(self, platform: str, topics: tuple[str, ...]) -> Comparison:
        """Return the comparison of a platform's provision on topics: the first compares more."""
        shown = (COMPARED_PLATFORMS, *(SHOWN_PLATFORMS,) * (len(topics) - 1))
        found = [
            self._topic(slug, n, self._seen_as(slug, n, platform))
            for slug, n in zip(topics, shown, strict=False)
        ]
        return Comparison(tuple(c for c, _ in found), "".join(k for _, k in found))

    def _seen_as(self, slug: str, shown: int, platform: str) -> str | bool:
        """Return what a topic's comparison depends on of the platform it is made for: the
        platform itself when it is among the first ``shown`` columns (it is left out of them),
        else only whether it has a column (its count leaves it out). Hundreds of platforms then
        share each topic's few comparisons, made and digested once."""
        if any(column.platform.slug == platform for column in self._ranked[slug][:shown]):
            return platform
        return platform in self._platforms[slug]

    def _compare(self, slug: str, shown: int, seen_as: str | bool) -> tuple[Compared, str]:
        """Return what a provision page shows of the other platforms on a topic, and its digest.

        Only the first columns are read: a topic may have a column for each of 900 platforms.
        """
        left_out = seen_as if isinstance(seen_as, str) else None
        others = (c for c in self._ranked[slug] if c.platform.slug != left_out)
        count = len(self.columns[slug]) - bool(seen_as)
        compared = Compared(self.topics[slug], count, tuple(map(_closest, islice(others, shown))))
        return compared, joined([part(compared)])

    def _strongest_first(self, provision: BriefProvision) -> tuple[str, ...]:
        """Return a provision's topics of the site, the one it matches most strongly first."""
        return self._known(provision.strongest_topics)

    def _known(self, topics: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(slug for slug in topics if slug in self.topics)

    def document_key(self, platform: Platform[Tracked], document: Summary) -> str:
        """Return the key of what a document's provision pages show of other platforms: the
        comparison of each distinct order of topics its provisions have."""
        compared = (self._compared(platform.slug, self._known(t)) for t in document.topic_orders)
        return joined(comparison.key for comparison in compared)


def _closest(column: Column) -> Closest:
    """Return what a provision page shows of another platform: its closest provision's link."""
    held = column.held[0]
    named = PlatformName(column.platform.slug, column.platform.name)
    provision = held.provision
    document = held.document
    return Closest(named, document.slug, document.name, provision.id, provision.label, held.match)


@dataclass(frozen=True)
class VersionView:
    """What a version page shows: its change, its neighbours' links, its document's names.

    Not the whole document: a new version would then give every older version page a new key.
    """

    platform: PlatformName
    document: DocumentName
    version: KeyedChange
    older: Neighbour | None
    newer: Neighbour | None
    stale: tuple[StaleNote, ...]  # the notes this change made stale
    updated: datetime
    feeds: tuple[FeedLink, ...]

    def derived(self) -> dict[str, Change]:
        """Return the change it shows."""
        return {"change": self.version.change}


@dataclass(frozen=True)
class DocumentView:
    """What a document's page shows: the document in full (its text, changes, provisions)."""

    platform: PlatformName
    document: Document
    updated: datetime
    feeds: tuple[FeedLink, ...]

    def derived(self) -> dict[str, Timeline | None]:
        """Return the picture of its versions."""
        return {"timeline": document_timeline(self.document)}


@dataclass(frozen=True)
class CompareView:
    """What a document's compare page shows: its names and every version to choose from."""

    platform: PlatformName
    document: DocumentName
    versions: KeyedChanges
    updated: datetime
    feeds: tuple[FeedLink, ...]

    def derived(self) -> dict[str, tuple[Change, ...]]:
        """Return the changes to choose from."""
        return {"changes": self.versions.changes}


@dataclass(frozen=True)
class DocumentFacts:
    """A document as a page of one of its provisions shows it: not its changes or provisions."""

    name: str
    type: str
    url: str | None
    deleted: bool


@dataclass(frozen=True)
class Newest:
    """A document's newest version, as a stale note's comparison link names it."""

    id: str
    blob: str | None


@dataclass(frozen=True)
class ProvisionView:
    """What a provision page shows: the provision with its history, its note, other platforms."""

    platform: PlatformName
    document: DocumentFacts
    clause: KeyedProvision
    anchored: bool  # the document's page has the provision's id: its crumb links there
    judged: Judged | None
    newest: Newest | None  # only when the note is stale: it links the current text
    others: Comparison
    updated: datetime
    feeds: tuple[FeedLink, ...]

    def derived(self) -> dict[str, Provision]:
        """Return the provision it shows."""
        return {"provision": self.clause.provision}


def document_pages(
    site: Site, platform: Platform[Tracked], document: Document, others: Others
) -> Iterator[Viewed]:
    """Yield a document's pages (given in full): text, compare, versions, provisions."""
    base = document_url(platform, document)
    named = PlatformName(platform.slug, platform.name)
    names = DocumentName(document.slug, document.name, document.path)
    feeds, updated = tuple(feed_links(platform, document)), document_date(site, document)
    text = DocumentView(named, document, updated, feeds)
    yield Viewed(f"{base}index.html", "document.html", text, base)
    versions = KeyedChanges(document.changes, document.change_keys[-1])
    compare = CompareView(named, names, versions, updated, feeds)
    yield Viewed(f"{base}compare/index.html", "compare.html", compare, base)
    yield from version_pages(platform, document)
    yield from provision_pages(platform, document, others)


def provision_pages(
    platform: Platform[Tracked], document: Document, others: Others
) -> Iterator[Viewed]:
    """Yield the page of each provision of a document, given in full."""
    base = document_url(platform, document)
    named = PlatformName(platform.slug, platform.name)
    facts = DocumentFacts(document.name, document.type, document.url, document.deleted)
    newest = Newest(document.latest.id, document.latest.version.blob)
    ids = anchored(document.text, document.anchors)
    for provision, key in zip(document.provisions, document.provision_keys, strict=True):
        judged = document.note(provision.id)
        view = ProvisionView(
            platform=named,
            document=facts,
            clause=KeyedProvision(provision, key),
            anchored=provision.id in ids,
            judged=judged,
            newest=newest if judged and judged.stale else None,
            others=others.of(platform, provision),
            updated=provision_date(provision),
            feeds=(
                *feed_links(),
                *([notes_feed_link()] if judged else []),
                provision_feed_link(platform, document, provision),
            ),
        )
        path = f"{provision_url(platform, document, provision)}index.html"
        yield Viewed(path, "provision.html", view, base)


def version_pages(platform: Platform[Tracked], document: Document) -> Iterator[Viewed]:
    """Yield the page of each version of a document, given in full."""
    base = document_url(platform, document)
    named = PlatformName(platform.slug, platform.name)
    names = DocumentName(document.slug, document.name, document.path)
    feeds = tuple(feed_links(platform, document))
    changes = (None, *document.changes, None)
    for index, (change, key) in enumerate(zip(document.changes, document.change_keys, strict=True)):
        view = VersionView(
            platform=named,
            document=names,
            version=KeyedChange(change, key),
            older=Neighbour.of(changes[index]),
            newer=Neighbour.of(changes[index + 2]),
            stale=stale_notes(document, change.id),
            updated=change.version.date,
            feeds=feeds,
        )
        yield Viewed(f"{base}versions/{change.id}/index.html", "version.html", view, base)


def provision_date(provision: Provision) -> datetime:
    """Return the date a provision's page shows as its update: its own last change.

    Only a full ``Provision`` holds its history (one in brief, a summary's, holds none).
    """
    return provision.history[-1][0].version.date
