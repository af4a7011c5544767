"""Word-level diffs of Markdown, shown rendered: the source is diffed, the reader sees the text.

Each text is parsed once (markdown-it, raw HTML off) into units, the blocks a reader sees: a
paragraph, a list item, a heading, a table row, a code block. A unit's words are what the
reader sees (no ``**``, ``](…)``, ``\\.`` or ``##``), each with its style (emphasis, code, the
link it belongs to). Units are matched first, by their words and link targets, then the words
inside each changed run of units, so a diff costs little more than the changed part. Words are
compared by their visible text: a link whose target alone changed is the same word, shown with a
small mark; a word whose emphasis alone changed shows its new emphasis.

Unchanged runs of units keep a few units of context and fold the rest; inside a long unit
unchanged words keep ``CONTEXT_WORDS`` on each side of a change and the rest is elided as "[…]",
so one changed word in a long paragraph does not copy it. Each ``Block`` carries its unit's HTML
(escaped text inside ``<ins>``, ``<del>``, ``<strong>``, ``<em>``, ``<code>`` and link spans)
and what it is (a paragraph, a list item, a table row…), for the site to lay out as such.

Matching uses cydifflib, difflib's algorithm compiled (same output, about 15 times faster).
difflib is quadratic on sequences whose items repeat (a 16 MB text of 200,000 short, often
identical lines took minutes), so the common head and tail are matched first, and past
``AUTOJUNK_ITEMS`` items in the rest difflib's autojunk heuristic is on: items that make up over
1% of the text only extend matches found on rarer ones; a changed run of more than that many
words is matched sentence by sentence first (sentences repeat far less than words). The diff
stays exact in what it marks as changed; on very long texts it may mark a little more than the
smallest change.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from html import escape
from itertools import groupby
from typing import NamedTuple

import cydifflib as difflib
from markdown_it import MarkdownIt
from markdown_it.token import Token

from termline.analysis.memo import text_memo

WORD = re.compile(r"\S+")
NOT_LETTERS_OR_DIGITS = re.compile(r"[\W_]+")  # what a comparison of words leaves out
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:", re.MULTILINE)
BULLET = re.compile(r"[*+-][ \t]+\S")  # an unindented bullet item with words: a new block
ORDERED = re.compile(r"\d{1,9}[.)](?:[ \t]|$)")  # an ordered item: its number depends on the list
ORDERED_ITEM = re.compile(r"(\d{1,9})([.)])( *)(.?)")  # number, delimiter, spaces, what follows
THEMATIC_BREAK = re.compile(r"([*_-])(?:[ \t]*\1){2,}[ \t]*$")  # not an item, though it may look so
# What may make a chunk more than one plain paragraph: markup, escapes, entities, a list or
# code line, a blank line; a chunk without any is one paragraph of plain words.
MARKDOWN = re.compile(r"[\\`*_\[\]<>&|#=~!]|^\s*(?:[-+]|\d+[.)])|^ {4}|\t|\n\s*\n", re.MULTILINE)
# Markdown a parser may leave as text, when the source is not well formed.
LEFTOVER = re.compile(
    r"\*\*|__|\]\(|<br\s*/?>|(?:^|\s)(?:#{1,6}|={3,}|-{3,}|[#=*+%:.~_|-]{4,})(?=\s|$)", re.I
)
LINK_TARGET = re.compile(r"\[([^\]]*)\]\([^)\s]*\)?|\]\([^)\s]*\)?|^\[")
MARKS = re.compile(r"\*\*+|__+")
BREAK_TAG = re.compile(r"<br\s*/?>", re.I)
JUNK = re.compile(r"#{1,6}|={3,}|-{3,}|[#=*+%:.~_|-]{4,}")  # markup, or a drawing of symbols
SPACE = re.compile(r"(\s+)")
# Invisible characters: control characters (not allowed in HTML), soft hyphens, zero widths.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b-\u200d\u2060\ufeff]")
CONTEXT_LINES = 2  # unchanged units kept on each side of a change
CONTEXT_WORDS = 20  # unchanged words kept on each side of a change inside a unit; None keeps all
ELISION = "[…]"
CHUNK_MEMO = 2_000_000  # characters of chunks whose units are kept: ~25 bytes of units each
TEXT_MEMO = 2_000_000  # characters of texts whose units are kept: an edited text is diffed twice
AUTOJUNK_ITEMS = 20_000  # past this many units or words in a changed region, autojunk is on
UNIT_START = "\x00"  # starts a unit's marker word in a changed region's word sequence
CELL = "\x01"  # the word that parts two cells of a table row
RETARGET = "⇄"  # marks a link whose target alone changed
SENTENCE_END = (".", "!", "?", ";", ":")  # how a word that ends a sentence ends

Opcode = tuple[str, int, int, int, int]


class Style(NamedTuple):
    """How a run of visible text is shown: emphasis, code, and the link it belongs to.

    A named tuple, not a dataclass: diffs compare millions of them.
    """

    strong: bool = False
    em: bool = False
    code: bool = False
    href: str | None = None


PLAIN = Style()
Piece = tuple[str, Style]
Word = tuple[Piece, ...]  # one visible word: text runs of differing styles, e.g. a link and "."


@dataclass(frozen=True)
class Unit:
    """One block of a rendered text: its shape, its words, how many source lines it spans."""

    tag: str  # p, li, h, tr, th (a header row), pre
    words: tuple[Word, ...]
    lines: int = 1
    depth: int = 0  # list nesting: 1 for a top-level item
    start: int = 0  # an ordered list item's number; 0 for a bullet

    @cached_property
    def marker(self) -> str:
        """Return the word that stands for the unit's start in a changed region."""
        return f"{UNIT_START}{self.tag}{self.depth}{'o' if self.start else ''}"

    @cached_property
    def key(self) -> str:
        """Return what must be equal for two units to be the same: shape, words and styles."""
        styled = [w for w in self.words if len(w) > 1 or w[0][1] != PLAIN]  # equal, not the same
        return "\x1f".join([self.marker, *self.texts, repr(styled) if styled else ""])

    @cached_property
    def texts(self) -> list[str]:
        """Return the visible text of each word."""
        return ["".join(text for text, _style in word) for word in self.words]

    @cached_property
    def links_only(self) -> bool:
        """Tell whether every visible word is inside a link (a table of contents' entry)."""
        pieces = [p for w in self.words for p in w if p[0] != CELL]
        return bool(pieces) and all(style.href is not None for _text, style in pieces)


