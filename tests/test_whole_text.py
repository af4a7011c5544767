"""Whole texts: every word of a document reaches its page, past markdown-it's nesting limit too."""

import json
import re
from pathlib import Path

from lxml import html

from termline.build import BuildOptions, build
from termline.site.render import policy

WORD = re.compile(r"\w+")


def _words(count: int, prefix: str) -> list[str]:
    return [f"{prefix}{n}" for n in range(count)]


def _documents() -> dict[str, str]:
    lists = "".join("  " * depth + f"- {word}\n" for depth, word in enumerate(_words(200, "l")))
    quotes = "> " * 500 + "deep quoted words\n" + "> " * 500 + "and more of them\n"
    mixed = "".join("  " * depth + f"- > {word}\n" for depth, word in enumerate(_words(60, "m")))
    stars = "".join(
        "    " * depth + f"* {word} *emphasis*\n" for depth, word in enumerate("abcdefghijklmnop")
    )
    return {
        "acme/lists.md": f"# Lists\n\n## Deep\n\n{lists}\nAfter the list.\n\n## Next\n\nLast.\n",
        "acme/quotes.md": f"# Quotes\n\n{quotes}\nAfter the quote.\n",
        "acme/mixed.md": f"# Mixed\n\n{mixed}\n\nThe end.\n\n{stars}\nTail.\n",
        "acme/plain.md": "# Plain\n\n## One\n\nSome text.\n\n- a list\n- of two\n\n> a quote\n",
    }


def _page_words(page: Path) -> list[str]:
    (text,) = html.parse(str(page)).getroot().find_class("policy")
    return WORD.findall(text.text_content())


def test_every_document_page_shows_every_word_of_its_document(make_repo, tmp_path):
    repo = make_repo()
    documents = _documents()
    repo.commit(documents, "Start", "2024-01-01T00:00:00Z")
    out = tmp_path / "site"
    build(BuildOptions(repo=repo.path, archive=".", out=out, search=False))
    index = json.loads((out / "data/index.json").read_text())
    pages = {
        d["path"]: out / d["url"] / "index.html" for p in index["platforms"] for d in p["documents"]
    }
    assert set(pages) == set(documents)
    for path, text in documents.items():
        assert _page_words(pages[path]) == WORD.findall(text), path


def test_text_past_the_nesting_limit_is_flattened_not_nested_or_dropped():
    deep = "".join("  " * depth + f"- w{depth}\n" for depth in range(30)) + "\nafter\n"
    rendered = str(policy(deep))
    assert WORD.findall(re.sub(r"<[^>]+>", " ", rendered)) == WORD.findall(deep)
    assert rendered.count("<ul>") < 30  # the deepest items are paragraphs, not more lists
    assert rendered.rstrip().endswith("<p>after</p>")
    quoted = "> " * 100 + "[link](javascript:alert(1)) <b>bold</b>\n"
    rendered = str(policy(quoted))
    assert "href" not in rendered and "&lt;b&gt;bold&lt;/b&gt;" in rendered  # text, still safe


def test_html_line_breaks_read_as_breaks_and_nothing_else_as_html():
    # Open Terms Archive's tables break cells with <br>, and raw HTML is off: ChatGPT's legal
    # bases read "Identity and Contact Data<br>* Payment Information<br>*".
    text = (
        "## Logo<br><br>Google Cloud\n\n| Data | Basis |\n|---|---|\n"
        "| Identity Data<br>* Payment Data<BR/> | Contract |\n\n"
        "Kept `a<br>b` <script>alert(1)</script><br />\n"
    )
    page = html.fragment_fromstring(str(policy(text)), create_parent="div")
    assert page.xpath("string(//h2)").split() == ["Logo", "Google", "Cloud"]
    cell = page.xpath("//td")[0]
    assert [br.tail for br in cell.xpath("br")] == ["\n* Payment Data", "\n"]
    assert cell.text == "Identity Data"
    assert page.xpath("string(//code)") == "a<br>b"  # code shows its text as written
    assert "<script>" in page.xpath("string(//p)") and not page.xpath("//script")


def test_a_bullet_typed_in_a_list_item_is_not_shown_twice():
    # Llama API's acceptable use policy: "*   •Violate the law …" read "• •Violate the law".
    text = "*   \u2022Violate the law\n*   \u2022 Engage in harassment\n*   Keep \u2022 inside\n"
    page = html.fragment_fromstring(str(policy(text)), create_parent="div")
    assert [li.text for li in page.xpath("//li")] == [
        "Violate the law",
        "Engage in harassment",
        "Keep \u2022 inside",
    ]
