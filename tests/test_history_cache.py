"""Incremental history reads: after any change of the repository, a read through the build cache
equals a full read, and reads only the new commits when they extend the cached HEAD in a chain."""

import logging
import pickle
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import GitRepo, clone_bundle
from termline.analysis import history
from termline.analysis.history import DocumentHistory, joined, read_history
from termline.archive import open_repo
from termline.cache import Cache, Shelf, decode, encode

INCREMENTAL = "reading"  # the debug line read_history logs when it reads OLD..HEAD only


def day(n: int) -> str:
    return f"2024-01-{n:02d}T00:00:00Z"


def read(repo: GitRepo | Path, store: Cache | None = None, archive: str = "archive"):
    return read_history(open_repo(repo if isinstance(repo, Path) else repo.path), archive, store)


def saved_log(folder: Path) -> object:
    """Return the one history log a cache folder holds, joined with its saved tail if any."""
    [entry] = folder.rglob("history/*.pickle")
    tails = list(folder.rglob("history-tail/*.pickle"))
    return joined(decode(entry.read_bytes()), decode(tails[0].read_bytes()) if tails else None)


def check(
    repo: GitRepo | Path, store: Cache, caplog: pytest.LogCaptureFixture, *, incremental: bool
):
    """Read through the store; assert it equals a full read and took the expected path."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="termline.analysis.history"):
        through_cache = read(repo, store)
    assert through_cache == read(repo)
    assert any(INCREMENTAL in r.message for r in caplog.records) == incremental
    return through_cache


@pytest.fixture
def store(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache", "salt")


@pytest.fixture
def repo(make_repo) -> GitRepo:
    repo: GitRepo = make_repo()
    repo.commit({"archive/a/terms.md": "one", "archive/b/privacy.md": "p1"}, "Start", day(1))
    repo.commit({"archive/a/terms.md": "two"}, "Update", day(3))
    return repo


def test_new_commits_are_read_alone_and_give_a_full_read(repo, store, tmp_path, caplog):
    check(repo, store, caplog, incremental=False)
    repo.commit({"archive/a/terms.md": "three"}, "Update", day(5))
    repo.commit({"archive/c/new.md": "new", "README.md": "not a document"}, "Start c", day(6))
    repo.commit({"archive/README.md": "under archive, not a document"}, "Readme", day(7))
    histories = check(repo, store, caplog, incremental=True)
    assert [h.path for h in histories] == [
        "archive/a/terms.md",
        "archive/b/privacy.md",
        "archive/c/new.md",
    ]
    full = Cache(tmp_path / "full", "salt")
    read(repo, full)
    assert saved_log(tmp_path / "cache") == saved_log(tmp_path / "full")  # same log positions too


def test_a_rebuild_saves_the_new_commits_alone_until_they_are_many(
    repo, store, tmp_path, caplog, monkeypatch
):
    """The saved log stays as it was; its tail holds the new commits' touches only."""
    monkeypatch.setattr(history, "TAIL_COMMITS", 2)
    check(repo, store, caplog, incremental=False)
    [entry] = (tmp_path / "cache").rglob("history/*.pickle")
    whole = entry.read_bytes()
    for n in (5, 6):
        repo.commit({"archive/a/terms.md": f"text {n}"}, "Update", day(n))
        check(repo, store, caplog, incremental=True)
        assert entry.read_bytes() == whole
    [tail] = (tmp_path / "cache").rglob("history-tail/*.pickle")
    rows = decode(tail.read_bytes()).touches
    assert list(rows) == ["archive/a/terms.md"]
    assert [message for *_, message in rows["archive/a/terms.md"]] == ["Update\n", "Update\n"]
    repo.commit({"archive/b/privacy.md": "p2"}, "Update", day(7))  # a third: saved whole again
    check(repo, store, caplog, incremental=True)
    assert entry.read_bytes() != whole
    assert not tail.exists()
    full = Cache(tmp_path / "full", "salt")
    read(repo, full)
    assert saved_log(tmp_path / "cache") == saved_log(tmp_path / "full")
    repo.commit({"archive/a/terms.md": "eight"}, "Update", day(8))
    check(repo, store, caplog, incremental=True)  # a tail again, read with the new whole log