@dataclass(frozen=True)
class Block:
    """One block of a diff: ``context``, a ``change`` or a ``heading`` as HTML, or a ``skip``.

    ``tag`` says what the block is (``p``, ``li``, ``h``, ``tr``, ``th``, ``pre``); a list item
    has its ``depth`` and, in an ordered list, its number (``start``); ``links`` marks a unit of
    links only, which the site folds in runs (tables of contents); ``side`` a unit that is all
    deleted or all inserted. A table row's cells are parted by ``CELL`` in its HTML.
    """

    kind: str
    html: str
    lines: int = 0
    tag: str = "p"
    depth: int = 0
    start: int = 0
    links: bool = False
    side: str = ""  # "old" for a unit all struck through, "new" for one all inserted


@dataclass(frozen=True)
class WordDiff:
    """A word diff: its blocks and how many words it adds and removes."""

    blocks: tuple[Block, ...]
    words_added: int
    words_removed: int

    @property
    def changed(self) -> bool:
        """Tell whether any word was added or removed."""
        return bool(self.words_added or self.words_removed)


def words(text: str) -> list[str]:
    """Split text into words, folding every run of whitespace."""
    return WORD.findall(text)


def word_diff(
    old: str, new: str, context: int = CONTEXT_LINES, around: int | None = CONTEXT_WORDS
) -> WordDiff:
    """Diff two Markdown texts unit by unit, then word by word inside changed runs of units."""
    old_units, new_units = units(old), units(new)
    blocks: list[Block] = []
    added = removed = 0
    opcodes = opcodes_of([u.key for u in old_units], [u.key for u in new_units])
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            first, last = index == 0, index == len(opcodes) - 1
            blocks.extend(_context(new_units[j1:j2], context, first, last, around))
            continue
        region = _region(old_units[i1:i2], new_units[j1:j2])
        blocks.extend(_folded([out.block(around) for out in region]))
        added += sum(out.count("+") for out in region)
        removed += sum(out.count("-") for out in region)
    return WordDiff(tuple(blocks), added, removed)


