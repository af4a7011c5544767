"""Rendered diffs: the Markdown is diffed, the reader sees the text (issue 16).

Headings, lists, tables, emphasis and links are shown as such, never as their Markdown; a link
whose target alone changed is marked, not struck through; link-only runs are folded; scraped
text stays escaped; a feed entry never stops at a heading.
"""

import re
from html import unescape

from termline.analysis.diff import CELL, Block, WordDiff, word_diff
from termline.site.diffs import FOLD_LINKS, diff_html
from termline.site.feeds import diff_html as feed_diff_html

SYNTAX = ("](", "**", "\\.", "##", "===")


def visible(html: str) -> str:
    """Return the text a browser shows of some HTML."""
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_markup_is_shown_rendered_and_only_changed_words_are_marked():
    old = (
        "Intro with **bold words** and a [help page](https://a.example/en/help).\n\n"
        "1\\. Scope\n\n* first item\n* second item\n\n"
        "| Data | Days |\n|---|---|\n| logs | 30 |\n| chats | 90 |\n"
    )
    new = (
        "Intro with **bold words** and a [help page](https://a.example/help).\n\n"
        "1\\. Scope\n\nTitle\n=====\n\n* first item\n* second item, changed\n\n"
        "| Data | Days |\n|---|---|\n| logs | 60 |\n| chats | 90 |\n"
    )
    diff = word_diff(old, new)
    html = str(diff_html(diff.blocks))
    text = visible(html)
    assert not [syntax for syntax in SYNTAX if syntax in text], text
    assert "<strong>bold words</strong>" in html
    assert '<h4 class="changed new"><ins>Title</ins></h4>' in html
    assert '<ul class="diff-list">' in html and "<ins>item, changed</ins>" in html
    assert "<td><del>30</del> <ins>60</ins></td>" in html and "<th>Days</th>" in html
    assert "1. Scope" in text
    # The link's words are unchanged: marked, not struck through, old and new in the tooltip.
    assert "<del>" not in html.split("Scope", maxsplit=1)[0]
    assert 'title="Link target changed: https://a.example/en/help → https://a.example/help"' in html
    assert (diff.words_added, diff.words_removed) == (4, 2)  # Title, item, changed, 60 / item, 30


def test_a_table_of_contents_is_folded_and_says_what_changed():
    toc = "".join(f"* [{n}\\. Part {n}](#part-{n})\n" for n in range(1, 8))
    diff = word_diff(f"Table of contents\n\n{toc}\nText.", "Text.")
    html = str(diff_html(diff.blocks))
    assert html.count("<details") == 1
    assert "7 links removed" in html
    assert "](" not in visible(html) and "\\." not in visible(html)
    short = word_diff("Text.", "Text.\n\n* [a](#a)\n* [b](#b)")  # fewer than FOLD_LINKS
    assert FOLD_LINKS > 2 and "<details" not in str(diff_html(short.blocks))


def test_scraped_text_stays_escaped():
    diff = word_diff("Safe.", 'Safe. <script>alert(1)</script> [x](javascript:alert(1) "t")')
    html = str(diff_html(diff.blocks))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("javascript:alert(1)", "")  # only as escaped text


def test_markup_left_as_text_by_a_bad_source_is_not_shown():
    old = "| ### Why | Info<br>more |\n|---|---|\n| a | b |\n\n**Unclosed.**Word\n\n====="
    new = old.replace("more", "less")
    text = visible(str(diff_html(word_diff(old, new, context=9).blocks)))
    assert not [syntax for syntax in (*SYNTAX, "<br>") if syntax in text], text


def test_a_feed_entry_never_stops_at_a_heading():
    long = Block("change", "<ins>" + "word " * 400 + "</ins>")
    diff = WordDiff((Block("heading", "First"), long, Block("heading", "Second"), long), 800, 0)
    html = feed_diff_html(diff, limit=100)
    assert "First" in html and "word" in html and "Second" not in html
    assert html.endswith("(more on the version page)</p>")


def test_table_cells_are_parted_in_the_html():
    diff = word_diff("| a | b |\n|---|---|\n| c | d |", "| a | b |\n|---|---|\n| c | e |")
    html = str(diff_html(diff.blocks))
    assert CELL not in html
    assert "<td>c</td> <td><del>d</del> <ins>e</ins></td>" in html


def test_the_same_paragraphs_parsed_another_way_are_unchanged():
    # Lines of spaces between them made the old text's chunks go through the Markdown parser and
    # the new one's through the plain-paragraph path: the same words differed by style identity.
    old = "  \n\nFirst paragraph here.\n\n  \n\n  \n\nSecond paragraph of words.\n\n  \n\nThird."
    new = "First paragraph here.\n\nSecond paragraph of words.\n\nThird."
    assert [block.kind for block in word_diff(old, new).blocks] == ["skip"]
