"""Word-level diffs: words, not characters, with whitespace folded; rendered as escaped HTML.

Lines are matched first, then the words inside each changed block, so a diff costs little more
than the changed part. Unchanged runs keep a few lines of context and fold the rest; inside a
long line (a paragraph) unchanged words keep ``CONTEXT_WORDS`` on each side of a change and the
rest is elided as "[…]", so one changed word in a long paragraph does not copy it. Matching
uses cydifflib, difflib's algorithm compiled (same output, about 15 times faster).

difflib is quadratic on sequences whose items repeat (a 16 MB text of 200,000 short, often
identical lines took minutes), so the common head and tail are matched first, and past
``AUTOJUNK_ITEMS`` items in the rest difflib's autojunk heuristic is on: lines or words that make
up over 1% of the text only extend matches found on rarer ones. The diff stays exact in what it
marks as changed; on very long texts it may mark a little more than the smallest change.
"""

import re
from dataclasses import dataclass
from html import escape

import cydifflib as difflib

WORD = re.compile(r"\S+")
CONTEXT_LINES = 2
CONTEXT_WORDS = 20  # unchanged words kept on each side of a change inside a line; None keeps all
ELISION = "[…]"
AUTOJUNK_ITEMS = 20_000  # past this many lines or words in a changed region, autojunk is on

Opcode = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class Block:
    """One block of a diff: ``context`` lines, a ``change`` as HTML, or ``skip`` of n lines."""

    kind: str
    html: str
    lines: int = 0


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
    """Diff two texts line block by line block, then word by word inside changed blocks."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    blocks: list[Block] = []
    added = removed = 0
    opcodes = opcodes_of(old_lines, new_lines)
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            first, last = index == 0, index == len(opcodes) - 1
            blocks.extend(_context(new_lines[j1:j2], context, first, last, around))
            continue
        html, plus, minus = _diff_words(
            words("\n".join(old_lines[i1:i2])), words("\n".join(new_lines[j1:j2])), around
        )
        blocks.append(Block("change", html))
        added += plus
        removed += minus
    return WordDiff(tuple(blocks), added, removed)


def _context(
    lines: list[str], keep: int, first: bool, last: bool, around: int | None
) -> list[Block]:
    """Keep ``keep`` lines next to each change and fold the rest into a skip block."""
    head = [] if first else lines[:keep]
    tail = [] if last else lines[len(head) :][-keep:] if keep else []
    skipped = len(lines) - len(head) - len(tail)
    if skipped <= 1:
        return [Block("context", _line(line, around, not first, not last)) for line in lines]
    return [
        *(Block("context", _line(line, around, True, False)) for line in head),
        Block("skip", "", skipped),
        *(Block("context", _line(line, around, False, True)) for line in tail),
    ]


def _line(line: str, around: int | None, after: bool, before: bool) -> str:
    """Return an unchanged line as HTML, elided past ``around`` words from the changes near it."""
    found = words(line)
    if around is None or len(found) <= 2 * around + 1:
        return escape(line)
    return _unchanged(found, around, after, before)


def _unchanged(run: list[str], around: int | None, after: bool, before: bool) -> str:
    """Return unchanged words as HTML: those ``around`` a change before or after them, elided."""
    head = run[:around] if after else []
    tail = run[-around:] if before and around else []
    if around is None or len(run) - len(head) - len(tail) <= 1:
        return escape(" ".join(run))
    return " ".join(
        part for part in (escape(" ".join(head)), ELISION, escape(" ".join(tail))) if part
    )


def _diff_words(old: list[str], new: list[str], around: int | None) -> tuple[str, int, int]:
    out: list[str] = []
    added = removed = 0
    opcodes = opcodes_of(old, new)
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            out.append(_unchanged(new[j1:j2], around, index > 0, index < len(opcodes) - 1))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(' '.join(old[i1:i2]))}</del>")
            removed += i2 - i1
        if j2 > j1:
            out.append(f"<ins>{escape(' '.join(new[j1:j2]))}</ins>")
            added += j2 - j1
    return " ".join(out), added, removed


def opcodes_of(old: list[str], new: list[str]) -> list[Opcode]:
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
