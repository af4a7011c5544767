"""Provisions stage: split each version into provisions, with ids stable across its history.

Takes the Markdown text of each version of a document, oldest first; gives each version's
``Section``s and, through ``IdTracker``, the id every section keeps across the history. A
provision is the text under the deepest heading that holds text, plus the preamble before the
first heading. Headings are Markdown's (ATX and setext) and the lines real policies use as
headings: a paragraph that is only bold text, a clause number and a title (``1. Information we
collect``, ``Section 4 -``, ``ARTICLE 2``, or ``**1. Definitions.**`` opening its clause), a
short line in capitals. A run of such lines with no text between them is a table of contents,
not clauses, and so is a heading whose text is only links into the page. A ``- - -`` line joins
combined documents: it is no heading, but each part after it is a provision of its own. A
document without any heading falls back to numbered clauses, then paragraphs.

``split`` is a line scanner, never a Markdown parse, and a pure function of the text, so callers
cache it per blob; it classifies each distinct line once (versions repeat most of their lines).
``IdTracker`` is a pure function of the sequence of splits it is fed.
"""

import itertools
import re
from collections import Counter
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

from termline.analysis.diff import words
from termline.analysis.memo import text_memo
from termline.slugs import MAX_LENGTH, slugify

ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
BREAK = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
PART = "- - -"  # how Open Terms Archive joins the parts of a combined document
BLOCK_START = re.compile(r"^ {0,3}(?:[*+-]|\d{1,9}[.)]|>|\|)(?:[ \t]|$)")
CLAUSE = re.compile(
    r"^ {0,3}(?:\d{1,3}(?:\.\d{1,3})*\\?\.|\d{1,3}(?:\.\d{1,3})+|\([a-z0-9]{1,4}\))[ \t]+\S"
)
LINK = re.compile(r"!?\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")  # the innermost, when nested
# A line break written as HTML: how a Markdown table cell, or a heading, holds one.
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Emphasis, escapes, and invisible characters: zero-width spaces and joiners, word joiners,
# byte-order marks and soft hyphens (Stack Exchange's headings carry thousands as a watermark).
MARKUP = re.compile(r"[*_`]+|\\(?=[^\w\s])|[\u200b-\u200d\u2060\ufeff\u00ad]")
KEYWORD = r"(?i:section|article|clause|part|chapter|schedule|annex|appendix|exhibit)"
NUMBERING = re.compile(
    rf"^(?:{KEYWORD}\s+(?:\d{{1,3}}(?:\.\d{{1,3}})*|[IVXLCivxlc]{{1,6}}|[A-Za-z])\.?"
    r"(?:\s*[-\u2013\u2014:.])?"
    r"|\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.|[A-Z]\.|\([a-z0-9]{1,4}\))\s+(?=\S)"
    r"|^\d{1,3}(?:\.\d{1,3})*\.(?=[A-Za-z])"  # "2.4.Feedback"
)
# A clause number and a title: "1. Information we collect", "2.1 Licence", "IV. Your rights",
# "A. Requests", "Section 4 - Payment", "ARTICLE 2" (a keyword's number may stand alone).
NUMBERED = re.compile(
    rf"^(?:(?P<keyword>{KEYWORD}\s+(?:\d{{1,3}}(?:\.\d{{1,3}})*|[IVXLCivxlc]{{1,6}}|[A-Za-z])\b\.?)"
    r"(?:\s*[-\u2013\u2014:.]\s*|\s+|$)"
    r"|(?P<number>\d{1,3}(?:\.\d{1,3})+\.?|\d{1,3}[.)]|[IVXLC]{1,6}[.)]|[A-Z][.)])\s*)"
    r"(?P<title>.*)$"
)
LEADING_NUMBER = re.compile(r"(\d{1,3}(?:\\?\.\d{1,3})*(?:\\?[.)])?)[ \t]+(?=\*\*|__)")
BULLET = re.compile(r"[*+-][ \t]+")
BOLD = re.compile(r"(\*\*|__)((?:(?!\1).)+?)\1[ \t]*")
DATE_STAMP = re.compile(
    r"(?i)\b(?:updated|modified|revised|effective|release date|last changed)\b.*\d"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?"
    r"\s+\d{4}|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{4}"
)
PAGE_LINK = re.compile(
    r"^ {0,3}(?:(?:[*+-]|\d{1,9}[.)])[ \t]+)?[*_]*\[[^\]]*\]\([^)]*#[^)]*\)[*_]*$"
)
QUOTES = "\"'\u201c\u2018"  # a title may open with a quote
BULLETS = (
    "\u2022\u25e6\u2023\u2043\u25aa\u25cf\u25cb\u25a0\u00b7"  # typed, not Markdown: "•Violate …"
)
PREAMBLE = "Preamble"
TITLE_WORDS = 8
HEADING_WORDS = 12  # a line that says more than this is text, not a heading
CAPITALS_WORDS = 10
HEADING_CHARS = 200  # longer lines are never headings: no need to read them
SHORT_TITLE_WORDS = 6  # a bold title this short may end with a full stop
ABBREVIATION = re.compile(r"\b[A-Z]\.$")
SHAPED_LEVEL = 7  # below Markdown's six levels: a shaped heading never outranks a real one
CONTENTS_SHARE = 0.8  # a heading whose lines are this much links into the page is a contents
RENAME_SIMILARITY = 0.6
SLOT_SIMILARITY = 0.3  # an untitled provision edited in place keeps its id at this much
MAX_RENAME_PAIRS = 10_000
# Characters of provision bodies whose word counts are kept: each version compares the previous
# version's unclaimed provisions with its own, so most bodies are counted again a version later.
BAG_MEMO = 2_000_000
QUALIFIER_LENGTH = 24


