"""The genai-eu site in headless Chromium: diffs (version and compare pages) read as text,
in-page anchors resolve."""

import re
from html import escape, unescape
from pathlib import Path

import pytest

from conftest import clone_bundle
from termline.build import BuildOptions, build
from test_browser import serve
from test_site import broken_links, parse

SYNTAX = re.compile(r"\]\(|\*\*|\\\.|##|(?:^|\s)(?:={3,}|-{3,})(?=\s|$)")
# Chromium's own parser reads each page (DOMParser: no layout, no requests), 100 pages a call.
DIFF_TEXTS = """pages => pages.map(html => {
  const page = new DOMParser().parseFromString(html, 'text/html');
  return [...page.querySelectorAll('.diff')].map(d => {
    d.querySelectorAll('pre, .retarget').forEach(e => e.remove());  // code is shown as is
    return d.textContent;
  }).join('\\n');
})"""
COMPARED = """() => {
  const copy = document.getElementById('comparison').cloneNode(true);
  copy.querySelectorAll('.code').forEach(e => e.remove());  // whole lines of code are shown as is
  return copy.textContent;
}"""
DONE = """() => /words? added|No words changed|Both sides/
  .test(document.getElementById('compare-status').textContent)"""
DEAD_ANCHORS = """() => [...document.querySelectorAll('a[href^="#"]')]
  .map(a => decodeURIComponent(a.getAttribute('href').slice(1)))
  .filter(id => id && !document.getElementById(id))"""

pytestmark = [pytest.mark.browser, pytest.mark.data]


@pytest.fixture(scope="module")
def genai_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("genai")
    repo = clone_bundle("ota-genai-eu-versions.bundle", root)
    out = root / "site"
    build(BuildOptions(repo=repo, archive=".", out=out, search=False))
    return out


def test_no_markdown_syntax_in_any_version_diff(genai_site: Path, browser, tmp_path):
    versions = sorted(genai_site.glob("platforms/*/*/versions/*/index.html"))
    assert len(versions) > 900
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    found = {}
    read = 0
    for start in range(0, len(versions), 100):
        batch = versions[start : start + 100]
        texts = page.evaluate(DIFF_TEXTS, [path.read_text() for path in batch])
        for path, text in zip(batch, texts, strict=True):
            read += bool(text.strip())
            match = SYNTAX.search(text)
            if match:
                found[str(path.relative_to(genai_site))] = text[max(0, match.start() - 60) :][:120]
    assert not found, found
    assert read > 600  # the diffs were found and read (revert pages link theirs instead)
    chatgpt = genai_site / "platforms/chatgpt/privacy-policy/versions/2026-06-29-e4abfdd/index.html"
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(chatgpt.as_uri())
        page.screenshot(path=tmp_path / f"genai-version-{width}.png", full_page=True)
    page.close()


# A clause whose heading is glued from a page's menu: "All CollectionsConnectorsGeneral…".
GLUED = "platforms/claude-ai/developer-terms/versions/2026-08-14-2250c42/index.html"


