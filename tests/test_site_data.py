"""The site of a real archive (../shared/data's genai-eu): links resolve, feeds parse, search
finds "training", and a reader goes from the home page to a change and back."""

from pathlib import Path

import feedparser
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