@dataclass(frozen=True)
class Section:
    """One provision as split from one version: its key, heading, body and where it sits."""

    key: str
    heading: str
    level: int
    body: str
    start: int
    end: int
    titled: bool = True
    parent: str = ""  # the heading it sits under, as written (empty at the top)
    shared: bool = False  # another section of the version has the same heading's key

    @property
    def part(self) -> str:
        """Return the heading it sits under, as plain text, when its own heading is shared.

        "Canvas" for one of a privacy hub's many "How to control your data"; else empty.
        """
        return shown(plain(self.parent)).rstrip(": ") if self.shared else ""  # "If it is off:"

    @property
    def lines(self) -> int:
        """Return how many lines of the source text the section spans."""
        return self.end - self.start


@dataclass(frozen=True)
class _Heading:
    start: int
    body_start: int
    level: int
    text: str
    shaped: bool = False  # found by its shape (bold, numbered, capitals), not Markdown syntax
    part: bool = False  # the start of a combined document's next part, not a heading


def plain(markdown: str) -> str:
    """Return the text of a line of Markdown without link targets, emphasis or escapes."""
    return " ".join(MARKUP.sub("", _unlinked(markdown, r"\1")).split())


def _unlinked(markdown: str, keep: str) -> str:
    """Return Markdown with its links and images replaced by ``keep`` (``\\1``: their text),
    the innermost first: a link around an image, "[![Logo](logo.svg)](https://…)", is its alt."""
    text, found = LINK.subn(keep, markdown)
    while found and "](" in text:
        text, found = LINK.subn(keep, text)
    return text


@lru_cache(maxsize=1 << 14)
def _plain_lines(lines: tuple[str, ...]) -> str:
    return plain(" ".join(lines))


@lru_cache(maxsize=1 << 14)
def heading_key(heading: str) -> str:
    """Return the slug of a heading without its leading number, so renumbering keeps ids."""
    key = readable_slug(NUMBERING.sub("", heading, count=1))
    return readable_slug(heading) if key.startswith("x-") else key  # "ARTICLE 2", "Section 4 -"


def readable_slug(text: str, length: int = MAX_LENGTH) -> str:
    """Return the slug of text, cut at a word when too long: no hash, since ids must read well."""
    slug = slugify(text, max_length=1 << 16)
    if len(slug) <= length or slug.startswith("x-"):
        return slug
    cut = slug[: length + 1].rsplit("-", 1)[0]
    return cut if cut else slug[:length]


