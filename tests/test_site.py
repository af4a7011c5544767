"""The built demo site as a whole: links, anchors, markup rules, sitemap, reproducibility."""

import dataclasses
import gzip
import html
import json
import os
import posixpath
import subprocess
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import git
import pytest

from termline.analysis.changes import Change
from termline.analysis.history import Version
from termline.analysis.topics import Topic
from termline.build import BuildOptions, build, read_platforms
from termline.site.compare import Texts, texts_file
from termline.site.library import summarise
from termline.site.output import Output
from termline.site.pages import write_change_lists
from termline.site.render import (
    EXCERPT_WORDS,
    Listed,
    Site,
    clause_text,
    default_templates,
    environment,
    excerpt,
    policy,
)
from termline.site.timeline import month_counts
from termline.sources import load_config

BASE = "https://example.org/policies/"
LANDMARKS = {"header", "nav", "main", "footer"}


class Page(HTMLParser):
    """What the checks need from one HTML file: links, ids, headings, scripts, landmarks."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.headings: list[int] = []
        self.tags: set[str] = set()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.add(tag)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.links.append(values[name])
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        if tag == "script":
            self._in_script = "src" not in values
        if "style" in values or any(name.startswith("on") for name in values):
            self.problems.append(f"inline style or handler on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script")


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def pages(demo_site: Path) -> dict[Path, Page]:
    return {path: parse(path) for path in sorted(demo_site.rglob("*.html"))}


def _target(page: Path, link: str) -> tuple[Path, str] | None:
    """Return the file and fragment an internal link points to, None for external links."""
    parts = urlsplit(link)
    if parts.scheme or link.startswith("//"):
        return None
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    return target, parts.fragment


def test_every_internal_link_and_anchor_resolves(pages: dict[Path, Page], demo_site: Path):
    broken = broken_links(pages, demo_site)
    assert len(pages) > 50
    assert not broken, "\n".join(broken[:40])


def broken_links(pages: dict[Path, Page], site: Path) -> list[str]:
    """Return the site's links to a file or an id that is not there, each with its page."""
    broken = []
    for path, page in pages.items():
        for link in page.links:
            found = _target(path, link)
            if found is None:
                continue
            target, fragment = found
            where = f"{path.relative_to(site)}: {link}"
            if urlsplit(link).path.endswith("/"):
                broken.append(f"{where} (ends in a folder: breaks on file://)")
            elif not target.is_file():
                broken.append(f"{where} (no such file)")
            elif fragment and fragment not in _ids(target, pages):
                broken.append(f"{where} (no #{fragment} there)")
    return broken


def _ids(target: Path, pages: dict[Path, Page]) -> set[str]:
    return pages[target].ids if target in pages else set()


def test_links_are_relative_so_the_site_works_from_a_sub_path(pages: dict[Path, Page]):
    rooted = [
        (path.name, link) for path, page in pages.items() for link in page.links if link[:1] == "/"
    ]
    assert not rooted


def test_pages_have_landmarks_ordered_headings_and_no_inline_code(pages, demo_site: Path):
    problems = []
    for path, page in pages.items():
        name = path.relative_to(demo_site).as_posix()
        if name.startswith("pagefind/"):
            continue
        problems += [f"{name}: {problem}" for problem in page.problems]
        if missing := LANDMARKS - page.tags:
            problems.append(f"{name}: no {sorted(missing)}")
        if page.headings.count(1) != 1 or page.headings[0] != 1:
            problems.append(f"{name}: needs exactly one h1, first")
        jumps = [
            (a, b) for a, b in zip(page.headings, page.headings[1:], strict=False) if b > a + 1
        ]
        if jumps:
            problems.append(f"{name}: heading levels skip {jumps}")
    assert not problems, "\n".join(problems[:40])


def test_every_page_has_the_csp_and_links_its_feeds(demo_site: Path):
    version = next((demo_site / "platforms/chirpy/privacy-policy/versions").iterdir())
    html = (version / "index.html").read_text()
    assert "script-src 'self' 'wasm-unsafe-eval'" in html
    feeds = [line for line in html.splitlines() if 'type="application/atom+xml"' in line]
    folder = version.relative_to(demo_site).as_posix()  # the site's feed, and its document's
    links = [f.split('href="')[1].split('"')[0] for f in feeds]
    heads = [posixpath.normpath(posixpath.join(folder, link)) for link in links]
    assert heads == ["feed.xml", "platforms/chirpy/privacy-policy/feed.xml"]


