"""The demo site's analysis: each kind of change on the right commit, provision and topic pages.

The demo archive (src/termline/demo.py) has a whitespace-only change, a revert, a rename with
the same text, a clause added and one removed; each must get its kind and show on its pages.
"""

import json
import os
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import feedparser

from termline.build import BuildOptions, build
from termline.site.render import LISTED_QUIET, SHOWN_DIFFS


class Ids(HTMLParser):
    """Collect the id attributes of a page and the text of elements with data-pagefind-filter."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.filters: list[str] = []
        self.body = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "id" in values:
            self.ids.append(values["id"] or "")
        if "data-pagefind-filter" in values:
            self.filters.append(values["data-pagefind-filter"] or "")
        if "data-pagefind-body" in values:
            self.body = True


def parse(path: Path) -> Ids:
    page = Ids()
    page.feed(path.read_text())
    return page


def versions(site: Path, platform: str, document: str) -> list[dict]:
    return json.loads((site / f"data/{platform}/{document}.json").read_text())["versions"]


def test_each_demo_event_gets_its_kind(demo_site: Path):
    chirpy = versions(demo_site, "chirpy", "privacy-policy")
    by_date = {v["date"][:10]: v for v in chirpy}
    assert by_date["2024-03-04"]["kind"] == "substantive"
    assert by_date["2024-03-04"]["added"] == ["training-of-ai-models"]
    assert "ai-training" in by_date["2024-03-04"]["topics"]
    rename = by_date["2024-05-30"]
    assert rename["renamed"] == [["sharing-with-partners", "sharing-with-third-parties"]]
    assert rename["modified"] == [] and rename["added"] == [] and rename["removed"] == []
    assert by_date["2024-07-08"]["kind"] == "cosmetic"
    assert by_date["2024-07-08"]["words_added"] == by_date["2024-07-08"]["words_removed"] == 0
    revert = by_date["2024-12-09"]
    assert revert["kind"] == "revert" and revert["reverts_to"] == by_date["2024-09-02"]["id"]
    removal = by_date["2025-02-17"]
    assert removal["kind"] == "substantive" and removal["removed"] == ["location-data"]
    assert removal["topics"] == ["location"]
    kinds = {
        v["kind"]
        for d in Path(demo_site / "data").rglob("*/*.json")
        for v in json.loads(d.read_text())["versions"]
    }
    assert kinds == {"first", "substantive", "cosmetic", "revert"}


def test_dates_of_change_skip_noise_and_first_recordings(make_repo, tmp_path):
    # A platform page dated a document by its newest version, noise or not; a topic page said
    # "changed" for a clause only ever first recorded; a year's row counted its noise alone.
    repo = make_repo()
    first = (
        "# Terms\n\n## Training\n\nWe train our AI models on your content.\n\n"
        "## Fees\n\nTen euros a month.\n"
    )
    changed = first.replace("Ten euros", "Twenty euros")
    for day, text in enumerate([first, changed, changed.replace("month.", "month !")], start=1):
        repo.commit({"archive/acme/terms.md": text}, "Record", f"2024-01-{day:02d}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    assert [v["kind"] for v in versions(site, "acme", "terms")] == [
        "first",
        "substantive",
        "cosmetic",
    ]
    platform = (site / "platforms/acme/index.html").read_text()
    assert '3 versions, last substantive change <time datetime="2024-01-02">' in platform
    topic = (site / "topics/ai-training/index.html").read_text()
    assert re.search(r"first recorded <a [^>]*>2024-01-01</a>", topic)
    document = (site / "platforms/acme/terms/index.html").read_text()
    assert "3 versions (1 cosmetic change among them)" in document
    # "last changed" named both dates: ChatGPT's platform page gave its terms' last substantive
    # change (2026-06-29), their own page their newest version, a cosmetic one (2026-07-26).
    facts = document.split('class="meta facts-line">')[1].split("</p>")[0]
    assert re.findall(r"([a-z][a-z ]+) <time datetime=\"([\d-]+)\"", facts) == [
        ("last substantive change", "2024-01-02"),
        ("last recorded change", "2024-01-03"),
    ]
    fees = (site / "platforms/acme/terms/provisions/fees/index.html").read_text()
    meta = fees.split('<p class="meta"')[1].split("</p>")[0]
    assert re.findall(r"([a-z][a-z ]+) <a [^>]*>([\d-]+)</a>", meta) == [
        ("first seen", "2024-01-01"),
        ("last substantive change", "2024-01-02"),
        ("last recorded change", "2024-01-03"),
    ]
    assert "last changed" not in platform + facts + meta + topic


def test_a_topic_page_lists_a_section_its_page_holds_twice_once(make_repo, tmp_path):
    # Le Chat's and Vibe's consumer terms hold "4. Your Data" twice, the same sentence each time
    # (the source repeats it): their columns on /topics/human-review/ listed it twice.
    repo = make_repo()
    data = "## Your Data\n\nWe train our AI models on your content.\n\n"
    other = "## Models\n\nWe train our AI models on what you upload.\n"
    text = "# Terms\n\n" + data + "## Fees\n\nTen euros a month.\n\n" + data + other
    repo.commit({"archive/acme/terms.md": text}, "Record", "2024-01-01T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    ids = [p["id"] for p in json.loads((site / "data/acme/terms.json").read_text())["provisions"]]
    assert ids.count("your-data") + ids.count("your-data-2") == 2  # two provisions, one text
    topic = (site / "topics/ai-training/index.html").read_text()
    listed = re.findall(r'/provisions/([^/]+)/index\.html">', topic.split("says now")[1])
    assert sorted(listed) == ["models", "your-data"]  # the next distinct clause takes its place


def test_a_clause_added_later_is_added_and_a_document_never_changed_first_recorded(
    make_repo, tmp_path
):
    # The reader's review: a topic page said "first recorded" for Claude's clause added on
    # 2026-07-08, and a platform page "last changed 2025-11-11" for terms never changed.
    repo = make_repo()
    first = "# Terms\n\n## Fees\n\nTen euros a month.\n"
    added = first + "\n## Training\n\nWe train our AI models on your content.\n"
    for day, text in enumerate([first, added], start=1):
        repo.commit({"archive/acme/terms.md": text}, "Record", f"2024-01-{day:02d}T00:00:00Z")
    repo.commit({"archive/acme/privacy.md": first}, "Record", "2024-01-03T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    topic = (site / "topics/ai-training/index.html").read_text()
    assert re.search(r"added <a [^>]*>2024-01-02</a>", topic) and "first recorded" not in topic
    platform = (site / "platforms/acme/index.html").read_text()
    assert '1 version, first recorded <time datetime="2024-01-03">' in platform
    assert '2 versions, last substantive change <time datetime="2024-01-02">' in platform


def test_a_clause_whose_date_alone_moved_in_a_substantive_change_is_quiet_on_its_page(
    make_repo, tmp_path
):
    # Gemini's privacy hub: a clause holding the hub's "Last updated" date listed 11 substantive
    # changes, each that date alone, with a diff each, and each an entry of its feed.
    repo = make_repo()
    text = "# Terms\n\n## Updates\n\nLast updated: January 5, 2024.\n\n## Fees\n\nTen euros.\n"
    later = text.replace("January 5", "March 9").replace("Ten euros", "Twenty euros")
    for day, body in enumerate([text, later], start=1):
        repo.commit({"archive/acme/terms.md": body}, "Record", f"2024-01-{day:02d}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    assert [v["kind"] for v in versions(site, "acme", "terms")] == ["first", "substantive"]
    folder = site / "platforms/acme/terms/provisions"
    updates = (folder / "updates/index.html").read_text()
    assert "only dates or link targets changed in it" in updates
    assert "kind-substantive" not in updates and '<div class="diff">' not in updates
    fees = (folder / "fees/index.html").read_text()
    assert "kind-substantive" in fees and '<div class="diff">' in fees
    entries = [
        len(feedparser.parse((folder / f"{p}/feed.xml").read_bytes()).entries)
        for p in ("updates", "fees")
    ]
    assert entries == [1, 2]  # its first recording; the fees' first and their change


def test_provisions_list_in_the_data(demo_site: Path):
    data = json.loads((demo_site / "data/chirpy/privacy-policy.json").read_text())
    provisions = {p["id"]: p for p in data["provisions"]}
    assert set(provisions["location-data"]) == {
        "id",
        "heading",
        "part",
        "first_seen",
        "last_changed",
        "removed_in",
        "topics",
        "note",
    }
    assert provisions["location-data"]["note"] is None  # the demo has no notes
    assert provisions["location-data"]["removed_in"] == data["versions"][-2]["id"]
    assert provisions["sharing-with-partners"]["heading"] == "Sharing with third parties"
    assert provisions["data-retention"]["last_changed"] == data["versions"][6]["id"]
    assert provisions["training-of-ai-models"]["topics"] == ["ai-training", "opt-out"]


def test_document_page_has_an_anchor_on_every_current_provision(demo_site: Path):
    data = json.loads((demo_site / "data/chirpy/privacy-policy.json").read_text())
    current = [p["id"] for p in data["provisions"] if p["removed_in"] is None]
    page = parse(demo_site / "platforms/chirpy/privacy-policy/index.html")
    assert set(current) <= set(page.ids)
    text = (demo_site / "platforms/chirpy/privacy-policy/index.html").read_text()
    # The text's own h1 nests under the page's, so its h2 headings render as h3.
    assert '<h3 id="sharing-with-partners">Sharing with third parties</h3>' in text
    assert 'href="provisions/location-data/index.html"' in text  # from the document's folder


def test_provision_page_shows_text_history_topics_and_other_platforms(demo_site: Path):
    path = demo_site / "platforms/chirpy/privacy-policy/provisions/training-of-ai-models/index.html"
    page = parse(path)
    text = path.read_text()
    assert page.body and {"platform", "type", "topic"} <= set(page.filters)
    assert "You can opt out by writing to us" in text
    history = text.split("Every change to it, newest first")[1].split("How other platforms")[0]
    assert history.index("2025-06-23") < history.index("2024-03-04")
    assert (
        "<ins>by writing to us;</ins>" in history
        and "<del>in your privacy settings;</del>" in history
    )
    others = text.split("How other platforms handle this")[1].split("</section>")[0]
    line = others.split("AI model training</a>:")[1].split("</ul>")[0]  # one item a topic
    assert "3 other platforms; the 3 most on this topic:" in line  # its strongest topic
    assert line.index(">Parley AI\u2019s ") < line.index(">Stridely\u2019s ")  # the strongest first
    # Each named with its document: "Perplexity, 2.3.3 Model Training." set a developer-terms
    # clause beside a consumer privacy clause with no hint.
    assert ">Parley AI\u2019s AI Policy, Model training</a>" in line
    assert ">Nimbus Cloud\u2019s Privacy Policy, AI features</a>" in line
    assert line.count('class="excerpt"') == 3  # each platform's closest clause, its sentence
    assert "<mark>train our AI models</mark>" in line
    assert "Chirpy\u2019s" not in others  # its own platform is not an other platform


def test_removed_provision_page_shows_its_last_text(demo_site: Path):
    text = (
        demo_site / "platforms/chirpy/privacy-policy/provisions/location-data/index.html"
    ).read_text()
    assert "no longer in the document" in text and "precise location" in text
    history = text.split("Every change to it, newest first")[1].split("How other platforms")[0]
    removal = history.split("</li>")[0]  # newest first: one line, its diff on the version page
    assert 'href="../../versions/2025-02-17-f00e07d/index.html">2025-02-17</a>' in removal
    assert '<span class="status">removed</span>' in removal and 'class="changed"' not in removal


def test_topic_page_puts_platforms_side_by_side(demo_site: Path):
    text = (demo_site / "topics/ai-training/index.html").read_text()
    for name in ("Chirpy", "Stridely", "Nimbus Cloud", "Parley AI"):
        assert f">{name}</a></h3>" in text
    now = text.split("What each platform says now")[1].split("Latest changes touching it")[0]
    assert 'class="policy"' not in now  # excerpts and links, not the provisions' full texts
    link = "../../platforms/chirpy/privacy-policy/provisions/training-of-ai-models/index.html"
    assert f'<a href="{link}">Privacy Policy, Training of AI models</a>' in now  # as compared
    assert 'versions/2025-06-23-b3ea0c2/index.html">2025-06-23</a>' in now  # last changed
    chirpy = now.split(f'<a href="{link}">')[1].split("</p>")[0]
    # the sentence that matches the topic, its match marked, not the provision's first words
    assert "to <mark>train and improve our AI models</mark>." in chirpy
    excerpts = [e.split("</span>")[0] for e in now.split('class="excerpt">')[1:]]
    assert excerpts and all("<mark>" in e and len(e.split()) <= 80 for e in excerpts)
    latest = text.split("Latest changes touching it")[1]
    assert "2025-06-23" in latest and "2024-03-04" in latest
    index = (demo_site / "topics/index.html").read_text()
    assert 'href="../topics/ai-training/index.html"' in index


def test_version_page_summary_marks_cosmetic_and_revert(demo_site: Path):
    chirpy = {v["date"][:10]: v["id"] for v in versions(demo_site, "chirpy", "privacy-policy")}
    base = demo_site / "platforms/chirpy/privacy-policy/versions"
    cosmetic = (base / chirpy["2024-07-08"] / "index.html").read_text()
    assert "Cosmetic change:" in cosmetic
    revert = (base / chirpy["2024-12-09"] / "index.html").read_text()
    target = f"platforms/chirpy/privacy-policy/versions/{chirpy['2024-09-02']}/index.html"
    assert "Revert:" in revert and f'href="../../{target.split("privacy-policy/")[1]}"' in revert
    rename = (base / chirpy["2024-05-30"] / "index.html").read_text()
    assert "0 added, 0 removed, 0 modified, 1 renamed" in rename
    assert "renamed from “Sharing with partners”" in rename
    assert "Topics: Sale or sharing of personal data</span>" in rename  # named, not linked


class Links(HTMLParser):
    """Collect the hrefs of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)

    @classmethod
    def of(cls, html: str) -> list[str]:
        links = cls()
        links.feed(html)
        return links.hrefs


