"""Provisions stage: split each version into provisions, with ids stable across its history.

Takes the Markdown text of each version of a document, oldest first; gives each version's
``Section``s and, through ``IdTracker``, the id every section keeps across the history. A
provision is the text under the deepest heading that holds text (ATX or setext headings; a
``- - -`` line joins combined documents and is not a heading), plus the preamble before the
first heading. A document without headings falls back to numbered clauses, then paragraphs.

``split`` is a line scanner, never a Markdown parse, and a pure function of the text, so callers
cache it per blob; it classifies each distinct line once (versions repeat most of their lines).
``IdTracker`` is a pure function of the sequence of splits it is fed.
"""

import itertools
import re
from collections import Counter
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from termline.analysis.diff import words
from termline.slugs import MAX_LENGTH, short_hash, slugify

ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
BREAK = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
BLOCK_START = re.compile(r"^ {0,3}(?:[*+-]|\d{1,9}[.)]|>|\|)(?:[ \t]|$)")
CLAUSE = re.compile(
    r"^ {0,3}(?:\d{1,3}(?:\.\d{1,3})*\\?\.|\d{1,3}(?:\.\d{1,3})+|\([a-z0-9]{1,4}\))[ \t]+\S"
)
LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
MARKUP = re.compile(r"[*_`]+|\\(?=[^\w\s])")
NUMBERING = re.compile(
    r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.|[A-Z]\.|\([a-z0-9]{1,4}\))\s+(?=\S)"
)
PREAMBLE = "Preamble"
TITLE_WORDS = 8
RENAME_SIMILARITY = 0.6
MAX_RENAME_PAIRS = 10_000


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


def plain(markdown: str) -> str:
    """Return the text of a line of Markdown without link targets, emphasis or escapes."""
    text = MARKUP.sub("", LINK.sub(r"\1", markdown))
    return " ".join(text.split())


@lru_cache(maxsize=1 << 14)
def heading_key(heading: str) -> str:
    """Return the slug of a heading without its leading number, so renumbering keeps ids."""
    return slugify(NUMBERING.sub("", heading, count=1))


def split(text: str) -> tuple[Section, ...]:
    """Split a version's text into provisions, in document order."""
    lines = text.split("\n")
    headings = _headings(lines)
    if headings:
        raw = _by_headings(lines, headings)
    else:
        clauses = [i for i, line in enumerate(lines) if CLAUSE.match(line)]
        raw = _by_starts(lines, clauses) if len(clauses) > 1 else _by_paragraphs(lines)
    return _with_unique_keys(raw)


def _headings(lines: list[str]) -> list[_Heading]:
    """Find ATX and setext headings, outside fenced code, with a line scanner."""
    found: list[_Heading] = []
    fence: str | None = None
    paragraph: int | None = None
    for index, line in enumerate(lines):
        kind = _kind(line)
        if fence is not None or kind.fence:
            if kind.fence and (fence is None or kind.fence.startswith(fence)):
                fence = None if fence else kind.fence[0] * 3
            paragraph = None
            continue
        heading = _heading_at(lines, index, paragraph, kind)
        if heading is not None:
            found.append(heading)
            paragraph = None
        elif kind.ends_paragraph:
            paragraph = None
        elif paragraph is None:
            paragraph = index
    return found


class _Kind(NamedTuple):
    """What a line is to the scanner, whatever lines surround it."""

    fence: str | None  # the backticks or tildes that open or close a fence
    atx: tuple[int, str] | None  # an ATX heading's level and plain text
    setext: int | None  # the level of the setext heading this line would underline
    ends_paragraph: bool  # blank, a thematic break, or the start of a list, quote or table


@lru_cache(maxsize=1 << 16)
def _kind(line: str) -> _Kind:
    """Classify a line once: real archives repeat most lines version after version."""
    fenced = FENCE.match(line)
    atx = ATX.match(line)
    text = plain(atx.group(2)) if atx and atx.group(2) else ""
    setext = SETEXT.match(line)
    return _Kind(
        fence=fenced.group(1) if fenced else None,
        atx=(len(atx.group(1)), text) if atx and text else None,
        setext=(1 if setext.group(1)[0] == "=" else 2) if setext else None,
        ends_paragraph=not line.strip() or bool(BREAK.match(line) or BLOCK_START.match(line)),
    )


def _heading_at(
    lines: list[str], index: int, paragraph: int | None, kind: _Kind
) -> _Heading | None:
    if kind.atx:
        level, text = kind.atx
        return _Heading(index, index + 1, level, text)
    if kind.setext and paragraph is not None:
        text = plain(" ".join(lines[paragraph:index]))
        if text:
            return _Heading(paragraph, index + 1, kind.setext, text)
    return None