def test_changes_are_paginated_and_filtered(demo_site: Path, pages: dict[Path, Page]):
    changes = demo_site / "changes"
    assert (changes / "index.html").is_file()
    platform = parse(changes / "platform/chirpy/index.html")
    versions = [link for link in platform.links if "/versions/" in link]
    assert versions and all("platforms/chirpy/" in link for link in versions)
    assert (changes / "type/privacy-policy/index.html").is_file()
    assert (changes / "kind/first/index.html").is_file()


def test_change_lists_are_paged_from_the_oldest_so_old_pages_never_change(
    make_repo, tmp_path: Path
):
    repo = make_repo()
    for day in range(250):
        repo.commit(
            {"archive/a/terms.md": f"# Terms\n\nVersion {day}.\n"},
            "Update",
            f"2024-{1 + day // 28:02d}-{1 + day % 28:02d}T00:00:00Z",
        )
    out, cache = tmp_path / "site", tmp_path / "cache"
    build(BuildOptions(repo=repo.path, out=out, search=False, cache=cache))
    newest, oldest = parse(out / "changes/index.html"), parse(out / "changes/1/index.html")
    assert sum("/versions/" in link for link in newest.links) == 150  # 100 to 199 on the first
    assert sum("/versions/" in link for link in oldest.links) == 100
    assert "1/index.html" in newest.links
    assert "../index.html" in oldest.links
    assert "2024-01-01" in (out / "changes/1/index.html").read_text()
    assert not (out / "changes/2").exists()
    page = out / "changes/1/index.html"
    inode, mtime = page.stat().st_ino, page.stat().st_mtime_ns
    repo.commit({"archive/a/terms.md": "# Terms\n\nOne more.\n"}, "Update", "2025-01-01T00:00:00Z")
    build(BuildOptions(repo=repo.path, out=out, search=False, cache=cache))
    assert (page.stat().st_ino, page.stat().st_mtime_ns) == (inode, mtime)
    assert sum("/versions/" in link for link in parse(out / "changes/index.html").links) == 151


def test_sitemap_and_robots_use_the_base_url(demo_repo: Path, tmp_path: Path):
    out = tmp_path / "site"
    build(BuildOptions(repo=demo_repo, out=out, search=False, base_url=BASE.rstrip("/")))
    index = (out / "sitemap.xml").read_text()
    maps = sorted((out / "sitemaps").glob("*.xml"))
    assert {f"<loc>{BASE}sitemaps/{m.name}</loc>" for m in maps} == set(
        line.removeprefix("<sitemap>").removesuffix("</sitemap>")
        for line in index.splitlines()
        if line.startswith("<sitemap>")
    )
    sitemap = "".join(m.read_text() for m in maps)
    assert f"<loc>{BASE}</loc>" in sitemap
    assert f"<loc>{BASE}platforms/chirpy/privacy-policy/</loc>" in sitemap
    assert "/versions/" not in sitemap  # near-duplicates stay out of search engines' lists
    assert f"Sitemap: {BASE}sitemap.xml" in (out / "robots.txt").read_text()
    not_found = (out / "404.html").read_text()
    assert f'href="{BASE}static/style.css"' in not_found  # 404 is served at any depth


def _files(root: Path) -> dict[Path, bytes]:
    """Return every file termline wrote. Pagefind's own filter and metadata indexes are left
    out: their bytes change from run to run (upstream Pagefind/pagefind#638)."""
    return {
        p.relative_to(root): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(root).parts[0] != "pagefind"
    }


