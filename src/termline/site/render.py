"""Render stage: turn the catalogued documents and their changes into HTML pages.

Takes the ``Site`` (platforms, documents, changes, settings); gives HTML files through an
``Output``. Templates come from the top-level ``templates/`` folder (shipped inside the wheel),
or from ``--templates``. Autoescape is on and Markdown is rendered with raw HTML disabled: the
scraped text is never trusted.
"""

import itertools
import os
import re
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from itertools import islice
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, unquote, urljoin, urlsplit

import jinja2
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from termline.analysis.catalogue import Platform, Summary, Tracked
from termline.analysis.changes import (
    QUIET_KINDS,
    BriefChange,
    BriefProvision,
    Change,
    Provision,
    ProvisionEdit,
)
from termline.analysis.diff import Block
from termline.analysis.history import day
from termline.analysis.meaning import back_to
from termline.analysis.notes import Judged
from termline.analysis.provisions import BREAK, BULLETS, heading_key
from termline.analysis.topics import Topic
from termline.errors import TermlineError
from termline.site.diffs import cut, diff_html
from termline.site.nesting import WholeTextBlock
from termline.slugs import slugify

PACKAGE_TEMPLATES = Path(__file__).parents[1] / "templates"
SOURCE_TEMPLATES = Path(__file__).parents[3] / "templates"
PAGE_SIZE = 100  # entries per page of /changes/
LATEST = 30  # entries of the home page's latest changes (and a topic page's)
MAX_ENTRIES = 50  # newest entries per feed across documents (the site's, a platform's, a topic's)
TOPIC_NEWS = max(LATEST, MAX_ENTRIES)  # newest news gathered per topic: its page's and feed's
# Other platforms a provision page compares on its strongest topic, each by its clause most on it
# and matching sentence; on its other topics it links the one most on it (one line a topic).
COMPARED_PLATFORMS, SHOWN_PLATFORMS, SHOWN_PROVISIONS = 3, 1, 1
NOTABLE_WORDS = 10  # words a substantive change alters, dates and links aside, to be notable
EXCERPT_WORDS = 40  # words of a provision's text a topic page shows
LISTED_TOPICS = 1  # topics a change's line in a list names; its version page names them all
TOPIC_PROVISIONS = 3  # provisions a topic page shows per platform; the rest on the platform's
SHOWN_DIFFS = 3  # newest news edits a provision page shows with their word diff
# Dates a provision page lists inside a folded run of quiet changes; a longer run (a flip-flop of
# a whole document, repeated on each of its provision pages) is counted and its versions linked.
LISTED_QUIET = 8
# Characters of diff HTML the version page of a cosmetic, technical or date-only change shows;
# the rest is one click away on the compare page (reformatted pages diffed whole weighed ~80 MB).
NOISE_DIFF = 2_000
# Characters of diff HTML the version page of any other change shows: the rest of a rewritten
# document's diff (contrib-versions has diffs of 1 MB) is side by side on the compare page.
LONG_DIFF = 16_000
# Characters of diff HTML each edit on a provision page shows; the rest is on the compare page.
EDIT_DIFF = 2_000
# Edits whose diff a provision page shows: an added or removed text is a copy of one on the page.
DIFF_STATUSES = ("modified", "renamed")
KIND_LABELS = {
    "first": "first recorded",
    "change": "change",
    "substantive": "substantive",
    "cosmetic": "cosmetic",
    "technical": "technical",
    "dates": "dates only",
    "revert": "revert",
    "deleted": "no longer tracked",
}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})  # what a scraped link may point at
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")
CODE_INDENT = 4  # spaces that make a line of Markdown indented code
# A list item's marker, and the 1 to 4 spaces before its text (more would make it indented code).
ITEM = re.compile(r" *(?:[*+-]|(?P<number>\d{1,9})(?P<delimiter>[.)])) {1,4}(?=\S)")
LISTS = ("bullet_list_open", "ordered_list_open")
# A provision's edit in a substantive change that moved only its dates or link targets: quiet
# on the provision's page, as a kind of noise of its own.
MEANINGLESS = "meaningless"
MOVED = "moved"  # a provision's words moved to or from others, none of its document's changed
QUIET_WHY = {
    MEANINGLESS: "only dates or link targets changed in it",
    MOVED: "its words only moved to or from other clauses",
}


