"""Recording: one commit per changed document, dated at the fetch time, nothing when unchanged."""

from datetime import UTC, datetime
from pathlib import Path

import git
import pytest

from termline.archive import FETCHED_AT, SOURCE_URL, trailer
from termline.errors import TermlineError
from termline.scrape.record import Record, record
from termline.scrape.results import read_results, write_result


def _item(text: str, day: int) -> Record:
    return Record(
        platform="acme",
        document="terms",
        platform_name="Acme",
        document_name="Terms of Service",
        text=text,
        url="https://acme.example/terms",
        fetched_at=datetime(2024, 1, day, 12, tzinfo=UTC),
    )


def test_first_update_and_unchanged(make_repo):
    repo = git.Repo(make_repo().path)
    first = record(repo, "archive", _item("# Terms\n\nOne.\n", 1))
    again = record(repo, "archive", _item("# Terms\n\nOne.\n", 2))
    second = record(repo, "archive", _item("# Terms\n\nTwo.\n", 3))
    assert first and second and again is None
    commits = list(repo.iter_commits())
    assert [c.summary for c in commits] == [
        "Update Acme Terms of Service",
        "Start tracking Acme Terms of Service",
    ]
    assert trailer(commits[0].message, SOURCE_URL) == "https://acme.example/terms"
    assert trailer(commits[0].message, FETCHED_AT) == "2024-01-03T12:00:00Z"
    assert commits[0].authored_datetime == datetime(2024, 1, 3, 12, tzinfo=UTC)
    assert [list(c.stats.files) for c in commits] == [["archive/acme/terms.md"]] * 2
    folder = Path(str(repo.working_tree_dir)) / "archive/acme"
    assert [p.name for p in folder.iterdir()] == ["terms.md"]  # no temporary file left


def test_results_round_trip_in_fetch_order(tmp_path):
    later, earlier = _item("# B\n", 5), _item("# A\n", 4)
    later = Record(**{**later.__dict__, "document": "privacy"})
    write_result(tmp_path / "shard-1", later)
    write_result(tmp_path / "shard-2", earlier)
    assert read_results(tmp_path) == [earlier, later]


def test_result_with_a_path_escaping_slug_is_refused(tmp_path):
    path = write_result(tmp_path, _item("# A\n", 4))
    meta = path.with_suffix(".json")
    meta.write_text(meta.read_text().replace('"terms"', '"../../etc"'))
    with pytest.raises(TermlineError, match="not a slug"):
        read_results(tmp_path)


def test_the_commit_date_is_the_fetch_time_to_the_second(make_repo):
    repo = git.Repo(make_repo().path)
    moment = datetime(2026, 11, 29, 9, 38, 39, tzinfo=UTC)
    record(repo, "archive", Record(**{**_item("# T\n", 1).__dict__, "fetched_at": moment}))
    commit = repo.head.commit
    assert commit.authored_datetime == commit.committed_datetime == moment
