"""termline import: an upstream-shaped fixture repository replayed into a real archive."""

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import git
import pytest

from conftest import GitRepo, clone_bundle
from termline.analysis.history import read_history
from termline.archive import IMPORTED_FROM, RECORDING_CHANGE, trailer
from termline.build import BuildOptions, build
from termline.cli import main
from termline.scrape.declarations import convert, read_declaration, to_toml
from termline.sources import load_config

UPSTREAM = "https://github.com/example/fixture-versions"
SOURCES = """
[platforms.acme]
name = "Acme Corp"

[platforms.acme.documents.terms]
name = "Terms of Service"
url = "https://acme.example/terms"
import = "Acme Chat/Terms of Service"

[platforms.acme.documents.privacy]
name = "Privacy Policy"
url = "https://acme.example/privacy"
import = ["Acme Chat/Privacy Policy", "Acme Code/Privacy Policy"]

[platforms.other]
[platforms.other.documents.terms]
url = "https://other.example/terms"
"""
BOT = "Open Terms Archive Bot"


def upstream_commit(repo: GitRepo, files: dict[str, str], title: str, date: str) -> str:
    """Commit as the upstream's bot does: one document, a title, its original date."""
    for path, text in files.items():
        repo.write(path, text)
    repo.git("add", "-A")
    env_date = {"date": date}
    repo.git("-c", f"user.name={BOT}", "commit", "-q", "--author",
             f"{BOT} <bot@opentermsarchive.org>", "-m", title, **env_date)  # fmt: skip
    return repo.git("rev-parse", "HEAD").strip()


TOS, PRIVACY, CODE = (
    "Acme Chat/Terms of Service.md",
    "Acme Chat/Privacy Policy.md",
    "Acme Code/Privacy Policy.md",
)
HISTORY = [
    ({"README.md": "versions\n", "Other/Imprint.md": "x\n"}, "Initial", "2025-11-01T00:00:00Z"),
    ({TOS: "# Terms\n\nOne.\n"}, "First record of Acme Chat Terms of Service",
     "2025-11-11T10:00:00+01:00"),
    ({PRIVACY: "# Privacy\n\nWe keep data.\n"}, "First record of Acme Chat Privacy Policy",
     "2025-11-11T11:00:00Z"),
    ({TOS: "# Terms\n\nOne. Two.\n"}, "Record new changes of Acme Chat Terms of Service",
     "2026-01-05T08:30:00Z"),
    ({TOS: "# Terms\n\nOne.  Two.\n"},
     "Apply technical or declaration upgrade on Acme Chat Terms of Service",
     "2026-02-01T00:00:00Z"),
    # The service renamed upstream: the same page, recorded under a new name from here on.
    ({CODE: "# Privacy\n\nWe keep data.\n"}, "First record of Acme Code Privacy Policy",
     "2026-03-01T00:00:00Z"),
    ({CODE: "# Privacy\n\nWe keep less data.\n"}, "Record new changes of Acme Code Privacy Policy",
     "2026-04-01T00:00:00Z"),
]  # fmt: skip


@pytest.fixture
def upstream(make_repo: Callable[[str], GitRepo]) -> GitRepo:
    """An Open Terms Archive versions repository: services at the root, names with spaces."""
    repo = make_repo("upstream")
    for files, title, date in HISTORY:
        upstream_commit(repo, files, title, date)
    return repo


@pytest.fixture
def archive(make_repo: Callable[[str], GitRepo]) -> GitRepo:
    repo = make_repo("archive")
    repo.commit({"sources.toml": SOURCES, "README.md": "mine\n"}, "Declare", "2025-10-01T00:00:00Z")
    return repo


def run(archive: GitRepo, upstream: GitRepo, *more: str) -> int:
    sources = str(archive.path / "sources.toml")
    return main(["import", "--from", str(upstream.path), "--repo", str(archive.path),
                 "--sources", sources, "--upstream", UPSTREAM, *more])  # fmt: skip


def log(repo: GitRepo, *paths: str) -> list[dict[str, str]]:
    """Return the commits since the declaration, oldest first: dates, names, message."""
    out = repo.git("log", "--reverse", "--format=%H%x1f%aI%x1f%cI%x1f%an%x1f%B%x1e", "HEAD",
                   "--", *paths)  # fmt: skip
    keys = ("sha", "author_date", "committer_date", "author", "message")
    rows = [dict(zip(keys, c.strip().split("\x1f"), strict=True)) for c in out.split("\x1e")[:-1]]
    return [row for row in rows if not row["message"].startswith("Declare")]