def labelled(part: str, heading: str) -> str:
    """Return a heading as lists name it (``shown``), under the part it sits in, joined as the
    breadcrumbs join pages."""
    heading = shown(heading)
    return f"{part} \u203a {heading}" if part else heading


def shown(line: str) -> str:
    """Return a heading or a line of plain text with its HTML line breaks as spaces, as pages
    show them (``Logo<br><br>Google Cloud``: "Logo Google Cloud")."""
    return " ".join(BREAK.sub(" ", line).split()) if "<" in line else line


def split(text: str) -> tuple[Section, ...]:
    """Split a version's text into provisions, in document order."""
    lines = text.split("\n")
    headings = _headings(lines)
    if any(not heading.part for heading in headings):
        raw = _by_headings(lines, headings)
    else:
        clauses = [i for i, line in enumerate(lines) if CLAUSE.match(line)]
        raw = _by_starts(lines, clauses) if len(clauses) > 1 else _by_paragraphs(lines)
    return _with_unique_keys(raw)


def _headings(lines: list[str]) -> list[_Heading]:
    """Find the headings and part breaks that cut a text into provisions."""
    return _without_contents(lines, _scan(lines))


def _scan(lines: list[str]) -> list[_Heading]:
    """Find ATX, setext and shaped headings and part breaks, outside fenced code."""
    found: list[_Heading] = []
    fence: str | None = None
    paragraph: int | None = None
    for index, line in enumerate(lines):
        kind = _kind(line)
        if fence is not None or kind.fence:
            fence = _fence(fence, kind.fence)
            paragraph = None
            continue
        heading = None if kind.plain else _found_at(lines, index, paragraph, kind, found)
        if kind.part or kind.ends_paragraph or (heading and heading.body_start > index):
            paragraph = None
        elif paragraph is None:
            paragraph = index
    return found


def _fence(fence: str | None, marker: str | None) -> str | None:
    """Return the fence open after a line inside or around fenced code (None when closed)."""
    if marker and (fence is None or marker.startswith(fence)):
        return None if fence else marker[0] * 3
    return fence


def _found_at(
    lines: list[str], index: int, paragraph: int | None, kind: "_Kind", found: list[_Heading]
) -> _Heading | None:
    """Add the heading or part break a line makes to found; return the heading."""
    heading = _heading_at(lines, index, paragraph, kind) or _shaped_at(lines, index, kind)
    if heading is not None:
        if found and found[-1].start == heading.start:
            found.pop()  # a setext heading whose first line looked like a shaped one
        found.append(heading)
    if kind.part:
        found.append(_Heading(index + 1, index + 1, 0, "", part=True))
    return heading


class _Kind(NamedTuple):
    """What a line is to the scanner, whatever lines surround it."""

    fence: str | None  # the backticks or tildes that open or close a fence
    atx: tuple[int, str] | None  # an ATX heading's level and plain text
    setext: int | None  # the level of the setext heading this line would underline
    ends_paragraph: bool  # blank, a thematic break, or the start of a list, quote or table
    shape: tuple[int, str, bool] | None  # a shaped heading's level, text, and whether text follows
    part: bool  # the line that joins two parts of a combined document
    page_link: bool  # only a link into a page, as in a table of contents
    bare: bool  # no words of its own: blank, only links (a breadcrumb), or a date stamp
    plain: bool  # none of a fence, a heading, a shaped heading, a setext underline or a part break


@lru_cache(maxsize=1 << 16)
def _kind(line: str) -> _Kind:
    """Classify a line once: real archives repeat most lines version after version."""
    fenced = FENCE.match(line)
    atx = ATX.match(line)
    text = plain(atx.group(2)) if atx and atx.group(2) else ""
    setext = SETEXT.match(line)
    shape = _shape(line) if not atx and not setext and not fenced else None
    part = line.strip() == PART
    return _Kind(
        fence=fenced.group(1) if fenced else None,
        atx=(len(atx.group(1)), text) if atx and text and not _stamp(text) else None,
        setext=(1 if setext.group(1)[0] == "=" else 2) if setext else None,
        ends_paragraph=not line.strip() or bool(BREAK.match(line) or BLOCK_START.match(line)),
        shape=shape,
        part=part,
        page_link=bool(PAGE_LINK.match(line)),
        bare=_bare(line),
        plain=not (fenced or atx or setext or shape or part),
    )


