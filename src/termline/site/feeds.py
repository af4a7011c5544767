"""Feeds stage: Atom feeds (and one RSS 2.0 feed) of the changes that are news.

Takes the ``Site``; gives ``feed.xml`` and ``rss.xml`` (every substantive change), and
``feed.xml`` beside each platform, document, provision and topic page, and ``notes/feed.xml``
(an entry when a note on a provision is added, one when it becomes stale). Cosmetic changes and
reverts are left out. Entry ids are ``urn:uuid`` values derived from the document's path and the
commit, so they never change when the site moves or is rebuilt. The XML is written by feedgen;
the word diff goes into the content as escaped HTML, and into an RSS item's plain-text
description with its deletions and insertions marked ``[-…-]`` and ``{+…+}``. Without a base URL
links are relative, which Atom allows and RSS 2.0 does not: the RSS feed then has no links.
"""

import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape, unescape

from feedgen.feed import FeedGenerator
from lxml import etree

from termline.analysis.catalogue import Document, Platform, Tracked
from termline.analysis.changes import Change, ProvisionEdit, edit_summary
from termline.analysis.diff import WordDiff
from termline.analysis.history import UNSHOWABLE
from termline.analysis.notes import Judged
from termline.site.diffs import cut
from termline.site.diffs import diff_html as render_diff
from termline.site.output import Output
from termline.site.pages import group_by, provision_date
from termline.site.render import (
    MAX_ENTRIES,
    Listed,
    Settings,
    Site,
    build_date,
    document_date,
    document_url,
    headline,
    is_news,
    news_feed_title,
    notes_feed_link,
    platform_url,
    plural,
    provision_feed_link,
    provision_url,
    quiet_edit,
    relative,
    site_base,
    topic_feed_link,
    version_url,
)
from termline.site.views import part, view_key

DOCUMENT_ENTRIES = 20  # newest entries of a document's feed
PROVISION_ENTRIES = 10  # newest entries of a provision's feed
MAX_CONTENT = 1_000  # characters of diff HTML per entry; the version page has the rest
TITLE_TOPICS = 2  # topics an entry's title names; the rest are counted
MAX_LISTED = 10  # provision ids named in a summary; a change to 10,000 provisions names 10
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ATOM, RSS, NOTES = "feed:atom", "feed:rss", "feed:notes"  # what a feed's key names its format


Content = Callable[[Listed, ProvisionEdit | None], str]


@dataclass(frozen=True)
class FeedView:
    """What a feed shows: where it is, its title, its page, its entries, its date when empty.

    Rendered with the site's settings and nothing else; its key is derived from it (``views``).
    """

    path: str
    title: str
    page: str
    items: tuple[Listed, ...]  # its newest changes, newest first
    edits: tuple[ProvisionEdit, ...]  # a provision feed's own part of each, if any
    updated: datetime | None  # when it has no entries; else its newest entry's date


@part.register(ProvisionEdit)
def _edit(edit: ProvisionEdit) -> str:
    return f"E{edit.id!r}"  # one provision's part of a change: that change's key covers it


@dataclass(frozen=True)
class Feed:
    """One feed: where it is written, its title, the page it belongs to, its changes."""

    path: str
    title: str
    page: str
    items: tuple[Listed, ...]
    edits: tuple[ProvisionEdit, ...] = ()  # a provision feed's own part of each change, if any
    updated: datetime | None = None  # when empty; else the newest entry's date
    group: str = ""  # the document folder it lies in, if any
    limit: int = MAX_ENTRIES  # newest entries it shows

    def view(self, site: Site) -> FeedView:
        """Return what the feed shows: its newest ``limit`` entries."""
        items = self.items[: self.limit]
        updated = None if items else self.updated or build_date(site)
        return FeedView(self.path, self.title, self.page, items, self.edits[: self.limit], updated)


def write_site_feeds(
    site: Site, out: Output, content: Content, feeds: list[Feed] | None = None
) -> int:
    """Write the feeds that span documents: the site's (Atom and RSS), platforms', topics'."""
    feeds = site_feeds(site) if feeds is None else feeds
    for feed in feeds:
        _write(out, feed, site, content)
    rss = Feed("rss.xml", news_feed_title(site.title), "", site.news)
    _write(out, rss, site, content, rss=True)
    return len(feeds) + 1


