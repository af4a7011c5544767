"""Whole texts past markdown-it's nesting limit: the deepest blocks are shown flattened.

markdown-it stops nesting blocks (lists, quotes) at ``maxNesting`` levels so that hostile input
cannot exhaust the stack, and drops every line it meets past that depth, and with a deep list
item everything after it in the document. This block parser gives those lines as plain
paragraphs instead: their list and quote markers removed, their words kept, their inline
Markdown still parsed (links made safe by the renderer as everywhere else).
"""

import re

from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block import StateBlock

# Leading block markers of a line: quotes, bullets, ordered-list numbers, with their spaces.
MARKERS = re.compile(r"^[ \t]*(?:(?:>|[*+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]*)*")


class WholeTextBlock(ParserBlock):
    """markdown-it's block parser, keeping the lines past the nesting limit as flat text."""

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        """Tokenise lines as markdown-it does; past the nesting limit, as flat paragraphs."""
        if state.level < state.md.options.maxNesting:
            super().tokenize(state, startLine, endLine)
            return
        line = startLine
        while line < endLine:
            line = state.skipEmptyLines(line)
            if line >= endLine or state.sCount[line] < state.blkIndent:
                break  # the end of this nested block, as markdown-it decides it
            line = _flat_paragraph(state, line, endLine)
        state.line = line


def _flat_paragraph(state: StateBlock, start: int, end: int) -> int:
    """Push the lines from start up to a blank or less indented one as one paragraph."""
    line = start
    while line < end and not state.isEmpty(line) and state.sCount[line] >= state.blkIndent:
        line += 1
    text = state.getLines(start, line, state.blkIndent, False)
    flat = "\n".join(MARKERS.sub("", row) for row in text.split("\n")).strip()
    if flat:  # lines of markers only hold no words
        state.push("paragraph_open", "p", 1).map = [start, line]
        inline = state.push("inline", "", 0)
        inline.content, inline.map, inline.children = flat, [start, line], []
        state.push("paragraph_close", "p", -1)
    return line