def test_links_from_provision_topic_and_version_pages_resolve(demo_site: Path):
    pages = [
        *demo_site.glob("platforms/*/*/provisions/*/index.html"),
        *demo_site.glob("topics/**/index.html"),
        *demo_site.glob("platforms/*/*/versions/*/index.html"),
        *demo_site.glob("platforms/*/*/index.html"),
    ]
    assert len(pages) > 100
    broken = []
    for page in pages:
        links = Links()
        links.feed(page.read_text())
        for href in links.hrefs:
            if href.startswith(("http://", "https://")):
                continue
            target, _, anchor = href.partition("#")
            target = target.partition("?")[0]  # the compare page takes its versions as a query
            path = (page.parent / target).resolve() if target else page
            if not path.is_file():
                broken.append(f"{page.relative_to(demo_site)} → {href}")
            elif anchor and anchor not in parse(path).ids:
                broken.append(f"{page.relative_to(demo_site)} → {href} (no such anchor)")
    assert not broken, broken[:10]


WORDS = ("data", "retain", "delete", "account", "content", "service", "law", "court", "notice")


def _paragraph(days: int, words: int = 400) -> str:
    text = " ".join(WORDS[(i * 7) % len(WORDS)] for i in range(words))
    return f"We keep your data for {days} days. {text}."