def _folded(region: list[Block]) -> list[Block]:
    """Fold each run of a changed region's units that show nothing but an elision (paragraphs
    cut or joined anew, their words the same) into one: a skip of their lines, or, in a list,
    one elided item (a skip would cut the list in two). Perplexity's terms, cut into shorter
    paragraphs, showed 18 lines of "[…]"."""
    folded: list[Block] = []
    for (elided, tag, depth), run in groupby(region, _fold_key):
        found = list(run)
        if not elided or len(found) == 1:
            folded.extend(found)
        elif tag == "p" and not depth:
            folded.append(Block("skip", "", sum(block.lines for block in found)))
        else:
            folded.append(replace(found[0], lines=sum(block.lines for block in found)))
    return folded


def _fold_key(block: Block) -> tuple[bool, str, int]:
    elided = block.kind == "context" and block.html == ELISION
    return elided, block.tag if elided else "", block.depth if elided else 0


def text_diff(old: str, new: str) -> tuple[str, int, int]:
    """Return a word diff of two plain texts (headings) as inline HTML, words added and removed."""
    before, after = words(old), words(new)
    parts: list[str] = []
    added = removed = 0
    for tag, i1, i2, j1, j2 in opcodes_of(before, after):
        if tag == "equal":
            parts.append(escape(" ".join(after[j1:j2])))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(' '.join(before[i1:i2]))}</del>")
            removed += i2 - i1
        if j2 > j1:
            parts.append(f"<ins>{escape(' '.join(after[j1:j2]))}</ins>")
            added += j2 - j1
    return " ".join(parts), added, removed


# Parsing: Markdown to units.


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


@text_memo(TEXT_MEMO)
def units(text: str) -> tuple[Unit, ...]:
    """Return the units a reader sees in a Markdown text, in order.

    The text is parsed in chunks, cut outside fences where no block of Markdown can go on (at
    blank lines before an unindented line, before an unindented bullet item, and before an ordered
    item numbered as its list would number it, so that a long list is parsed item by item), each
    chunk once: versions share most of them.
    """
    if REFERENCE.search(text):  # a link defined elsewhere in the text: parse it whole
        return _chunk_units(text)
    return tuple(unit for chunk in _chunks(text) for unit in _chunk_units(chunk))


def _chunks(text: str) -> Iterator[str]:
    current: list[str] = []
    fence: str | None = None
    blank = False
    listed: _Item | None = CLOSED  # the last item of the list surely open at the top level
    for line in text.split("\n"):
        if fence is None and current and (_starts_block(line, blank) or _numbered_on(line, listed)):
            yield "\n".join(current)
            current = []
        listed = _listed(line, listed, blank or not current) if fence is None else None
        current.append(line)
        found = FENCE.match(line)
        if found and (fence is None or found.group(1)[0] == fence):
            fence = found.group(1)[0] if fence is None else None
            listed = None
        blank = not line.strip()
    yield "\n".join(current)


class _Item(NamedTuple):
    """An unindented ordered list item: its number in its list, its delimiter, its text's column."""

    number: int
    delimiter: str
    offset: int


