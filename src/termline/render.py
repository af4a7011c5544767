"""Render stage: turn the catalogued documents and their changes into HTML pages.

Takes the ``Site`` (platforms, documents, changes, settings); gives HTML files through an
``Output``. Templates come from the top-level ``templates/`` folder (shipped inside the wheel),
or from ``--templates``. Autoescape is on and Markdown is rendered with raw HTML disabled: the
scraped text is never trusted.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from termline.catalogue import Document, Platform
from termline.changes import Change, Provision
from termline.output import Output
from termline.topics import Topic

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
SOURCE_TEMPLATES = Path(__file__).parents[2] / "templates"


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

    def topic(self, slug: str) -> Topic | None:
        """Return the topic with this slug, if the taxonomy has it."""
        return next((t for t in self.topics if t.slug == slug), None)


@dataclass(frozen=True)
class Held:
    """A provision with the platform and document it belongs to, for lists across documents."""

    platform: Platform
    document: Document
    provision: Provision


def default_templates() -> Path:
    """Return the templates folder of the installed package, or of the source tree."""
    return PACKAGE_TEMPLATES if PACKAGE_TEMPLATES.is_dir() else SOURCE_TEMPLATES


def environment(templates: Path) -> jinja2.Environment:
    """Return a Jinja environment with autoescape on and the site's filters."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown"] = markdown
    env.filters["anchored"] = anchored_markdown
    env.filters["date"] = lambda moment: f"{moment:%Y-%m-%d}"
    return env


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


@lru_cache(maxsize=32768)
def markdown(text: str) -> Markup:
    """Render untrusted Markdown to HTML with raw HTML disabled and unsafe links dropped."""
    return Markup(_parser().render(text))


def anchored_markdown(text: str, anchors: tuple[tuple[int, str], ...]) -> Markup:
    """Render untrusted Markdown, with ``id`` on the first block of each provision's line."""
    parser = _parser()
    tokens = parser.parse(text)
    wanted = dict(anchors)
    for token in tokens:
        if token.nesting == 1 and token.level == 0 and token.map and token.map[0] in wanted:
            token.attrSet("id", wanted.pop(token.map[0]))
    return Markup(parser.renderer.render(tokens, parser.options, {}))


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


def render_site(site: Site, env: jinja2.Environment, out: Output) -> None:
    """Render every page of the site."""
    for path, template, context in _pages(site):
        out.write(path, _render(env, template, path, site, context))


def _pages(site: Site) -> Iterator[tuple[str, str, dict[str, Any]]]:
    yield "index.html", "index.html", {"latest": site.changes[:30]}
    yield "search/index.html", "search.html", {}
    yield "404.html", "404.html", {}
    for platform in site.platforms:
        timeline = [item for item in site.changes if item.platform is platform]
        yield (
            f"platforms/{platform.slug}/index.html",
            "platform.html",
            {
                "platform": platform,
                "timeline": timeline,
            },
        )
        for document in platform.documents:
            yield from _document_pages(platform, document)
    yield from _analysis_pages(site)


def _document_pages(
    platform: Platform, document: Document
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    base = document_url(platform, document)
    yield f"{base}index.html", "document.html", {"platform": platform, "document": document}
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
            },
        )


def _render(
    env: jinja2.Environment, template: str, path: str, site: Site, context: dict[str, Any]
) -> str:
    depth = path.count("/")
    return env.get_template(template).render(site=site, root="../" * depth, path=path, **context)


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
                others = [
                    (topics[slug], [c for c in columns[slug] if c[0] is not platform])
                    for slug in provision.topics
                    if slug in topics
                ]
                yield (
                    f"{provision_url(platform, document, provision)}index.html",
                    "provision.html",
                    {
                        "platform": platform,
                        "document": document,
                        "provision": provision,
                        "others": others,
                        "topics": topics,
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
                "latest": [i for i in site.changes if topic.slug in i.change.topics][:30],
            },
        )


def _by_platform(held: list[Held]) -> list[tuple[Platform, list[Held]]]:
    columns: dict[str, tuple[Platform, list[Held]]] = {}
    for item in held:
        columns.setdefault(item.platform.slug, (item.platform, []))[1].append(item)
    return list(columns.values())
