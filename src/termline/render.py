"""Render stage: turn the catalogued documents and their changes into HTML pages.

Takes the ``Site`` (platforms, documents, changes, settings); gives HTML files through an
``Output``. Templates come from the top-level ``templates/`` folder (shipped inside the wheel),
or from ``--templates``. Autoescape is on and Markdown is rendered with raw HTML disabled: the
scraped text is never trusted.
"""

import os
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from termline.cache import digest
from termline.catalogue import Document, Platform
from termline.changes import Change, Provision, ProvisionEdit
from termline.errors import TermlineError
from termline.output import Output
from termline.slugs import slugify
from termline.topics import Topic

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
SOURCE_TEMPLATES = Path(__file__).parents[2] / "templates"
PAGE_SIZE = 100  # entries per page of /changes/
LATEST = 30  # entries of the home page's latest changes
# Other platforms shown per topic on a provision page, and provisions shown per platform.
SHOWN_PLATFORMS, SHOWN_PROVISIONS = 5, 1
QUIET_KINDS = ("cosmetic", "revert")  # shown but marked; left out of news and feeds
EXCERPT_WORDS = 40  # words of a provision's text a topic page shows
SHOWN_DIFFS = 10  # newest news edits a provision page shows with their word diff
# Edits whose diff a provision page shows: an added or removed text is a copy of one on the page.
DIFF_STATUSES = ("modified", "renamed")
KIND_LABELS = {
    "first": "first recorded",
    "change": "change",
    "substantive": "substantive",
    "cosmetic": "cosmetic",
    "revert": "revert",
    "deleted": "no longer tracked",
}
# Pages listed in sitemap.xml: current texts and overviews, not historical versions.
LINK_SCHEMES = frozenset({"http", "https", "mailto"})  # what a scraped link may point at
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")
SITEMAP_TEMPLATES = ("index.html", "platform.html", "document.html", "provision.html", "topic.html")


@dataclass(frozen=True)
class Listed:
    """A change with the platform and document it belongs to, for lists across documents."""

    platform: Platform
    document: Document
    change: Change


@dataclass(frozen=True)
class Site:
    """Everything a page may show."""

    title: str
    platforms: tuple[Platform, ...]
    changes: tuple[Listed, ...]
    repo_url: str | None = None
    base_url: str | None = None
    topics: tuple[Topic, ...] = ()

    @property
    def news(self) -> tuple[Listed, ...]:
        """Return the changes that are news: neither cosmetic nor reverts, newest first."""
        return tuple(item for item in self.changes if is_news(item.change))

    def topic(self, slug: str) -> Topic | None:
        """Return the topic with this slug, if the taxonomy has it."""
        return next((t for t in self.topics if t.slug == slug), None)

    def topic_name(self, slug: str) -> str:
        """Return a topic's display name."""
        topic = self.topic(slug)
        return topic.name if topic else slug.replace("-", " ")


@dataclass(frozen=True)
class Held:
    """A provision with the platform and document it belongs to, for lists across documents."""

    platform: Platform
    document: Document
    provision: Provision


Entry = tuple[Change, ProvisionEdit]


@dataclass(frozen=True)
class Row:
    """A row of a provision's history: an edit with its diff, one line, or a run of quiet edits."""

    entries: tuple[Entry, ...]  # newest first
    full: bool = False

    @property
    def quiet(self) -> bool:
        """Tell whether the row holds cosmetic changes and reverts only."""
        return not is_news(self.entries[0][0])

    @property
    def label(self) -> str:
        """Return what a quiet row holds, e.g. "3 cosmetic changes and 1 revert"."""
        reverts = sum(1 for change, _ in self.entries if change.kind == "revert")
        cosmetic = len(self.entries) - reverts
        parts = [plural(cosmetic, "cosmetic change")] if cosmetic else []
        return " and ".join([*parts, *([plural(reverts, "revert")] if reverts else [])])


@dataclass(frozen=True)
class FeedLink:
    """A feed a page links to in its head."""

    title: str
    path: str


@dataclass(frozen=True)
class Facet:
    """A way to filter the list of all changes: each change has zero or more (slug, label)."""

    name: str
    label: str
    values: Callable[[Site, Listed], Iterable[tuple[str, str]]]


FACETS: tuple[Facet, ...] = (
    Facet("platform", "Platform", lambda site, i: [(i.platform.slug, i.platform.name)]),
    Facet("type", "Document type", lambda site, i: [(slugify(i.document.type), i.document.type)]),
    Facet("kind", "Kind", lambda site, i: [(i.change.kind, kind_label(i.change.kind))]),
    Facet("topic", "Topic", lambda site, i: [(t, site.topic_name(t)) for t in i.change.topics]),
)


