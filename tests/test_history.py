"""The history stage on real temporary git repositories."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from termline.analysis.history import UNSHOWABLE, BlobReader, day, decode, read_history
from termline.archive import open_repo
from termline.errors import TermlineError


def test_versions_are_ordered_by_author_date_not_log_position(make_repo):
    repo = make_repo()
    repo.commit({"archive/acme/terms.md": "second"}, "Update", "2024-03-01T00:00:00Z")
    repo.commit({"archive/acme/terms.md": "first"}, "Backdated", "2024-01-01T00:00:00Z")
    repo.commit({"archive/acme/terms.md": "third"}, "Update", "2024-05-01T00:00:00Z")
    [history] = read_history(open_repo(repo.path), "archive")
    reader = BlobReader(open_repo(repo.path))
    assert [reader.text(v.blob) for v in history.versions] == ["first", "second", "third"]
    assert [v.id[:10] for v in history.versions] == ["2024-01-01", "2024-03-01", "2024-05-01"]


def test_only_platform_document_md_files_are_documents(make_repo):
    repo = make_repo()
    repo.commit(
        {
            "README.md": "readme",
            "LICENSE": "licence",
            "Acme Corp/Terms of Service.md": "terms",
            "Acme Corp/notes.txt": "not markdown",
            "Acme Corp/deep/nested.md": "too deep",
        },
        "Initial",
        "2024-01-01T00:00:00Z",
    )
    histories = read_history(open_repo(repo.path), ".")
    assert [(h.platform, h.document) for h in histories] == [("Acme Corp", "Terms of Service")]


def test_deleted_and_readded_document(make_repo):
    repo = make_repo()
    repo.commit({"archive/a/b.md": "one"}, "Start", "2024-01-01T00:00:00Z")
    (repo.path / "archive/a/b.md").unlink()
    repo.commit({}, "Delete", "2024-02-01T00:00:00Z")
    repo.commit({"archive/a/b.md": "two"}, "Back", "2024-03-01T00:00:00Z")
    [history] = read_history(open_repo(repo.path), "archive")
    assert [v.blob is None for v in history.versions] == [False, True, False]


def test_rename_ends_one_history_and_starts_another(make_repo):
    repo = make_repo()
    repo.commit({"archive/a/old.md": "text"}, "Start", "2024-01-01T00:00:00Z")
    repo.git("mv", "archive/a/old.md", "archive/a/new.md")
    repo.commit({}, "Rename", "2024-02-01T00:00:00Z")
    histories = {h.document: h for h in read_history(open_repo(repo.path), "archive")}
    assert histories["old"].versions[-1].blob is None
    assert len(histories["new"].versions) == 1


def test_merge_commits_do_not_duplicate_versions(make_repo):
    repo = make_repo()
    repo.commit({"archive/a/b.md": "base"}, "Start", "2024-01-01T00:00:00Z")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit({"archive/a/b.md": "side"}, "Side", "2024-02-01T00:00:00Z")
    repo.git("checkout", "-q", "main")
    repo.commit({"archive/a/c.md": "other"}, "Other", "2024-02-02T00:00:00Z")
    repo.git("merge", "-q", "--no-edit", "side", date="2024-02-03T00:00:00Z")
    histories = {h.document: h for h in read_history(open_repo(repo.path), "archive")}
    reader = BlobReader(open_repo(repo.path))
    assert [reader.text(v.blob) for v in histories["b"].versions] == ["base", "side"]


def test_conflicting_merge_records_the_resolution(make_repo):
    repo = make_repo()
    repo.commit({"archive/a/b.md": "base"}, "Start", "2024-01-01T00:00:00Z")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit({"archive/a/b.md": "side"}, "Side", "2024-02-01T00:00:00Z")
    repo.git("checkout", "-q", "main")
    repo.commit({"archive/a/b.md": "main"}, "Main", "2024-02-02T00:00:00Z")
    with pytest.raises(Exception):  # noqa: B017 - git exits non-zero on the conflict
        repo.git("merge", "-q", "side")
    repo.commit({"archive/a/b.md": "resolved"}, "Merge side", "2024-02-03T00:00:00Z")
    [history] = read_history(open_repo(repo.path), "archive")
    reader = BlobReader(open_repo(repo.path))
    assert reader.text(history.versions[-1].blob) == "resolved"
    assert reader.text(history.versions[0].blob) == "base"


def test_empty_file_and_non_utf8_bytes(make_repo):
    repo = make_repo()
    repo.commit(
        {"archive/a/empty.md": "", "archive/a/latin.md": "caf\xe9".encode("latin-1")},
        "Start",
        "2024-01-01T00:00:00Z",
    )
    histories = {h.document: h for h in read_history(open_repo(repo.path), "archive")}
    reader = BlobReader(open_repo(repo.path))
    assert reader.text(histories["empty"].versions[0].blob) == ""
    assert reader.text(histories["latin"].versions[0].blob) == "caf\ufffd"


def test_symlinks_are_not_documents(make_repo):
    repo = make_repo()
    repo.commit({"archive/a/real.md": "text"}, "Start", "2024-01-01T00:00:00Z")
    (repo.path / "archive/a/link.md").symlink_to("real.md")
    repo.commit({}, "Link", "2024-02-01T00:00:00Z")
    assert [h.document for h in read_history(open_repo(repo.path), "archive")] == ["real"]


def test_empty_repository_has_no_history(make_repo):
    repo = make_repo()
    assert read_history(open_repo(repo.path), "archive") == []


def test_not_a_repository_is_a_clear_error(tmp_path):
    with pytest.raises(TermlineError, match="not a git repository"):
        open_repo(tmp_path)
    with pytest.raises(TermlineError, match="no such folder"):
        open_repo(tmp_path / "missing")


# Bytes near what makes a text unshowable or badly encoded: controls, line breaks, the UTF-8 of
# U+FFFE, U+FFFF and U+FFFD, their parts alone, and plain and accented letters.
NEAR_UNSHOWABLE = st.lists(
    st.sampled_from(
        [
            b"\x00",
            b"\x08",
            b"\x09",
            b"\x0a",
            b"\x0b",
            b"\x1f",
            b"\x7f",
            b"\xef",
            b"\xbf",
            b"\xef\xbf\xbe",
            b"\xef\xbf\xbf",
            b"\xef\xbf\xbd",
            b"a",
            "é".encode(),
        ]
    ),
    max_size=12,
).map(b"".join)


@given(NEAR_UNSHOWABLE | st.binary(max_size=40))
def test_decoding_replaces_exactly_what_no_page_may_hold(data):
    assert decode(data) == UNSHOWABLE.sub("\ufffd", data.decode("utf-8", "replace"))
    assert not UNSHOWABLE.search(decode(data))


@given(st.datetimes(min_value=datetime(1000, 1, 1), timezones=st.just(UTC)))
def test_a_day_is_written_as_strftime_writes_it(moment):
    assert day(moment) == day(moment.date()) == f"{moment:%Y-%m-%d}"