CLOSED = _Item(0, "", 0)  # no ordered list open: what an item's delimiter never is


def _item(line: str) -> _Item | None:
    """Return the ordered item a line starts, by its own number; None if not one, or tabbed."""
    found = ORDERED_ITEM.match(line)
    if found is None or found.group(4) == "\t" or not (found.group(3) or not found.group(4)):
        return None
    marker, spaces = len(found.group(1)) + 1, len(found.group(3))
    wide = not found.group(4) or spaces > 4  # no text, or indented code: the text starts at +1
    return _Item(int(found.group(1)), found.group(2), marker + (1 if wide else spaces))


def _listed(line: str, listed: _Item | None, fresh: bool) -> _Item | None:
    """Return the ordered list surely open after a line (``CLOSED``: surely none), else None.

    ``fresh``: the line follows a blank line or starts a chunk. An item of the open list's
    delimiter is its next, numbered on; one that starts a list where what was open is known keeps
    its own number; blank lines and lines indented into the item keep it; an unindented line
    after a blank one closes any list. Anything else may have closed it, nested another list, or
    may take an item's number as text: nothing is sure.
    """
    item = _item(line)
    if item is not None:
        if listed is not None and item.delimiter == listed.delimiter:
            return item._replace(number=listed.number + 1)
        return item if fresh and listed is not None else None
    if not line.strip():
        return listed
    indent = len(line) - len(line.lstrip(" "))
    nested = line[indent] in "\t>" or FENCE.match(line[indent:])  # a quote, code: may go on
    if listed is not None and listed.delimiter and indent >= listed.offset and not nested:
        return listed
    return CLOSED if fresh and indent == 0 else None


def _numbered_on(line: str, listed: _Item | None) -> bool:
    """Tell whether a line is the open list's next item with the number it has in that list.

    Parsed alone it starts a list at its own number: the same item, numbered the same.
    """
    item = _item(line)
    return (
        item is not None
        and listed is not None
        and (item.number, item.delimiter) == (listed.number + 1, listed.delimiter)
    )


def _starts_block(line: str, blank: bool) -> bool:
    """Tell whether a line (outside fences) starts a block that no earlier block goes on into."""
    if line[:1] in ("", " ", "\t") or ORDERED.match(line):  # "1." after "1." is item 2
        return False
    item = BULLET.match(line) and not THEMATIC_BREAK.match(line)
    return blank or bool(item and "|" not in line)  # parsed alone, "* a | b" may head a table


@text_memo(CHUNK_MEMO)
def _chunk_units(text: str) -> tuple[Unit, ...]:
    """Return a chunk's units; a paragraph without any Markdown needs no parser."""
    stripped = text.strip()
    if not stripped:
        return ()
    if not MARKDOWN.search(text.strip("\n")):  # indentation kept: it may make a code block
        found = tuple(((w, PLAIN),) for w in words(CONTROL.sub("", stripped)))
        return (Unit("p", found, stripped.count("\n") + 1),) if found else ()
    return tuple(_Units().read(_parser().parse(text)))