@dataclass(frozen=True)
class Listed:
    """A change with the platform and document it belongs to, for lists across documents."""

    platform: Platform[Tracked]
    document: Tracked  # a summary in lists across documents, the full document in its own feeds
    change: BriefChange
    key: str = ""  # the change's own key (see ``Tracked.change_keys``), for page keys


@dataclass(frozen=True)
class Settings:
    """What every page may show of the site beyond its own view: names, links, topics, credits.

    The build keys the whole site by them: a page's own key need not cover them.
    """

    title: str
    repo_url: str | None
    base_url: str | None
    topics: tuple[Topic, ...]
    imported: bool
    data_licence: str | None

    @cached_property
    def _topics(self) -> dict[str, Topic]:
        return {topic.slug: topic for topic in self.topics}

    def topic(self, slug: str) -> Topic | None:
        """Return the topic with this slug, if the taxonomy has it."""
        return self._topics.get(slug)

    def topic_name(self, slug: str) -> str:
        """Return a topic's display name."""
        topic = self.topic(slug)
        return topic.name if topic else slug.replace("-", " ")


@dataclass(frozen=True)
class Site:
    """Everything a page may show."""

    title: str
    platforms: tuple[Platform[Summary], ...]
    changes: tuple[Listed, ...]
    repo_url: str | None = None
    base_url: str | None = None
    topics: tuple[Topic, ...] = ()
    imported: bool = False  # some versions come from Open Terms Archive: credit it
    data_licence: str | None = None

    @cached_property
    def news(self) -> tuple[Listed, ...]:
        """Return the changes that are news: neither cosmetic nor reverts, newest first."""
        return tuple(item for item in self.changes if is_news(item.change))

    @cached_property
    def notable(self) -> tuple[Listed, ...]:
        """Return the newest notable changes (see ``is_notable``), as many as the home shows."""
        return tuple(islice((i for i in self.news if is_notable(i.change)), LATEST))

    @cached_property
    def topic_news(self) -> dict[str, list[Listed]]:
        """Return each topic's newest news, newest first: as many as its page and its feed show.

        Reading stops once every topic has that many.
        """
        found: dict[str, list[Listed]] = {topic.slug: [] for topic in self.topics}
        full = 0
        for item in self.news:
            for slug in item.change.topics:
                shown = found.get(slug)
                if shown is not None and len(shown) < TOPIC_NEWS:
                    shown.append(item)
                    full += len(shown) == TOPIC_NEWS
            if full == len(found):
                break
        return found

    @cached_property
    def settings(self) -> Settings:
        """Return what every page may show of the site beyond its own view."""
        return Settings(
            self.title, self.repo_url, self.base_url, self.topics, self.imported, self.data_licence
        )

    def topic(self, slug: str) -> Topic | None:
        """Return the topic with this slug, if the taxonomy has it."""
        return self.settings.topic(slug)

    def topic_name(self, slug: str) -> str:
        """Return a topic's display name."""
        return self.settings.topic_name(slug)


Entry = tuple[Change, ProvisionEdit]
APOSTROPHE = "\u2019"  # typographic, as the site's quotation marks are


@dataclass(frozen=True)
class Row:
    """A row of a provision's history: an edit with its diff, one line, or a run of quiet edits."""

    entries: tuple[Entry, ...]  # newest first
    full: bool = False

    @property
    def quiet(self) -> bool:
        """Tell whether the row holds quiet edits only (``quiet_edit``)."""
        return quiet_edit(self.entries[0])

    @property
    def label(self) -> str:
        """Return what a quiet row holds, e.g. "3 cosmetic changes and 1 revert"."""
        return _kinds_label(_quiet_kind(entry) for entry in self.entries)

    @property
    def why(self) -> str:
        """Return why the row's edit is quiet though its change is news elsewhere, else ""."""
        return QUIET_WHY.get(_quiet_kind(self.entries[0]), "") if self.quiet else ""


def quiet_edit(entry: Entry) -> bool:
    """Tell whether an edit is noise to its provision: its change is, or the change is news
    elsewhere while this provision's words moved only in dates or link targets (a "Last
    updated" date in it, edited with every change to the document), or only moved to or from
    other provisions (a clause split in two)."""
    change, edit = entry
    if not is_news(change):
        return True
    meaningless = edit.status == "modified" and not edit.significance and edit.old_heading is None
    return change.kind == "substantive" and meaningless