def _flip_flops(repo, cycles: int) -> None:
    """Commit a first version, then per cycle: a new text, two cosmetic edits, a revert."""
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    texts = [_paragraph(0)]
    for cycle in range(1, cycles + 1):
        texts += [_paragraph(cycle), _paragraph(cycle) + ",", _paragraph(cycle) + ",,"]
        texts.append(_paragraph(cycle - 1))  # back to the previous cycle's text: a revert
    for text in texts:
        moment += timedelta(days=1)
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        repo.commit(
            {"archive/a/terms.md": f"# Terms\n\n## Data retention\n\n{text}\n"}, "Update", stamp
        )


def test_provision_page_with_many_changes_stays_small_and_links_every_version(
    make_repo, tmp_path: Path
):
    repo = make_repo()
    _flip_flops(repo, cycles=40)
    out = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=out, search=False))
    history = json.loads((out / "data/a/terms.json").read_text())["versions"]
    assert len(history) == 161
    assert Counter(v["kind"] for v in history) == {
        "first": 1,
        "substantive": 40,
        "cosmetic": 80,
        "revert": 40,
    }
    page = out / "platforms/a/terms/provisions/data-retention/index.html"
    text = page.read_text()
    listed = text.split("Every change to it, newest first")[1].split("How other platforms")[0]
    assert listed.count('class="changed"') == SHOWN_DIFFS  # the newest news, with their diff
    assert f"The newest {SHOWN_DIFFS} edits of its text show their word diff" in listed
    assert listed.count("2 cosmetic changes and 1 revert") == 40  # each quiet run, one line
    changes = (out / "changes/index.html").read_text()
    mixed = changes.split("<summary>2 cosmetic changes and 1 revert</summary>")[1]
    assert 'class="kind kind-revert"' in mixed.split("</details>")[0]  # a mixed run names each
    linked = set(Links.of(listed))
    assert {f"../../versions/{v['id']}/index.html" for v in history} <= linked
    paragraph = len(_paragraph(40))
    bound = 8_000 + SHOWN_DIFFS * 1.2 * paragraph + len(history) * 250
    assert page.stat().st_size < bound, f"{page.stat().st_size} bytes, bound {bound:.0f}"