def test_replays_each_version_as_a_termline_commit(archive: GitRepo, upstream: GitRepo) -> None:
    assert run(archive, upstream) == 0
    commits = log(archive)
    titles = [c["message"].splitlines()[0] for c in commits]
    assert titles == [
        "Start tracking Acme Corp Terms of Service",
        "Start tracking Acme Corp Privacy Policy",
        "Update Acme Corp Terms of Service",
        "Update Acme Corp Terms of Service",
        # Acme Code's first record has Acme Chat's last text: no commit for it
        "Update Acme Corp Privacy Policy",
    ]
    first = commits[0]
    assert first["author_date"] == "2025-11-11T10:00:00+01:00"
    declared = archive.git("log", "-1", "--format=%cI", "HEAD~5").strip()
    committed = [c["committer_date"] for c in commits]
    assert len(set(committed)) == 1  # one import, one committer date, not before its parent's
    assert datetime.fromisoformat(committed[0]) >= datetime.fromisoformat(declared)
    assert first["author"] == BOT
    assert trailer(first["message"], "Source-URL") == "https://acme.example/terms"
    assert trailer(first["message"], "Fetched-At") == "2025-11-11T09:00:00Z"
    sha = upstream.git("log", "--reverse", "--format=%H", "--", TOS).split()[0]
    assert trailer(first["message"], IMPORTED_FROM) == f"{UPSTREAM} {sha}"
    assert (archive.path / "archive/acme/terms.md").read_text() == "# Terms\n\nOne.  Two.\n"
    privacy = (archive.path / "archive/acme/privacy.md").read_text()
    assert privacy == "# Privacy\n\nWe keep less data.\n"
    assert archive.git("status", "--porcelain") == ""


def test_touches_only_the_archive_and_builds(archive: GitRepo, upstream: GitRepo) -> None:
    run(archive, upstream)
    changed = archive.git("diff", "--name-only", "HEAD~5", "HEAD").split()
    assert sorted(changed) == ["archive/acme/privacy.md", "archive/acme/terms.md"]
    for commit in log(archive):
        files = archive.git("show", "--format=", "--name-only", commit["sha"]).split()
        assert len(files) == 1
    histories = {h.document: h for h in read_history(git.Repo(archive.path), "archive")}
    assert histories["terms"].versions[0].date.isoformat() == "2025-11-11T09:00:00+00:00"
    assert len(histories["privacy"].versions) == 2


def test_upstream_technical_upgrades_carry_a_recording_change(
    archive: GitRepo, upstream: GitRepo
) -> None:
    run(archive, upstream)
    marked = [c for c in log(archive) if trailer(c["message"], RECORDING_CHANGE)]
    assert len(marked) == 1
    assert "Apply technical or declaration upgrade on" in (
        trailer(marked[0]["message"], RECORDING_CHANGE) or ""
    )
    assert marked[0]["author_date"] == "2026-02-01T00:00:00+00:00"


def test_again_adds_nothing_and_a_newer_upstream_only_what_is_new(
    archive: GitRepo, upstream: GitRepo
) -> None:
    run(archive, upstream)
    head = archive.git("rev-parse", "HEAD")
    assert run(archive, upstream) == 0
    assert archive.git("rev-parse", "HEAD") == head
    title = "Record new changes of Acme Chat Terms of Service"
    upstream_commit(upstream, {TOS: "# Terms\n\nThree.\n"}, title, "2026-05-01T00:00:00Z")
    assert run(archive, upstream) == 0
    assert archive.git("rev-parse", "HEAD~1") == head  # appended, history kept
    assert len(log(archive)) == 6