@dataclass(frozen=True)
class Dated:
    """A date a page names, with what it is: "last substantive change", of a version it links.

    "last changed" named two dates: a platform page gave a document's last substantive change
    (ChatGPT's terms, 2026-06-29), its own page its newest version (a cosmetic one, 2026-07-26).
    """

    label: str
    change: BriefChange


SUBSTANTIVE, RECORDED = "last substantive change", "last recorded change"
NEWS_LABELS = {"first": "first recorded", "deleted": "no longer tracked since"}


def document_dates(document: Tracked) -> tuple[Dated, ...]:
    """Return the dates a document is named by: its last news (its last substantive change, or
    its first or last recording), then its newest change when that is noise."""
    news = next((c for c in reversed(document.changes) if is_news(c)), None)
    dated = (Dated(NEWS_LABELS.get(news.kind, SUBSTANTIVE), news),) if news else ()
    return dated if news is document.latest else (*dated, Dated(RECORDED, document.latest))


def provision_dates(provision: Provision) -> tuple[Dated, ...]:
    """Return the dates a provision's page names: first seen, its last substantive change and
    its newest change (noise included), each when later than the one before, its removal."""
    first, last = provision.history[0][0], provision.history[-1][0]
    loud = next((c for c, e in reversed(provision.history) if not quiet_edit((c, e))), first)
    dates = [Dated("first seen", first)]
    if loud.id not in (first.id, provision.removed_in):
        dates.append(Dated(SUBSTANTIVE, loud))
    if last.id not in (loud.id, provision.removed_in):
        dates.append(Dated(RECORDED, last))
    return (*dates, Dated("removed", last)) if provision.removed_in else tuple(dates)


def provision_news(provision: Provision) -> Dated:
    """Return the date a list of provisions names: its removal, else its last substantive
    change, else when it was first seen."""
    return next(d for d in reversed(provision_dates(provision)) if d.label != RECORDED)


def _quiet_kind(entry: Entry) -> str:
    change, edit = entry
    if not is_news(change):
        return change.kind
    return MOVED if edit.moved else MEANINGLESS


class Slugged(Protocol):
    """A platform or a document as links name it: its slug (a record, or its names alone)."""

    @property
    def slug(self) -> str: ...


class Placed(Protocol):
    """A document as git names it: its path in the archive."""

    @property
    def path(self) -> str: ...


@dataclass(frozen=True)
class StaleNote:
    """A note whose clause changed after it was written, with the clause's heading."""

    judged: Judged
    heading: str


def stale_notes(document: Tracked, change: str | None = None) -> tuple[StaleNote, ...]:
    """Return a document's stale notes (those one change made stale, if named), with headings."""
    headings = {provision.id: provision.label for provision in document.provisions}
    return tuple(
        StaleNote(judged, headings[judged.note.provision])
        for judged in document.stale_notes(change)
    )


@dataclass(frozen=True)
class FeedLink:
    """A feed a page links to in its head."""

    title: str
    path: str


def default_templates() -> Path:
    """Return the templates folder of the installed package, or of the source tree."""
    return PACKAGE_TEMPLATES if PACKAGE_TEMPLATES.is_dir() else SOURCE_TEMPLATES


def environment(templates: Path, compiled: Path | None = None) -> jinja2.Environment:
    """Return a Jinja environment with autoescape on and the site's filters.

    ``compiled`` keeps the compiled templates between builds (Jinja checks their source).
    """
    if not templates.is_dir():
        raise TermlineError(f"{templates}: no such templates folder")
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["policy"] = policy
    env.filters["excerpt"] = excerpt
    env.filters["clause"] = clause_html
    env.filters["note"] = note_html
    env.filters["date"] = day
    env.filters["minute"] = minute
    env.tests["news"] = is_news
    env.globals.update(
        href=href,
        diff_html=diff_html,
        shown_diff=shown_diff,
        edit_diff=edit_diff,
        platform_url=platform_url,
        document_url=document_url,
        version_url=version_url,
        compare_href=compare_href,
        git_file_url=git_file_url,
        stale_notes=stale_notes,
        git_history_url=git_history_url,
        headline=headline,
        history_rows=history_rows,
        by_year=by_year,
        is_news=is_news,
        is_notable=is_notable,
        runs=runs,
        notable_words=NOTABLE_WORDS,
        quiet_label=quiet_label,
        kind_label=kind_label,
        clause_name=clause_name,
        document_dates=document_dates,
        provision_dates=provision_dates,
        provision_news=provision_news,
        recorded=RECORDED,
        kind_count=kind_count,
        plural=plural,
        topic_names=topic_names,
        shown_diffs=SHOWN_DIFFS,
        listed_quiet=LISTED_QUIET,
        shown_platforms=SHOWN_PLATFORMS,
        compared_platforms=COMPARED_PLATFORMS,
        shown_provisions=SHOWN_PROVISIONS,
        topic_provisions=TOPIC_PROVISIONS,
        listed_topics=LISTED_TOPICS,
    )
    return env