def _stamp(heading: str) -> bool:
    """Tell whether a heading only dates the text ("Last updated: April 9, 2026"): as a clause,
    its id and name would change with every new date."""
    return bool(DATE_STAMP.search(heading)) and len(DATE_STAMP.sub(" ", heading).split()) <= 3


def _bare(line: str) -> bool:
    if not _unlinked(line, "").strip(" \t*_>|-"):
        return True
    return len(line) <= HEADING_CHARS and bool(DATE_STAMP.search(line))


def _heading_at(
    lines: list[str], index: int, paragraph: int | None, kind: _Kind
) -> _Heading | None:
    if kind.atx:
        level, text = kind.atx
        return _Heading(index, index + 1, level, text)
    if kind.setext and paragraph is not None:
        text = _plain_lines(tuple(lines[paragraph:index]))
        if text and not _stamp(text):
            return _Heading(paragraph, index + 1, kind.setext, text)
    return None


def _shaped_at(lines: list[str], index: int, kind: _Kind) -> _Heading | None:
    """Return the shaped heading a line is, if it opens a paragraph (and ends it, or leads it)."""
    if kind.shape is None or (index and lines[index - 1].strip()):
        return None
    level, text, leads = kind.shape
    if leads:
        return _Heading(index, index, level, text, shaped=True)
    if index + 1 < len(lines) and lines[index + 1].strip():
        return None
    return _Heading(index, index + 1, level, text, shaped=True)


def _shape(line: str) -> tuple[int, str, bool] | None:
    """Return the level and text of the heading a line's shape makes it, and whether text follows.

    Bold text alone, a clause number and a short title, or a short line in capitals is a
    heading; so is a clause number and bold title that opens its clause (``**1. Terms.** We…``).
    """
    stripped = line.lstrip(" ")
    if not stripped or len(line) - len(stripped) > 3 or stripped[0] in "\t>|[#":
        return None
    bullet = BULLET.match(stripped)
    lead, rest = _bold_lead(stripped[bullet.end() :] if bullet else stripped.rstrip())
    if lead is not None:
        return _bold_shape(lead, rest, bulleted=bool(bullet))
    if bullet or len(stripped) > HEADING_CHARS:
        return None
    return _titled(_clean(plain(stripped)), bold=False)


def _bold_shape(lead: str, rest: str, *, bulleted: bool) -> tuple[int, str, bool] | None:
    """Return the shape of a line that opens in bold: all bold, or a numbered clause's title.

    A bulleted item is a heading only when it is all bold (``*   **Your rights**``); bold
    that is a link is a table of contents' entry.
    """
    text = _clean(plain(lead))
    if "](" in lead or not text:
        return None
    if not rest:
        return _titled(text, bold=True)
    numbered = NUMBERED.match(text)
    if bulleted or not numbered:
        return None
    if _title_like(numbered.group("title"), numbered.group("keyword"), bold=True):
        return _level(numbered), text, True
    return None


def _bold_lead(line: str) -> tuple[str | None, str]:
    """Return the bold text (with any clause number before it) that opens a line, and the rest."""
    number = LEADING_NUMBER.match(line)
    position = number.end() if number else 0
    parts = [number.group(1)] if number else []
    while bold := BOLD.match(line, position):
        parts.append(bold.group(2))
        position = bold.end()
    if len(parts) == (1 if number else 0):
        return None, line
    return " ".join(parts), line[position:].strip(" \t.:")


def _clean(text: str) -> str:
    return text.strip().rstrip(":-\u2013\u2014 ")