def test_same_history_same_bytes(demo_repo: Path, demo_site: Path, tmp_path: Path):
    again = tmp_path / "again"
    build(BuildOptions(repo=demo_repo, out=again))
    first, second = _files(demo_site), _files(again)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_source_date_epoch_sets_the_date_shown(demo_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    out = tmp_path / "site"
    build(BuildOptions(repo=demo_repo, out=out, search=False))
    assert 'Updated <time datetime="2026-01-01">' in (out / "index.html").read_text()


def test_compare_texts_store_each_line_once_and_rebuild_every_version(
    demo_repo: Path, demo_site: Path
):
    repo = git.Repo(demo_repo)
    for path in demo_site.glob("platforms/*/*/texts.json.gz"):
        stored = json.loads(gzip.decompress(path.read_bytes()))
        assert len(stored["lines"]) == len(set(stored["lines"]))
        for blob, runs in stored["texts"].items():
            lines = [
                line
                for start, count in zip(runs[::2], runs[1::2], strict=True)
                for line in stored["lines"][start : start + count]
            ]
            assert "\n".join(lines) == repo.git.cat_file("-p", blob, strip_newline_in_stdout=False)
    documents = list(demo_site.glob("platforms/*/*/index.html"))
    assert len(list(demo_site.glob("platforms/*/*/texts.json.gz"))) == len(documents) >= 8


def test_scraped_links_point_at_the_source_and_images_are_not_loaded():
    html = policy(
        "# Terms\n\n#### Deep\n\n[a](/help) [b](#top) ![Logo](/logo.png)\n\n###### Deeper\n",
        "https://acme.example/legal/terms",
    )
    assert '<a href="https://acme.example/help">a</a>' in html
    # An in-page link naming no provision goes to the source page's own anchor (no dead link).
    assert '<a href="https://acme.example/legal/terms#top">b</a>' in html
    assert "<img" not in html and "Logo" in html
    assert [int(tag[2]) for tag in html.split() if tag.startswith("<h")] == [2, 3, 4]
    assert 'href="/help"' not in policy("[a](/help)")


def test_excerpt_is_the_first_words_as_plain_text_escaped_by_the_template():
    text = "## Heading\n\n**Bold** <b>raw</b> [a link](https://e.example/x) `code`\n\n"
    text += " ".join(f"w{i}" for i in range(100))
    short = excerpt(text)
    assert short.startswith("Heading Bold <b>raw</b> a link code w0 w1")
    assert "https://" not in short and "**" not in short and "`" not in short
    assert short.endswith(" …") and len(short.split()) == EXCERPT_WORDS + 1
    assert excerpt("Few words.") == "Few words."
    linked = "Opt out (in [your settings](/s)).\nOr write."
    assert excerpt(linked) == "Opt out (in your settings). Or write."
    rendered = environment(default_templates()).from_string("{{ t|excerpt }}").render(t=text)
    assert "&lt;b&gt;raw&lt;/b&gt;" in rendered and "<b>" not in rendered


# Clauses as Open Terms Archive's Markdown cuts them from list items: the item's indentation
# kept, its blank lines indented too (Meta AI's terms, Llama API's acceptable use policy).
ITEM_CLAUSE = (
    "    \n    If any portion of these Terms is found to be unenforceable, it will be severed.\n"
    "    \n    Any amendment must be made in writing.\n    "
)
NESTED_LIST = "        *   •Violence or terrorism\n        *   •Sexual solicitation\n        "
NUMBERED_ITEM = (
    "2.  **Limitation of Liability**. EACH PARTY'S TOTAL LIABILITY WILL NOT EXCEED THE FEES:\n"
    "    \n    (a) EXCEPT FOR INDEMNIFICATION;\n    \n    (b) OR CONFIDENTIALITY.\n    "
)


def test_a_clause_cut_from_a_list_item_reads_as_prose_not_code():
    html = policy(clause_text(ITEM_CLAUSE))
    assert "<pre" not in html and "<code" not in html
    assert html.startswith("<p>If any portion") and "<p>Any amendment must" in html
    assert "<pre" in policy(ITEM_CLAUSE)  # what markdown-it makes of the text as stored
    listed = policy(clause_text(NESTED_LIST))
    assert "<pre" not in listed and listed.count("<li>") == 2 and "<li>Violence" in listed


def test_a_clause_that_is_one_list_item_reads_as_a_paragraph_keeping_its_number():
    html = policy(clause_text(NUMBERED_ITEM))
    assert "<ol" not in html and "<pre" not in html
    assert html.startswith("<p>2. <strong>Limitation of Liability</strong>")
    assert "<p>(a) EXCEPT FOR INDEMNIFICATION;</p>" in html
    bullet = "*   •Violate the law, including to:\n    \n    *   •Infringe\n    *   •Engage"
    html = policy(clause_text(bullet))
    assert html.startswith("<p>•Violate the law, including to:</p>\n<ul>")
    assert html.count("<li>") == 2
    # An item holding one item holding a list of several: the outer number alone is dropped.
    nested = "9.  *   3\\. YOU AGREE:\n        \n        *   (a) ONE;\n*   6\\. SIX."
    assert policy(clause_text(nested)) == policy(nested)


def test_a_clause_keeps_its_real_code():
    fenced = (
        "    \n    Send the header:\n    \n    ```\n    Authorization: KEY\n        x: 1\n    ```\n"
    )
    html = policy(clause_text(fenced))
    assert "<p>Send the header:</p>" in html
    assert "<pre><code>Authorization: KEY\n    x: 1\n</code></pre>" in html
    style = "    font-family: Inter, sans-serif;\n    font-size: 80px;\n    "  # under a heading
    assert clause_text(style).startswith("    font-family")
    assert "<pre><code>font-family: Inter" in policy(clause_text(style))
    after_a_blank = "\n" + style  # a truly empty line first: not a list item's residue
    assert "<pre><code>font-family: Inter" in policy(clause_text(after_a_blank))


def test_an_outdented_clause_still_renders_no_raw_html():
    html = policy(clause_text("    \n    <script>alert(1)</script>\n    \n    <b>bold</b> words\n"))
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt; words" in html


def test_the_excerpt_of_a_list_item_clause_has_its_words():
    assert excerpt(ITEM_CLAUSE).startswith("If any portion of these Terms")
    assert excerpt(NESTED_LIST) == "Violence or terrorism Sexual solicitation"
    assert excerpt(NUMBERED_ITEM).startswith("2. Limitation of Liability. EACH PARTY'S")


def test_missing_chromium_fails_with_the_install_command(tmp_path: Path):
    """The browser fixture (conftest.py, loaded as a plugin) fails at once, naming the fix."""
    test = tmp_path / "test_needs_chromium.py"
    test.write_text("def test_needs_chromium(browser):\n    assert browser.version\n")
    env = {
        **os.environ,
        "TERMLINE_CHROMIUM": str(tmp_path / "no-chromium"),
        "PYTHONPATH": str(Path(__file__).parent),
    }
    env.pop("TERMLINE_SKIP_BROWSER", None)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest"]
    command += ["--rootdir", str(tmp_path)]
    result = subprocess.run(
        [*command, str(test)], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "apt-get install chromium" in result.stdout
    skipped = subprocess.run(
        [*command, str(test)],
        env={**env, "TERMLINE_SKIP_BROWSER": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout


def test_topics_become_a_filter_of_the_change_list(demo_repo: Path, tmp_path: Path):
    platforms = read_platforms(demo_repo, "archive", load_config(demo_repo / "sources.toml"))
    chirpy = platforms[0]
    chirpy = dataclasses.replace(chirpy, documents=tuple(map(summarise, chirpy.documents)))
    terms = next(d for d in chirpy.documents if d.slug == "terms-of-service")
    latest = dataclasses.replace(terms.latest, topics=("arbitration",))
    site = Site(
        title="t",
        platforms=(chirpy,),
        changes=(Listed(chirpy, terms, latest), Listed(chirpy, terms, terms.first)),
        topics=(Topic("arbitration", "Arbitration", "Disputes.", ()),),
    )
    out = Output(tmp_path / "site")
    write_change_lists(site, environment(default_templates()), out)
    out.commit()
    page = (tmp_path / "site/changes/topic/arbitration/index.html").read_text()
    assert "<h1>Topic: Arbitration</h1>" in page
    assert page.count('<li class="change') == 1
    assert html.escape(latest.summary, quote=False) in page  # the line says what changed


def test_compare_texts_extended_with_new_versions_equal_a_fresh_file():
    texts = {"a": "one\ntwo\nthree", "b": "one\n2\nthree", "c": "zero\none\ntwo", "d": ""}
    earlier = Texts(("a", "b"), texts_file(["a", "b"], texts.__getitem__))
    read: list[str] = []

    def text(blob: str) -> str:
        read.append(blob)
        return texts[blob]

    extended = texts_file(["a", "b", "c", "d"], text, earlier)
    assert read == ["c", "d"]  # the texts the earlier file held are not read again
    assert extended == texts_file(["a", "b", "c", "d"], texts.__getitem__)


def change(day: str, kind: str) -> Change:
    """Return a change of some kind on a day, for counts by month."""
    date = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return Change(Version("a" * 40, date, "b", ""), None, kind)


def test_month_counts_run_over_year_ends_and_empty_months():
    changes = [change("2024-02-29", "substantive"), change("2023-11-30", "cosmetic")]
    changes += [change("2024-02-01", "revert"), change("2023-11-01", "change")]
    assert month_counts(changes) == (
        ("2023-11", 1, 1),
        ("2023-12", 0, 0),
        ("2024-01", 0, 0),
        ("2024-02", 1, 1),
    )
    assert month_counts([]) == ()


def test_month_counts_leave_out_documents_first_recorded_or_dropped():
    # genai-eu's first month drew 102 changes, 69 of them documents first recorded and 19
    # dropped the same day: the busiest month of policy change, to the eye, it was not.
    changes = [change("2025-11-11", "first"), change("2025-11-11", "deleted")]
    changes += [change("2025-12-01", "substantive"), change("2026-01-02", "first")]
    assert month_counts(changes) == (("2025-12", 1, 0),)
