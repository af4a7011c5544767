"""Site size: what pages and feeds leave out so 40,000 versions fit GitHub Pages (issue 7)."""

import json
import posixpath
import re
from pathlib import Path

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st

from termline.analysis.diff import CONTEXT_WORDS, ELISION, word_diff
from termline.build import BuildOptions, build
from termline.site.feeds import DOCUMENT_ENTRIES, PROVISION_ENTRIES
from termline.site.render import TOPIC_PROVISIONS, relative

TOPICS = """\
[topics.kindness]
name = "Kindness"
description = "Being nice."
patterns = ['\\bnice\\b']
"""


def numbered(start: int, stop: int) -> str:
    return " ".join(f"w{i}" for i in range(start, stop))


def test_a_changed_word_in_a_long_paragraph_keeps_its_context_words_only():
    old = numbered(0, 200)
    diff = word_diff(old, old.replace("w100 ", "changed "))
    [block] = [b.html for b in diff.blocks if b.kind == "change"]
    around = CONTEXT_WORDS
    assert block == (
        f"{ELISION} {numbered(100 - around, 100)} <del>w100</del> <ins>changed</ins> "
        f"{numbered(101, 101 + around)} {ELISION}"
    )
    assert (diff.words_added, diff.words_removed) == (1, 1)


def test_context_paragraphs_keep_the_words_next_to_the_change():
    before, after = numbered(0, 100), numbered(300, 400)
    diff = word_diff(f"{before}\n\nold\n\n{after}", f"{before}\n\nnew\n\n{after}")
    context = [b.html for b in diff.blocks if b.kind == "context" and b.html]
    assert context == [
        f"{ELISION} {numbered(100 - CONTEXT_WORDS, 100)}",
        f"{numbered(300, 300 + CONTEXT_WORDS)} {ELISION}",
    ]


@pytest.mark.parametrize("bullet", ["", "* "])
def test_paragraphs_only_cut_anew_fold_into_one_line(bullet):
    # Perplexity's terms, cut into shorter paragraphs with one phone number struck, showed
    # 18 lines of "[…]": units whose words were all the same, far from the change.
    cuts = [(0, 50), (50, 100), (100, 150), (150, 200)]
    old = "\n".join(f"{bullet}{numbered(a, a + 100)}\n" for a in (0, 100))
    new = "\n".join(f"{bullet}{numbered(a, b)}\n" for a, b in cuts)
    end = f"\n{bullet}{numbered(200, 300)}"
    diff = word_diff(old + end + " by phone", new + end)
    first, changed = diff.blocks
    if bullet:  # one elided item: a skip would cut the list in two
        assert (first.kind, first.tag, first.html, first.lines) == ("context", "li", ELISION, 4)
    else:
        assert (first.kind, first.lines) == ("skip", 4)
    assert changed.kind == "change" and "<del>by phone</del>" in changed.html
    assert (diff.words_added, diff.words_removed) == (0, 2)


def test_short_lines_and_untrimmed_diffs_are_whole():
    text = numbered(0, CONTEXT_WORDS + 1)  # one word more than kept: not worth an elision
    assert word_diff(text, text + " more").blocks[0].html == f"{text} <ins>more</ins>"
    whole = word_diff(numbered(0, 200), numbered(0, 199), around=None)
    assert ELISION not in whole.blocks[0].html and numbered(0, 199) in whole.blocks[0].html


WORDS = st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=120).map(" ".join)


@given(WORDS, WORDS, st.integers(min_value=0, max_value=5))
def test_trimming_keeps_every_changed_word_and_the_counts(old, new, around):
    trimmed, whole = word_diff(old, new, around=around), word_diff(old, new, around=None)
    assert (trimmed.words_added, trimmed.words_removed) == (whole.words_added, whole.words_removed)
    marks = [
        part for b in trimmed.blocks for part in b.html.split("<") if part[:4] in ("ins>", "del>")
    ]
    wanted = [
        part for b in whole.blocks for part in b.html.split("<") if part[:4] in ("ins>", "del>")
    ]
    assert marks == wanted


