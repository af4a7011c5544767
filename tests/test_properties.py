"""Property tests: the normaliser, the provision splitter and the word differ on arbitrary text.

Arbitrary Unicode text and Markdown-shaped text (headings, setext underlines, fences, numbered
clauses, lists) never raise; normalising is idempotent and ends in one newline; the sections of a
split, joined, give back every line of the text but blank lines and the headings of sections that
hold nothing of their own; and a word diff's two sides give back the old and the new words.
"""

import html
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from termline.analysis.diff import (  # _chunk_units: a whole text parsed at once
    CELL,
    _chunk_units,
    _chunks,
    opcodes_of,
    text_of,
    units,
    word_diff,
    word_opcodes,
    words,
)
from termline.analysis.provisions import _headings, split
from termline.scrape.normalise import normalise
from termline.site import render

BITS = st.sampled_from(
    [
        "# ", "## ", "### ", "#", "\n", "\n\n", " ", "  ", "\t", "=", "===\n", "---\n", "- ",
        "1. ", "2.1 ", "(a) ", "> ", "| ", "```\n", "~~~\n", "Terms", "data", "word", "é",
        "\u200b", "\u202e", "<script>", "&amp;", "[l](javascript:x)", "*", "_", "\\",
    ]
)  # fmt: skip
MARKDOWN = st.lists(BITS, max_size=60).map("".join)
TEXT = st.one_of(st.text(), MARKDOWN)
SETTINGS = settings(max_examples=300, deadline=None)


@SETTINGS
@given(TEXT)
def test_normalise_never_raises_and_ends_in_one_newline(text):
    once = normalise(text)
    assert once == "" or (once.endswith("\n") and not once.endswith("\n\n"))
    assert normalise(once) == once


def join(text: str) -> str:
    """Join the lines the sections of a split span, in order, without blank lines."""
    lines = text.split("\n")
    kept = [line for s in split(text) for line in lines[s.start : s.end]]
    return "\n".join(line for line in kept if line.strip())


@SETTINGS
@given(TEXT)
def test_split_then_join_gives_the_normalised_document_back(text):
    document = normalise(text)
    sections = split(document)
    lines = document.split("\n")
    ends = [0, *(s.end for s in sections)]
    assert all(s.start >= end for s, end in zip(sections, ends, strict=False))  # ordered, apart
    for section in sections:
        assert section.body == "\n".join(lines[section.start : section.end]).strip("\n") or (
            section.titled and section.body in "\n".join(lines[section.start : section.end])
        )
    covered = {i for s in sections for i in range(s.start, s.end)}
    heading_lines = {i for h in _headings(lines) for i in range(h.start, h.body_start)}
    left_out = [i for i, line in enumerate(lines) if line.strip() and i not in covered]
    assert set(left_out) <= heading_lines  # only the headings of sections with nothing in them
    assert join(document) == "\n".join(
        line for i, line in enumerate(lines) if line.strip() and i not in left_out
    )
    assert len({s.key for s in sections}) == len(sections)


DEL = re.compile(r"<del>.*?</del>", re.DOTALL)
INS = re.compile(r"<ins>.*?</ins>", re.DOTALL)
MARK = re.compile(r'<sup class="retarget".*?</sup>', re.DOTALL)  # a link's mark, not its words
TAG = re.compile(r"<[^>]*>")


def side(diff_html: list[str], drop: re.Pattern[str]) -> list[str]:
    """Return the visible words of one side of a diff: the other side's marked words dropped."""
    found = []
    for block in diff_html:
        text = TAG.sub("", drop.sub(" ", MARK.sub("", block).replace(CELL, " ")))
        found.extend(words(html.unescape(text)))
    return found


def visible(text: str) -> list[str]:
    """Return the words a reader sees in a Markdown text: no markup, link targets or escapes."""
    return [text_of(w) for unit in units(text) for w in unit.words if text_of(w) != CELL]


def marked(blocks: list[str], pattern: re.Pattern[str]) -> int:
    """Count the words inside the marks a pattern finds."""
    nothing = re.compile("(?!)")
    return sum(len(side([m.group(0)], nothing)) for b in blocks for m in pattern.finditer(b))


@SETTINGS
@given(TEXT, TEXT)
@example("# *", "*0")  # two blocks' stars once read as one ** by the check
def test_a_word_diff_gives_back_the_old_and_the_new_visible_words(old, new):
    diff = word_diff(old, new, context=10**6, around=None)  # trimming is tested in test_site_size
    blocks = [block.html for block in diff.blocks]
    if all(block.kind == "skip" for block in diff.blocks):  # the texts are the same
        assert visible(old) == visible(new) and not diff.changed
        return
    assert side(blocks, DEL) == visible(new)
    assert side(blocks, INS) == visible(old)
    assert diff.words_added == marked(blocks, INS)
    assert diff.words_removed == marked(blocks, DEL)
    assert diff.changed or visible(old) == visible(new)  # a new shape may move equal words
    for syntax in ("](", "**", "\\.", "\n==="):  # no Markdown syntax the text did not escape
        if syntax not in html.unescape(TAG.sub("", " ".join(blocks))):  # blocks are apart
            continue
        assert syntax in old.replace("\\" + syntax[0], "") or syntax in new, syntax


@SETTINGS
@given(
    st.lists(st.sampled_from("aab c"), max_size=30), st.lists(st.sampled_from("abcc "), max_size=30)
)
def test_line_opcodes_rebuild_both_texts(old, new):
    ops = opcodes_of(old, new)
    assert [x for tag, i1, i2, _j1, _j2 in ops for x in old[i1:i2]] == old
    assert [x for _tag, _i1, _i2, j1, j2 in ops for x in new[j1:j2]] == new
    assert all(old[i1:i2] == new[j1:j2] for tag, i1, i2, j1, j2 in ops if tag == "equal")