def test_revert_pages_link_what_they_undo_instead_of_its_diff_reversed(make_repo, tmp_path):
    repo = make_repo()
    texts = {
        "a": "# Terms\n\n## Use\n\nWe keep your data for a year.\n",
        "b": "# Terms\n\n## Use\n\nWe keep your data for ten years.\n",
        "c": "# Terms\n\n## Use\n\nWe keep your data forever and sell it.\n",
    }
    shas = []
    for day, name in enumerate("abacda", start=1):  # a flip back, then back over two changes
        text = texts.get(name, texts["a"].replace("a year", "a month"))
        shas.append(
            repo.commit({"archive/acme/terms.md": text}, name, f"2024-01-{day:02d}T00:00:00Z")
        )
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    versions = site / "platforms/acme/terms/versions"
    ids = sorted(p.name for p in versions.iterdir())
    assert len(ids) == 6 and [i[-7:] for i in ids] == [s[:7] for s in shas]
    undo_one = (versions / ids[2] / "index.html").read_text()
    assert "kind-revert" in undo_one and '<div class="diff">' not in undo_one
    assert (
        f'It undoes the <a href="../{ids[1]}/index.html">change of 2024-01-02 00:00 UTC</a>'
        in undo_one
    )
    undo_two = (versions / ids[5] / "index.html").read_text()
    assert "kind-revert" in undo_two and '<div class="diff">' not in undo_two
    assert f"compare/index.html?from={ids[2]}&amp;to={ids[4]}" in undo_two  # a, back from c, d
    assert '<div class="diff">' in (versions / ids[1] / "index.html").read_text()  # the undone