def test_feeds_keep_their_newest_entries_only(make_repo, tmp_path: Path):
    repo = make_repo()
    count = DOCUMENT_ENTRIES + 3
    for n in range(count):
        text = f"# Terms\n\n## Manners\n\nBe nice, take {n}.\n\n## Other\n\nRule {n // 2}.\n"
        repo.commit({"archive/acme/terms.md": text}, f"v{n}", f"2024-01-{n + 1:02d}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    document = feedparser.parse((site / "platforms/acme/terms/feed.xml").read_bytes())
    provision = feedparser.parse(
        (site / "platforms/acme/terms/provisions/manners/feed.xml").read_bytes()
    )
    assert len(document.entries) == DOCUMENT_ENTRIES
    assert len(provision.entries) == PROVISION_ENTRIES
    newest = f"2024-01-{count:02d}"
    assert document.entries[0].link.endswith(f"versions/{newest}-{_short(repo, 'HEAD')}/index.html")
    page = (site / "platforms/acme/terms/provisions/manners/index.html").read_text()
    heads = re.findall(r'<link rel="alternate"[^>]* href="([^"]+)"', page)
    assert heads == [
        "../../../../../feed.xml",
        "feed.xml",
    ]  # the site's and its own, by the shortest way
    data = site / "data/acme/terms.json"
    assert len(data.read_text().splitlines()) == 1  # not indented: a third of the bytes
    assert len(json.loads(data.read_text())["versions"]) == count


def _short(repo, ref: str) -> str:
    return repo.git("rev-parse", "--short=7", ref).strip()


def test_topic_pages_show_a_few_provisions_per_platform(make_repo, tmp_path: Path):
    repo = make_repo()
    sections = "".join(
        f"## Rule {n}\n\nBe nice, rule {n}.\n\n" for n in range(TOPIC_PROVISIONS + 2)
    )
    repo.commit({"archive/acme/terms.md": f"# Terms\n\n{sections}"}, "v1", "2024-01-01T00:00:00Z")
    topics = tmp_path / "topics.toml"
    topics.write_text(TOPICS)
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False, topics=topics))
    page = (site / "topics/kindness/index.html").read_text()
    shown = [f"provisions/rule-{n}/index.html" in page for n in range(TOPIC_PROVISIONS + 2)]
    assert shown == [True] * TOPIC_PROVISIONS + [False] * 2
    assert 'and 2 more on the <a href="../../platforms/acme/index.html">acme</a> page' in page


def test_noise_version_pages_cut_their_diff_and_link_the_rest(make_repo, tmp_path: Path):
    repo = make_repo()
    paragraphs = [f"Clause {n}: we keep your data for {n} days." for n in range(200)]
    spaced = [p.replace("days.", "days;") for p in paragraphs]  # punctuation only: cosmetic
    substantive = [p.replace("days", "weeks") for p in spaced]
    for day, body in enumerate((paragraphs, spaced, substantive), start=1):
        text = "# Terms\n\n## Use\n\n" + "\n\n".join(body) + "\n"
        repo.commit({"archive/acme/terms.md": text}, f"v{day}", f"2024-01-0{day}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    versions = sorted((site / "platforms/acme/terms/versions").iterdir())
    cosmetic, changed = (v.joinpath("index.html").read_text() for v in versions[1:])
    assert "kind-cosmetic" in cosmetic and "Clause 1:" in cosmetic
    assert "Clause 199:" not in cosmetic  # cut after about render.NOISE_DIFF characters
    assert f"compare/index.html?from={versions[0].name}&amp;to={versions[1].name}" in cosmetic
    assert "The rest of this diff" in cosmetic
    assert "Clause 199:" in changed and "The rest of this diff" not in changed  # news: whole
    assert len(cosmetic) < len(changed) / 3


def test_long_diffs_are_cut_with_a_count_of_what_is_left_and_where(make_repo, tmp_path: Path):
    repo = make_repo()
    paragraphs = [f"Clause {n}: we keep your data for {n} days." for n in range(600)]
    longer = [p.replace("days", "weeks") for p in paragraphs]  # 600 changed paragraphs: news
    for day, body in enumerate((paragraphs, longer), start=1):
        text = "# Terms\n\n## Use\n\n" + "\n\n".join(body) + "\n"
        repo.commit({"archive/acme/terms.md": text}, f"v{day}", f"2024-01-0{day}T00:00:00Z")
    site = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=site, search=False))
    terms = site / "platforms/acme/terms"
    first, changed = sorted(p.name for p in (terms / "versions").iterdir())
    page = (terms / "versions" / changed / "index.html").read_text()
    left = re.search(r"The rest of this diff, (\d+) more changed passages", page)
    assert left and "Clause 1:" in page and "Clause 599:" not in page
    assert int(left[1]) + page.count('<p class="changed">') == 600
    assert f"compare/index.html?from={first}&amp;to={changed}" in page
    assert "unchanged words left out" not in page and "⇄" not in page  # no "[…]", no retarget
    pages = [p.read_text() for p in (terms / "provisions").glob("*/index.html")]
    [history] = [text for text in pages if re.search(r"<h1[^>]*>Use</h1>", text)]
    more = re.search(r"… and (\d+) more changed passages: <a href=\"([^\"]+)\">", history)
    assert more and more[2] == f"../../compare/index.html?from={first}&amp;to={changed}"
    assert int(more[1]) + history.count('<p class="changed">') == 600


FOLDERS = st.lists(st.sampled_from(["a", "b", "ab", "x"]), max_size=5)


@given(FOLDERS, FOLDERS, st.sampled_from(["index.html", "feed.xml"]))
def test_a_link_from_a_page_reaches_its_target_and_is_never_longer_than_from_the_root(
    page_folders: list[str], target_folders: list[str], name: str
):
    page = "/".join([*page_folders, "index.html"])
    target = "/".join([*target_folders, name])
    link = relative(page, target)
    assert posixpath.normpath(posixpath.join(posixpath.dirname(page), link)) == target
    assert len(link) <= len("../" * page.count("/") + target)