def test_dry_run_and_report(archive: GitRepo, upstream: GitRepo, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    head = archive.git("rev-parse", "HEAD")
    assert run(archive, upstream, "--dry-run", "--report", str(report)) == 0
    assert archive.git("rev-parse", "HEAD") == head
    data = json.loads(report.read_text())
    by_document = {d["document"]: d for d in data["documents"]}
    assert by_document["terms"]["added"] == 3
    assert by_document["terms"]["technical"] == 1
    assert by_document["privacy"]["import"] == [PRIVACY[:-3], CODE[:-3]]
    assert len(by_document["privacy"]["skipped"]) == 1


def test_only_imports_the_named_document(archive: GitRepo, upstream: GitRepo) -> None:
    assert run(archive, upstream, "--only", "acme/privacy") == 0
    assert not (archive.path / "archive/acme/terms.md").exists()
    assert len(log(archive)) == 2


def refusal(capsys: pytest.CaptureFixture[str], status: int) -> str:
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1
    return err


def test_refuses_a_dirty_archive(
    archive: GitRepo, upstream: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    archive.write("archive/acme/terms.md", "hand edit\n")
    err = refusal(capsys, run(archive, upstream))
    assert "archive: the archive folder has uncommitted changes" in err
    assert len(log(archive)) == 0


def test_refuses_scraped_versions_newer_than_the_import(
    archive: GitRepo, upstream: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "Start tracking Acme Corp Terms of Service"
    archive.commit({"archive/acme/terms.md": "scraped\n"}, title, "2026-01-01T00:00:00Z")
    head = archive.git("rev-parse", "HEAD")
    err = refusal(capsys, run(archive, upstream))
    assert "acme/terms: the archive has versions scraped up to 2026-01-01 00:00 UTC" in err
    assert archive.git("rev-parse", "HEAD") == head  # nothing imported, not even privacy


def test_refuses_bad_mappings(
    archive: GitRepo, upstream: GitRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = archive.path / "sources.toml"
    cases = [
        ('"Acme Chat/Terms of Service"', '"Terms of Service"',
         "'Terms of Service' is not '<Service>/<Terms type>'"),
        ("Acme Code/Privacy", 'Acme Chat/Terms of Service", "x/Privacy',
         "is already imported by platforms.acme.documents.terms"),
        ("Acme Chat/Terms of Service", "Acme Chat/Missing", "Acme Chat/Missing: no such document"),
    ]  # fmt: skip
    for old, new, error in cases:
        sources.write_text(SOURCES.replace(old, new))
        assert error in refusal(capsys, run(archive, upstream))
    sources.write_text(SOURCES)
    only_other = run(archive, upstream, "--only", "other")
    assert "--only other: declares no import" in refusal(capsys, only_other)
    plain = archive.path.parent / "plain"
    plain.mkdir()
    not_a_repo = ["--from", str(plain), "--sources", str(sources)]
    assert "not a git repository" in refusal(capsys, main(["import", *not_a_repo]))
    assert len(log(archive)) == 0


def test_the_command_runs_as_a_process(archive: GitRepo, upstream: GitRepo) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "termline.cli", "import", "--from", str(upstream.path),
         "--sources", "sources.toml", "--dry-run"],
        cwd=archive.path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "5 versions from" in done.stdout


def test_converts_declarations(tmp_path: Path) -> None:
    declaration = {
        "name": "Acme Chat",
        "terms": {
            "Terms of Service": {"fetch": "https://acme.example/terms", "select": ["main"],
                                 "remove": ".ad"},
            "Privacy Policy": {
                "select": "article",
                "executeClientScripts": True,
                "filter": ["removeTrackers"],
                "combine": [{"fetch": "https://acme.example/privacy"},
                            {"fetch": "https://acme.example/cookies"}],
            },
            "Trackers Policy": {"fetch": "https://acme.example/t",
                                "select": {"startBefore": "h1", "endBefore": "footer"}},
        },
    }  # fmt: skip
    path = tmp_path / "Acme Chat.json"
    path.write_text(json.dumps(declaration))
    converted = {c.document: c for c in convert([read_declaration(path)], {"Acme Chat": "acme"})}
    assert converted["terms-of-service"].select == ("main",)
    assert converted["terms-of-service"].remove == (".ad",)
    assert converted["terms-of-service"].not_converted == ()
    privacy = converted["privacy-policy"]
    assert (privacy.url, privacy.select) == ("https://acme.example/privacy", ("article",))
    assert len(privacy.not_converted) == 3
    assert any("https://acme.example/cookies" in note for note in privacy.not_converted)
    assert converted["trackers-policy"].select == ()
    assert "startBefore" in converted["trackers-policy"].not_converted[0]
    sources = tmp_path / "sources.toml"
    sources.write_text(to_toml(list(converted.values())))
    config = load_config(sources)  # what it prints is a valid sources.toml
    assert {s.imports for s in config.sources} == {
        ("Acme Chat/Terms of Service",),
        ("Acme Chat/Privacy Policy",),
        ("Acme Chat/Trackers Policy",),
    }
    assert config.find("acme", "terms-of-service") is not None


def test_the_site_credits_open_terms_archive(
    archive: GitRepo, upstream: GitRepo, tmp_path: Path
) -> None:
    run(archive, upstream)
    out = tmp_path / "site"
    build(BuildOptions(repo=archive.path, out=out, search=False, cache=None))
    footer = (out / "index.html").read_text().split('<footer class="site">')[1]
    assert '<a href="https://opentermsarchive.org/">Open Terms Archive</a>' in footer
    assert "(ODC-By 1.0)" in footer
    licence = '[site]\ndata_licence = "CC0 1.0"\n'
    (archive.path / "sources.toml").write_text(licence + SOURCES.replace("import =", "# import ="))
    build(BuildOptions(repo=archive.path, out=out, search=False, cache=None))
    page = (out / "index.html").read_text()
    assert "Open Terms Archive" not in page
    assert "This archive's data is available under CC0 1.0." in page


def test_the_shipped_sources_import_every_genai_eu_document(tmp_path: Path) -> None:
    clone = clone_bundle("ota-genai-eu-versions.bundle", tmp_path)
    files = subprocess.run(
        ["git", "ls-files", "-z", "*/*.md"], cwd=clone, capture_output=True, check=True, text=True
    ).stdout
    upstream = {name.removesuffix(".md") for name in files.split("\0") if name}
    config = load_config(Path(__file__).resolve().parents[1] / "sources.toml")
    imported = {name for source in config.sources for name in source.imports}
    assert len(upstream) == 63
    assert imported == upstream