class _Units:
    """A walk through markdown-it's block tokens that yields a unit per visible block."""

    def __init__(self) -> None:
        self.lists: list[int] = []  # per open list: the last item's number, -1 for bullets
        self.item = False  # a list item opened and its first paragraph not yet met
        self.heading = False
        self.header = False  # inside a table's head
        self.row: list[Word] | None = None  # the words of the table row being read
        self.lines = 1

    def read(self, tokens: Sequence[Token]) -> Iterator[Unit]:
        for token in tokens:
            if token.map and token.nesting >= 0:
                self.lines = max(1, token.map[1] - token.map[0])
            if token.type == "code_block":  # indented by accident, in policies: text after all
                yield from units(token.content)
                continue
            unit = self._block(token) if token.type != "inline" else self._inline(token)
            if unit is not None and any(w[0][0] != CELL for w in unit.words):
                yield unit

    def _block(self, token: Token) -> Unit | None:
        kind = token.type
        if kind.endswith("list_open") or kind.endswith("list_close") or kind.startswith("list_"):
            self._list(token)
        elif kind in ("thead_open", "thead_close"):
            self.header = kind == "thead_open"
        elif kind == "heading_open":
            self.heading = True
        elif kind == "tr_open":
            self.row = []
        elif kind in ("th_open", "td_open") and self.row:
            self.row.append(((CELL, PLAIN),))
        elif kind == "tr_close" and self.row is not None:
            row, self.row = tuple(self.row), None
            return Unit("th" if self.header else "tr", row, self.lines)
        elif kind == "fence":
            code = Style(code=True)
            return Unit("pre", tuple(((w, code),) for w in words(token.content)), self.lines)
        return None

    def _list(self, token: Token) -> None:
        """Follow lists and their items: how deep, which number, whether an item's text is due."""
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            self.lists.append(-1 if kind == "bullet_list_open" else int(str(start or 1)) - 1)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.lists[-1] += self.lists[-1] >= 0
        self.item = kind == "list_item_open"

    def _inline(self, token: Token) -> Unit | None:
        found = tidy(inline_words(token.children or ()))
        if self.row is not None:
            self.row.extend(found)
            return None
        if self.heading:
            self.heading = False
            return Unit("h", found, self.lines)
        if self.item:
            self.item = False
            return Unit("li", found, self.lines, len(self.lists), max(self.lists[-1], 0))
        return Unit("p", found, self.lines, len(self.lists))


def inline_words(children: Sequence[Token]) -> tuple[Word, ...]:
    """Return the visible words of an inline token's children, each with its styles."""
    found: list[Word] = []
    current: list[Piece] = []
    strong = em = 0
    href: str | None = None
    for child in children:
        kind = child.type
        if kind in ("strong_open", "strong_close"):
            strong += 1 if kind == "strong_open" else -1
        elif kind in ("em_open", "em_close"):
            em += 1 if kind == "em_open" else -1
        elif kind == "link_open":
            target = child.attrGet("href")
            href = target if isinstance(target, str) else ""
        elif kind == "link_close":
            href = None
        else:
            text = _visible(child)
            style = Style(strong > 0, em > 0, kind == "code_inline", href)
            _add_text(text, style, current, found)
    if current:
        found.append(tuple(current))
    return tuple(found)


def tidy(found: tuple[Word, ...]) -> tuple[Word, ...]:
    """Drop the Markdown a parser left as text (unclosed ``**``, a ``<br>``, a rejected link's
    target, a ``###`` in a table cell, a lone ``=====``): markup, not words of the policy."""
    if not LEFTOVER.search(" ".join(text_of(word) for word in found)):
        return found
    tidied: list[Word] = []
    for word in found:
        text = text_of(word)
        if not LEFTOVER.search(f" {text} "):
            tidied.append(word)
            continue
        cleaned = BREAK_TAG.sub(" ", MARKS.sub("", LINK_TARGET.sub(r"\1", text)))
        style = next((s for _t, s in word if s.href is not None), word[0][1])
        tidied.extend(((part, style),) for part in words(cleaned) if not JUNK.fullmatch(part))
    return tuple(tidied)


def _visible(token: Token) -> str:
    if token.type in ("softbreak", "hardbreak"):
        return " "
    if token.type == "image":
        return "".join(_visible(child) for child in token.children or ()) or token.content
    return token.content


def _add_text(text: str, style: Style, current: list[Piece], found: list[Word]) -> None:
    """Add text to the words found: whitespace ends a word, a style change does not."""
    for index, part in enumerate(SPACE.split(CONTROL.sub("", text))):
        if index % 2:  # whitespace
            if current:
                found.append(tuple(current))
                current.clear()
        elif part:
            if current and current[-1][1] == style:
                current[-1] = (current[-1][0] + part, style)
            else:
                current.append((part, style))


