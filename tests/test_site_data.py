"""The site of a real archive (../shared/data's genai-eu): links resolve, feeds parse, search
finds "training", and a reader goes from the home page to a change and back; every page links
the About page, timelines mark and link every version, pages fit a phone with history first."""

import json
from pathlib import Path
from urllib.parse import unquote

import feedparser
import lxml.html
import pytest

from conftest import clone_bundle
from termline.build import BuildOptions, build
from test_browser import Console, serve
from test_site import _target, parse


@pytest.fixture(scope="module")
def genai_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = clone_bundle("ota-genai-eu-versions.bundle", tmp_path_factory.mktemp("ota"))
    out = tmp_path_factory.mktemp("genai-site")
    build(BuildOptions(repo=repo, archive=".", out=out))
    return out


@pytest.mark.data
def test_real_archive_links_resolve_and_feeds_parse(genai_site: Path):
    broken = []
    for path in genai_site.rglob("*.html"):
        for link in parse(path).links:
            found = _target(path, link)
            if found and not found[0].is_file():
                broken.append(f"{path.relative_to(genai_site)}: {link}")
    assert not broken, broken[:20]
    feeds = list(genai_site.rglob("feed.xml"))
    assert len(feeds) > 80
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert not parsed.bozo, feed


@pytest.mark.data
@pytest.mark.browser
def test_reader_finds_training_and_follows_a_change(browser, genai_site: Path):
    with serve(genai_site) as url:
        page = browser.new_page()
        console = Console(page)
        page.goto(url + "search/index.html?q=training")
        page.wait_for_function(
            "() => document.querySelectorAll('.pagefind-ui__result-link').length >= 5"
        )
        page.goto(url)
        page.locator("ol.changes a").first.click()
        assert "/versions/" in page.url
        assert page.locator(".diff").is_visible()
        page.go_back()
        assert page.locator("h2#latest").is_visible()
        page.close()
    assert not console.errors, console.errors


def _html(path: Path) -> "lxml.html.HtmlElement":
    return lxml.html.fromstring(path.read_bytes())


@pytest.mark.data
def test_every_in_page_anchor_of_every_page_resolves(genai_site: Path):
    pages = [
        p for p in genai_site.rglob("*.html") if p.relative_to(genai_site).parts[0] != "pagefind"
    ]
    assert len(pages) > 1000
    dead, checked = {}, 0
    for path in pages:
        tree = _html(path)
        ids = set(tree.xpath("//@id"))
        for href in tree.xpath('//a[starts-with(@href, "#")]/@href'):
            checked += 1
            if href != "#" and unquote(href[1:]) not in ids:
                dead.setdefault(str(path.relative_to(genai_site)), []).append(href)
    assert checked > 1000
    assert not dead, list(dead.items())[:5]


@pytest.mark.data
def test_every_page_links_the_about_page(genai_site: Path):
    about = (genai_site / "about/index.html").resolve()
    assert about.is_file()
    pages = [
        p for p in genai_site.rglob("*.html") if p.relative_to(genai_site).parts[0] != "pagefind"
    ]
    assert len(pages) > 1000
    missing = [
        str(path.relative_to(genai_site))
        for path in pages
        if not any((_target(path, link) or (None,))[0] == about for link in parse(path).links)
    ]
    assert not missing, missing[:10]


@pytest.mark.data
def test_timelines_mark_every_version_and_link_it(genai_site: Path):
    index = json.loads((genai_site / "data/index.json").read_text())
    expected: dict[str, set[str]] = {}  # each platform's version pages, from its page
    for platform in index["platforms"] + index["retired"]:
        folder = genai_site / "platforms" / platform["slug"]
        for document in platform["documents"]:
            slug = document["slug"]
            data = json.loads((genai_site / f"data/{platform['slug']}/{slug}.json").read_text())
            versions = {f"versions/{v['id']}/index.html" for v in data["versions"]}
            assert _marks(folder / slug / "index.html") == versions, document["path"]
            expected.setdefault(platform["slug"], set()).update(f"{slug}/{v}" for v in versions)
    assert len(expected) > 10
    for slug, versions in expected.items():
        assert _marks(genai_site / "platforms" / slug / "index.html") == versions, slug


def _marks(page: Path) -> set[str]:
    """Return where the marks of a page's timeline link, checking that each one does."""
    tree = _html(page)
    (svg,) = tree.xpath('//figure[@class="timeline"]/svg')
    marks = svg.xpath('.//*[local-name()="circle"]')
    assert marks, page
    hrefs = set()
    for mark in marks:
        link = mark.getparent()
        assert link.tag.endswith("a") and link.xpath('./*[local-name()="title"]'), page
        assert (page.parent / link.get("href")).is_file(), (page, link.get("href"))
        hrefs.add(link.get("href"))
    assert len(hrefs) == len(marks), page  # one mark per version
    caption = tree.xpath(f'//*[@id="{svg.get("aria-labelledby")}"]')
    assert caption and caption[0].text_content().startswith(f"{len(marks)} version"), page
    return hrefs


def _version_pages(site: Path, count: int) -> list[str]:
    """Return the newest version pages with a diff, from the home page's latest changes."""
    links = _html(site / "index.html").xpath(
        '//ol[@class="changes"]//a[contains(@href, "/versions/")]/@href'
    )
    return [link for link in links][:count]


DIFF_TOP = "document.querySelector('.diff').getBoundingClientRect().top"
PAGES = {
    "home": "index.html",
    "about": "about/index.html",
    "changes": "changes/index.html",
    "platform": "platforms/claude-ai/index.html",
    "document": "platforms/claude-ai/privacy-policy/index.html",
    "version": "platforms/chatgpt/privacy-policy/versions/2026-06-29-e4abfdd/index.html",
    "provision": "platforms/claude-ai/privacy-policy/provisions/children/index.html",
    "topic": "topics/ai-training/index.html",
    "topics": "topics/index.html",
    "compare": "platforms/claude-ai/privacy-policy/compare/index.html",
}


@pytest.mark.data
@pytest.mark.browser
def test_pages_fit_a_phone_and_show_history_first(browser, genai_site: Path, tmp_path: Path):
    with serve(genai_site) as url:
        for width, height in ((375, 800), (1280, 900)):
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            console = Console(page)
            for name, path in PAGES.items():
                page.goto(url + path)
                page.screenshot(path=tmp_path / f"{name}-{width}.png")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, f"{name} is {scroll}px wide at {width}px"
            if width == 375:
                for path in [PAGES["version"], *_version_pages(genai_site, 10)]:
                    page.goto(url + path)
                    top = page.evaluate(
                        "document.querySelector('.diff').getBoundingClientRect().top"
                    )
                    assert top < height, f"{path}: the diff starts at {top}px on a phone"
                page.goto(url + PAGES["provision"])
                history = page.locator(".provision-changes").bounding_box()
                text = page.locator(".current-text").bounding_box()
                assert history and text and history["y"] < text["y"] and history["y"] < height
            context.close()
            assert not console.errors, console.errors