def _titled(text: str, *, bold: bool) -> tuple[int, str, bool] | None:
    """Return the level and text of a line that is all heading: bold, numbered or in capitals."""
    if not any(c.isalpha() for c in text) or DATE_STAMP.search(text) or text[-1] in ",;":
        return None
    numbered = NUMBERED.match(text)
    if numbered and _title_like(numbered.group("title"), numbered.group("keyword"), bold=bold):
        return _level(numbered), text.rstrip("."), False
    size = len(text.split())
    if bold and size <= HEADING_WORDS:
        return SHAPED_LEVEL, text.rstrip("."), False
    letters = [c for c in text if c.isalpha()]
    word = any(len(w) >= 3 and w.isalpha() for w in text.split())  # not a code: "T23AT2P"
    if size <= CAPITALS_WORDS and word and all(c.isupper() for c in letters):
        return SHAPED_LEVEL, text.rstrip("."), False
    return None


def _title_like(title: str, keyword: str | None, *, bold: bool) -> bool:
    """Tell whether what follows a clause number is a title, not a sentence or a list item.

    A title is short, starts with a capital, and holds no sentence; a full stop may end it only
    in bold (``**1. Services.**``) or after an abbreviation (``in the U.S.``): a numbered line
    that ends a sentence is a list item.
    """
    title = title.strip()
    if not title:
        return keyword is not None
    size = len(title.split())
    stop = title.endswith(".") and not ABBREVIATION.search(title)
    return (
        size <= HEADING_WORDS
        and (title[0].isupper() or title[0] in QUOTES)
        and (not stop or (bold and size <= SHORT_TITLE_WORDS))
        and not re.search(r"[.;!?]\s+\S", title.rstrip("."))
    )


def _level(numbered: re.Match[str]) -> int:
    """Return a numbered heading's level: 1. above 1.1 above 1.1.1; A. under I."""
    number = numbered.group("number")
    if number is None or number[0] in "IVXLC":
        return SHAPED_LEVEL
    if number[0].isalpha():
        return SHAPED_LEVEL + 1
    return SHAPED_LEVEL - 1 + min(len(re.findall(r"\d+", number)), 3)


def _without_contents(lines: list[str], found: list[_Heading]) -> list[_Heading]:
    """Drop what is a table of contents, not clauses; an empty shaped label heads the next one.

    Shaped headings with no text of their own are entries of a table of contents when two or
    more come in a row, or when no shaped heading with text follows them; one alone above a
    shaped heading with text (``ARTICLE 2`` above ``PAYMENT``) is its parent. A Markdown heading
    whose lines are mostly links into the page is a contents too, and so is a shaped heading that
    repeats a Markdown heading further on. What is dropped joins the text before it.
    """
    found = _without_echoes(found)
    ends = [h.start for h in found[1:]] + [len(lines)] if found else []
    kept: list[_Heading] = []
    run: list[_Heading] = []
    for heading, end in zip(found, ends, strict=True):
        if heading.shaped and not _holds_text(lines, heading.body_start, end):
            run.append(heading)
            continue
        if heading.shaped and len(run) == 1:
            kept.append(replace(run[0], level=min(run[0].level, heading.level - 1)))
        run = []
        if heading.part and all(_kind(line).bare for line in lines[heading.start : end]):
            continue  # only links or a date before the part's first heading: no provision
        if heading.shaped or heading.part or not _is_contents(lines, heading, end):
            kept.append(heading)
    return kept


def _without_echoes(found: list[_Heading]) -> list[_Heading]:
    """Drop shaped headings that repeat a Markdown heading further on: a contents entry or label."""
    later: set[str] = set()
    kept = []
    for heading in reversed(found):
        key = heading_key(heading.text) if not heading.part else ""
        if heading.shaped and key in later:
            continue
        if not heading.shaped and not heading.part:
            later.add(key)
        kept.append(heading)
    return kept[::-1]


def _is_contents(lines: list[str], heading: _Heading, end: int) -> bool:
    first = next((line for line in lines[heading.body_start : end] if line.strip()), "")
    if not _kind(first).page_link:
        return False
    body = [line for line in lines[heading.body_start : end] if line.strip()]
    links = sum(1 for line in body if _kind(line).page_link)
    return len(body) >= 3 and links >= CONTENTS_SHARE * len(body)