@dataclass(frozen=True)
class Month:
    """One month of a timeline: its news, and its cosmetic changes and reverts apart."""

    id: str
    label: str
    news: tuple[Listed, ...]
    quiet: tuple[Listed, ...]


def default_templates() -> Path:
    """Return the templates folder of the installed package, or of the source tree."""
    return PACKAGE_TEMPLATES if PACKAGE_TEMPLATES.is_dir() else SOURCE_TEMPLATES


def environment(templates: Path) -> jinja2.Environment:
    """Return a Jinja environment with autoescape on and the site's filters."""
    if not templates.is_dir():
        raise TermlineError(f"{templates}: no such templates folder")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["policy"] = policy
    env.filters["excerpt"] = excerpt
    env.filters["date"] = lambda moment: f"{moment:%Y-%m-%d}"
    env.globals.update(
        href=href,
        platform_url=platform_url,
        document_url=document_url,
        version_url=version_url,
        git_file_url=git_file_url,
        git_history_url=git_history_url,
        headline=headline,
        history_rows=history_rows,
        is_news=is_news,
        kind_label=kind_label,
        shown_diffs=SHOWN_DIFFS,
        shown_platforms=SHOWN_PLATFORMS,
        shown_provisions=SHOWN_PROVISIONS,
    )
    return env


@jinja2.pass_context
def href(context: Mapping[str, Any], path: str) -> str:
    """Return a link from the page being rendered to a site path, ending in a file name."""
    return f"{context['root']}{path}{'index.html' if path.endswith('/') or not path else ''}"


def kind_label(kind: str) -> str:
    """Return how a kind of change reads on a page."""
    return KIND_LABELS.get(kind, kind)


def is_news(change: Change) -> bool:
    """Tell whether a change is news (neither cosmetic nor a revert)."""
    return change.kind not in QUIET_KINDS


def history_rows(provision: Provision, shown: int = SHOWN_DIFFS) -> list[Row]:
    """Return a provision's history newest first: diffs of its newest edits, quiet runs folded."""
    rows: list[Row] = []
    run: list[Entry] = []
    for entry in reversed(provision.history):
        if not is_news(entry[0]):
            run.append(entry)
            continue
        if run:
            rows.append(Row(tuple(run)))
            run = []
        full = shown > 0 and entry[1].status in DIFF_STATUSES
        rows.append(Row((entry,), full=full))
        shown -= full
    if run:
        rows.append(Row(tuple(run)))
    return rows


def headline(change: Change, site: Site) -> str:
    """Return what a change did in a few words, e.g. "2 provisions changed (children)"."""
    text = _what_changed(change)
    if change.topics:
        text += f" ({', '.join(site.topic_name(t) for t in change.topics)})"
    return text


def _what_changed(change: Change) -> str:
    if change.kind == "first":
        return "first recorded"
    if change.kind == "deleted":
        return "no longer tracked"
    if change.kind == "revert":
        return f"back to the text of {change.reverts_to}" if change.reverts_to else "reverted"
    count = len(change.added) + len(change.removed) + len(change.modified) + len(change.renamed)
    prefix = "cosmetic: " if change.kind == "cosmetic" else ""
    if count:
        return f"{prefix}{plural(count, 'provision')} changed"
    return f"{prefix}{plural(change.words_added, 'word')} added, {change.words_removed} removed"


def plural(count: int, noun: str) -> str:
    """Return a count with its noun, e.g. "1 word" or "2 words"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def git_file_url(site: Site, document: Document, change: Change) -> str | None:
    """Return the URL of a document's text at a version in the archive's git host, if known."""
    if not site.repo_url:
        return None
    return f"{site.repo_url.rstrip('/')}/blob/{change.version.sha}/{quote(document.path)}"


def git_history_url(site: Site, document: Document) -> str | None:
    """Return the URL of a document's history in the archive's git host, if known."""
    if not site.repo_url:
        return None
    return f"{site.repo_url.rstrip('/')}/commits/HEAD/{quote(document.path)}"


def build_date(site: Site) -> datetime | None:
    """Return the date the site shows as its update: SOURCE_DATE_EPOCH, else the newest change."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return site.changes[0].change.version.date if site.changes else None


