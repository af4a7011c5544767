"""Notes: read and checked, judged fresh or stale against the history, shown, checked by the CLI."""

import json
import shutil
from pathlib import Path

import feedparser
import pytest
from lxml import html

from termline.analysis.notes import load_notes
from termline.build import BuildOptions, build
from termline.cli import main
from termline.errors import TermlineError

V1 = """# Terms

## Arbitration

Disputes go to binding arbitration in Delaware.

## Training

We may use your content to train our models.

## Retention

We keep your data for thirty days after you close your account.
"""
# Arbitration changes; Retention is renamed over the same text (it keeps its id).
V2 = V1.replace("in Delaware", "in London, and you waive class actions").replace(
    "## Retention", "## Data retention"
)
V3 = V2.replace("train our models.", "train our models!")  # cosmetic only

XSS = '<script>alert("x")</script> <img src=x onerror=alert(1)>'


def _note(summary: str, version: str, body: str = "", extra: str = "") -> str:
    return (
        f'+++\nsummary = """{summary}"""\nwritten_against = "{version}"\n'
        f'authors = ["Ada Reviewer"]\n{extra}+++\n\n{body}\n'
    )


@pytest.fixture
def noted(make_repo):
    """An archive of three versions with a stale, a fresh and a renamed provision's note."""
    repo = make_repo()
    ids = []
    for text, date in ((V1, "2024-01-01"), (V2, "2024-03-01"), (V3, "2024-04-01")):
        sha = repo.commit({"archive/acme/terms.md": text}, "Update Acme Terms", f"{date}T00:00:00Z")
        ids.append(f"{date}-{sha[:7]}")
    notes = {
        "notes/acme/terms/arbitration.md": _note(
            "Disputes go to an arbitrator in Delaware, not to a court.",
            ids[0],
            "## For whom\n\nEveryone who signs up.",
            'regulations = ["EU Directive 93/13"]\njurisdictions = ["EU", "US"]\n',
        ),
        "notes/acme/terms/training.md": _note(
            f"Your content trains the models. {XSS}",
            ids[0],
            "See [the law](https://example.org/law), [not this](javascript:alert(1)) "
            "and [nor this](data:text/html,hi).\n\n<b>raw</b>",
        ),
        "notes/acme/terms/retention.md": _note("Data is kept thirty days.", ids[0]),
    }
    repo.commit(notes, "Add notes", "2024-05-01T00:00:00Z")
    return repo, ids


def _page(site: Path, provision: str) -> html.HtmlElement:
    path = site / "platforms/acme/terms/provisions" / provision / "index.html"
    return html.fromstring(path.read_text())


def _text(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


@pytest.fixture
def site(noted, tmp_path):
    repo, _ids = noted
    out = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=out, search=False))
    return out


def test_a_fresh_note_shows_summary_then_history_and_text_then_analysis(site, noted):
    _repo, ids = noted
    training = _page(site, "training")
    article = training.cssselect("article.provision")[0]
    order = [el.get("class") for el in article if el.tag in ("section", "div")]
    # the summary, the clause's history, its text, then the analysis
    assert order == ["note-first", "provision-changes", "current-text", "note-after"]
    assert article.cssselect(".note-first > .note") and article.cssselect(".current-text > .policy")
    assert article.cssselect(".note-after > .note-analysis")
    summary = training.cssselect(".note .note-summary")[0]
    assert "Your content trains the models." in _text(summary)
    assert not training.cssselect(".stale-warning")
    written = _text(training.cssselect(".written-against")[0])
    assert written == "Written against the text of 2024-01-01 by Ada Reviewer."
    assert training.cssselect(".written-against a")[0].get("href") == (
        f"../../versions/{ids[0]}/index.html"
    )
    disclaimer = training.cssselect(".disclaimer a")[0]
    assert disclaimer.get("href") == "../../../../../about/index.html"
    assert "not legal advice" in _text(training.cssselect(".disclaimer")[0])