def test_a_tail_is_used_only_with_the_log_it_continues(repo, store, tmp_path, caplog):
    read(repo, store)
    [entry] = (tmp_path / "cache").rglob("history/*.pickle")
    first = decode(entry.read_bytes())
    repo.commit({"archive/a/terms.md": "three"}, "Update", day(5))
    check(repo, store, caplog, incremental=True)
    [saved] = (tmp_path / "cache").rglob("history-tail/*.pickle")
    tail = decode(saved.read_bytes())
    assert joined(first, tail).head == tail.head
    another = replace(first, head="0" * 40)  # a log saved at another HEAD since
    assert joined(another, tail) is another
    entry.unlink()  # the log the tail continues is gone: the tail alone would miss commits
    check(repo, store, caplog, incremental=False)


def test_same_head_reads_no_log(repo, store, caplog):
    first = check(repo, store, caplog, incremental=False)
    assert check(repo, store, caplog, incremental=False) == first


def test_backdated_commit_with_the_same_date_as_a_cached_one(repo, store, caplog):
    read(repo, store)
    repo.commit({"archive/a/terms.md": "backdated"}, "Upgrade", day(2))
    repo.commit({"archive/a/terms.md": "same date"}, "Upgrade", day(3))  # ties with "two"
    repo.commit({"archive/b/privacy.md": "p1 again"}, "Upgrade", day(1))  # ties with the start
    [terms, privacy] = check(repo, store, caplog, incremental=True)
    assert [v.message.strip() for v in terms.versions] == ["Start", "Upgrade", "Update", "Upgrade"]
    assert [v.message.strip() for v in privacy.versions] == ["Start", "Upgrade"]


def test_backdated_commit_repeating_a_blob_is_dropped_as_before(repo, store, caplog):
    read(repo, store)
    repo.commit({"archive/a/terms.md": "one"}, "Flip back, backdated", day(2))
    [terms, _] = check(repo, store, caplog, incremental=True)
    assert [v.message.strip() for v in terms.versions] == ["Start", "Update"]


def test_deletion_readd_and_rename_in_new_commits(repo, store, caplog):
    read(repo, store)
    (repo.path / "archive/a/terms.md").unlink()
    repo.commit({}, "Delete", day(4))
    repo.commit({"archive/a/terms.md": "back"}, "Re-add", day(5))
    repo.git("mv", "archive/b/privacy.md", "archive/b/data.md")
    repo.commit({}, "Rename", day(6))
    histories = check(repo, store, caplog, incremental=True)
    by_path = {h.path: h for h in histories}
    assert [v.blob is None for v in by_path["archive/a/terms.md"].versions] == [
        False,
        False,
        True,
        False,
    ]
    assert by_path["archive/b/privacy.md"].versions[-1].blob is None
    assert len(by_path["archive/b/data.md"].versions) == 1


def test_a_merge_among_new_commits_reads_everything(repo, store, caplog):
    read(repo, store)
    repo.git("checkout", "-q", "-b", "side")
    repo.commit({"archive/a/terms.md": "side"}, "Side", day(4))
    repo.git("checkout", "-q", "main")
    repo.commit({"archive/b/privacy.md": "p2"}, "Main", day(5))
    repo.git("merge", "-q", "--no-edit", "side", date=day(6))
    check(repo, store, caplog, incremental=False)
    repo.commit({"archive/a/terms.md": "after the merge"}, "Update", day(7))
    [terms, _] = check(repo, store, caplog, incremental=True)  # an old merge is no obstacle
    assert [v.message.strip() for v in terms.versions][-2:] == ["Side", "Update"]


def test_a_merge_of_an_already_merged_commit_reads_everything(repo, store, caplog):
    """Its second parent is old, so only the first-parent chain is new: still a merge."""
    read(repo, store)
    repo.write("archive/a/terms.md", "merged")
    repo.git("add", "-A")
    tree = repo.git("write-tree").strip()
    merge = repo.git("commit-tree", tree, "-p", "HEAD", "-p", "HEAD~1", "-m", "Merge", date=day(4))
    repo.git("reset", "-q", "--hard", merge.strip())
    [terms, _] = check(repo, store, caplog, incremental=False)
    assert terms.versions[-1].message.strip() == "Merge"