def document_date(site: Site, document: Document) -> datetime:
    """Return the date a document's own pages show as their update: so they change only with it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return document.latest.version.date


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def platform_url(platform: Platform) -> str:
    """Return the site path of a platform page."""
    return f"platforms/{platform.slug}/"


@lru_cache(maxsize=4096)
def policy(
    text: str, source_url: str | None = None, anchors: tuple[tuple[int, str], ...] = ()
) -> Markup:
    """Render a policy's untrusted Markdown under the page's h1, its links made safe to follow.

    ``anchors`` maps a source line to a provision id: the first top-level block that starts on
    that line gets the id, so every provision has a permalink.
    """
    parser = _parser()
    tokens = parser.parse(text)
    _nest_headings(tokens)
    _anchor(tokens, dict(anchors))
    for token in tokens:
        for child in token.children or ():
            _resolve(child, source_url)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


@lru_cache(maxsize=4096)
def excerpt(text: str, count: int = EXCERPT_WORDS) -> str:
    """Return the first words of a policy's Markdown as plain text (escaped by the template)."""
    found: list[str] = []
    for token in _parser().parse(text):
        found.extend("".join(map(_plain, token.children or ())).split())
        if len(found) > count:
            return " ".join(found[:count]) + " …"
    return " ".join(found)


def _plain(token: Token) -> str:
    if token.type in ("softbreak", "hardbreak"):
        return " "
    return token.content if token.type in ("text", "code_inline") else ""


def _anchor(tokens: list[Token], wanted: dict[int, str]) -> None:
    for token in tokens:
        if token.nesting == 1 and token.level == 0 and token.map and token.map[0] in wanted:
            token.attrSet("id", wanted.pop(token.map[0]))


def _nest_headings(tokens: list[Token]) -> None:
    """Renumber heading levels from h2 in the order the text uses them, so none is skipped."""
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    levels = sorted({int(t.tag[1]) for t in headings})
    for token in headings:
        token.tag = f"h{min(levels.index(int(token.tag[1])) + 2, 6)}"


def _resolve(token: Token, source_url: str | None) -> None:
    """Point a scraped link at its source site, drop other schemes; show an image as text."""
    if token.type == "image":
        token.type, token.tag, token.attrs = "text", "", {}
        return
    href = token.attrGet("href") if token.type == "link_open" else None
    if not isinstance(href, str) or href.startswith("#"):
        return
    scheme = urlsplit(href).scheme.lower()
    if scheme in LINK_SCHEMES:
        return
    if source_url and not scheme:
        token.attrSet("href", urljoin(source_url, href))
    else:  # markdown-it lets data:image/… links through; only web and mail links are kept
        token.attrs.pop("href", None)


def document_url(platform: Platform, document: Document) -> str:
    """Return the site path of a document page."""
    return f"platforms/{platform.slug}/{document.slug}/"


def version_url(platform: Platform, document: Document, change: Change) -> str:
    """Return the site path of a version page."""
    return f"{document_url(platform, document)}versions/{change.id}/"


def provision_url(platform: Platform, document: Document, provision: Provision) -> str:
    """Return the site path of a provision page."""
    return f"{document_url(platform, document)}provisions/{provision.id}/"


def topic_url(topic: Topic) -> str:
    """Return the site path of a topic page."""
    return f"topics/{topic.slug}/"


def changes_url(facet: str | None = None, value: str | None = None, page: int = 1) -> str:
    """Return the site path of a page of the list of changes, filtered or not."""
    base = f"changes/{facet}/{value}/" if facet and value else "changes/"
    return base if page == 1 else f"{base}{page}/"


def feed_links(
    platform: Platform | None = None, document: Document | None = None
) -> list[FeedLink]:
    """Return the feeds of a page: the site's, its platform's, its document's."""
    links = [FeedLink("All substantive changes", "feed.xml")]
    if platform is not None:
        links.append(FeedLink(f"{platform.name}: all changes", f"{platform_url(platform)}feed.xml"))
    if platform is not None and document is not None:
        links.append(
            FeedLink(
                f"{platform.name} — {document.name}", f"{document_url(platform, document)}feed.xml"
            )
        )
    return links


def topic_feed_link(site: Site, topic: str) -> FeedLink:
    """Return the feed of a topic page, for its head."""
    return FeedLink(f"{site.title}: {site.topic_name(topic)}", f"topics/{topic}/feed.xml")


def provision_feed_link(platform: Platform, document: Document, provision: str) -> FeedLink:
    """Return the feed of a provision page, for its head."""
    return FeedLink(
        f"{platform.name} — {document.name} — {provision}",
        f"{document_url(platform, document)}provisions/{provision}/feed.xml",
    )