def test_an_error_page_recorded_last_is_not_shown_as_the_policy(make_repo, tmp_path):
    # Le Chat's four documents were each recorded once as a page of 3 words.
    repo = make_repo()
    policy = "# Terms\n\n## Use\n\n" + "We keep your data for a year. " * 30 + "\n"
    for day, text in enumerate([policy, "Page not found.\n"], start=1):
        repo.commit({"archive/acme/terms.md": text}, "Record", f"2024-01-{day:02d}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    error = versions(site, "acme", "terms")[-1]
    assert (
        error["summary"]
        == "Not the policy: an error or blocked page of 3 words (the policy had 212)"
    )
    assert error["kind"] == "technical"
    page = (site / f"platforms/acme/terms/versions/{error['id']}/index.html").read_text()
    assert "<strong>Not the policy:</strong>" in page and "Technical change" not in page
    assert '<div class="diff">' not in page and "+0</ins>" not in page  # no empty diff
    document = (site / "platforms/acme/terms/index.html").read_text()
    assert "We keep your data for a year." in document and "Page not found" not in document
    assert "Page not found" not in (site / "index.html").read_text()  # not a notable change
    provisions = json.loads((site / "data/acme/terms.json").read_text())["provisions"]
    assert [(p["id"], p["removed_in"]) for p in provisions] == [("use", None)]


def test_the_policy_again_after_an_error_page_is_the_recording_not_a_revert(make_repo, tmp_path):
    # Llama API's acceptable use policy read "23 reverts" in 2026: each the policy recorded
    # again, unchanged, after Meta's error page. The policy was never reverted.
    repo = make_repo()
    policy = "# Terms\n\n## Use\n\n" + "We keep your data for a year. " * 30 + "\n"
    for day, text in enumerate([policy, "Page not found.\n", policy], start=1):
        repo.commit({"archive/acme/terms.md": text}, "Record", f"2024-01-{day:02d}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    first, error, back = versions(site, "acme", "terms")
    assert (error["kind"], back["kind"], back["reverts_to"], back["summary"]) == (
        "technical",
        "technical",
        None,
        "The policy again after an error page, unchanged",
    )
    page = (site / f"platforms/acme/terms/versions/{back['id']}/index.html").read_text()
    assert "<strong>The policy again:</strong>" in page and "Technical change" not in page
    assert f'<a href="../../versions/{first["id"]}/index.html">version of 2024-01-01</a>' in page
    assert '<div class="diff">' not in page and "+0</ins>" not in page  # nothing to count
    assert f"?from={first['id']}&amp;to={back['id']}" in page  # side by side with the policy
    assert "Page not found" not in (site / "index.html").read_text()  # nor any news


def test_a_whole_document_revert_links_the_provisions_of_what_it_undoes(make_repo, tmp_path):
    repo = make_repo()
    clauses = [f"## Clause {n}\n\nWe keep record {n} for a year." for n in range(6)]
    before = "# Terms\n\n" + "\n\n".join(clauses) + "\n"
    after = before.replace("for a year", "forever")  # every clause modified at once
    for day, text in enumerate([before, after, before], start=1):
        repo.commit({"archive/acme/terms.md": text}, "Update", f"2024-01-{day:02d}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    folder = site / "platforms/acme/terms/versions"
    undone, revert = [
        (folder / i / "index.html").read_text() for i in sorted(os.listdir(folder))[1:]
    ]
    provisions = [f"../../provisions/clause-{n}/index.html" for n in range(6)]
    assert all(link in undone for link in provisions)  # the undone change lists them all
    assert "6 provisions touched: those the <a href=" in revert  # the revert says where they are
    assert not any(link in revert for link in provisions)  # and does not list them again


def test_a_long_quiet_run_is_counted_on_provision_pages_and_listed_on_the_document(
    make_repo, tmp_path
):
    repo = make_repo()
    quiet = LISTED_QUIET + 4
    for day in range(quiet + 1):  # then whitespace-only changes, one a day
        text = (
            "# Terms\n\n## Data retention\n\nWe keep your data" + " " * (day + 1) + "for a year.\n"
        )
        stamp = f"2024-01-{day + 1:02d}T00:00:00Z"
        repo.commit({"archive/a/terms.md": text}, "Update", stamp)
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    ids = sorted(os.listdir(site / "platforms/a/terms/versions"))
    page = (site / "platforms/a/terms/provisions/data-retention/index.html").read_text()
    listed = page.split("Every change to it, newest first")[1].split("How other platforms")[0]
    assert f"{quiet} cosmetic changes" in listed
    assert f"{quiet - 2} more between them" in listed
    assert '<a href="../../index.html#versions">' in listed
    linked = set(Links.of(listed))
    assert {f"../../versions/{i}/index.html" for i in (ids[1], ids[-1])} <= linked  # its ends
    assert f"../../versions/{ids[2]}/index.html" not in linked
    document = set(Links.of((site / "platforms/a/terms/index.html").read_text()))
    assert {f"versions/{i}/index.html" for i in ids} <= document  # where every one is linked
    changes = (site / "changes/index.html").read_text()
    run = changes.split(f"<summary>{quiet} cosmetic changes</summary>")[1].split("</details>")[0]
    assert run.count("<li") == quiet and "kind-cosmetic" in run  # each row, styled as quiet
    assert 'class="kind ' not in run  # the run's summary names its kind: no badge on each row


def test_provision_pages_read_clauses_cut_from_list_items_as_prose(make_repo, tmp_path):
    """Clauses under bulleted bold headings, shaped as Meta AI's terms are on Open Terms Archive:
    each keeps its item's indentation, which markdown-it alone reads as indented code."""
    repo = make_repo()
    text = (
        "# Terms\n\n*   **Severability**\n    \n"
        "    If any portion of these Terms is found to be unenforceable, it will be severed.\n"
        "    \n*   **Your Commitments**\n    \n"
        "    You may not use the AIs in any manner that would:\n    \n"
        "    *   Be unlawful; or\n    *   Harm other people.\n    \n"
    )
    repo.commit({"archive/acme/terms.md": text}, "Start", "2024-01-01T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    folder = site / "platforms/acme/terms/provisions"
    shown = {
        path.parent.name: path.read_text().split('<div class="policy">')[1].split("</div>")[0]
        for path in folder.glob("*/index.html")
    }
    assert set(shown) == {"severability", "your-commitments"}
    assert not any("<pre" in html for html in shown.values()), shown
    assert "<p>If any portion of these Terms is found" in shown["severability"]
    assert "<li>Be unlawful; or</li>" in shown["your-commitments"]


def test_a_clause_split_in_two_is_not_news_on_the_clauses_that_only_lost_or_took_words(
    make_repo, tmp_path
):
    # Perplexity's terms: paragraph breaks cut "6.1 Ownership of the Services." in four; its
    # page listed a substantive edit of 956 words removed, the new clauses' 747 "added" words.
    clause = "**6.1 Services.** We own the services and every page of them. **6.2 Contact.** "
    sentence = "Write to us at the address below or phone us any day and we will answer soon."
    text = f"# Terms\n\n{clause}{sentence}\n"
    split = text.replace(" **6.2", "\n\n**6.2").replace("or phone us any day ", "")
    repo = make_repo()
    for day, version in enumerate([text, split], start=1):
        repo.commit({"archive/acme/terms.md": version}, "Record", f"2024-01-{day:02d}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    provisions = site / "platforms/acme/terms/provisions"
    services = (provisions / "services/index.html").read_text()
    assert "quiet</span> its words only moved to or from other clauses" in services
    contact = (provisions / "contact/index.html").read_text()
    assert '<span class="status">added</span>' in contact
    assert "<del>\u22125</del>" in contact  # the phone number, gone from the sentence it holds
    services_feed = feedparser.parse(provisions / "services/feed.xml")
    assert len(services_feed.entries) == 1  # first recorded only: a split is not its news
    # The version's diff is the whole text's: the words that moved are not struck, only those cut.
    split = versions(site, "acme", "terms")[1]
    assert (split["words"], split["significance"]) == ([0, 5], 5)  # as the pages count them
    split_id = split["id"]
    page = (site / f"platforms/acme/terms/versions/{split_id}/index.html").read_text()
    assert re.findall(r"<del>([^<]*)</del>", page) == ["\u22125", "deleted", "or phone us any day"]