@pytest.mark.parametrize(
    "rewrite",
    [
        ["commit", "-q", "--amend", "-m", "Amended"],
        ["reset", "-q", "--hard", "HEAD~1"],
    ],
)
def test_a_rewritten_history_reads_everything(repo, store, caplog, rewrite):
    read(repo, store)
    repo.git(*rewrite, date=day(9))
    check(repo, store, caplog, incremental=False)
    repo.commit({"archive/a/terms.md": "rewritten"}, "Update", day(10))
    check(repo, store, caplog, incremental=True)


def test_a_cached_head_that_no_longer_exists_reads_everything(repo, store, caplog):
    read(repo, store)
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    check(repo, store, caplog, incremental=False)


def test_another_archive_folder_is_read_on_its_own(repo, store, caplog):
    repo.commit({"Root Platform/Terms.md": "root"}, "Root", day(4))
    read(repo, store)
    assert read(repo, store, ".") == read(repo, None, ".")
    assert [h.platform for h in read(repo, store, ".")] == ["Root Platform"]
    repo.commit({"archive/a/terms.md": "later"}, "Update", day(5))
    check(repo, store, caplog, incremental=True)  # the archive's own entry is still there


@pytest.mark.parametrize(
    "garbage", [b"", b"\x80\x05garbled", encode({"not": "a log"}), pickle.dumps({"not": "a log"})]
)
def test_a_corrupt_cache_entry_reads_everything(repo, store, tmp_path, caplog, garbage):
    read(repo, store)
    [entry] = (tmp_path / "cache").rglob("history/*.pickle")
    entry.write_bytes(garbage)
    repo.commit({"archive/a/terms.md": "three"}, "Update", day(5))
    check(repo, store, caplog, incremental=False)
    repo.commit({"archive/a/terms.md": "four"}, "Update", day(6))
    check(repo, store, caplog, incremental=True)  # the entry was written again


def test_deepening_a_shallow_clone_reads_everything(repo, store, tmp_path, caplog):
    repo.commit({"archive/a/terms.md": "three"}, "Update", day(5))
    clone = tmp_path / "clone"
    git = ["git", "-C", str(tmp_path)]
    subprocess.run(
        [*git, "clone", "-q", "--depth", "1", f"file://{repo.path}", "clone"], check=True
    )
    [shallow, _] = check(clone, store, caplog, incremental=False)
    assert len(shallow.versions) == 1
    subprocess.run([*git, "-C", "clone", "fetch", "-q", "--unshallow"], check=True)
    [deep, _] = check(clone, store, caplog, incremental=False)
    assert len(deep.versions) == 3


def test_key_names_the_version_list(repo):
    [terms, privacy] = read(repo)
    assert terms.key == read(repo)[0].key
    assert len({terms.key, privacy.key}) == 2
    renamed = DocumentHistory(terms.path, terms.platform, "other", terms.touches)
    assert renamed.key != terms.key


def test_key_changes_when_a_backdated_commit_is_amended(repo):
    """The last version, its blob and the count stay; the key must not."""
    repo.commit({"archive/a/terms.md": "backdated"}, "Upgrade", day(2))
    [before, _] = read(repo)
    repo.write("archive/a/terms.md", "amended")
    repo.git("commit", "-q", "-a", "--amend", "-m", "Upgrade", date=day(2))
    [after, _] = read(repo)
    assert (len(after.versions), after.versions[-1]) == (len(before.versions), before.versions[-1])
    assert after.versions != before.versions
    assert after.key != before.key


# Random histories: each step commits (a new text, a flip back, a deletion) at a date that may
# repeat or precede earlier ones, or merges a side branch; a read through the cache may follow.
PATHS = ["archive/a/terms.md", "archive/a/privacy.md", "archive/b/terms.md"]
step = st.tuples(
    st.sampled_from(["commit", "commit", "delete", "branch", "merge"]),
    st.sampled_from(PATHS),
    st.sampled_from(["x", "y", "z"]),
    st.integers(1, 9),  # the day: few values, so dates tie and go back
    st.booleans(),  # read through the cache after this step
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=10))
def test_random_histories_read_through_the_cache_equal_full_reads(steps):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "repo").mkdir()
        repo = GitRepo(Path(folder) / "repo")
        store = Cache(Path(folder) / "cache", "salt")
        repo.commit({PATHS[0]: "start"}, "Start", day(5))
        for action, path, text, when, then_read in steps:
            apply(repo, action, path, text, day(when))
            if then_read:
                assert read(repo, store) == read(repo)
        assert read(repo, store) == read(repo)


