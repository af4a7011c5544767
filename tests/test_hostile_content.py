"""Hostile content never reaches a page, feed or JSON file as executable markup or a bad URL.

One real git archive of hostile documents is built once, search on, and every file of the site
is parsed (lxml for HTML and XML, feedparser for feeds, json for data): the assertions look at
elements, attributes and URLs as a browser would see them, not at one spelling of an attack.
"""

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest

from termline.build import BuildOptions, build

ATTACKS = """\
# Terms <script>alert(1)</script>

<script>alert("block")</script>

<img src=x onerror=alert(2)> and <iframe src="javascript:alert(3)"></iframe>

<object data="x.swf"></object><embed src="x.swf">

<style>body { display: none }</style>

<svg onload=alert(4)><script>alert(5)</script></svg>

<!-- a comment --> <a href="javascript:alert(6)" onclick="alert(7)">inline tag</a>

<form action="javascript:alert(8)"><button formaction="javascript:alert(9)">go</button></form>

## Links

[plain](javascript:alert(10)) [upper](JaVaScRiPt:alert(11)) [vb](vbscript:msgbox(12))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMyk8L3NjcmlwdD4=) [png](data:image/png;base64,iVBO)
[gif](<DATA:image/gif;base64,R0lG>) [file](file:///etc/passwd)
[entity](&#106;avascript:alert(14)) [hex](&#x6A;avascript:alert(15))
[named](javascript&colon;alert(16)) [tab](java\tscript:alert(17))
[spaced](<java script:alert(18)>) [lead](<  javascript:alert(19)>)
[nul](java\x00script:alert(20)) [newline](<java
script:alert(21)>) [percent](%6Aavascript:alert(22))

<javascript:alert(23)> <JAVASCRIPT:alert(24)> <data:text/html,<script>alert(25)</script>>

![img](javascript:alert(26)) ![svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMjcpPg==)
![ref][bad]

[reference][bad] [other][vb] [collapsed][]

[bad]: javascript:alert(28)
[vb]: VBSCRIPT:msgbox(29)
[collapsed]: &#x09;javascript:alert(30)

## Zero\u200bwidth \u202eRTL\u202c override

Text with \u2066isolates\u2069 and \u200f marks.

| <script>alert(31)</script> | [cell](javascript:alert(32)) |
|---|---|
| <img src=x onerror=alert(33)> | ok |

```html
<script>alert(34)</script>
```

    <script>alert(35)</script>

Long line: {long}
"""

NESTED = 2_000
HEADINGS = 10_000