def test_a_stale_note_warns_and_links_the_comparison(site, noted):
    _repo, ids = noted
    page = _page(site, "arbitration")
    warning = page.cssselect(".note .stale-warning")[0]
    assert "This clause changed on 2024-03-01, after this analysis was written." in _text(warning)
    compare = warning.cssselect("a.compare-link")[0].get("href")
    assert compare == f"../../compare/index.html?from={ids[0]}&to={ids[2]}"
    assert (site / "platforms/acme/terms/compare/index.html").is_file()
    changed = page.cssselect(".stale-warning a")[0].get("href")
    assert changed == f"../../versions/{ids[1]}/index.html"
    facts = " ".join(" ".join(page.cssselect(".note-analysis dl")[0].itertext()).split())
    assert facts == "Regulations EU Directive 93/13 Jurisdictions EU, US"
    assert page.cssselect(".note-analysis h3")[0].text == "For whom"


def test_document_and_version_pages_name_the_stale_notes(site, noted):
    _repo, ids = noted
    document = html.fromstring((site / "platforms/acme/terms/index.html").read_text())
    items = [_text(li) for li in document.cssselect(".notes-stale li")]
    assert items == ["Arbitration: changed on 2024-03-01; the note judged the text of 2024-01-01."]
    versions = site / "platforms/acme/terms/versions"
    made = html.fromstring((versions / ids[1] / "index.html").read_text())
    link = made.cssselect(".notes-stale li a")[0].get("href")
    assert link == "../../provisions/arbitration/index.html"
    for other in (ids[0], ids[2]):
        assert not html.fromstring((versions / other / "index.html").read_text()).cssselect(
            ".notes-stale"
        )


def test_a_renamed_provision_keeps_its_note(site):
    page = _page(site, "retention")
    assert page.cssselect("h1")[0].text == "Data retention"
    assert _text(page.cssselect(".note-summary")[0]) == "Data is kept thirty days."
    assert not page.cssselect(".stale-warning")  # a new heading over the same text


def test_notes_are_rendered_like_scraped_text(site):
    source = (site / "platforms/acme/terms/provisions/training/index.html").read_text()
    page = html.fromstring(source)
    assert not page.cssselect(".note script, .note-analysis script, .note img, .note-analysis b")
    assert "<script>alert" not in source
    assert '&lt;script&gt;alert("x")&lt;/script&gt;' in source or "&lt;script&gt;" in source
    links = {a.text: a.get("href") for a in page.cssselect(".note-body a")}
    assert links == {"the law": "https://example.org/law"}  # the others stay text
    hrefs = [a.get("href") or "" for a in page.iter("a")]
    assert not [h for h in hrefs if h.startswith(("javascript:", "data:"))]


def test_the_data_gives_each_provision_its_note(site, noted):
    _repo, ids = noted
    data = json.loads((site / "data/acme/terms.json").read_text())
    notes = {p["id"]: p["note"] for p in data["provisions"]}
    assert notes["arbitration"]["stale"] is True
    assert notes["arbitration"]["changed_in"] == ids[1]
    assert notes["arbitration"]["written_against"] == ids[0]
    assert notes["arbitration"]["summary"].startswith("Disputes go to an arbitrator")
    assert notes["training"]["stale"] is False
    assert notes["retention"]["path"] == "notes/acme/terms/retention.md"
    assert notes["retention"]["authors"] == ["Ada Reviewer"]


def test_the_notes_feed_has_an_entry_per_note_added_and_made_stale(site):
    feed = feedparser.parse((site / "notes/feed.xml").read_bytes())
    entries = sorted((e.title, e.published[:10], e.link.split("/")[-2]) for e in feed.entries)
    assert entries == [
        ("Note added: acme — terms — Arbitration", "2024-05-01", "arbitration"),
        ("Note added: acme — terms — Data retention", "2024-05-01", "retention"),
        ("Note added: acme — terms — Training", "2024-05-01", "training"),
        # stale since it was added: the clause had changed on 2024-03-01 already
        ("Note out of date: acme — terms — Arbitration", "2024-05-01", "arbitration"),
    ]
    stale = next(e for e in feed.entries if e.title.startswith("Note out of date"))
    assert "This clause changed on 2024-03-01, after the note was written." in (
        stale.content[0].value
    )
    heads = [
        link.get("href") for link in _page(site, "arbitration").cssselect("link[rel=alternate]")
    ]
    assert "../../../../../notes/feed.xml" in heads