def apply(repo: GitRepo, action: str, path: str, text: str, date: str) -> None:
    """Apply one random step to the repository, on main."""
    if action == "delete" and (repo.path / path).exists():
        (repo.path / path).unlink()
        repo.commit({}, "Delete", date)
    elif action == "branch":
        repo.git("branch", "-f", "side")
        repo.git("checkout", "-q", "side")
        repo.commit({path: text + "-side"}, "Side", date)
        repo.git("checkout", "-q", "main")
    elif action == "merge" and "side" in repo.git("branch"):
        try:
            repo.git("merge", "-q", "--no-edit", "-X", "theirs", "side", date=date)
        except subprocess.CalledProcessError:  # a deletion against a change: keep both files
            repo.commit({}, "Merge side", date)
    else:
        repo.commit({path: text}, "Update", date)


@pytest.mark.data
@pytest.mark.parametrize("bundle", ["ota-genai-eu-versions.bundle", "ota-demo-versions.bundle"])
def test_real_archives_stepped_through_the_cache_equal_full_reads(bundle, tmp_path, caplog):
    """Backdated upgrades, flip-backs and (in the demo bundle) merges, one commit at a time."""
    clone = clone_bundle(bundle, tmp_path)
    store = Cache(tmp_path / "cache", "salt")
    git = ["git", "-C", str(clone)]
    listed = subprocess.run(
        [*git, "rev-list", "--first-parent", "HEAD"], check=True, text=True, capture_output=True
    )
    commits = listed.stdout.split()
    last_forty, root = commits[:40][::-1], commits[-1]
    with caplog.at_level(logging.DEBUG, logger="termline.analysis.history"):
        for commit in [*last_forty, root, commits[0]]:  # forward, back to the root, to HEAD
            subprocess.run([*git, "reset", "-q", "--soft", commit], check=True)
            assert read(clone, store, ".") == read(clone, None, "."), commit
    assert sum(INCREMENTAL in r.message for r in caplog.records) >= 20


def test_a_replace_ref_under_an_old_commit_reads_everything(repo, store, caplog):
    read(repo, store)
    first = repo.git("rev-list", "--max-parents=0", "HEAD").strip()
    repo.write("archive/a/terms.md", "replaced")
    repo.git("add", "-A")
    tree = repo.git("write-tree").strip()
    replacement = repo.git("commit-tree", tree, "-m", "Replaced start", date=day(1)).strip()
    repo.git("replace", first, replacement)
    [terms, _] = check(repo, store, caplog, incremental=False)
    assert terms.versions[0].message.strip() == "Replaced start"


def test_cached_values_are_stored_compressed(tmp_path):
    store = Cache(tmp_path / "cache", "salt")
    texts = [f"The same long clause of a policy, version {n}. " * 200 for n in range(50)]
    store.save("walk", "key", texts)  # analyses repeat their texts version after version
    [entry] = (tmp_path / "cache").rglob("walk/*.pickle")
    assert entry.stat().st_size * 5 < len(pickle.dumps(texts))  # compressed, not a raw pickle
    assert store.load("walk", "key") == texts


def test_versions_are_made_when_first_asked_for_and_never_pickled(repo):
    """A rebuild asks for the versions of the documents that changed only."""
    [terms, _] = read(repo)
    assert "versions" not in vars(terms)
    assert [v.message.strip() for v in terms.versions] == ["Start", "Update"]
    assert "versions" in vars(terms)
    copy = pickle.loads(pickle.dumps(terms))
    assert "versions" not in vars(copy)
    assert copy == terms
    assert copy.versions == terms.versions


def test_a_kind_every_build_loads_whole_is_stored_as_a_plain_pickle(tmp_path):
    store = Cache(tmp_path / "cache", "salt")
    texts = [f"The same long clause of a policy, version {n}. " * 200 for n in range(50)]
    Shelf(store, "light", list, compressed=False).save("plain", texts)
    Shelf(store, "light", list).save("packed", texts)
    plain, packed = (
        tmp_path / "cache" / "salt" / "light" / f"{k}.pickle" for k in ("plain", "packed")
    )
    assert plain.read_bytes() == pickle.dumps(texts, protocol=pickle.HIGHEST_PROTOCOL)
    assert packed.stat().st_size * 5 < plain.stat().st_size
    shelf = Shelf(store, "light", list)
    assert shelf.load("plain") == shelf.load("packed") == texts  # either is read, whatever saves