def _holds_text(lines: list[str], start: int, end: int) -> bool:
    return any(lines[index].strip() for index in range(start, end))


def _by_headings(lines: list[str], headings: list[_Heading]) -> list[Section]:
    """Cut at headings: the preamble, then each heading that holds text or has no subsections.

    Each section comes out with its parent heading (empty at the top), which tells apart a
    repeated heading.
    """
    sections = _untitled(lines, 0, headings[0].start, PREAMBLE)
    path: list[_Heading] = []
    for number, heading in enumerate(headings):
        after = headings[number + 1] if number + 1 < len(headings) else None
        end = after.start if after else len(lines)
        if heading.part:
            path = []
            sections.extend(_untitled(lines, heading.start, end))
            continue
        while path and path[-1].level >= heading.level:
            path.pop()
        parent = path[-1].text if path else ""
        path.append(heading)
        body = _block(lines, heading.body_start, end)
        if body or after is None or after.level <= heading.level:
            titled = heading.body_start > heading.start
            sections.append(
                Section("", heading.text, heading.level, body, heading.start, end, titled, parent)
            )
    return sections


def _untitled(lines: list[str], start: int, end: int, title: str | None = None) -> list[Section]:
    """Return the text between start and end as a provision without heading, if it has text."""
    body = _block(lines, start, end)
    if not body.strip():
        return []
    return [Section("", title or _title(body), 0, body, start, end, titled=False)]


def _by_starts(lines: list[str], starts: list[int], stop: int | None = None) -> list[Section]:
    """Cut at numbered clauses; what comes before the first clause is the preamble."""
    stop = len(lines) if stop is None else stop
    bounds = [0, *starts, stop] if starts else [0, stop]
    sections = []
    for start, end in itertools.pairwise(bounds):
        preamble = start == 0 and (not starts or starts[0] != 0)
        sections.extend(_untitled(lines, start, end, PREAMBLE if preamble else None))
    return sections


def _by_paragraphs(lines: list[str]) -> list[Section]:
    """Cut at blank lines: each paragraph is a provision."""
    starts = [
        index
        for index, line in enumerate(lines)
        if line.strip() and (index == 0 or not lines[index - 1].strip())
    ]
    return _by_starts(lines, starts)


def _block(lines: list[str], start: int, end: int) -> str:
    return "\n".join(lines[start:end]).strip("\n")


def _title(body: str) -> str:
    """Return the first words of a provision without heading: of its first line with words of
    its own (not only links or a date), else of its first line with any words."""
    lines = body.split("\n")
    for line in [line for line in lines if not _kind(line).bare] + lines:
        first = [
            word for word in plain(line).lstrip(BULLETS).split() if any(map(str.isalnum, word))
        ]
        if first:
            return " ".join(first[:TITLE_WORDS]) + (" …" if len(first) > TITLE_WORDS else "")
    return PREAMBLE


def _with_unique_keys(sections: list[Section]) -> tuple[Section, ...]:
    """Key each section by its heading's slug; a repeated one by its parent's, then an ordinal.

    The first section to use a slug keeps it plain; a later one under another parent than the
    first is qualified by its parent (``business-overview``); under the same parent, or when
    that is taken too, it takes the first free ordinal (``overview-2``). Never a hash: ids must
    read. Each section is marked ``shared`` when another has the same heading's slug.
    """
    counts = Counter(heading_key(section.heading) for section in sections)
    used: set[str] = set()
    parents: dict[str, str] = {}
    keyed = []
    for section in sections:
        key = own = heading_key(section.heading)
        parent = heading_key(section.parent) if section.parent else ""
        if key in used and parent and parent != parents.get(key):
            key = _qualified(parent, key)
        key = _free(key, used)
        parents.setdefault(own, parent)
        used.add(key)
        keyed.append(
            Section(
                key,
                section.heading,
                section.level,
                section.body,
                section.start,
                section.end,
                section.titled,
                section.parent,
                counts[own] > 1,
            )
        )
    return tuple(keyed)