def site_feeds(site: Site) -> list[Feed]:
    """Return the feeds that span documents: the site's, each platform's, each topic's."""
    feeds = [Feed("feed.xml", news_feed_title(site.title), "", site.news)]
    by_platform = group_by(site.news, lambda item: item.platform.slug)
    for platform in site.platforms:
        page = platform_url(platform)
        news = tuple(by_platform.get(platform.slug, []))
        feeds.append(Feed(f"{page}feed.xml", news_feed_title(platform.name), page, news))
    return feeds + list(topic_feeds(site))


def shown_in(feeds: list[Feed]) -> set[str]:
    """Return the keys of the changes some feeds show."""
    return {item.key for feed in feeds for item in feed.items[: feed.limit]}


def write_document_feeds(
    site: Site, platform: Platform[Tracked], document: Document, out: Output
) -> int:
    """Write a document's feed and its provisions' feeds, the document given in full."""
    page = document_url(platform, document)
    keyed = zip(document.changes, document.change_keys, strict=True)
    news = tuple(Listed(platform, document, c, k) for c, k in keyed if is_news(c))
    title = f"{platform.name} — {document.name}"
    updated = document_date(site, document)
    own = Feed(f"{page}feed.xml", title, page, news[::-1], (), updated, page, DOCUMENT_ENTRIES)
    feeds = [own, *provision_feeds(platform, document, news[::-1])]
    for feed in feeds:
        _write(out, feed, site, content_html)
    return len(feeds)


def _write(out: Output, feed: Feed, site: Site, content: Content, rss: bool = False) -> None:
    view, settings = feed.view(site), site.settings
    key = view_key(RSS if rss else ATOM, view)
    out.page(feed.path, key, lambda: feed_xml(view, settings, content, rss), feed.group)


def topic_feeds(site: Site) -> Iterator[Feed]:
    """Yield one feed per topic of the taxonomy, beside its topic page, even before any news."""
    for topic in site.topics:
        link = topic_feed_link(site, topic.slug)
        items = tuple(site.topic_news.get(topic.slug, ()))
        yield Feed(link.path, link.title, f"topics/{topic.slug}/", items)


def provision_feeds(
    platform: Platform[Tracked], document: Document, items: Sequence[Listed]
) -> Iterator[Feed]:
    """Yield one feed per provision of a document, with its own part of each change."""
    news = {item.change.id: item for item in items}
    group = document_url(platform, document)
    for provision in document.provisions:
        link = provision_feed_link(platform, document, provision)
        edits = reversed(provision.history)  # news, but not this provision's dates alone
        mine = [(news[c.id], e) for c, e in edits if c.id in news and not quiet_edit((c, e))]
        yield Feed(
            link.path,
            link.title,
            link.path.removesuffix("feed.xml"),
            tuple(item for item, _edit in mine),
            tuple(edit for _item, edit in mine),
            provision_date(provision),
            group,
            PROVISION_ENTRIES,
        )


def write_feed(out: Output, feed: Feed, site: Site, rss: bool = False) -> None:
    """Write one feed as Atom, or as RSS 2.0, its changes given in full."""
    out.write(feed.path, feed_xml(feed.view(site), site.settings, content_html, rss), feed.group)


def feed_xml(feed: FeedView, site: Settings, content: Content, rss: bool = False) -> bytes:
    """Return one feed as Atom, or as RSS 2.0, from what it shows and the site's settings."""
    generator = FeedGenerator()
    generator.id(_uuid(f"feed:{site.title}:{feed.path}"))
    generator.title(feed.title)
    generator.description(f"Substantive changes recorded by {site.title}, newest first.")
    generator.author({"name": site.title})
    generator.language("en")
    generator.generator("termline")
    generator.link(href=_url(site, feed.path, feed.page), rel="alternate")
    if not rss:
        generator.link(href=_url(site, feed.path, feed.path), rel="self")
    items = feed.items
    newest = items[0].change.version.date if items else feed.updated or EPOCH
    generator.updated(newest)
    edits: Sequence[ProvisionEdit | None] = feed.edits or [None] * len(items)
    for item, edit in reversed(list(zip(items, edits, strict=False))):  # feedgen prepends
        title = entry_title(item, site, edit)
        _add_entry(generator, item, site, feed.path, (title, content(item, edit)), rss=rss)
    xml: bytes = generator.rss_str() if rss else generator.atom_str()
    return _without_links(xml) if rss and not site_base(site) else xml