def _documents(version: int) -> dict[str, str]:
    long = ("word " * 40_000) + f"v{version}"
    attacks = ATTACKS.replace("{long}", long)
    if version == 2:
        attacks = attacks.replace("alert(", "confirm(") + "\n<script>alert('new')</script>\n"
    headings = "".join(f"## Section {n} <b>{version}</b>\n\nText {n}.\n\n" for n in range(HEADINGS))
    lists = "".join("  " * depth + "- item\n" for depth in range(NESTED))
    quotes = "> " * NESTED + f"deep <script>alert({version})</script>\n"
    brackets = "[" * NESTED + "x" + "]" * NESTED + "(javascript:alert(1))\n"
    return {
        "acme/terms.md": attacks,
        "acme/headings.md": f"# Many\n\n{headings}",
        "acme/nested.md": f"# Nested\n\n{lists}\n{quotes}\n{brackets}\nv{version}\n",
        "\u202eevil\u200b <script>/\u200btos\u202e <img onerror=x>.md": attacks,
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import GitRepo  # noqa: PLC0415

    root = tmp_path_factory.mktemp("hostile-content")
    (root / "repo").mkdir()
    repo = GitRepo(root / "repo")
    repo.commit(_documents(1), "Start <script>alert(1)</script>", "2024-01-01T00:00:00Z")
    repo.commit(_documents(2), "Update", "2024-02-01T00:00:00Z")
    out = root / "site"
    build(BuildOptions(repo=repo.path, archive=".", out=out, search=True))
    return out


CONTROL = re.compile(r"[\x00-\x20\x7f]+")
DANGEROUS = ("javascript", "data", "vbscript")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href", "poster")
CONTENT_TAGS = ("iframe", "object", "embed", "style", "frame", "frameset", "applet", "base")


def scheme(url: str) -> str:
    """Return a URL's scheme as a browser reads it: entities decoded, controls gone, lowercase."""
    cleaned = CONTROL.sub("", html.unescape(url)).lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned.split("/", 1)[0] else ""


def test_scheme_reads_urls_as_a_browser_does():
    assert scheme("&#106;ava\tscript:alert(1)") == "javascript"
    assert scheme(" JaVa\nScRiPt:x") == "javascript"
    assert scheme("java\x00script:x") == "javascript"
    assert scheme("https://example.com/a:b") == "https"
    assert scheme("../x/index.html") == ""


def _pages(site: Path) -> Iterator[Path]:
    yield from sorted(site.rglob("*.html"))


def _assert_safe_tree(tree: lxml.etree._Element, where: str, scripts: set[str]) -> None:
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions are not rendered
        tag = element.tag.rsplit("}", 1)[-1].lower()
        assert tag not in CONTENT_TAGS, f"{where}: <{tag}>"
        if tag == "script":
            assert element.get("src") in scripts and not (element.text or "").strip(), where
        if tag in {"svg", "math"} and not _own_timeline(element):
            raise AssertionError(f"{where}: <{tag}> from content")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            assert not local.startswith("on"), f"{where}: <{tag} {name}={value!r}>"
            if local in URL_ATTRIBUTES or name in URL_ATTRIBUTES:
                assert scheme(value) not in DANGEROUS, f"{where}: <{tag} {name}={value!r}>"


def _own_timeline(element: lxml.etree._Element) -> bool:
    """Tell whether an <svg> is one of the site's own timelines, outside any scraped text."""
    outside = not any(
        {"policy", "diff"} & set((parent.get("class") or "").split())
        for parent in element.iterancestors()
    )
    return element.tag == "svg" and element.get("class") == "timeline" and outside


def _own_scripts(page: Path, site: Path, names: list[str]) -> set[str]:
    root = "../" * (len(page.relative_to(site).parts) - 1)
    return {root + name for name in names}


def test_pages_hold_no_executable_markup_or_dangerous_url(site):
    pages = list(_pages(site))
    assert len(pages) > 20
    scripts = [p.relative_to(site).as_posix() for p in (site / "static").glob("*.js")]
    scripts.append("pagefind/pagefind-ui.js")
    for page in pages:
        if page.relative_to(site).parts[0] == "pagefind":
            continue  # Pagefind's own UI fragments
        tree = lxml.html.fromstring(page.read_bytes())
        where = str(page.relative_to(site))
        _assert_safe_tree(tree, where, _own_scripts(page, site, scripts))
        assert tree.find(".//main") is not None, f"{where} has no <main>"
        csp = tree.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')
        assert csp and "script-src 'self'" in csp[0] and "'unsafe-inline'" not in csp[0], where


def test_hostile_text_is_shown_as_text(site):
    page = site / "platforms/acme/terms/index.html"
    text = lxml.html.fromstring(page.read_bytes()).text_content()
    assert "<script>" in text and "onerror=" in text  # shown, escaped, not dropped
    assert "alert" in text or "confirm" in text


def test_feeds_parse_and_their_entries_are_safe(site):
    feeds = sorted(site.rglob("*.xml"))
    assert any(f.name == "feed.xml" for f in feeds)
    for path in feeds:
        where = str(path.relative_to(site))
        tree = lxml.etree.parse(str(path), lxml.etree.XMLParser(resolve_entities=False))
        for element in tree.iter():
            if isinstance(element.tag, str):
                for name, value in element.attrib.items():
                    assert scheme(value) not in DANGEROUS, f"{where}: {name}={value!r}"
        if path.name not in ("feed.xml", "rss.xml"):
            continue
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{where}: {parsed.bozo_exception}"
        for entry in parsed.entries:
            assert scheme(entry.get("link", "")) not in DANGEROUS, where
            for content in [*entry.get("content", []), entry.get("summary_detail", {})]:
                value = content.get("value", "") if content else ""
                if value:
                    fragment = lxml.html.fragment_fromstring(value, create_parent="div")
                    _assert_safe_tree(fragment, f"{where} entry {entry.get('id')}", set())


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_json_parses_and_holds_no_dangerous_url_or_markup(site):
    files = [p for p in sorted(site.rglob("*.json")) if "pagefind" not in p.parts]
    assert files
    for path in files:
        where = str(path.relative_to(site))
        for value in _strings(json.loads(path.read_text(encoding="utf-8"))):
            assert scheme(value) not in DANGEROUS or " " in value.strip(), f"{where}: {value!r}"


def test_every_provision_of_ten_thousand_headings_has_its_page(site):
    provisions = site / "platforms/acme/headings/provisions"
    assert len([p for p in provisions.iterdir() if p.is_dir()]) >= HEADINGS


def test_hostile_names_are_shown_as_text(site):
    data = json.loads((site / "data/index.json").read_text())
    names = [p["name"] for p in data["platforms"]]
    evil = next(n for n in names if "evil" in n)
    assert "<script>" in evil  # the name is kept, as text
    for platform in data["platforms"]:
        for document in platform["documents"]:
            assert document["url"].isascii() and "<" not in document["url"]


def test_the_checks_catch_what_they_look_for():
    for bad in (
        '<a href=" &#106;ava&#x09;script:x">a</a>',
        '<img src="x" onerror="alert(1)">',
        '<form><button formaction="VBScript:x">b</button></form>',
        "<iframe></iframe>",
        "<script>alert(1)</script>",
    ):
        tree = lxml.html.fragment_fromstring(bad, create_parent="div")
        with pytest.raises(AssertionError):
            _assert_safe_tree(tree, "fragment", set())


def test_a_sixteen_megabyte_document_of_repeated_lines_builds(make_repo, tmp_path):
    """difflib was quadratic on 200,000 often identical lines (minutes); now it is bounded."""
    line = "We may share your data with our partners for the purposes described here.\n"
    lines = [line if n % 7 else f"Clause {n % 50} applies.\n" for n in range(200_000)]
    changed = list(lines)
    changed[5], changed[100_000] = "Changed near the top.\n", "A new sentence in the middle.\n"
    repo = make_repo()
    repo.commit({"acme/terms.md": "# Terms\n\n" + "".join(lines)}, "Start", "2024-01-01T00:00:00Z")
    repo.commit({"acme/terms.md": "# Terms\n\n" + "".join(changed)}, "Edit", "2024-02-01T00:00:00Z")
    out = tmp_path / "site"
    build(BuildOptions(repo=repo.path, archive=".", out=out, search=False))
    data = json.loads((out / "data/acme/terms.json").read_text())
    assert len(data["versions"]) == 2
    page = next((out / "platforms/acme/terms/versions").glob("2024-02-01-*/index.html"))
    inserted = " ".join(
        i.text_content() for i in lxml.html.fromstring(page.read_bytes()).iter("ins")
    )
    assert "Changed near" in inserted and "A new sentence in middle." in inserted