def _by_headings(lines: list[str], headings: list[_Heading]) -> list[Section]:
    """Cut at headings: the preamble, then each heading that holds text or has no subsections."""
    sections = _by_starts(lines, [], stop=headings[0].start)
    path: list[_Heading] = []
    for number, heading in enumerate(headings):
        after = headings[number + 1] if number + 1 < len(headings) else None
        end = after.start if after else len(lines)
        while path and path[-1].level >= heading.level:
            path.pop()
        path.append(heading)
        body = _block(lines, heading.body_start, end)
        if body or after is None or after.level <= heading.level:
            key = heading_key(" ".join(h.text for h in path[-2:]))
            sections.append(Section(key, heading.text, heading.level, body, heading.start, end))
    return sections


def _by_starts(lines: list[str], starts: list[int], stop: int | None = None) -> list[Section]:
    """Cut at numbered clauses; what comes before the first clause is the preamble."""
    stop = len(lines) if stop is None else stop
    bounds = [0, *starts, stop] if starts else [0, stop]
    sections = []
    for start, end in itertools.pairwise(bounds):
        body = _block(lines, start, end)
        if not body:
            continue
        if start == 0 and (not starts or starts[0] != 0):
            sections.append(Section("", PREAMBLE, 0, body, start, end, titled=False))
        else:
            sections.append(Section("", _title(body), 0, body, start, end, titled=False))
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
    """Return the first words of the first line that has any, for a provision without heading."""
    for line in body.split("\n"):
        first = [word for word in plain(line).split() if any(c.isalnum() for c in word)]
        if first:
            return " ".join(first[:TITLE_WORDS]) + (" …" if len(first) > TITLE_WORDS else "")
    return PREAMBLE


def _with_unique_keys(sections: list[Section]) -> tuple[Section, ...]:
    """Key each section by its heading's slug; a repeated one by its heading path, then a suffix.

    Sections come in with ``key`` set to the slug of their heading path (parent and heading), or
    empty when they have no heading; the first section to use a slug keeps it plain.
    """
    used: set[str] = set()
    keyed = []
    for section in sections:
        key = heading_key(section.heading)
        if key in used and section.key:
            key = section.key
        key = _free(key, used)
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
            )
        )
    return tuple(keyed)


def _free(key: str, used: Container[str]) -> str:
    """Return key, or key with the first free numeric suffix."""
    if key not in used:
        return key
    stem = key[: MAX_LENGTH - 4].rstrip("-")
    number = 2
    while f"{stem}-{number}" in used:
        number += 1
    candidate = f"{stem}-{number}"
    return candidate if len(candidate) <= MAX_LENGTH else f"x-{short_hash(candidate)}"


def similarity(old: str, new: str) -> float:
    """Return the share of words two texts have in common, counted with repeats, from 0 to 1."""
    return _dice(_bag(old), _bag(new))


@dataclass(frozen=True)
class Ids:
    """What an ``IdTracker`` knows: each key's last id, every id given, the live sections."""

    by_key: Mapping[str, str] = field(default_factory=dict)
    ids: frozenset[str] = frozenset()
    live: Mapping[str, Section] = field(default_factory=dict)


class IdTracker:
    """Give each version's sections the ids they keep across a document's history.

    Feed it every version's sections, oldest first (an empty tuple for a deletion), from the
    start or from the ``state`` it had after some version. A section keeps the id of the
    previous version's provision with the same key; else of any earlier provision with that key
    (removed, then back); else of the previous version's most similar unclaimed provision, when
    similar enough (renamed or renumbered); else it gets a new id.
    """

    def __init__(self, state: Ids | None = None) -> None:
        state = state or Ids()
        self._by_key = dict(state.by_key)
        self._ids = set(state.ids)
        self._live = dict(state.live)

    @property
    def state(self) -> Ids:
        """Return what the tracker knows after the last version, to resume it later."""
        return Ids(dict(self._by_key), frozenset(self._ids), dict(self._live))

    def place(self, sections: Sequence[Section]) -> dict[str, Section]:
        """Return the sections of the next version by id, in document order."""
        placed: dict[int, str] = {}
        previous = {section.key: id_ for id_, section in self._live.items()}
        self._claim(sections, placed, previous.get)
        self._claim(sections, placed, self._by_key.get)
        self._claim_similar(sections, placed)
        for index, section in enumerate(sections):
            if index not in placed:
                placed[index] = _free(section.key, self._ids)
                self._ids.add(placed[index])
        for index, id_ in placed.items():
            self._by_key[sections[index].key] = id_
        self._live = {placed[index]: section for index, section in enumerate(sections)}
        return dict(self._live)

    @staticmethod
    def _claim(
        sections: Sequence[Section], placed: dict[int, str], lookup: Callable[[str], str | None]
    ) -> None:
        claimed = set(placed.values())
        for index, section in enumerate(sections):
            id_ = lookup(section.key)
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


def _bag(text: str) -> Counter[str]:
    return Counter(words(text.casefold()))


def _dice(old: Counter[str], new: Counter[str]) -> float:
    """Return the Dice coefficient of two multisets of words."""
    total = old.total() + new.total()
    if not total:
        return 1.0
    if 2 * min(old.total(), new.total()) < RENAME_SIMILARITY * total:
        return 0.0  # too different in length to share enough words
    return 2 * (old & new).total() / total