@SETTINGS
@given(
    st.lists(st.sampled_from(["a", "b.", "c", "\x00p0", "d;"]), max_size=40),
    st.lists(st.sampled_from(["a", "b.", "c", "\x00p0", "e"]), max_size=40),
)
def test_sentence_first_opcodes_rebuild_both_texts(old, new):
    ops = word_opcodes(old, new, limit=3)
    assert [x for tag, i1, i2, _j1, _j2 in ops for x in old[i1:i2]] == old
    assert [x for _tag, _i1, _i2, j1, j2 in ops for x in new[j1:j2]] == new
    assert all(old[i1:i2] == new[j1:j2] for tag, i1, i2, j1, j2 in ops if tag == "equal")


def test_long_texts_of_repeated_sentences_mark_only_the_changed_words():
    """Sentence by sentence first: 100,000 words of 3 repeated sentences, one word changed."""
    sentences = ["We may share data.", "Clause one applies.", "You agree to these terms."]
    old = words(" ".join(sentences[n % 3] for n in range(30_000)))
    new = list(old)
    new[50_001] = "might"
    changed = [op for op in word_opcodes(old, new) if op[0] != "equal"]
    assert changed == [("replace", 50_001, 50_002, 50_001, 50_002)]


LINES = st.sampled_from(
    [
        "*   Item one", "-   Item two", "+ Item three", "* Item *four*", "    *   Nested",
        "  continued", "lazy continuation", "* * *", "***", "---", "- - -", "*", "* ", "-",
        "*emphasis* starts", "**Bold** starts", "Plain words here.", "", "", "# Heading",
        "Setext", "===", "1. One", "1. Again", "2. Two", "> * quoted item", "> quote",
        "| a | b |", "|---|---|", "```", "~~~", "    indented code", "\t* tabbed",
        "[ref]: http://example.com", "See [ref].", "* cell | cell", "| a", "*\tTabbed item",
        "-   Item\\", "* _", "- ---", "+ +", "*   Item  ", "Term", ": definition",
        "3. Three", "2) Two", "3) Three", "1.  Wide", "2.      Code", "2.", "3.\tTabbed",
        "10. Ten", "   Three in", "    1.  Nested one", "    2.  Nested two", "     > quoted",
        "  - bullet in", "   ---", "2.x", "   |a|b|",
    ]
)  # fmt: skip
DOCUMENTS = st.lists(LINES, max_size=40).map("\n".join)


@settings(max_examples=1000, deadline=None)  # lines are few: more cases to combine them
@given(DOCUMENTS)
def test_a_text_parsed_in_chunks_has_the_units_of_the_whole_text_parsed_at_once(text):
    assert units(text) == _chunk_units(text)  # chunks are cut only where no block goes on


def test_a_numbered_list_is_parsed_item_by_item_where_its_numbers_allow():
    text = "\n".join(
        f"{n}.  **Clause {n}.** Words of clause {n}.\n\n    1.  Nested in {n}.\n    2.  More."
        for n in range(1, 6)
    )
    assert [chunk[:3] for chunk in _chunks(text)] == ["1. ", "2. ", "3. ", "4. ", "5. "]
    assert units(text) == _chunk_units(text)
    ones = text.replace("2.  **", "1.  **")  # its second item is number 2 all the same
    assert [chunk[:3] for chunk in _chunks(ones)] == ["1. ", "3. ", "4. ", "5. "]
    assert units(ones) == _chunk_units(ones)
    lazy = text.replace("    2.  More.\n3.", "    2.  More.\nlazy\n3.")  # "3." may be text
    assert [chunk[:3] for chunk in _chunks(lazy)] == ["1. ", "2. "]  # unsure of the rest
    assert units(lazy) == _chunk_units(lazy)


# Clause texts as provisions hold them: list items (bulleted, numbered, nested, indented) and
# paragraphs, code and tables, with blank lines that hold spaces.
clause_line = st.sampled_from(
    [
        "*   Item one.",
        "1.  First numbered.",
        "2\\. Kept number.",
        "    *   Nested item.",
        "    Continued text.",
        "        code or deeper",
        "    ",
        "",
        "Plain words here.",
        "| a | b |",
        "|---|---|",
        "```",
        "> quoted",
        "Heading\n-------",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(clause_line, min_size=1, max_size=8))
def test_an_excerpt_reads_the_words_of_the_clause_as_it_reads_alone(lines):
    """Parsed once when the clause is not one list item: the same words as parsing clause_text."""
    text = "\n".join(lines)
    words: list[str] = []
    for token in render._parser().parse(render.clause_text(text)):
        words.extend("".join(map(render._plain, token.children or ())).split())
    count = render.EXCERPT_WORDS
    expected = " ".join(words[:count]) + " …" if len(words) > count else " ".join(words)
    assert render.excerpt.__wrapped__(text) == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(clause_line, min_size=1, max_size=8), st.sampled_from([None, "https://a.example/t"])
)
def test_a_clause_renders_as_its_text_read_alone_would(lines, source_url):
    """Parsed once when the clause is not one list item: the HTML of ``policy(clause_text)``."""
    text = "\n".join([*lines, "[in page](#x) [relative](p)"])
    expected = render.policy.__wrapped__(render.clause_text(text), source_url)
    assert render.clause_html.__wrapped__(text, source_url) == expected