def test_version_pages_with_a_table_or_a_long_word_fit_a_phone(genai_site: Path, browser):
    # A changed link's hidden "(link target changed)" label is placed absolutely: in a table's
    # scroll box that did not contain it, it made grok's trackers-policy pages 535 px wide.
    # The glued heading, in the list of clauses touched, made Claude's page 410 px wide.
    tables = [
        path
        for path in sorted(genai_site.glob("platforms/*/*/versions/*/index.html"))
        if 'class="diff-table"' in path.read_text()
    ]
    assert len(tables) > 20
    tables.append(genai_site / GLUED)
    page = browser.new_page(viewport={"width": 375, "height": 800})
    wide = {}
    for path in tables:
        page.goto(path.as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide[str(path.relative_to(genai_site))] = width
    page.close()
    assert not wide, wide


def test_every_link_and_anchor_across_the_site_resolves(genai_site: Path):
    # A provision page's crumb linked its document page at the provision's id, which a clause
    # numbered as a list item (Grok's "8. LIMITATION OF LIABILITY") or starting on a blank line
    # did not have on that page: 60 crumbs led nowhere.
    pages = {path: parse(path) for path in sorted(genai_site.rglob("*.html"))}
    del pages[genai_site / "search/index.html"]  # built without search: no Pagefind to load
    broken = broken_links(pages, genai_site)
    assert len(pages) > 3000
    assert not broken, "\n".join(broken[:40])


def test_every_in_page_anchor_resolves(genai_site: Path, browser):
    documents = sorted(genai_site.glob("platforms/*/*/index.html"))
    page = browser.new_page()
    dead = {}
    for path in documents:
        page.goto(path.as_uri())
        missing = page.evaluate(DEAD_ANCHORS)
        if missing:
            dead[str(path.relative_to(genai_site))] = missing[:3]
    assert not dead, dead
    page.close()


def test_no_markdown_syntax_in_any_comparison(genai_site: Path, browser, tmp_path):
    documents = sorted(genai_site.glob("platforms/*/*/compare/index.html"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    found, compared = {}, 0
    with serve(genai_site) as url:
        for path in documents:
            address = url + str(path.relative_to(genai_site))
            page.goto(address)
            values = page.locator("#compare-from option").evaluate_all("os => os.map(o => o.value)")
            if len(values) < 2:
                continue
            # The default (the latest news, without pressing Compare), then all of the history.
            for query in ("", f"?from={values[-1]}&to={values[0]}"):
                page.goto(address + query)
                page.wait_for_function(DONE)
                assert page.locator("#comparison").is_visible(), address + query
                text = page.evaluate(COMPARED)
                match = SYNTAX.search(text)
                if match:
                    found[address + query] = text[max(0, match.start() - 60) :][:120]
                compared += 1
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(url + "platforms/chatgpt/privacy-policy/compare/index.html")
        page.wait_for_function(DONE)
        page.screenshot(path=tmp_path / "genai-compare-375.png")
    page.close()
    assert compared > 100
    assert not found, found


CLAUSE_LINE = re.compile(
    r'<a href="\.\./\.\./versions/([^/]+)/index\.html">[^<]*</a>\s*'
    r'<span class="kind kind-substantive">[^<]*</span> <span class="status">[a-z]+</span> '
    r'<span class="words"><ins>\+(\d+)</ins> <del>\u2212(\d+)</del>'
)
NAMED = re.compile(r"“([^”]+)”(?: \(([^)]*)\))?")


def test_a_clause_page_counts_its_words_as_its_version_summary_names_them(genai_site: Path):
    # A version's summary named "Changed “Fees” (+3 \u22121)" (words outside dates and link
    # targets) while the clause's page said +4 \u22122 (its word diff's) for the same change.
    checked = 0
    for page in genai_site.glob("platforms/*/*/provisions/*/index.html"):
        html = page.read_text()
        label = unescape(re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1))
        for version, added, removed in CLAUSE_LINE.findall(html):
            summary = (page.parents[2] / "versions" / version / "index.html").read_text()
            said = unescape(re.search(r'<p class="summary">(.*?)</p>', summary).group(1))
            named = {heading: words for heading, words in NAMED.findall(said)}
            touched = re.findall(r'provisions/[^/]+/index\.html">([^<]*)</a>', summary)
            if label in named and touched.count(escape(label, quote=False)) == 1:  # not a twin
                words = " ".join(w for w in (f"+{added}", f"\u2212{removed}") if w[1:] != "0")
                assert named[label] == words, (str(page.relative_to(genai_site)), version)
                checked += 1
    assert checked > 60  # 72 on genai-eu since error pages in part are passed by


COUNTS = re.compile(r"(\d+) added, (\d+) removed, (\d+) modified, (\d+) renamed")
TOUCHED = re.compile(r"<summary>(\d+) provisions? touched</summary>")


def test_a_version_counts_each_provision_it_touched_once(genai_site: Path):
    # Llama API's terms of 2026-07-08 read "0 added, 0 removed, 1 modified, 1 renamed" over
    # "1 provision touched": a clause both edited and renamed was counted twice.
    checked = 0
    for page in genai_site.glob("platforms/*/*/versions/*/index.html"):
        html = page.read_text()
        counts, touched = COUNTS.search(html), TOUCHED.search(html)
        if counts and touched:
            assert sum(map(int, counts.groups())) == int(touched.group(1)), page
            checked += 1
    assert checked > 300


def test_a_topic_page_quotes_a_platform_s_documents_before_repeating_one(genai_site: Path):
    # ChatGPT's column on AI training quoted its business privacy policy three times ("we do
    # not use your business data for training") and its consumer privacy policy not at all.
    page = (genai_site / "topics/ai-training/index.html").read_text()
    column = page.split(">ChatGPT</a></h3>")[1].split("</h3>")[0]
    named = re.findall(r'/provisions/[^"]+">([^<,]+),', column)[:3]
    assert len(named) == 3 and len(set(named)) == 3, named
    assert "Privacy Policy" in named