def _qualified(parent: str, key: str) -> str:
    """Return key under the first words of its parent's slug, cut at a word to fit."""
    return readable_slug(f"{readable_slug(parent, QUALIFIER_LENGTH)}-{key}")


def _free(key: str, used: Container[str]) -> str:
    """Return key, or key with the first free ordinal suffix."""
    if key not in used:
        return key
    stem = readable_slug(key, MAX_LENGTH - 4)
    number = 2
    while f"{stem}-{number}" in used:
        number += 1
    return f"{stem}-{number}"


def similarity(old: str, new: str) -> float:
    """Return the share of words two texts have in common, counted with repeats, from 0 to 1."""
    return _dice(_bag(old), _bag(new))


@dataclass(frozen=True)
class Ids:
    """What an ``IdTracker`` knows: each key's last id, every id given, the live sections."""

    by_key: Mapping[str, str] = field(default_factory=dict)
    ids: frozenset[str] = frozenset()
    live: Mapping[str, Section] = field(default_factory=dict)
    # Each shared heading's last ids under each parent, in document order: a key of a shared
    # heading depends on which copy comes first, so a copy back after a version without it is
    # found by its place (the n-th copy under a parent by the n-th id, for a page that repeats).
    by_place: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


class IdTracker:
    """Give each version's sections the ids they keep across a document's history.

    Feed it every version's sections, oldest first (an empty tuple for a deletion), from the
    start or from the ``state`` it had after some version. A section keeps the id of the
    previous version's provision with the same heading under the same parent, when a heading of
    either version is shared (its key then depends on which comes first); else of the previous
    version's provision with the same key; else of the last provision with that shared heading
    under that parent, or of any earlier provision with that key (removed, then back); else of
    the previous version's most similar unclaimed provision, when similar enough (renamed or
    renumbered); else, untitled, of the one untitled provision that sat between the same
    neighbours (a paragraph edited in place); else it gets a new id.
    """

    def __init__(self, state: Ids | None = None) -> None:
        state = state or Ids()
        self._by_key = dict(state.by_key)
        self._ids = set(state.ids)
        self._live = dict(state.live)
        self._by_place = dict(state.by_place)

    @property
    def state(self) -> Ids:
        """Return what the tracker knows after the last version, to resume it later."""
        return Ids(dict(self._by_key), frozenset(self._ids), dict(self._live), dict(self._by_place))

    def place(self, sections: Sequence[Section]) -> dict[str, Section]:
        """Return the sections of the next version by id, in document order."""
        placed: dict[int, str] = {}
        if any(s.shared for s in sections) or any(s.shared for s in self._live.values()):
            self._claim(sections, placed, _alike(self._live, sections).get)
        previous = {section.key: id_ for id_, section in self._live.items()}
        self._claim(sections, placed, lambda s: previous.get(s.key))
        if self._by_place:
            self._claim(sections, placed, self._by_place_lookup())
        self._claim(sections, placed, lambda s: self._by_key.get(s.key))
        self._claim_similar(sections, placed)
        self._claim_slots(sections, placed)
        for index, section in enumerate(sections):
            if index not in placed:
                placed[index] = _free(section.key, self._ids)
                self._ids.add(placed[index])
        places: dict[tuple[str, str], tuple[str, ...]] = {}
        for index, id_ in sorted(placed.items()):
            section = sections[index]
            self._by_key[section.key] = id_
            if section.shared and section.titled:
                place = section.parent, section.heading
                places[place] = (*places.get(place, ()), id_)
        self._by_place.update(places)
        self._live = {placed[index]: section for index, section in enumerate(sections)}
        return dict(self._live)

    def _by_place_lookup(self) -> Callable[[Section], str | None]:
        """Return a lookup of each titled section's id by its place, copies in document order.

        It must see the sections in document order, each once (as ``_claim`` calls it).
        """
        copies: Counter[tuple[str, str]] = Counter()

        def lookup(section: Section) -> str | None:
            if not section.titled:
                return None
            place = section.parent, section.heading
            ids = self._by_place.get(place, ())
            copies[place] += 1
            return ids[copies[place] - 1] if copies[place] <= len(ids) else None

        return lookup

    @staticmethod
    def _claim(
        sections: Sequence[Section],
        placed: dict[int, str],
        lookup: Callable[[Section], str | None],
    ) -> None:
        claimed = set(placed.values())
        for index, section in enumerate(sections):
            id_ = lookup(section)
            if index not in placed and id_ is not None and id_ not in claimed:
                placed[index] = id_
                claimed.add(id_)

    def _claim_similar(self, sections: Sequence[Section], placed: dict[int, str]) -> None:
        claimed = set(placed.values())
        free = [(i, _bag(s.body)) for i, s in self._live.items() if i not in claimed and s.body]
        new = [(i, _bag(s.body)) for i, s in enumerate(sections) if i not in placed and s.body]
        if not free or not new or len(free) * len(new) > MAX_RENAME_PAIRS:
            return
        pairs = [
            (score, index, id_)
            for index, new_words in new
            for id_, old_words in free
            if (score := _dice(old_words, new_words)) >= RENAME_SIMILARITY
        ]
        for _score, index, id_ in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
            if index not in placed and id_ not in claimed:
                placed[index] = id_
                claimed.add(id_)

    def _claim_slots(self, sections: Sequence[Section], placed: dict[int, str]) -> None:
        """Give an untitled section left alone between two placed ones the id in that slot.

        A paragraph or clause edited too much to be recognised by its words still sits where
        it was: when the previous version had exactly one unclaimed untitled provision between
        the same neighbours (or the document's start or end), and they share some words, it is
        that provision, edited.
        """
        old = list(self._live)
        where = {id_: position for position, id_ in enumerate(old)}
        claimed = set(placed.values())
        for index, section in enumerate(sections):
            if index in placed or section.titled:
                continue
            slot = _slot(index, len(sections), placed, where, len(old))
            id_ = old[slot] if slot is not None else None
            if id_ is None or id_ in claimed or self._live[id_].titled:
                continue
            if similarity(self._live[id_].body, section.body) >= SLOT_SIMILARITY:
                placed[index] = id_
                claimed.add(id_)


