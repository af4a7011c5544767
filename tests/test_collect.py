"""Recording shard results: fetch-time order, one commit per document, idempotent, in archive/."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git
import pytest

from termline.archive import EXTRACTED_BY, FETCHED_AT, trailer
from termline.ci.collect import record_results
from termline.errors import TermlineError
from termline.scrape.record import Record
from termline.scrape.reports import read_report
from termline.scrape.results import write_result

START = datetime(2024, 3, 1, 6, tzinfo=UTC)


def _item(platform: str, document: str, text: str, minutes: int) -> Record:
    return Record(
        platform=platform,
        document=document,
        platform_name=platform.title(),
        document_name=document.replace("-", " ").title(),
        text=text,
        url=f"https://{platform}.example/{document}",
        fetched_at=START + timedelta(minutes=minutes),
    )


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    """Two shard folders whose results interleave in time, as two parallel jobs would write."""
    folder = tmp_path / "shards"
    write_result(folder / "shard-001", _item("acme", "terms", "# Terms\n\nA.\n", 5))
    write_result(folder / "shard-001", _item("acme", "privacy", "# Privacy\n\nA.\n", 1))
    write_result(folder / "shard-002", _item("beta", "terms", "# Terms\n\nB.\n", 3))
    return folder


def _log(repo: git.Repo) -> list[tuple[str, list[str], str | None]]:
    return [
        (c.summary, list(c.stats.files), trailer(c.message, FETCHED_AT))
        for c in reversed(list(repo.iter_commits()))
    ]


def test_commits_every_shard_one_document_each_in_fetch_time_order(make_repo, shards):
    repo = make_repo()
    repo.commit({"README.md": "x\n"}, "Start", "2024-01-01T00:00:00Z")
    entries = record_results(repo.path, "archive", [shards / "shard-001", shards / "shard-002"])
    assert [(e.key, e.status) for e in entries] == [
        ("acme/privacy", "new"),
        ("beta/terms", "new"),
        ("acme/terms", "new"),
    ]
    assert _log(git.Repo(repo.path))[1:] == [
        ("Start tracking Acme Privacy", ["archive/acme/privacy.md"], "2024-03-01T06:01:00Z"),
        ("Start tracking Beta Terms", ["archive/beta/terms.md"], "2024-03-01T06:03:00Z"),
        ("Start tracking Acme Terms", ["archive/acme/terms.md"], "2024-03-01T06:05:00Z"),
    ]
    head = git.Repo(repo.path).head.commit
    assert head.committed_datetime == head.authored_datetime == START + timedelta(minutes=5)
    assert [e.commit for e in entries][-1] == head.hexsha


def test_rerun_on_the_same_results_commits_nothing(make_repo, shards):
    repo = make_repo()
    record_results(repo.path, "archive", [shards])
    before = repo.git("rev-parse", "HEAD")
    again = record_results(repo.path, "archive", [shards])
    assert repo.git("rev-parse", "HEAD") == before
    assert {(e.status, e.commit) for e in again} == {("unchanged", None)}


def test_a_later_result_updates_the_document(make_repo, shards, tmp_path):
    repo = make_repo()
    record_results(repo.path, "archive", [shards])
    later = tmp_path / "later"
    write_result(later, _item("acme", "terms", "# Terms\n\nA, amended.\n", 400))
    (entry,) = record_results(repo.path, "archive", [later])
    assert (entry.key, entry.status) == ("acme/terms", "changed")
    assert _log(git.Repo(repo.path))[-1][0] == "Update Acme Terms"
    assert (repo.path / "archive/acme/terms.md").read_text() == "# Terms\n\nA, amended.\n"


def test_refuses_a_result_whose_file_escapes_the_archive_and_records_nothing(make_repo, shards):
    repo = make_repo()
    outside = repo.path.parent / "outside"
    outside.mkdir()
    (repo.path / "archive").mkdir()
    (repo.path / "archive" / "beta").symlink_to(outside, target_is_directory=True)
    repo.commit({}, "Link beta elsewhere", "2024-01-01T00:00:00Z")
    with pytest.raises(TermlineError, match=r"beta/terms: archive/beta/terms.md resolves outside"):
        record_results(repo.path, "archive", [shards])
    assert repo.git("log", "--oneline").count("\n") == 1
    assert not (repo.path / "archive/acme").exists() and not any(outside.iterdir())


def test_what_extracted_a_result_becomes_its_commit_trailer(make_repo, tmp_path):
    folder = tmp_path / "results"
    item = _item("acme", "terms", "# Terms\n\nA.\n", 1)
    write_result(folder, Record(**{**item.__dict__, "extracted_by": "termline 9; select=main"}))
    write_result(folder, _item("beta", "terms", "# Terms\n\nB.\n", 2))  # from an older shard
    repo = make_repo()
    record_results(repo.path, "archive", [folder])
    commits = list(git.Repo(repo.path).iter_commits())
    assert [trailer(c.message, EXTRACTED_BY) for c in commits] == [None, "termline 9; select=main"]


def test_refuses_a_result_whose_extracted_by_is_not_one_line(make_repo, shards):
    meta = shards / "shard-002/beta/terms.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "extracted_by": "a\nb"}))
    with pytest.raises(TermlineError, match=r"terms.json: not a valid result: extracted_by"):
        record_results(make_repo().path, "archive", [shards])


def test_refuses_a_result_with_a_path_in_its_slug(make_repo, shards):
    meta = shards / "shard-002/beta/terms.json"
    data = json.loads(meta.read_text())
    meta.write_text(json.dumps({**data, "platform": "../.."}))
    repo = make_repo()
    with pytest.raises(TermlineError, match=r"terms.json: platform '../..' is not a slug"):
        record_results(repo.path, "archive", [shards])
    assert not (repo.path / "archive").exists()


def test_refuses_an_archive_outside_the_repository_or_with_local_changes(make_repo, shards):
    repo = make_repo()
    with pytest.raises(TermlineError, match=r"--archive \.\./elsewhere: outside the repository"):
        record_results(repo.path, "../elsewhere", [shards])
    repo.write("archive/acme/notes.md", "half-written\n")
    with pytest.raises(TermlineError, match="archive/ has uncommitted changes"):
        record_results(repo.path, "archive", [shards])
    with pytest.raises(TermlineError, match="nowhere: no such results folder"):
        record_results(repo.path, "archive", [shards / "nowhere"])


def test_record_results_command_writes_its_report(make_repo, shards, tmp_path):
    repo = make_repo()
    report = tmp_path / "recorded.json"
    command = [sys.executable, "-m", "termline.cli", "record-results", str(shards)]
    command += ["--repo", str(repo.path), "--report", str(report)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert out == "recorded 3 commits from 3 results\n"
    entries = read_report(report)
    assert [(e.key, e.status) for e in entries] == [
        ("acme/privacy", "new"),
        ("beta/terms", "new"),
        ("acme/terms", "new"),
    ]
    assert entries[-1].commit == repo.git("rev-parse", "HEAD").strip()


def test_record_results_command_uses_the_configured_author(make_repo, shards, tmp_path):
    repo = make_repo()
    sources = tmp_path / "sources.toml"
    sources.write_text('[site]\nauthor = "Archive Bot <archive@example.org>"\n')
    command = [sys.executable, "-m", "termline.cli", "record-results", str(shards)]
    command += ["--repo", str(repo.path), "--sources", str(sources)]
    subprocess.run(command, capture_output=True, text=True, check=True)
    authors = {(c.author.name, c.author.email) for c in git.Repo(repo.path).iter_commits()}
    assert authors == {("Archive Bot", "archive@example.org")}
