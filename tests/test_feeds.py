"""Every feed of the demo site parsed by feedparser: valid, stable ids, news only, RSS too."""

import dataclasses
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import pytest

from termline.analysis.topics import Topic
from termline.build import BuildOptions, build, read_platforms
from termline.site.feeds import (
    Feed,
    content_html,
    write_document_feeds,
    write_feed,
    write_site_feeds,
)
from termline.site.library import summarise
from termline.site.output import Output
from termline.site.render import MAX_ENTRIES, Listed, Site
from termline.sources import load_config

BASE = "https://example.org/policies/"
BUILD = Path(__file__).parents[1] / "build.py"


def _parse(path: Path):
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, f"{path}: {feed.get('bozo_exception')}"
    return feed


@pytest.fixture(scope="module")
def feeds(demo_site: Path):
    return {p.relative_to(demo_site).as_posix(): _parse(p) for p in demo_site.rglob("feed.xml")}


def test_every_feed_parses_and_its_links_resolve(feeds, demo_site: Path):
    expected = {"feed.xml", "platforms/chirpy/feed.xml", "platforms/chirpy/privacy-policy/feed.xml"}
    assert expected <= feeds.keys()
    for name, feed in feeds.items():
        assert feed.version == "atom10", name
        assert feed.feed.title and feed.feed.updated_parsed
        for entry in feed.entries:
            assert entry.id.startswith("urn:uuid:")
            assert entry.updated_parsed and entry.summary and entry.content[0].value
            target = (demo_site / name).parent / urlsplit(entry.link).path
            assert target.resolve().is_file(), (name, entry.link)
        ids = [entry.id for entry in feed.entries]
        assert len(ids) == len(set(ids)), name


def test_entries_say_what_changed_with_the_diff_inline(feeds):
    entries = feeds["platforms/chirpy/privacy-policy/feed.xml"].entries
    newest = entries[0]
    # the document and the clause the change touched, by heading, with its words ±
    assert newest.title == "Chirpy — Privacy Policy: Changed “Training of AI models” (+4 \u22124)"
    html = newest.content[0].value
    assert html.startswith("<p>Changed “Training of AI models” (+4 \u22124). 4 words added")
    assert "<del>in your privacy settings;</del>" in html
    assert "<ins>by writing to us;</ins>" in html
    assert newest.published_parsed[:3] == (2025, 6, 23)
    dates = [entry.updated_parsed for entry in entries]
    assert dates == sorted(dates, reverse=True)


def test_global_feed_lists_every_platform_and_rss_matches_it(feeds, demo_site: Path):
    atom = feeds["feed.xml"]
    assert {entry.title.split(" — ")[0] for entry in atom.entries} == {
        "Chirpy",
        "Stridely",
        "Nimbus Cloud",
        "Parley AI",
    }
    rss = _parse(demo_site / "rss.xml")
    assert rss.version == "rss20"
    assert [e.id for e in rss.entries] == [e.id for e in atom.entries]
    assert [e.title for e in rss.entries] == [e.title for e in atom.entries]


def test_feed_titles_say_they_hold_substantive_changes_not_all(feeds, demo_site: Path):
    # The site's feeds were titled "termline: all changes" and held the news alone, as the
    # home page's link to them says: "all substantive changes".
    rss = _parse(demo_site / "rss.xml")
    assert feeds["feed.xml"].feed.title == rss.feed.title == "termline demo: substantive changes"
    assert feeds["platforms/chirpy/feed.xml"].feed.title == "Chirpy: substantive changes"
    for name, feed in {**feeds, "rss.xml": rss}.items():
        assert "all changes" not in feed.feed.title.lower(), name
        assert feed.feed.subtitle.startswith("Substantive changes recorded by"), name


def test_entry_ids_survive_a_rebuild_at_another_address(demo_repo: Path, feeds, tmp_path: Path):
    out = tmp_path / "moved"
    build(BuildOptions(repo=demo_repo, out=out, search=False, base_url=BASE))
    moved = _parse(out / "feed.xml")
    assert [e.id for e in moved.entries] == [e.id for e in feeds["feed.xml"].entries]
    assert all(e.link.startswith(BASE + "platforms/") for e in moved.entries)
    assert moved.feed.links[0].href == BASE