def _alike(live: Mapping[str, Section], sections: Sequence[Section]) -> dict[Section, str]:
    """Return the new sections that have the heading and parent of one old section, with its id.

    Only a heading and parent that each version holds once tell a section's place.
    """
    olds = Counter((s.parent, s.heading) for s in live.values() if s.titled)
    news = Counter((s.parent, s.heading) for s in sections if s.titled)
    ids = {(s.parent, s.heading): id_ for id_, s in live.items() if s.titled}
    return {
        s: ids[place]
        for s in sections
        if s.titled and olds[place := (s.parent, s.heading)] == 1 and news[place] == 1
    }


def _slot(
    index: int, count: int, placed: Mapping[int, str], where: Mapping[str, int], size: int
) -> int | None:
    """Return the previous version's position between a section's neighbours, if just one."""
    before = -1 if index == 0 else where.get(placed.get(index - 1, ""))
    after = size if index + 1 == count else where.get(placed.get(index + 1, ""))
    if before is None or after is None or after - before != 2:  # exactly one between
        return None
    return before + 1


@text_memo(BAG_MEMO)
def _bag(text: str) -> Counter[str]:
    """Return a text's words, casefolded, with their counts (shared: never change it)."""
    return Counter(words(text.casefold()))


def _dice(old: Counter[str], new: Counter[str]) -> float:
    """Return the Dice coefficient of two multisets of words."""
    sizes = old.total(), new.total()
    total = sum(sizes)
    if not total:
        return 1.0
    if 2 * min(sizes) < RENAME_SIMILARITY * total:
        return 0.0  # too different in length to share enough words
    return 2 * (old & new).total() / total


def forget() -> None:
    """Drop the memos of lines, headings and bodies seen (they serve one document's versions)."""
    _plain_lines.cache_clear()
    heading_key.cache_clear()
    _kind.cache_clear()
    _bag.cache_clear()