def _without_links(xml: bytes) -> bytes:
    """Return an RSS feed without its ``<link>`` elements: relative ones are not allowed."""
    root = etree.fromstring(xml)
    for link in root.findall("channel/link") + root.findall("channel/item/link"):
        link.getparent().remove(link)
    found: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    return found


def _add_entry(
    generator: FeedGenerator,
    item: Listed,
    site: Settings,
    feed_path: str,
    shown: tuple[str, str],
    *,
    rss: bool,
) -> None:
    """Add a change with its title and content (Atom: no summary, the content opens with it)."""
    change = item.change
    title, content = shown
    entry = generator.add_entry()
    entry.id(entry_id(item))
    entry.guid(entry_id(item), permalink=False)
    entry.title(_showable(title))
    entry.link(href=_url(site, feed_path, version_url(item.platform, item.document, change)))
    entry.published(change.version.date)
    entry.updated(change.version.date)
    if rss:  # RSS readers show the description: plain text, the diff's marks kept
        entry.summary(_showable(plain_text(content)))
    entry.content(_showable(content), type="html")


def _showable(text: str) -> str:
    """Return text without the characters XML refuses (lxml would fail the whole build)."""
    return UNSHOWABLE.sub("\ufffd", text)


def entry_title(item: Listed, site: Site | Settings, edit: ProvisionEdit | None = None) -> str:
    """Return an entry's title: the document and what changed, up to its first clause named.

    E.g. "ChatGPT — Privacy Policy: Changed “How we use data” (+48 \u221212) …"; a provision's
    feed names what the change did to that provision alone.
    """
    if edit is not None:
        return f"{item.platform.name} — {item.document.name}: {edit_summary(item.change, edit)}"
    what = headline(item.change, site, TITLE_TOPICS)
    if item.change.lead:
        cut = what.find(")", what.find(item.change.lead))
        if 0 < cut < len(what) - 1:
            what = what[: cut + 1] + " …"
    return f"{item.platform.name} — {item.document.name}: {what}"


def entry_id(item: Listed) -> str:
    """Return the stable id of a change: a UUID of the document's path and the commit."""
    return _uuid(f"version:{item.document.path}@{item.change.version.sha}")


def summary(item: Listed) -> str:
    """Return a plain-text summary of a change: what it did in words, its words ±."""
    change = item.change
    added, removed = change.words
    words = f"{plural(added, 'word')} added, {removed} removed"
    words += " outside dates and link targets." if change.significance else "."
    if change.summary:
        return f"{change.summary}. {words}" if change.kind != "deleted" else change.summary + "."
    if change.kind == "first":
        return f"First recorded: {plural(added, 'word')}."
    if change.kind == "deleted":
        return "The document is no longer tracked."
    parts = [words]
    for label, ids in (
        ("Provisions added", change.added),
        ("removed", change.removed),
        ("modified", change.modified),
    ):
        if ids:
            parts.append(f"{label}: {_listed(ids)}.")
    return " ".join(parts)