# Diffing: units and words.


def text_of(word: Word) -> str:
    """Return the visible text of a word."""
    return "".join(text for text, _style in word)


@dataclass
class _Out:
    """A unit being written: its shape and its words as (op, word, old word) parts."""

    unit: Unit
    parts: list[tuple[str, Word, Word | None]]

    def count(self, op: str) -> int:
        return sum(1 for part in self.parts if part[0] == op and part[1][0][0] != CELL)

    def block(self, around: int | None) -> Block:
        changed = any(op != "=" or _retargeted(w, o) for op, w, o in self.parts)
        rows = self.unit.tag in ("tr", "th")  # a row is never elided: its cells would shift
        html = _parts_html(self.parts, None if rows else around)
        ops = {op for op, word, _old in self.parts if word[0][0] != CELL}
        side = {"-": "old", "+": "new"}.get(ops.pop(), "") if len(ops) == 1 else ""
        kind = "change" if changed else "context"
        return _block(kind, html, self.unit, self.unit.links_only, side)


def _block(kind: str, html: str, unit: Unit, links: bool = False, side: str = "") -> Block:
    return Block(kind, html, unit.lines, unit.tag, unit.depth, unit.start, links, side)


def _region(old: Sequence[Unit], new: Sequence[Unit]) -> list[_Out]:
    """Diff a changed run of units word by word, each unit's start a marker word.

    The new text's units give the shape; a unit of the old text whose marker is deleted is
    written as a unit of its own, its words struck through.
    """
    old_words, old_texts, old_units = _flatten(old)
    new_words, new_texts, new_units = _flatten(new)
    out: list[_Out] = []
    for tag, i1, i2, j1, j2 in word_opcodes(old_texts, new_texts):
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                _put(out, "=", new_words[j], new_units[j], old_words[i])
            continue
        for i in range(i1, i2):
            _put(out, "-", old_words[i], old_units[i])
        for j in range(j1, j2):
            _put(out, "+", new_words[j], new_units[j])
    return [o for o in out if any(p[1][0][0] != CELL for p in o.parts)]


def _flatten(found: Sequence[Unit]) -> tuple[list[Word], list[str], list[Unit | None]]:
    """Return the words of units, each unit opened by its marker word, their texts, and which
    unit each marker opens."""
    flat: list[Word] = []
    texts: list[str] = []
    owners: list[Unit | None] = []
    for unit in found:
        flat.append(((unit.marker, PLAIN),))
        flat.extend(unit.words)
        texts.append(unit.marker)
        texts.extend(unit.texts)
        owners.append(unit)
        owners.extend([None] * len(unit.words))
    return flat, texts, owners


def _put(out: list[_Out], op: str, word: Word, unit: Unit | None, old: Word | None = None) -> None:
    if unit is not None:  # a marker: a new unit starts
        out.append(_Out(unit, []))
    elif out:
        out[-1].parts.append((op, word, old))


def _context(
    found: Sequence[Unit], keep: int, first: bool, last: bool, around: int | None
) -> list[Block]:
    """Keep ``keep`` units next to each change and fold the rest into a skip block."""
    head = [] if first else list(found[:keep])
    tail = [] if last else list(found[len(head) :][-keep:]) if keep else []
    skipped = found[len(head) : len(found) - len(tail)]
    if len(skipped) <= 1:
        return [_unchanged(unit, around, not first, not last) for unit in found]
    return [
        *(_unchanged(unit, around, True, False) for unit in head),
        Block("skip", "", sum(unit.lines for unit in skipped)),
        *(_unchanged(unit, around, False, True) for unit in tail),
    ]


def _unchanged(unit: Unit, around: int | None, after: bool, before: bool) -> Block:
    """Return an unchanged unit, elided past ``around`` words from the changes near it."""
    parts: list[tuple[str, Word, Word | None]] = [("=", w, w) for w in unit.words]
    html = _equal_html(parts, around, after, before)
    return _block("context", html, unit, unit.links_only)