def render_site(
    site: Site, env: jinja2.Environment, out: Output, reused: frozenset[str] = frozenset()
) -> None:
    """Render every page of the site, but those of ``reused`` document folders, then its sitemap."""
    listed: list[str] = []
    for path, template, context in _pages(site):
        if template in SITEMAP_TEMPLATES:
            listed.append(path.removesuffix("index.html"))
        if not in_folders(path, reused):
            out.write(path, _render(env, template, path, site, context))
    base = site_base(site)
    if base:
        out.write("sitemap.xml", env.get_template("sitemap.xml").render(base=base, paths=listed))
    out.write("robots.txt", env.get_template("robots.txt").render(base=base))


def in_folders(path: str, folders: frozenset[str]) -> bool:
    """Tell whether a site path lies in one of the document folders."""
    return bool(folders) and "/".join(path.split("/")[:3]) + "/" in folders


def site_base(site: Site) -> str | None:
    """Return the public URL of the site, ending in a slash, if known."""
    return site.base_url.rstrip("/") + "/" if site.base_url else None


def _pages(site: Site) -> Iterator[tuple[str, str, dict[str, Any]]]:
    yield "index.html", "index.html", {"latest": site.news[:LATEST]}
    yield "search/index.html", "search.html", {}
    yield "404.html", "404.html", {"root": site_base(site) or ""}
    yield from _change_lists(site)
    by_platform = group_by(site.changes, lambda item: item.platform.slug)
    for platform in site.platforms:
        timeline = by_platform.get(platform.slug, [])
        yield (
            f"{platform_url(platform)}index.html",
            "platform.html",
            {
                "platform": platform,
                "months": months(timeline),
                "feeds": feed_links(platform),
            },
        )
        for document in platform.documents:
            yield from _document_pages(site, platform, document)
    yield from _analysis_pages(site)


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


@dataclass(frozen=True)
class Filter:
    """One value of a facet and the changes that have it, newest first."""

    facet: Facet
    slug: str
    label: str
    items: tuple[Listed, ...]


def filters(site: Site) -> list[Filter]:
    """Return every value of every facet with its changes, facets in order, values by label."""
    groups: dict[tuple[Facet, str, str], list[Listed]] = {}
    for facet in FACETS:
        for item in site.changes:
            for slug, label in facet.values(site, item):
                groups.setdefault((facet, slug, label), []).append(item)
    order = {facet: index for index, facet in enumerate(FACETS)}
    keys = sorted(groups, key=lambda k: (order[k[0]], k[2].casefold(), k[1]))
    return [
        Filter(facet, slug, label, tuple(groups[facet, slug, label])) for facet, slug, label in keys
    ]