@jinja2.pass_context
def href(context: Mapping[str, Any], path: str) -> str:
    """Return a link from the page being rendered to a site path, ending in a file name.

    A page whose root is the site's URL (the not-found page, served from any folder) links
    absolutely; others link relatively, by the shortest way.
    """
    file = f"{path}{'index.html' if path.endswith('/') or not path else ''}"
    root: str = context["root"]
    return root + file if root.strip("./") else relative(context["path"], file)


def relative(page: str, target: str) -> str:
    """Return the shortest link from a page to a file, both given as paths in the site.

    E.g. from ``a/b/x/index.html`` to ``a/b/x/feed.xml``: ``feed.xml``, not
    ``../../../a/b/x/feed.xml`` (on 128,000 pages, long links were tens of MB).
    """
    here, there = page.split("/")[:-1], target.split("/")
    same = 0
    while same < min(len(here), len(there) - 1) and here[same] == there[same]:
        same += 1
    return "../" * (len(here) - same) + "/".join(there[same:])


def kind_label(kind: str) -> str:
    """Return how a kind of change reads on a page."""
    return KIND_LABELS.get(kind, kind)


def shown_diff(change: Change) -> tuple[list[Block], int]:
    """Return the diff blocks a version page shows, and how many changed blocks it leaves out."""
    blocks = change.diff.blocks if change.diff else ()
    return cut(
        blocks, NOISE_DIFF if change.kind in ("cosmetic", "technical", "dates") else LONG_DIFF
    )


def edit_diff(edit: ProvisionEdit) -> tuple[list[Block], int]:
    """Return the diff blocks a provision page shows of an edit, and how many changed blocks it
    leaves out (to the compare page)."""
    return cut(edit.diff.blocks, EDIT_DIFF)


def kind_count(kind: str, count: int) -> str:
    """Return how many versions of a kind there are, in words: "3 cosmetic changes"."""
    if kind in QUIET_NOUNS:
        return _noun(count, kind)
    if kind == "substantive":
        return plural(count, "substantive change")
    return f"{count} {kind_label(kind)}"


def is_news(change: BriefChange) -> bool:
    """Tell whether a change is news: not noise (cosmetic, technical, dates only, revert)."""
    return change.kind not in QUIET_KINDS


def runs(items: Sequence[Listed]) -> list[tuple[bool, list[Listed]]]:
    """Split a list of changes into runs of news and runs of noise, in order: (news?, run)."""
    found: list[tuple[bool, list[Listed]]] = []
    for item in items:
        news = is_news(item.change)
        if found and found[-1][0] == news:
            found[-1][1].append(item)
        else:
            found.append((news, [item]))
    return found


def is_notable(change: BriefChange) -> bool:
    """Tell whether a change is notable: substantive, with ``NOTABLE_WORDS`` words changed."""
    return change.kind == "substantive" and change.significance >= NOTABLE_WORDS


QUIET_NOUNS = {
    "cosmetic": "cosmetic change",
    "technical": "technical change",
    "dates": "change of dates only",
    "revert": "revert",
    MEANINGLESS: "change of dates or link targets only",
    MOVED: "move of words to or from other clauses",
}


def quiet_label(changes: Iterable[BriefChange]) -> str:
    """Return what a run of noise holds, e.g. "3 cosmetic changes and 1 revert"."""
    return _kinds_label(change.kind for change in changes)