def _listed(ids: Sequence[str]) -> str:
    more = len(ids) - MAX_LISTED
    return ", ".join(ids[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def plain_text(html: str) -> str:
    """Return an entry's HTML as plain text: deleted words [-…-], inserted {+…+}, a line a block."""
    text = re.sub(r"<del\b[^>]*>", "[-", html)
    text = re.sub(r"<ins\b[^>]*>", "{+", text.replace("</del>", "-]"))
    text = re.sub(r"<li\b[^>]*>", "• ", text.replace("</ins>", "+}"))
    text = re.sub(r"<br\s*/?>|</(?:p|li|h\d|tr|summary|div)>", "\n", text)
    text = unescape(re.sub(r"<[^>]+>", "", text))
    lines = (line.strip() for line in text.splitlines() if line.strip())
    return escape("\n".join(lines), quote=False)  # readers take a description as HTML


def content_html(item: Listed, edit: ProvisionEdit | None = None) -> str:
    """Return the entry content: the summary and the word diff as HTML; a provision's entry, whose
    title already says what the change did to it, the provision's diff alone."""
    change = item.change
    shown = (  # none for a change in brief, nor for a first or deleted version
        change.diff
        if isinstance(change, Change) and change.kind not in ("first", "deleted")
        else None
    )
    if edit is not None and shown is not None:
        return diff_html(edit.diff)
    said = summary(item) if edit is None else edit_summary(change, edit) + "."
    head = f"<p>{escape(said)}</p>"
    return head if shown is None else head + diff_html(shown)


def diff_html(diff: WordDiff, limit: int = MAX_CONTENT) -> str:
    """Return a word diff as HTML, laid out as on the site, cut after about ``limit`` characters.

    The cut never leaves an entry with a heading alone: it keeps at least one changed block, and
    drops the headings and skips that would end it.
    """
    kept, more = cut(diff.blocks, limit)
    if more:
        return f"{render_diff(kept)}\n<p>… (more on the version page)</p>"
    return str(render_diff(kept))


def _url(site: Site | Settings, feed_path: str, target: str) -> str:
    """Return target as an absolute URL with a base URL, else relative to the feed's folder."""
    base = site_base(site)
    if base:
        return base + target
    page = target + "index.html" if not target or target.endswith("/") else target
    return relative(feed_path, page)


def _uuid(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'termline:' + name)}"


NOTES_FEED = notes_feed_link().path


@dataclass(frozen=True)
class NoteEvent:
    """A note added or made stale, as a feed entry: what, when, and the provision page."""

    id: str
    title: str
    date: datetime
    page: str
    text: str


def note_events(site: Site) -> list[NoteEvent]:
    """Return every note's events, newest first: added (when committed), and made stale."""
    events = []
    for platform in site.platforms:
        for document in platform.documents:
            headings = {p.id: p for p in document.provisions}
            for judged in document.notes:
                provision = headings[judged.note.provision]
                what = f"{platform.name} — {document.name} — {provision.label}"
                page = provision_url(platform, document, provision)
                events += _events(judged, what, page)
    return sorted(events, key=lambda e: (e.date, e.id), reverse=True)


def _events(judged: Judged, what: str, page: str) -> list[NoteEvent]:
    note, found = judged.note, []
    if judged.added is not None:
        written = f"Written against the text of {note.written_against[:10]}."
        found.append(
            NoteEvent(f"note:{note.path}", f"Note added: {what}", judged.added, page, written)
        )
    if judged.stale and judged.changed is not None:
        did = "was removed" if judged.removed else "changed"
        text = f"This clause {did} on {judged.changed:%Y-%m-%d}, after the note was written."
        title = f"Note out of date: {what}"
        when = max(judged.changed, judged.added or judged.changed)  # stale once both happened
        found.append(NoteEvent(f"note:{note.path}@{judged.changed_in}", title, when, page, text))
    return found


@dataclass(frozen=True)
class NotesView:
    """What the notes feed shows: the newest events, and its date when it has none."""

    events: tuple[NoteEvent, ...]
    updated: datetime | None


def write_notes_feed(site: Site, out: Output) -> None:
    """Write the feed of notes added and made stale, if any document has notes."""
    if not any(d.notes for p in site.platforms for d in p.documents):
        return
    events = tuple(note_events(site)[:MAX_ENTRIES])
    view, settings = NotesView(events, None if events else build_date(site)), site.settings
    out.page(NOTES_FEED, view_key(NOTES, view), lambda: notes_xml(view, settings))


def notes_xml(view: NotesView, site: Settings) -> bytes:
    """Return the Atom feed of notes added and made stale."""
    events = view.events
    generator = FeedGenerator()
    generator.id(_uuid(f"feed:{site.title}:{NOTES_FEED}"))
    generator.title(f"{site.title}: notes added and out of date")
    generator.author({"name": site.title})
    generator.language("en")
    generator.generator("termline")
    generator.link(href=_url(site, NOTES_FEED, NOTES_FEED), rel="self")
    generator.updated(events[0].date if events else view.updated or EPOCH)
    for event in reversed(events):  # feedgen prepends
        entry = generator.add_entry()
        entry.id(_uuid(event.id))
        entry.title(event.title)
        entry.link(href=_url(site, NOTES_FEED, event.page))
        entry.published(event.date)
        entry.updated(event.date)
        entry.content(f"<p>{escape(event.text)}</p>", type="html")
    xml: bytes = generator.atom_str()
    return xml