def test_cosmetic_changes_and_reverts_are_left_out(demo_repo: Path, tmp_path: Path):
    platforms = read_platforms(demo_repo, "archive", load_config(demo_repo / "sources.toml"))
    chirpy = platforms[0]
    privacy = next(d for d in chirpy.documents if d.slug == "privacy-policy")
    changes = privacy.changes
    assert {"cosmetic", "revert"} <= {c.kind for c in changes}  # the demo has one of each
    items = tuple(Listed(chirpy, privacy, c) for c in reversed(changes))
    site = Site(title="t", platforms=(chirpy,), changes=items)
    out = Output(tmp_path / "site")
    write_feed(out, Feed("feed.xml", "t", "", site.news), site)
    out.commit()
    ids = {e.id.rsplit(":", 1)[1] for e in _parse(tmp_path / "site/feed.xml").entries}
    assert (
        len(ids) == sum(c.kind not in ("cosmetic", "revert") for c in changes) == len(changes) - 2
    )
    kept = [i.change.kind for i in site.news]
    assert "cosmetic" not in kept and "revert" not in kept


def test_provision_and_topic_feeds_carry_the_changes_that_name_them(
    demo_repo: Path, tmp_path: Path
):
    platforms = read_platforms(demo_repo, "archive", load_config(demo_repo / "sources.toml"))
    chirpy = platforms[0]
    terms = next(d for d in chirpy.documents if d.slug == "terms-of-service")
    latest = dataclasses.replace(
        terms.latest,
        modified=("disputes",),
        topics=("arbitration",),
        summary="Changed “Disputes” (+3)",
        lead="Disputes",
    )
    terms = dataclasses.replace(terms, changes=(*terms.changes[:-1], latest))
    summary = summarise(terms)  # the site's lists and feeds across documents hold summaries
    listed = dataclasses.replace(chirpy, documents=(summary,))
    site = Site(
        title="t",
        platforms=(listed,),
        changes=(Listed(listed, summary, summary.latest),),
        topics=(Topic("arbitration", "Arbitration and class-action waiver", "Disputes.", ()),),
    )
    out = Output(tmp_path / "site")
    write_site_feeds(site, out, content_html)
    write_document_feeds(site, chirpy, terms, out)  # its own feeds: the document in full
    out.commit()
    feed = _parse(tmp_path / "site/platforms/chirpy/terms-of-service/provisions/disputes/feed.xml")
    entry = feed.entries[0]  # the newest: the change made to name the provision
    disputes = next(p for p in terms.provisions if p.id == "disputes")
    edit = disputes.history[-1][1]  # the provision's own part of that change
    added, removed = edit.words  # outside dates and link targets, as its version's summary
    words = f"+{added} \u2212{removed}"
    assert entry.title == f"Chirpy — Terms of Service: Changed “Disputes” ({words})"
    topic = _parse(tmp_path / "site/topics/arbitration/feed.xml")
    assert [e.id for e in topic.entries] == [entry.id]
    assert topic.feed.title == "t: Arbitration and class-action waiver"