def _kinds_label(kinds: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    parts = [_noun(counts[kind], kind) for kind in QUIET_NOUNS if counts.get(kind)]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def _noun(count: int, kind: str) -> str:
    noun = QUIET_NOUNS[kind]
    if count == 1:
        return f"1 {noun}"
    many = noun.replace("change ", "changes ") if " of " in noun else noun + "s"
    return f"{count} {many}"


C = TypeVar("C", bound=BriefChange)


def by_year(changes: Sequence[C]) -> list[tuple[int, list[C]]]:
    """Return changes grouped by year, newest year and newest change first."""
    years: dict[int, list[C]] = {}
    for change in reversed(changes):
        years.setdefault(change.version.date.year, []).append(change)
    return list(years.items())


def history_rows(provision: Provision, shown: int = SHOWN_DIFFS) -> list[Row]:
    """Return a provision's history newest first: diffs of its newest edits, quiet runs folded."""
    rows: list[Row] = []
    run: list[Entry] = []
    for entry in reversed(provision.history):
        if quiet_edit(entry):
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


def headline(change: BriefChange, site: Site | Settings, topics: int | None = None) -> str:
    """Return what a change did in words: its summary, clauses by heading (see ``meaning``).

    A change analysed before summaries existed says "2 provisions changed (children)":
    ``topics`` caps the topics named then, the rest counted ("and 3 more topics"); 0 names none.
    """
    if change.summary:
        return change.summary
    text = _what_changed(change)
    if change.topics and topics != 0:
        text += f" ({topic_names(site, change.topics, topics)})"
    return text


def topic_names(site: Site | Settings, slugs: Sequence[str], limit: int | None = None) -> str:
    """Return the names of topics, the first ``limit`` of them: "Children and 2 more topics"."""
    names = [site.topic_name(slug) for slug in slugs[:limit]]
    more = len(slugs) - len(names)
    return ", ".join(names) + (f" and {plural(more, 'more topic')}" if more else "")


def _what_changed(change: BriefChange) -> str:
    if change.kind == "first":
        return "first recorded"
    if change.kind == "deleted":
        return "no longer tracked"
    if change.kind == "revert":
        return back_to(change.reverts_named) if change.reverts_to else "reverted"
    count = len(change.added) + len(change.removed) + len(change.modified) + len(change.renamed)
    prefix = "cosmetic: " if change.kind == "cosmetic" else ""
    if count:
        return f"{prefix}{plural(count, 'provision')} changed"
    added, removed = change.words
    return f"{prefix}{plural(added, 'word')} added, {removed} removed"


def minute(when: datetime) -> str:
    """Return a date and time to the minute, in UTC, as pages name a version among its day's."""
    return f"{when:%Y-%m-%d %H:%M} UTC"


def plural(count: int, noun: str) -> str:
    """Return a count with its noun, e.g. "1 word" or "2 words"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def git_file_url(site: Site | Settings, document: Placed, change: BriefChange) -> str | None:
    """Return the URL of a document's text at a version in the archive's git host, if known."""
    if not site.repo_url:
        return None
    return f"{site.repo_url.rstrip('/')}/blob/{change.version.sha}/{quote(document.path)}"


def git_history_url(site: Site, document: Tracked) -> str | None:
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


def document_date(site: Site, document: Tracked) -> datetime:
    """Return the date a document's own pages show as their update: so they change only with it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return document.latest.version.date


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    whole = WholeTextBlock()  # the same rules, but text past the nesting limit is kept
    whole.ruler = parser.block.ruler
    parser.block = whole
    parser.core.ruler.push("breaks", _breaks)
    parser.core.ruler.push("typed_bullets", _typed_bullets)
    return parser


def _typed_bullets(state: Any) -> None:
    """Drop a bullet typed at the start of a list item ("*   •Violate the law"): the list
    shows its own, and a reader saw "• •Violate the law"."""
    tokens: list[Token] = state.tokens
    for index in range(2, len(tokens)):
        token, opened = tokens[index], (tokens[index - 2].type, tokens[index - 1].type)
        if token.type == "inline" and opened == ("list_item_open", "paragraph_open"):
            first = token.children[0] if token.children else None
            if first is not None and first.type == "text":
                first.content = first.content.lstrip(BULLETS).lstrip()


def _breaks(state: Any) -> None:
    """Make each ``<br>`` of the text a line break, the one HTML a scraped text shows as such.

    Raw HTML is off, so Open Terms Archive's ``Identity Data<br>* Payment Data`` in a table cell
    read with its tags; a heading's breaks become spaces (a heading is one line).
    """
    tokens: list[Token] = state.tokens
    for index, token in enumerate(tokens):
        children = token.children or []
        if token.type == "inline" and any(BREAK.search(child.content) for child in children):
            heading = index > 0 and tokens[index - 1].type == "heading_open"
            token.children = [piece for child in children for piece in _broken(child, heading)]


def _broken(child: Token, heading: bool) -> list[Token]:
    """Return a text token split at its ``<br>``s, with a line break (a space in a heading) each."""
    if child.type != "text" or not BREAK.search(child.content):
        return [child]
    pieces: list[Token] = []
    for number, part in enumerate(BREAK.split(child.content)):
        if number:
            pieces.append(
                Token("text", "", 0, content=" ") if heading else Token("hardbreak", "br", 0)
            )
        if part:
            pieces.append(Token("text", "", 0, content=part))
    return pieces


def clause_name(heading: str, document: str, platform: str = "") -> str:
    """Return how a list of other documents' clauses names one: by its document and heading,
    its platform's first unless the list is under the platform's name.

    "Perplexity, 2.3.3 Model Training." set a developer-terms clause beside a consumer privacy
    clause with no hint; it is "Perplexity\u2019s Developer Terms, 2.3.3 Model Training." now (a
    possessive, as "Parley AI AI Policy" would not tell where the platform's name ends).
    """
    if not platform:
        return f"{document}, {heading}"
    return f"{possessive(platform)} {document}, {heading}"


def possessive(name: str) -> str:
    """Return a name as an owner: "Perplexity\u2019s", "Google Services\u2019"."""
    return name + (APOSTROPHE if name.endswith("s") else f"{APOSTROPHE}s")


def platform_url(platform: Slugged) -> str:
    """Return the site path of a platform page."""
    return f"platforms/{platform.slug}/"


@lru_cache(maxsize=4096)
def policy(
    text: str, source_url: str | None = None, anchors: tuple[tuple[int, str], ...] = ()
) -> Markup:
    """Render a policy's untrusted Markdown under the page's h1, its links made safe to follow.

    ``anchors`` maps a source line to a provision id: the first block that starts on that line
    gets the id, however deep (a clause cut from a list item is anchored at its item), so every
    provision has a permalink.
    """
    return _policy_html(_parser().parse(text), source_url, anchors)


def anchored(text: str, anchors: tuple[tuple[int, str], ...]) -> frozenset[str]:
    """Return the provision ids ``policy`` gives a text's blocks: the ids its page has.

    A provision whose line starts no block (its section starts on a blank line) has none, and a
    link to it must not name one.
    """
    return _anchor(_parser().parse(text), dict(anchors))


@lru_cache(maxsize=4096)
def clause_html(text: str, source_url: str | None = None) -> Markup:
    """Render a provision's Markdown as it reads alone (``clause_text``), as ``policy`` would."""
    return _policy_html(_clause_tokens(text), source_url)


def _policy_html(
    tokens: list[Token], source_url: str | None, anchors: tuple[tuple[int, str], ...] = ()
) -> Markup:
    parser = _parser()
    _nest_headings(tokens)
    ids = _anchor(tokens, dict(anchors))
    for token in tokens:
        children = token.children or []
        for index, child in enumerate(children):
            _resolve(child, source_url)
            _in_page(children, index, ids, source_url)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


@lru_cache(maxsize=1024)
def note_html(text: str) -> Markup:
    """Render a note's Markdown like scraped text: raw HTML off, only web and mail links kept.

    Its headings start at h3, under the page's section headings.
    """
    parser = _parser()
    tokens = parser.parse(text)
    _nest_headings(tokens, top=3)
    for token in tokens:
        for child in token.children or ():
            _resolve(child, None)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


def _in_page(
    children: Sequence[Token], index: int, ids: frozenset[str], source_url: str | None
) -> None:
    """Point an in-page link (``children[index]``) at the provision its heading names, else at
    its source page.

    Scraped tables of contents link the source page's own ids (``#3-how-we-use-data``): the
    provision is found by the link's fragment or its words, as provision ids are made from
    headings; a link to nothing found goes to the source page, fragment and all.
    """
    token = children[index]
    href = token.attrGet("href") if token.type == "link_open" else None
    if not isinstance(href, str) or not href.startswith("#"):
        return
    fragment = unquote(href[1:])
    following = (children[i] for i in range(index + 1, len(children)))
    words = "".join(t.content for t in itertools.takewhile(_not_closing, following))
    for candidate in (
        fragment,
        heading_key(words),
        heading_key(fragment.replace("-", " ")),
        slugify(fragment),
    ):
        if candidate in ids:
            token.attrSet("href", f"#{candidate}")
            return
    if source_url:
        token.attrSet("href", urljoin(source_url, href))
    else:
        token.attrs.pop("href", None)


def _not_closing(token: Token) -> bool:
    return token.type != "link_close"


@lru_cache(maxsize=4096)
def clause_text(text: str) -> str:
    """Return a provision's text as Markdown that reads alone, out of the list it was cut from.

    A clause cut from a list item keeps the item's indentation, which alone reads as indented
    code: it loses the indentation of its first line. A clause that is one list item reads as
    a paragraph: a bullet is dropped, a number kept as text. Text that is indented code from
    its first line on, with no list in sight, stays code, and fenced code stays fenced.
    """
    lines = _outdented(text.split("\n"))
    return "\n".join(_unlisted(lines)).strip("\n")


def _outdented(lines: list[str]) -> list[str]:
    """Take the indentation of the first line with text off every line, unless it is code.

    Open Terms Archive's Markdown indents a list item's blank lines too: a clause cut from an
    item opens with such a line (spaces only), or with a nested list; truly empty lines before
    indented code leave it code.
    """
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return lines
    depth = _indent(lines[first])
    if depth >= CODE_INDENT and not any(lines[:first]) and not ITEM.match(lines[first]):
        return lines  # indented code under its heading, e.g. a style sheet
    return [line[min(depth, _indent(line)) :] for line in lines]


def _unlisted(lines: list[str], tokens: list[Token] | None = None) -> list[str]:
    """Turn a clause that is one list item into a paragraph, the item's lines outdented, and
    so on down an item that only holds one item; a number stays as text
    ("2\\. …"), so the clause keeps its number. Any other clause: its lines themselves.

    ``tokens``: the lines already parsed, if they were."""
    tokens = _parser().parse("\n".join(lines)) if tokens is None else tokens
    outer = [token for token in tokens if token.level == 0]
    items = [token for token in tokens if token.type == "list_item_open" and token.level == 1]
    if len(outer) != 2 or outer[0].type not in LISTS or not outer[0].map or len(items) != 1:
        return lines  # not one list of one item
    start, end = outer[0].map
    marker = ITEM.match(lines[start])
    if not marker:
        return lines
    width, number = marker.end(), marker.group("number")
    body = [line[min(width, _indent(line)) :] for line in lines[start + 1 : end]]
    first, *rest = _unlisted([lines[start][width:], *body])  # "9.  *   3\\. …": an item in one
    if ITEM.match(first):
        return lines  # an item that opens with a list of several: it stays a list
    kept = f"{number}\\{marker.group('delimiter')} " if number else ""
    return [*lines[:start], kept + first, *rest, *lines[end:]]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


@lru_cache(maxsize=4096)
def excerpt(text: str, count: int = EXCERPT_WORDS) -> str:
    """Return the first words of a provision's Markdown as plain text (escaped by the template)."""
    found: list[str] = []
    for token in _clause_tokens(text):
        found.extend("".join(map(_plain, token.children or ())).split())
        if len(found) > count:
            return " ".join(found[:count]) + " …"
    return " ".join(found)


def _clause_tokens(text: str) -> list[Token]:
    """Return the tokens of ``clause_text(text)``, parsing the text once unless it is one item."""
    lines = _outdented(text.split("\n"))
    tokens = _parser().parse("\n".join(lines))
    unlisted = _unlisted(lines, tokens)
    return tokens if unlisted is lines else _parser().parse("\n".join(unlisted))


def _plain(token: Token) -> str:
    if token.type in ("softbreak", "hardbreak"):
        return " "
    return token.content if token.type in ("text", "code_inline") else ""


def _anchor(tokens: list[Token], wanted: dict[int, str]) -> frozenset[str]:
    """Give each wanted provision's first block its id; return the ids given.

    Blocks inside a list count too: a clause numbered as a list item starts inside the list, and
    only the list started on a top-level line (Grok's "8. LIMITATION OF LIABILITY" had no id).
    """
    given: set[str] = set()
    for token in tokens:
        if token.nesting == 1 and token.map and token.map[0] in wanted:
            id_ = wanted.pop(token.map[0])
            token.attrSet("id", id_)
            given.add(id_)
    return frozenset(given)


def _nest_headings(tokens: list[Token], top: int = 2) -> None:
    """Renumber heading levels from ``top`` in the order the text uses them, none skipped."""
    headings = [t for t in tokens if t.type in ("heading_open", "heading_close")]
    levels = sorted({int(t.tag[1]) for t in headings})
    for token in headings:
        token.tag = f"h{min(levels.index(int(token.tag[1])) + top, 6)}"


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


def document_url(platform: Slugged, document: Slugged) -> str:
    """Return the site path of a document page."""
    return f"platforms/{platform.slug}/{document.slug}/"


def version_url(platform: Platform[Tracked], document: Tracked, change: BriefChange) -> str:
    """Return the site path of a version page."""
    return f"{document_url(platform, document)}versions/{change.id}/"


def compare_href(older: str, newer: str) -> str:
    """Return the link to two versions side by side on the compare page, from a version's or a
    provision's page (two folders below its document's)."""
    return f"../../compare/index.html?from={older}&to={newer}"


def provision_url(platform: Platform[Tracked], document: Tracked, provision: BriefProvision) -> str:
    """Return the site path of a provision page."""
    return f"{document_url(platform, document)}provisions/{provision.id}/"


def topic_url(topic: Topic) -> str:
    """Return the site path of a topic page."""
    return f"topics/{topic.slug}/"


def changes_url(facet: str | None = None, value: str | None = None, page: int | None = None) -> str:
    """Return the site path of a list of changes, filtered or not: its newest page, or page N."""
    base = f"changes/{facet}/{value}/" if facet and value else "changes/"
    return base if page is None else f"{base}{page}/"


def news_feed_title(name: str) -> str:
    """Return the title of the feed of a site's or a platform's news: what it holds, substantive
    changes, not "all changes" (noise is left out of every feed, as the about page says)."""
    return f"{name}: substantive changes"


def feed_links(
    platform: Platform[Tracked] | None = None, document: Tracked | None = None
) -> list[FeedLink]:
    """Return the feeds a page's head names: the site's and its own, not every feed above it.

    Its own is its document's, else its platform's (on contrib-versions, naming every feed above
    a page was 43 MB of links).
    """
    links = [FeedLink("All substantive changes", "feed.xml")]
    if platform is not None and document is not None:
        title, path = f"{platform.name} — {document.name}", document_url(platform, document)
        links.append(FeedLink(title, f"{path}feed.xml"))
    elif platform is not None:
        links.append(FeedLink(news_feed_title(platform.name), f"{platform_url(platform)}feed.xml"))
    return links


def topic_feed_link(site: Site, topic: str) -> FeedLink:
    """Return the feed of a topic page, for its head."""
    return FeedLink(f"{site.title}: {site.topic_name(topic)}", f"topics/{topic}/feed.xml")


def provision_feed_link(
    platform: Platform[Tracked], document: Tracked, provision: BriefProvision
) -> FeedLink:
    """Return the feed of a provision page, for its head: titled by the provision's heading."""
    return FeedLink(
        f"{platform.name} — {document.name} — {provision.label or provision.id}",
        f"{provision_url(platform, document, provision)}feed.xml",
    )


def notes_feed_link() -> FeedLink:
    """Return the feed of notes added and made stale, for the head of pages showing a note."""
    return FeedLink("Notes added and out of date", "notes/feed.xml")


def site_base(site: Site | Settings) -> str | None:
    """Return the public URL of the site, ending in a slash, if known."""
    return site.base_url.rstrip("/") + "/" if site.base_url else None


def render_view(
    env: jinja2.Environment, template: str, path: str, settings: Settings, view: dict[str, Any]
) -> str:
    """Render a page from its view and the site's settings, nothing else."""
    values = {"root": "../" * path.count("/"), **view}
    try:
        return env.get_template(template).render(site=settings, path=path, **values)
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
