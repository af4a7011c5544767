"""Diff view: lay a word diff's blocks out as the text they come from.

Takes the ``Block``s of a ``WordDiff`` (their HTML already escaped by the analysis); gives HTML
in which list items are lists, table rows tables, headings headings, each block marked as
``changed`` or ``context``. A run of ``FOLD_LINKS`` or more blocks of links only (a table of
contents, a list of related pages) is folded into a ``<details>`` that says what it holds and
whether it changed. Version, provision and compare pages and the feeds all show diffs this way.
A ``<br>`` of the text, escaped as the rest, is a line break again (as on the text's own pages).
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from itertools import groupby

from markupsafe import Markup

from termline.analysis.diff import CELL, Block

FOLD_LINKS = 3  # a run of this many link-only blocks is folded
ESCAPED_BREAK = re.compile(r"&lt;br\s*/?&gt;", re.IGNORECASE)  # the text's <br>, escaped


def diff_html(blocks: Sequence[Block], heading: int = 3) -> Markup:
    """Return a diff's blocks as HTML; provision headings are ``<h{heading}>``."""
    return Markup(ESCAPED_BREAK.sub("<br>", "\n".join(_groups(blocks, heading))))


def cut(blocks: Sequence[Block], limit: int) -> tuple[list[Block], int]:
    """Return the first blocks of a diff, about ``limit`` characters of HTML, and how many changed
    blocks were left out (0: none was cut).

    The cut keeps at least one changed block and drops the headings and skips that would end it.
    """
    kept: list[Block] = []
    size = 0
    for at, block in enumerate(blocks):
        size += len(block.html)
        if size > limit and any(b.kind == "change" for b in kept):
            while kept and kept[-1].kind in ("heading", "skip"):
                kept.pop()
            return kept, sum(b.kind == "change" for b in blocks[at:])
        kept.append(block)
    return kept, 0


def _groups(blocks: Sequence[Block], heading: int) -> Iterator[str]:
    for layout, run in groupby(blocks, _layout):
        found = list(run)
        if layout == "links":
            yield _folded(found) if len(found) >= FOLD_LINKS else _list(found)
        elif layout == "list":
            yield _list(found)
        elif layout == "table":
            yield _table(found)
        else:
            yield from (_single(block, heading) for block in found)


def _layout(block: Block) -> str:
    """Return what a block is laid out in: a run of links, a list, a table, or nothing."""
    if block.links and block.tag == "li":
        return "links"
    if block.tag == "li" or (block.tag == "p" and block.depth):
        return "list"
    return "table" if block.tag in ("tr", "th") else ""


def _class(block: Block) -> str:
    state = "changed" if block.kind == "change" else "context"
    return f"{state} {block.side}" if block.side else state


def _single(block: Block, heading: int) -> str:
    block = _without_cells(block)
    if block.kind == "skip":
        noun = "unchanged line" if block.lines == 1 else "unchanged lines"
        return f'<p class="skip">… {block.lines} {noun} …</p>'
    if block.kind == "heading":
        return f'<h{heading} class="heading">{block.html}</h{heading}>'
    if not block.html:
        return ""
    if block.tag == "h":
        level = min(heading + 1, 6)
        return f'<h{level} class="{_class(block)}">{block.html}</h{level}>'
    if block.tag == "pre":
        return f'<pre class="{_class(block)}">{block.html}</pre>'
    return f'<p class="{_class(block)}">{block.html}</p>'


def _list(blocks: Sequence[Block]) -> str:
    """Return list items (and paragraphs inside them) as lists, one per run of one kind."""
    parts: list[str] = []
    for ordered, run in groupby(blocks, lambda b: b.start > 0):
        found = list(run)
        tag = "ol" if ordered else "ul"
        start = f' start="{found[0].start}"' if ordered and found[0].start != 1 else ""
        items = "\n".join(_item(block) for block in found)
        parts.append(f'<{tag} class="diff-list"{start}>{items}</{tag}>')
    return "\n".join(parts)


def _item(block: Block) -> str:
    block = _without_cells(block)
    depth = f" depth-{min(block.depth, 4)}" if block.depth > 1 else ""
    if block.tag == "p":
        return f'<li class="{_class(block)} more{depth}">{block.html}</li>'
    value = f' value="{block.start}"' if block.start else ""
    return f'<li class="{_class(block)}{depth}"{value}>{block.html}</li>'


def _without_cells(block: Block) -> Block:
    """Return a block laid out outside a table with its cell marks as spaces.

    A table cell holding paragraphs (``<br><br>`` in contrib-versions' tables) goes on as
    paragraphs that still hold the mark, a control character that XML feeds refuse.
    """
    return replace(block, html=block.html.replace(CELL, " ")) if CELL in block.html else block


def _table(blocks: Sequence[Block]) -> str:
    rows = "\n".join(_row(block) for block in blocks)
    return f'<div class="diff-table"><table>{rows}</table></div>'


def _row(block: Block) -> str:
    cell = "th" if block.tag == "th" else "td"
    cells = " ".join(f"<{cell}>{part.strip()}</{cell}>" for part in block.html.split(CELL))
    return f'<tr class="{_class(block)}">{cells}</tr>'


def _folded(blocks: Sequence[Block]) -> str:
    """Return a run of link-only items folded, its summary saying what changed in it."""
    count = len(blocks)
    sides = {block.side for block in blocks}
    changed = sum(1 for block in blocks if block.kind == "change")
    if sides == {"old"}:
        what = f"{count} links removed"
    elif sides == {"new"}:
        what = f"{count} links added"
    elif changed:
        what = f"{count} links, {changed} changed"
    else:
        what = f"{count} links, unchanged"
    state = "changed" if changed else "context"
    return (
        f'<details class="links {state}"><summary>A list of links (such as a table of contents):'
        f" {what}</summary>{_list(blocks)}</details>"
    )