# Writing: parts to HTML.


def _parts_html(parts: list[tuple[str, Word, Word | None]], around: int | None) -> str:
    """Return a unit's parts as HTML: runs of one op, unchanged runs elided far from changes."""
    runs: list[tuple[str, list[tuple[str, Word, Word | None]]]] = []
    for part in parts:
        op = "~" if part[0] == "=" and _retargeted(part[1], part[2]) else part[0]
        if part[1][0][0] == CELL:  # an old cell boundary is dropped, its words joined
            if op == "-":
                continue
            op = "|"
        if runs and runs[-1][0] == op:
            runs[-1][1].append(part)
        else:
            runs.append((op, [part]))
    html: list[str] = []
    for index, (op, run) in enumerate(runs):
        if op == "=":
            html.append(_equal_html(run, around, index > 0, index < len(runs) - 1))
        elif op == "~":
            html.append(_words_html([p[1] for p in run], retargeted=run))
        elif op == "|":
            html.append(CELL * len(run))
        else:
            tag = "del" if op == "-" else "ins"
            html.append(f"<{tag}>{_words_html([p[1] for p in run])}</{tag}>")
    return " ".join(part for part in html if part)


def _retargeted(word: Word, old: Word | None) -> bool:
    if old is None:
        return False
    targets = [s.href for _t, s in word if s.href is not None]
    before = [s.href for _t, s in old if s.href is not None]
    return bool(targets) and bool(before) and targets != before


def _equal_html(
    parts: list[tuple[str, Word, Word | None]], around: int | None, after: bool, before: bool
) -> str:
    """Return unchanged words as HTML: those ``around`` a change before or after them, elided."""
    found = [p[1] for p in parts]
    if around is None or len(found) <= (after + before) * around + 1:
        return _words_html(found)
    head = found[:around] if after else []
    tail = found[-around:] if before and around else []
    if len(found) - len(head) - len(tail) <= 1:
        return _words_html(found)
    return " ".join(part for part in (_words_html(head), ELISION, _words_html(tail)) if part)


def _words_html(
    found: Sequence[Word], retargeted: Sequence[tuple[str, Word, Word | None]] = ()
) -> str:
    """Return words as HTML, runs of one style in one element; cells parted by ``CELL``."""
    writer = _Writer()
    for word in found:
        writer.word(word)
    html = writer.done()
    return html + _retarget_mark(retargeted) if retargeted else html


class _Writer:
    """Words written as HTML: a run of text of one style goes into one element."""

    def __init__(self) -> None:
        self.html: list[str] = []
        self.style: Style | None = None
        self.text: list[str] = []
        self.spaced = False  # a space is due before the next word

    def word(self, word: Word) -> None:
        if word[0][0] == CELL:
            self.flush(None)
            self.html.append(CELL)
            self.spaced = False
            return
        for index, (piece, style) in enumerate(word):
            space = self.spaced and not index
            if style != self.style:
                self.flush(style)
                if space:
                    self.html.append(" ")
            elif space:
                self.text.append(" ")
            self.text.append(piece)
        self.spaced = True

    def flush(self, style: Style | None) -> None:
        if self.text:
            self.html.append(_segment_html(self.style, "".join(self.text)))
        self.text, self.style = [], style

    def done(self) -> str:
        self.flush(None)
        return "".join(self.html)


def _segment_html(style: Style | None, text: str) -> str:
    html = escape(text)
    if style is None or style is PLAIN:
        return html
    if style.code:
        html = f"<code>{html}</code>"
    if style.em:
        html = f"<em>{html}</em>"
    if style.strong:
        html = f"<strong>{html}</strong>"
    if style.href is not None:
        html = f'<span class="link" title="{escape(style.href)}">{html}</span>'
    return html


