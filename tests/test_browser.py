"""The demo site in headless Chromium, served by a real HTTP server from a sub-path.

The ``browser`` fixture (conftest.py) launches Debian's Chromium through Playwright; without
Chromium these tests fail, unless TERMLINE_SKIP_BROWSER=1 is set.
"""

import contextlib
import functools
import json
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import lxml.html
import pytest
from playwright.sync_api import expect

from termline.build import BuildOptions, build

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

pytestmark = pytest.mark.browser


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a site under /project/ on 127.0.0.1, as GitHub Pages serves a project site."""
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / "project").symlink_to(site, target_is_directory=True)
        handler = functools.partial(QuietHandler, directory=root)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/project/"
        finally:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="session")
def site_url(demo_site: Path) -> Iterator[str]:
    with serve(demo_site) as url:
        yield url


class Console:
    """The errors a page reported: console errors, uncaught exceptions, failed requests."""

    def __init__(self, page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", self._failed)

    def _failed(self, request) -> None:
        if request.failure != "net::ERR_ABORTED":  # a load cut short by the next navigation
            self.errors.append(f"failed: {request.url} ({request.failure})")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    console = Console(page)
    page.console = console
    yield page
    context.close()
    assert not console.errors, console.errors


def test_home_to_a_version_diff_and_back(page, site_url, tmp_path):
    page.goto(site_url)
    assert page.locator("h1").inner_text() == "termline demo"
    page.locator("#platforms").get_by_role("link", name="Chirpy").click()
    assert page.locator("h1").inner_text() == "Chirpy"
    page.locator("#m2025-02 .changes a").first.click()
    assert "/versions/" in page.url
    # One copy of each changed block, inline on a wide screen too: the deletion is shown.
    assert page.locator(".diff .changed del").first.is_visible()
    assert page.locator(".diff .changed .old").count() == 0
    assert page.get_by_text("Location data").first.is_visible()
    page.screenshot(path=tmp_path / "version-desktop.png", full_page=True)
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Home").click()
    assert page.url.rstrip("/").endswith(("/project", "index.html"))
    assert page.locator("h2#latest").is_visible()


# Each loaded result: its link, its title and its excerpt (not a placeholder still loading).
SHOWN = """() => [...document.querySelectorAll('.pagefind-ui__result-link')].map(link => [
  link.getAttribute('href'),
  link.innerText,
  link.closest('.pagefind-ui__result').querySelector('.pagefind-ui__result-excerpt').innerText,
])"""


def test_search_finds_training_and_links_to_real_pages(page, site_url):
    page.goto(site_url + "search/index.html?q=training")
    page.wait_for_function(
        "() => document.querySelectorAll('.pagefind-ui__result-link').length >= 3"
    )
    results = page.locator(".pagefind-ui__result-link")
    for href, title, excerpt in page.evaluate(SHOWN):
        assert href.startswith("/project/platforms/"), href
        response = page.request.get(page.url.split("/project/")[0] + href)
        assert response.status == 200, href
        # whose clause it is: the platform and the document its page's breadcrumb names
        found = lxml.html.fromstring(response.body())
        platform, document = found.xpath('//nav[@class="crumbs"]/a/text()')
        heading = found.xpath("string(//main//h1)")
        assert title == f"{platform} — {document}: {heading}"
        assert not excerpt.startswith(heading), (heading, excerpt)  # the title says it already
    results.first.click()
    page.wait_for_load_state()
    assert page.locator("main h1").is_visible()  # a document or a provision page
    assert "training" in page.locator("main").inner_text().lower()


ONLY_STRIDELY = """() => {
  const links = [...document.querySelectorAll('.pagefind-ui__result-link')];
  return links.length > 0 && links.every(a => a.href.includes('/platforms/stridely/'));
}"""


FILTER_LABELS = """() => [...document.querySelectorAll('.pagefind-ui__filter-group')].map(group =>
  [...group.querySelectorAll('.pagefind-ui__filter-value label')]
    .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
    .map(label => label.textContent.trim()))"""


def test_search_filters_read_in_case_insensitive_order(page, site_url):
    page.goto(site_url + "search/index.html?q=data")
    page.locator(".pagefind-ui__result-link").first.wait_for()
    groups = page.evaluate(FILTER_LABELS)
    assert len(groups) == 3 and all(len(labels) > 1 for labels in groups), groups
    for labels in groups:
        assert labels == sorted(labels, key=str.casefold), labels


def test_search_filters_are_folded_on_a_phone(browser, site_url):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(site_url + "search/index.html?q=data")
    first = page.locator(".pagefind-ui__result-link").first
    first.wait_for()
    assert page.locator(".pagefind-ui__filter-panel details[open]").count() == 0
    box = first.bounding_box()
    assert box and box["y"] < PHONE["height"], box
    context.close()


def test_search_filter_by_platform(page, site_url):
    page.goto(site_url + "search/index.html")
    page.locator(".pagefind-ui__search-input").fill("data")
    message = page.locator(".pagefind-ui__message")
    expect(message).to_contain_text("results for data")
    total = int(message.inner_text().split()[0])
    page.get_by_label("Stridely").check()
    page.wait_for_function(ONLY_STRIDELY)
    assert 0 < int(message.inner_text().split()[0]) < total


def test_search_filter_by_topic(page, site_url):
    page.goto(site_url + "search/index.html")
    page.locator(".pagefind-ui__search-input").fill("data")
    message = page.locator(".pagefind-ui__message")
    expect(message).to_contain_text("results for data")
    total = int(message.inner_text().split()[0])
    page.get_by_label("AI model training", exact=False).first.check()
    page.wait_for_function(
        f"() => parseInt(document.querySelector('.pagefind-ui__message').innerText) < {total}"
    )
    links = page.locator(".pagefind-ui__result-link")
    links.first.wait_for()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs and all("/platforms/" in href for href in hrefs)


def test_home_search_box_runs_the_query(page, site_url):
    page.goto(site_url)
    page.get_by_label("Search every policy").fill("arbitration")
    page.get_by_role("button", name="Search").click()
    page.locator(".pagefind-ui__result-link").first.wait_for()
    assert "terms-of-service" in page.locator(".pagefind-ui__result-link").first.get_attribute(
        "href"
    )


def test_compare_any_two_versions(page, site_url):
    base = site_url + "platforms/chirpy/privacy-policy/"
    page.goto(base + "index.html")
    page.get_by_role("link", name="compare any two").click()
    selects = page.locator("select")
    options = selects.first.locator("option")
    oldest = options.nth(options.count() - 1).get_attribute("value")
    newest = options.first.get_attribute("value")
    selects.nth(0).select_option(oldest)
    selects.nth(1).select_option(newest)
    page.get_by_role("button", name="Compare").click()
    status = page.locator("#compare-status")
    expect(status).to_contain_text("words added")
    assert "removed" in status.inner_text()
    assert page.locator("#comparison .changed .new ins").count() >= 1
    assert f"from={oldest}" in page.url and f"to={newest}" in page.url
    assert "Training of AI models" in page.locator("#comparison").inner_text()


def test_compare_shows_the_latest_change_and_says_when_versions_are_reversed_or_equal(
    page, site_url
):
    base = site_url + "platforms/chirpy/privacy-policy/compare/index.html"
    page.goto(base)  # nothing pressed: the latest change is shown
    status = page.locator("#compare-status")
    expect(status).to_contain_text("words added")
    assert "?" not in page.url
    headings = page.locator("#comparison h3, #comparison h4").all_inner_texts()
    assert headings and not any("#" in heading for heading in headings)
    values = page.locator("#compare-from option").evaluate_all("os => os.map(o => o.value)")
    newest, oldest = values[0], values[-1]
    page.goto(f"{base}?from={newest}&to={oldest}")
    expect(status).to_contain_text("swapped")
    assert page.locator("#compare-from").input_value() == oldest
    assert page.locator("#compare-to").input_value() == newest
    assert f"from={oldest}" in page.url
    page.goto(f"{base}?from={newest}&to={newest}")
    expect(status).to_contain_text("Both sides are the version of")
    assert page.locator("#comparison").is_hidden()


def test_version_page_links_its_diff_side_by_side(page, site_url):
    page.goto(site_url + "platforms/chirpy/privacy-policy/versions/2025-02-17-f00e07d/index.html")
    page.get_by_role("link", name="Side by side").click()
    expect(page.locator("#compare-status")).to_contain_text("words added")
    old = page.locator("#comparison .changed .old").first
    new = page.locator("#comparison .changed .new").first
    assert old.locator("del").first.is_visible()
    assert not new.locator("del").first.is_visible()
    old_box, new_box = old.bounding_box(), new.bounding_box()
    assert old_box and new_box and old_box["x"] + old_box["width"] <= new_box["x"]  # two columns


def test_phone_layout_fits_375px(browser, site_url, tmp_path):
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    page = context.new_page()
    console = Console(page)
    for name, path in [
        ("home", ""),
        ("platform", "platforms/chirpy/index.html"),
        ("document", "platforms/chirpy/privacy-policy/index.html"),
        ("version", "platforms/chirpy/privacy-policy/versions/2025-02-17-f00e07d/index.html"),
        ("changes", "changes/index.html"),
        ("provision", "platforms/chirpy/privacy-policy/provisions/data-retention/index.html"),
        ("topic", "topics/ai-training/index.html"),
    ]:
        page.goto(site_url + path)
        if name == "version":  # inline on a phone, with deletions
            assert page.locator(".diff .changed del").first.is_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=tmp_path / f"{name}-phone.png", full_page=True)
        assert width <= PHONE["width"], f"{name} is {width}px wide on a phone"
    context.close()
    assert not console.errors, console.errors


def test_a_provisions_topics_read_as_one_line_where_topic_lists_take_columns(page, site_url):
    # The home page's list of topics is set in columns; a provision's "Topics (linked below)"
    # line shared its class and was cut into two columns mid-sentence.
    columns = "(css) => getComputedStyle(document.querySelector(css)).columnCount"
    page.goto(site_url + "platforms/chirpy/privacy-policy/provisions/data-retention/index.html")
    assert page.locator("p.topics").inner_text().startswith("Topics (linked below): ")
    assert page.evaluate(columns, "p.topics") == "auto"
    page.goto(site_url)
    assert page.evaluate(columns, "ul.topics") == "2"


def test_works_without_javascript(browser, site_url):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "changes/index.html")
    page.get_by_text("Platform", exact=True).click()
    page.get_by_role("link", name="Parley AI", exact=True).click()
    assert page.locator("h1").inner_text() == "Platform: Parley AI"
    items = page.locator("ol.changes li")
    assert items.count() >= 3
    assert all("Parley AI" in items.nth(i).inner_text() for i in range(items.count()))
    context.close()


def test_opens_from_file_urls(page, demo_site):
    page.goto((demo_site / "index.html").as_uri())
    colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert colour != "rgba(0, 0, 0, 0)", "the stylesheet did not load from file://"
    page.locator("#platforms").get_by_role("link", name="Stridely").click()
    assert page.locator("h1").inner_text() == "Stridely"
    assert page.url.endswith("/platforms/stridely/index.html")


def _long_history(path: Path, versions: int) -> None:
    """Write a repository of one document with many versions in one ``git fast-import``."""
    clauses = [f"Clause {i}: you agree to term {i}." for i in range(60)]
    stream = []
    for k in range(versions):
        clauses[k % 60] = f"Clause {k % 60}: you agree to term {k}, version {k}."
        text = "# Terms\n\n" + "\n\n".join(f"## Section {i}\n\n{c}" for i, c in enumerate(clauses))
        data, message = text.encode(), f"Update Acme Terms ({k})".encode()
        stream += [
            b"commit refs/heads/main\n",
            b"committer Bot <bot@example.invalid> %d +0000\n" % (1_700_000_000 + k * 3600),
            b"data %d\n%s\n" % (len(message), message),
            b"M 100644 inline archive/acme/terms.md\n",
            b"data %d\n%s\n" % (len(data), data),
        ]
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(stream), check=True)


def test_compare_works_across_2000_versions(page, tmp_path):
    _long_history(tmp_path / "repo", 2000)
    build(BuildOptions(repo=tmp_path / "repo", out=tmp_path / "site", search=False))
    data = json.loads((tmp_path / "site/data/acme/terms.json").read_text())
    assert len(data["versions"]) == 2000
    first, last = data["versions"][0]["id"], data["versions"][-1]["id"]
    with serve(tmp_path / "site") as url:
        page.goto(f"{url}platforms/acme/terms/compare/index.html?from={first}&to={last}")
        expect(page.locator("#compare-status")).to_contain_text("words added")
        assert page.locator("#comparison .changed").count() == 60
        assert "version 1999" in page.locator("#comparison").inner_text()


def test_compare_pairs_a_reworded_heading_with_the_one_it_replaced(page, make_repo, tmp_path):
    # Qwen Chat's terms, 2026-04-09: its title and its "Last updated: …" heading were reworded,
    # so the comparison paired nothing and showed the whole document deleted and inserted
    # ("6312 words added, 6303 removed" where the version page said +80 \u221273).
    # Claude.ai's privacy policy, 2026-01-12: "11\\. Supplemental Disclosures for Residents of
    # Canada" became "### Supplemental …" (+44 \u221238, compared as +1077 \u22121088).
    body = "\n\n".join(f"Clause {n}: we keep record {n} of your use for a year." for n in range(40))
    canada = "We answer Canadian residents within thirty days of any request they send."
    body += f"\n\n11\\. Residents of Canada\n---\n\n{canada}"
    old = f"Acme Terms\n==========\n\nLast updated: March 1, 2025\n---\n\n{body}\n"
    new = old.replace("Acme Terms\n==", "Terms\n").replace("March 1, 2025", "April 9, 2026")
    new = new.replace("record 7 of", "record 7 and 8 of")
    new = new.replace("11\\. Residents of Canada\n---", "### Residents of Canada")
    repo = make_repo()
    for day, text in enumerate([old, new], start=1):
        repo.commit({"archive/acme/terms.md": text}, "Record", f"2024-01-{day:02d}T00:00:00Z")
    build(BuildOptions(repo=repo.path, out=tmp_path / "site", search=False))
    with serve(tmp_path / "site") as url:
        page.goto(f"{url}platforms/acme/terms/compare/index.html")
        expect(page.locator("#compare-status")).to_contain_text("words added")
        status = page.locator("#compare-status").inner_text()
        assert re.search(r"\b[2-9] words added, [0-9] removed", status), status
        inserted = page.locator("#comparison ins").all_inner_texts()
        assert "Terms" in inserted and "and 8" in " ".join(inserted)
        assert page.locator("#comparison del", has_text="Acme Terms").count() == 1
        assert page.locator("#comparison del", has_text="thirty days").count() == 0


CONTRAST = """selectors => selectors.map(selector => {
  const element = document.querySelector(selector);
  if (!element) return [selector, 0];
  const rgb = text => text.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const luminance = ([r, g, b]) => {
    const [R, G, B] = [r, g, b].map(v => v / 255)
      .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * R + 0.7152 * G + 0.0722 * B;
  };
  let node = element, background = null;
  while (node && !background) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] > 0) background = colour;
    node = node.parentElement;
  }
  const [a, b] = [luminance(rgb(getComputedStyle(element).color)), luminance(background)];
  return [selector, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
})"""
CHECKED = ["main p", ".meta", "main a", ".diff ins", ".diff del", "dl.facts dt", ".kind", ".skip"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_is_at_least_4_5(browser, site_url, scheme):
    context = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + "platforms/chirpy/privacy-policy/versions/2025-02-17-f00e07d/index.html")
    ratios = dict(page.evaluate(CONTRAST, CHECKED[:-1]))
    page.goto(site_url + "platforms/chirpy/privacy-policy/versions/2024-09-02-9c9cb63/index.html")
    ratios |= dict(page.evaluate(CONTRAST, [".diff ins", ".diff .skip"]))
    context.close()
    low = {selector: round(ratio, 2) for selector, ratio in ratios.items() if ratio < 4.5}
    assert not low, f"{scheme}: {low}"


def test_print_keeps_the_diff_and_drops_the_chrome(page, site_url, tmp_path):
    page.emulate_media(media="print")
    page.goto(site_url + "platforms/chirpy/privacy-policy/versions/2025-02-17-f00e07d/index.html")
    assert not page.locator("header.site").is_visible()
    assert page.locator(".diff .skip").first.is_visible()
    assert page.locator(".diff .changed del").first.is_visible()  # inline, on paper
    page.screenshot(path=tmp_path / "version-print.png", full_page=True)


def test_keyboard_reaches_the_skip_link_then_the_content(page, site_url):
    page.goto(site_url + "platforms/chirpy/index.html")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    expect(focused).to_be_visible()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))
    for _ in range(4):  # past the site navigation, into the breadcrumb and the page
        page.keyboard.press("Tab")
    page.wait_for_function("document.activeElement.closest('main') !== null", timeout=5000)


def test_the_csp_blocks_inline_script_and_lets_search_run(page, site_url):
    page.goto(site_url + "search/index.html?q=training")
    page.locator(".pagefind-ui__result-link").first.wait_for()  # Pagefind ran under the CSP
    blocked = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener('securitypolicyviolation', e => resolve(e.violatedDirective));
            const script = document.createElement('script');
            script.textContent = 'window.pwned = 1';
            document.body.append(script);
        })"""
    )
    assert blocked.startswith("script-src")
    assert page.evaluate("() => window.pwned") is None
    refusals = [e for e in page.console.errors if "Content Security Policy" in e]
    assert refusals and len(refusals) == len(page.console.errors), page.console.errors
    page.console.errors.clear()  # the refusal this test provoked is the one expected