def test_a_provision_feed_tells_what_each_change_did_to_that_provision(make_repo, tmp_path: Path):
    # Its entries carried the whole change's summary: a provision's feed named the biggest
    # other clauses ("Added “12. Arbitration…” (+2103) and 32 more clauses") and their words.
    repo = make_repo()
    start = "# Terms\n\n## Fees\n\nWe charge ten euros.\n\n## Privacy policy\n\nWe keep logs.\n"
    changed = start.replace("ten euros", "twenty euros a month").replace("logs", "no logs")
    changed += "\n## Arbitration\n\n" + "You waive class actions and agree to arbitrate. " * 20
    repo.commit({"archive/acme/terms.md": start}, "Start", "2024-01-01T00:00:00Z")
    repo.commit({"archive/acme/terms.md": changed}, "Update", "2024-02-01T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    feed = _parse(site / "platforms/acme/terms/provisions/fees/feed.xml")
    assert feed.feed.title == "acme — terms — Fees"  # its heading, not its id
    entry = feed.entries[0]
    # The words its version's summary names: twenty, a, month in; ten out ("euros." is kept).
    assert entry.title == "acme — terms: Changed “Fees” (+3 \u22121)"
    content = entry.content[0].value
    changed = "We charge <del>ten euros.</del> <ins>twenty euros a month.</ins>"
    assert content == f'<p class="changed">{changed}</p>'  # the title says what; the diff, how
    assert "Arbitration" not in content and "logs" not in content
    whole = _parse(site / "platforms/acme/terms/feed.xml").entries[0]
    assert "Arbitration" in whole.title  # the document's feed still names the biggest clause


def test_table_cells_holding_paragraphs_leave_pages_and_feeds_well_formed(
    make_repo, tmp_path: Path
):
    # contrib-versions' tables hold "<br><br>" in cells: the diff went on past the cell as
    # paragraphs still holding its cell mark (a control character), and lxml refused the feed,
    # failing the whole build.
    repo = make_repo()
    start = (
        "# Terms\n\n## Use\n\nPurpose/ActivityType of dataLawful basis\n\n"
        "To register you as a new member(a) Profile Data\n\n(a) Performance of a contract\n"
    )
    changed = (
        "# Terms\n\n## Use\n\n| Purpose/Activity | Type of data | Lawful basis |\n|---|---|---|\n"
        "| To register you as a new member | (a) Profile Data<br><br>(b) Contact Data "
        "| (a) Performance of a contract<br><br>(b) Consent |\n"
    )
    repo.commit({"archive/acme/terms.md": start}, "Start", "2024-01-01T00:00:00Z")
    repo.commit({"archive/acme/terms.md": changed}, "Update", "2024-02-01T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    for feed in site.rglob("*.xml"):
        lxml.etree.fromstring(feed.read_bytes())  # well-formed XML
    parsed = feedparser.parse((site / "platforms/acme/terms/feed.xml").read_bytes())
    assert not parsed.bozo and "Profile" in parsed.entries[0].content[0].value
    pages = [p.read_text() for p in site.rglob("*.html")]
    assert not [page for page in pages if "\x01" in page]


def test_without_a_base_url_the_build_says_so_once_and_rss_has_no_links(
    demo_repo: Path, demo_site: Path, tmp_path: Path
):
    done = subprocess.run(
        [
            sys.executable,
            str(BUILD),
            "--repo",
            str(demo_repo),
            "--no-search",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    said = [line for line in done.stderr.splitlines() if "feed links will be relative" in line]
    assert len(said) == 1, done.stderr
    rss = _parse(demo_site / "rss.xml")
    assert rss.version == "rss20" and rss.entries
    assert "link" not in rss.feed and b"<link>" not in (demo_site / "rss.xml").read_bytes()
    assert not any("link" in entry for entry in rss.entries)
    build(BuildOptions(repo=demo_repo, out=tmp_path / "based", search=False, base_url=BASE))
    based = _parse(tmp_path / "based/rss.xml")
    assert based.feed.link == BASE
    assert all(entry.link.startswith(BASE + "platforms/") for entry in based.entries)


def test_rss_descriptions_keep_deletions_and_insertions_marked(demo_site: Path):
    rss = _parse(demo_site / "rss.xml")
    chirpy = [e for e in rss.entries if e.title.startswith("Chirpy — Privacy Policy: Changed")]
    text = chirpy[0].summary
    assert "<" not in text  # plain text
    assert "[-in your privacy settings;-]" in text and "{+by writing to us;+}" in text


def test_no_entry_is_cut_to_a_heading_alone(feeds):
    for name, feed in feeds.items():
        for entry in feed.entries:
            html = entry.content[0].value
            if "<div" in html or "<h3" in html:  # it carries a diff
                assert "<ins>" in html or "<del>" in html, (name, entry.title)


def test_a_topic_feed_entry_older_than_its_documents_newest_news_still_holds_its_diff(
    make_repo, tmp_path: Path
):
    # A topic's feed reaches further back into a document whose newer news are on other topics
    # than the contents kept for the document's own newest news: on contrib-versions two such
    # entries held their summary alone, without their diff.
    repo = make_repo()
    text = "# Terms\n\n## Tone\n\nWe are polite.\n\n## Fees\n\nPay the fee.\n"
    repo.commit({"archive/acme/terms.md": text}, "Start", "2024-01-01T00:00:00Z")
    text = text.replace("We are polite.", "We are nice to everyone.")
    repo.commit({"archive/acme/terms.md": text}, "Kinder", "2024-01-02T00:00:00Z")
    for n in range(MAX_ENTRIES + 1):
        text += f"\nFee rule {n}: pay {'more ' * (n % 3 + 1)}when asked.\n"
        day = f"2024-{2 + n // 28:02d}-{1 + n % 28:02d}T00:00:00Z"
        repo.commit({"archive/acme/terms.md": text}, f"Fees {n}", day)
    topics = tmp_path / "topics.toml"
    topics.write_text(
        '[topics.kindness]\nname = "Kindness"\ndescription = "Being nice."\n'
        "patterns = ['\\bnice\\b']\n"
    )
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False, topics=topics))
    [entry] = _parse(site / "topics/kindness/feed.xml").entries
    assert "Tone" in entry.title
    assert "<ins>nice to everyone.</ins>" in entry.content[0].value