def _retarget_mark(parts: Sequence[tuple[str, Word, Word | None]]) -> str:
    """Return the small mark of links whose target alone changed, old and new in its title."""
    changes: dict[str, str] = {}
    for _op, word, old in parts:
        before = next((s.href for _t, s in old or () if s.href is not None), "")
        after = next((s.href for _t, s in word if s.href is not None), "")
        changes.setdefault(before, after)
    title = "; ".join(f"{a} → {b}" for a, b in changes.items())
    return (
        f'<sup class="retarget" title="Link target changed: {escape(title)}">'
        f'<span aria-hidden="true">{RETARGET}</span>'
        '<span class="visually-hidden"> (link target changed)</span></sup>'
    )


# Matching.


def word_opcodes(
    old: Sequence[str], new: Sequence[str], limit: int = AUTOJUNK_ITEMS
) -> list[Opcode]:
    """Return the opcodes of two word sequences; long ones are matched sentence by sentence first,
    then word by word inside the changed sentences (past ``limit`` words on each side).

    Words repeat far more than sentences: on 1,000,000 words of a few repeated sentences, words
    took difflib minutes and sentences take a second.
    """
    if min(len(old), len(new)) <= limit:
        return opcodes_of(old, new)
    old_sentences, old_at = _sentences(old)
    new_sentences, new_at = _sentences(new)
    ops: list[Opcode] = []
    for tag, i1, i2, j1, j2 in opcodes_of(old_sentences, new_sentences):
        a1, a2, b1, b2 = old_at[i1], old_at[i2], new_at[j1], new_at[j2]
        if tag == "equal":
            ops.append(("equal", a1, a2, b1, b2))
            continue
        for inner, x1, x2, y1, y2 in opcodes_of(old[a1:a2], new[b1:b2]):
            ops.append((inner, x1 + a1, x2 + a1, y1 + b1, y2 + b1))
    return _merged(ops)


def _sentences(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """Return the sentences of a word sequence, each joined into one string, and the offset each
    starts at, the sequence's length last. A sentence ends at ``SENTENCE_END`` or a unit's start."""
    found: list[str] = []
    starts: list[int] = []
    start = 0
    for index, text in enumerate(texts):
        if text.startswith(UNIT_START) and index > start:
            found.append("\x1f".join(texts[start:index]))
            starts.append(start)
            start = index
        if text.endswith(SENTENCE_END):
            found.append("\x1f".join(texts[start : index + 1]))
            starts.append(start)
            start = index + 1
    if start < len(texts):
        found.append("\x1f".join(texts[start:]))
        starts.append(start)
    return found, [*starts, len(texts)]


def opcodes_of(old: Sequence[object], new: Sequence[object]) -> list[Opcode]:
    """Return difflib's opcodes, the common head and tail matched first, bounded in time."""
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    middle_old, middle_new = old[head : len(old) - tail], new[head : len(new) - tail]
    autojunk = min(len(middle_old), len(middle_new)) > AUTOJUNK_ITEMS
    matcher = difflib.SequenceMatcher(None, middle_old, middle_new, autojunk=autojunk)
    shifted = [
        (tag, i1 + head, i2 + head, j1 + head, j2 + head)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if i1 != i2 or j1 != j2
    ]
    ops: list[Opcode] = []
    if head:
        ops.append(("equal", 0, head, 0, head))
    ops.extend(shifted)
    if tail:
        ops.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return _merged(ops)


def _merged(ops: list[Opcode]) -> list[Opcode]:
    """Join neighbouring equal opcodes, as difflib would have returned them."""
    merged: list[Opcode] = []
    for op in ops:
        if merged and merged[-1][0] == op[0] == "equal":
            last = merged.pop()
            merged.append(("equal", last[1], op[2], last[3], op[4]))
        else:
            merged.append(op)
    return merged


def forget() -> None:
    """Drop the memos of texts and chunks seen (they serve the versions of one document)."""
    units.cache_clear()
    _chunk_units.cache_clear()