def test_a_site_without_notes_has_no_notes_feed(make_repo, tmp_path):
    repo = make_repo()
    repo.commit({"archive/acme/terms.md": V1}, "Start", "2024-01-01T00:00:00Z")
    build(BuildOptions(repo=repo.path, out=tmp_path / "site", search=False))
    assert not (tmp_path / "site/notes").exists()
    assert (tmp_path / "site/feed.xml").is_file()


def test_notes_check_lists_stale_and_orphan_notes(noted, capsys):
    repo, ids = noted
    (repo.path / "notes/acme/terms/gone.md").write_text(_note("Nothing.", ids[0]))
    assert main(["notes", "check", "--repo", str(repo.path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"notes/acme/terms/arbitration.md: stale: acme/terms/arbitration changed in {ids[1]}, "
        f"after the text of {ids[0]} that the note judged",
        "notes/acme/terms/gone.md: orphan: no provision acme/terms/gone in the archive",
        "4 notes, 2 stale or naming no provision",
    ]
    (repo.path / "notes/acme/terms/gone.md").unlink()
    refreshed = (repo.path / "notes/acme/terms/arbitration.md").read_text().replace(ids[0], ids[1])
    (repo.path / "notes/acme/terms/arbitration.md").write_text(refreshed)
    assert main(["notes", "check", "--repo", str(repo.path)]) == 0
    assert capsys.readouterr().out == "3 notes, none stale or naming no provision\n"


def test_notes_check_names_a_version_the_document_never_had(noted, capsys):
    repo, _ids = noted
    (repo.path / "notes/acme/terms/training.md").write_text(_note("x", "2024-01-01-0000000"))
    assert main(["notes", "check", "--repo", str(repo.path)]) == 1
    assert (
        "notes/acme/terms/training.md: key 'written_against': 2024-01-01-0000000 is not a "
        "version of acme/terms"
    ) in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("summary = 'x'\n", "the front matter must open with a '+++' line"),
        ("+++\nsummary = 'x'\n", "the front matter is not closed by a '+++' line"),
        ("+++\nsummary = \n+++\n", "front matter: Invalid value"),
        (
            "+++\nsummary='x'\nwritten_against='2024-01-01-abcdef0'\nauthors=['a']\nmood='x'\n+++",
            "key 'mood': unknown key",
        ),
        ("+++\nsummary='x'\nauthors=['a']\n+++\n", "key 'written_against': missing"),
        (
            "+++\nsummary='x'\nwritten_against='2024-13-01-abcdef0'\nauthors=['a']\n+++",
            "key 'written_against': '2024-13-01-abcdef0' is not a version id",
        ),
        (
            "+++\nsummary='x'\nwritten_against='2024-01-01-ABCDEF0'\nauthors=['a']\n+++",
            "key 'written_against': '2024-01-01-ABCDEF0' is not a version id",
        ),
        (
            "+++\nsummary=' '\nwritten_against='2024-01-01-abcdef0'\nauthors=['a']\n+++",
            "key 'summary': must be a non-empty string",
        ),
        (
            "+++\nsummary='x'\nwritten_against='2024-01-01-abcdef0'\nauthors=[]\n+++",
            "key 'authors': must be a non-empty list of non-empty strings",
        ),
        (
            "+++\nsummary='x'\nwritten_against='2024-01-01-abcdef0'\nauthors=['a']\n"
            "regulations='GDPR'\n+++",
            "key 'regulations': must be a list of non-empty strings",
        ),
    ],
)
def test_a_malformed_note_is_one_line_naming_file_and_key(noted, capsys, content, message):
    repo, _ids = noted
    (repo.path / "notes/acme/terms/training.md").write_text(content)
    assert main(["notes", "check", "--repo", str(repo.path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("termline: error: notes/acme/terms/training.md: ")
    assert message in error
    assert error.count("\n") == 1
    with pytest.raises(TermlineError, match=r"training\.md"):
        build(BuildOptions(repo=repo.path, out=repo.path / "site", search=False))


def test_a_note_must_sit_at_platform_document_provision(tmp_path):
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "loose.md").write_text(_note("x", "2024-01-01-abcdef0"))
    with pytest.raises(TermlineError, match=r"notes/acme/loose.md: a note lives at"):
        load_notes(tmp_path)
    (tmp_path / "acme" / "loose.md").unlink()
    (tmp_path / "README.md").write_text("How to write notes.")  # explains itself; no note
    assert load_notes(tmp_path) == ()


def test_notes_new_writes_a_skeleton_against_the_current_version(noted, capsys):
    repo, ids = noted
    shutil.rmtree(repo.path / "notes")
    assert main(["notes", "new", "acme/terms/training", "--repo", str(repo.path)]) == 0
    path = repo.path / "notes/acme/terms/training.md"
    assert capsys.readouterr().out.strip() == str(path)
    text = path.read_text()
    assert f'written_against = "{ids[2]}"' in text
    assert main(["notes", "check", "--repo", str(repo.path)]) == 2  # unfinished: no summary
    assert "key 'summary': must be a non-empty string" in capsys.readouterr().err
    assert main(["notes", "new", "acme/terms/training", "--repo", str(repo.path)]) == 2
    assert "a note is already there" in capsys.readouterr().err
    assert main(["notes", "new", "acme/terms/nothing", "--repo", str(repo.path)]) == 2
    assert "no current provision nothing (there are: " in capsys.readouterr().err
    assert main(["notes", "new", "acme/terms", "--repo", str(repo.path)]) == 2
    assert "expected PLATFORM/DOCUMENT/PROVISION" in capsys.readouterr().err


def test_notes_commands_reject_a_bad_option(noted, capsys):
    repo, _ids = noted
    with pytest.raises(SystemExit) as stopped:
        main(["notes", "check", "--repo", str(repo.path), "--bogus"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_rebuild_after_a_note_changes_matches_a_fresh_build(noted, tmp_path):
    repo, ids = noted
    cache, out, fresh = tmp_path / "cache", tmp_path / "out", tmp_path / "fresh"
    build(BuildOptions(repo=repo.path, out=out, search=False, cache=cache))
    note = repo.path / "notes/acme/terms/arbitration.md"
    note.write_text(note.read_text().replace(ids[0], ids[1]).replace("Delaware", "London"))
    build(BuildOptions(repo=repo.path, out=out, search=False, cache=cache))
    build(BuildOptions(repo=repo.path, out=fresh, search=False))
    page = _page(out, "arbitration")
    assert not page.cssselect(".stale-warning")
    assert "London" in _text(page.cssselect(".note-summary")[0])
    files = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    others = {p.relative_to(fresh): p.read_bytes() for p in fresh.rglob("*") if p.is_file()}
    files.pop(Path(".termline-site"), None)
    others.pop(Path(".termline-site"), None)
    assert files.keys() == others.keys()
    assert [p for p in files if files[p] != others[p]] == []


def test_a_stale_note_links_the_newest_text_after_a_rebuild(noted, tmp_path):
    """A new version the clause did not see still moves the note's comparison link."""
    repo, ids = noted
    cache, out, fresh = tmp_path / "cache", tmp_path / "site", tmp_path / "fresh"
    build(BuildOptions(repo=repo.path, out=out, search=False, cache=cache))
    text = V3.replace("thirty days", "thirty-one days")  # Retention changes, Arbitration does not
    sha = repo.commit({"archive/acme/terms.md": text}, "Update Acme Terms", "2024-06-01T00:00:00Z")
    build(BuildOptions(repo=repo.path, out=out, search=False, cache=cache))
    build(BuildOptions(repo=repo.path, out=fresh, search=False))
    newest = f"../../compare/index.html?from={ids[0]}&to=2024-06-01-{sha[:7]}"
    for site in (fresh, out):
        link = _page(site, "arbitration").cssselect(".stale-warning a.compare-link")[0]
        assert link.get("href") == newest