def _change_lists(site: Site) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield the pages of /changes/: all changes, then one list per facet value."""
    every = filters(site)
    yield from _paginated(site.changes, None, None, "All changes", every)
    for item in every:
        title = f"{item.facet.label}: {item.label}"
        yield from _paginated(item.items, item.facet.name, item.slug, title, every)


def _paginated(
    items: Sequence[Listed],
    facet: str | None,
    value: str | None,
    title: str,
    every: list[Filter],
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    pages = max(1, -(-len(items) // PAGE_SIZE))
    for page in range(1, pages + 1):
        yield (
            f"{changes_url(facet, value, page)}index.html",
            "changes.html",
            {
                "title": title,
                "items": items[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
                "total": len(items),
                "page": page,
                "pages": pages,
                "previous": changes_url(facet, value, page - 1) if page > 1 else None,
                "next": changes_url(facet, value, page + 1) if page < pages else None,
                "filters": every,
                "current": (facet, value),
            },
        )


def _document_pages(
    site: Site, platform: Platform, document: Document
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    base = document_url(platform, document)
    feeds = feed_links(platform, document)
    updated = document_date(site, document)
    common = {"platform": platform, "document": document, "feeds": feeds, "updated": updated}
    yield f"{base}index.html", "document.html", common
    yield f"{base}compare/index.html", "compare.html", common
    changes = document.changes
    for index, change in enumerate(changes):
        yield (
            f"{base}versions/{change.id}/index.html",
            "version.html",
            {
                "platform": platform,
                "document": document,
                "change": change,
                "older": changes[index - 1] if index else None,
                "newer": changes[index + 1] if index + 1 < len(changes) else None,
                "feeds": feeds,
                "updated": updated,
            },
        )


def _render(
    env: jinja2.Environment, template: str, path: str, site: Site, context: dict[str, Any]
) -> str:
    values = {
        "root": "../" * path.count("/"),
        "feeds": feed_links(),
        "updated": build_date(site),
        **context,
    }
    try:
        return env.get_template(template).render(site=site, path=path, **values)
    except jinja2.TemplateError as error:
        raise template_error(error, template) from error


def template_error(error: jinja2.TemplateError, template: str) -> TermlineError:
    """Return a one-line error naming the template file and line a Jinja error comes from."""
    if isinstance(error, jinja2.TemplateNotFound):
        return TermlineError(f"{error.name}: template not found (needed by {template})")
    if isinstance(error, jinja2.TemplateSyntaxError):
        return TermlineError(
            f"{error.filename or error.name}, line {error.lineno}: {error.message}"
        )
    frames = traceback.extract_tb(error.__traceback__)
    where = next((f for f in reversed(frames) if f.filename.endswith(TEMPLATE_SUFFIXES)), None)
    place = f"{where.filename}, line {where.lineno}" if where else template
    return TermlineError(f"{place}: {error.message or error}")


def topic_holders(site: Site) -> dict[str, list[Held]]:
    """Map each topic to the current provisions on it, platform by platform."""
    holders: dict[str, list[Held]] = {topic.slug: [] for topic in site.topics}
    for platform in site.platforms:
        for document in platform.current:
            for provision in document.current_provisions:
                for slug in provision.topics:
                    holders.setdefault(slug, []).append(Held(platform, document, provision))
    return holders


def _analysis_pages(site: Site) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield the provision pages, the topic pages and the list of topics."""
    holders = topic_holders(site)
    topics = {topic.slug: topic for topic in site.topics}
    columns = {slug: _by_platform(held) for slug, held in holders.items()}
    for platform in site.platforms:
        for document in platform.documents:
            for provision in document.provisions:
                others = _others(platform, provision, topics, columns)
                yield (
                    f"{provision_url(platform, document, provision)}index.html",
                    "provision.html",
                    {
                        "platform": platform,
                        "document": document,
                        "provision": provision,
                        "others": others,
                        "topics": topics,
                        "updated": document_date(site, document),
                        "feeds": [
                            *feed_links(platform, document),
                            provision_feed_link(platform, document, provision.id),
                        ],
                    },
                )
    yield "topics/index.html", "topics.html", {"holders": holders}
    for topic in site.topics:
        yield (
            f"{topic_url(topic)}index.html",
            "topic.html",
            {
                "topic": topic,
                "columns": columns[topic.slug],
                "latest": [i for i in site.news if topic.slug in i.change.topics][:LATEST],
                "feeds": [*feed_links(), topic_feed_link(site, topic.slug)],
            },
        )


Columns = list[tuple[Platform, list[Held]]]


def _others(
    platform: Platform, provision: Provision, topics: dict[str, Topic], columns: dict[str, Columns]
) -> list[tuple[Topic, Columns]]:
    """Return, for each topic of a provision, the other platforms' current provisions on it."""
    return [
        (topics[slug], [c for c in columns[slug] if c[0] is not platform])
        for slug in provision.topics
        if slug in topics
    ]


def document_inputs(site: Site) -> dict[str, str]:
    """Map each document folder to a digest of what other documents show on its pages."""
    holders = topic_holders(site)
    columns = {slug: _by_platform(held) for slug, held in holders.items()}
    others = {
        (slug, platform.slug): _shown(platform, columns[slug])
        for slug in columns
        for platform in site.platforms
    }
    return {
        document_url(platform, document): digest(
            [
                (p.id, [others.get((t, platform.slug)) for t in p.topics])
                for p in document.provisions
            ]
        )
        for platform in site.platforms
        for document in platform.documents
    }


def _shown(platform: Platform, columns: Columns) -> str:
    """Return a digest of what a provision page of platform shows of the other platforms."""
    others = [c for c in columns if c[0] is not platform]
    return digest(len(others), [_column(c) for c in others[:SHOWN_PLATFORMS]])


def _column(column: tuple[Platform, list[Held]]) -> tuple[object, ...]:
    platform, held = column
    shown = [
        (h.document.slug, h.document.name, h.provision.id, h.provision.heading)
        for h in held[:SHOWN_PROVISIONS]
    ]
    return platform.slug, platform.name, len(held), shown


def _by_platform(held: list[Held]) -> list[tuple[Platform, list[Held]]]:
    columns: dict[str, tuple[Platform, list[Held]]] = {}
    for item in held:
        columns.setdefault(item.platform.slug, (item.platform, []))[1].append(item)
    return list(columns.values())
