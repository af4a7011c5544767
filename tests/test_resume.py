"""Resumed analysis: walking only the versions after a cached walk gives the full walk's result.

Every history is a real git repository: the example tests commit version after version and
resume from the walk of the history as it was before the new commits; the property test writes
random histories with ``git fast-import`` and resumes from every point of them.
"""

import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import clone_bundle
from termline.analysis.changes import Walk, analyse, extends, walk
from termline.analysis.history import BlobReader, DocumentHistory, read_history
from termline.analysis.topics import Tagger, load_topics
from termline.archive import open_repo
from termline.build import BuildOptions, build
from termline.cache import decode
from test_changes import BASE, PATH, ROOT  # one policy text for the analysis tests

LONGER = BASE.replace("90 days", "two years")
ADDED = BASE + "\n## Training of AI models\n\nWe train our AI models on your posts.\n"
RENAMED = ADDED.replace("## Sharing with partners", "## Sharing with third parties")
REMOVED = RENAMED.replace("## Disputes\n\nCourts of your home town decide.\n", "")
COSMETIC = REMOVED.replace("90 days", "90\u00a0days")


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return Tagger(load_topics(ROOT / "topics.toml"))


class Reads:
    """The real blob reader of a repository, counting the blobs a walk asks for."""

    def __init__(self, path: Path) -> None:
        self.reader = BlobReader(open_repo(path))
        self.blobs: list[str | None] = []

    def __call__(self, blob: str | None) -> str:
        self.blobs.append(blob)
        return self.reader.text(blob)


def history(path: Path) -> DocumentHistory:
    (found,) = read_history(open_repo(path), "archive")
    return found


def commit_all(repo, texts: list[str | None], first_day: int = 1) -> None:
    """Commit each text (None deletes the file) a day apart."""
    for day, text in enumerate(texts, start=first_day):
        date = f"2024-01-{day:02d}T00:00:00Z"
        if text is None:
            repo.git("rm", "-q", PATH)
            repo.git("commit", "-q", "-m", "Delete", date=date)
        else:
            repo.commit({PATH: text}, f"Version {day}", date)


def assert_same(resumed: Walk, full: Walk) -> None:
    """Compare field by field first, so a failure says which part differs."""
    assert resumed.analysis.changes == full.analysis.changes
    assert resumed.analysis.provisions == full.analysis.provisions
    assert resumed.analysis.anchors == full.analysis.anchors
    assert resumed == full


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ([BASE], [LONGER]),
        ([BASE], [BASE.upper(), LONGER]),  # cosmetic against the last walked version
        ([BASE, LONGER], [BASE]),  # a revert to a version the cached walk saw
        ([BASE, LONGER, BASE], [LONGER, BASE, LONGER]),  # flipping between two variants
        ([BASE], [None, ADDED]),  # deleted, then tracked again
        ([BASE, None], [BASE]),  # back after a deletion, as it was
        ([BASE, ADDED], [RENAMED, REMOVED]),  # a heading renamed, then a provision removed
        ([BASE, ADDED, RENAMED], [REMOVED, COSMETIC, None]),
    ],
)
def test_resuming_after_new_commits_equals_a_full_walk(make_repo, tagger, before, after):
    repo = make_repo()
    commit_all(repo, before)
    cached = walk(history(repo.path), Reads(repo.path), tagger)
    commit_all(repo, after, first_day=len(before) + 1)
    reads = Reads(repo.path)
    resumed = walk(history(repo.path), reads, tagger, since=cached)
    full = walk(history(repo.path), Reads(repo.path), tagger)
    assert_same(resumed, full)
    assert len(resumed.analysis.changes) == len(before) + len(after)
    new_blobs = {v.blob for v in full.history.versions[len(before) :] if v.blob}
    # only the new versions were read, and the last one walked (to tell a change of dates only)
    last = next((v.blob for v in reversed(cached.history.versions) if v.blob), None)
    assert new_blobs <= set(reads.blobs) <= new_blobs | {last}


def test_resuming_twice_from_the_same_walk_leaves_it_as_it_was(make_repo, tagger):
    repo = make_repo()
    commit_all(repo, [BASE, ADDED])
    cached = walk(history(repo.path), Reads(repo.path), tagger)
    copy = walk(history(repo.path), Reads(repo.path), tagger)
    commit_all(repo, [RENAMED, REMOVED], first_day=3)
    first = walk(history(repo.path), Reads(repo.path), tagger, since=cached)
    second = walk(history(repo.path), Reads(repo.path), tagger, since=cached)
    assert cached == copy
    assert_same(first, second)


def test_an_unchanged_history_reads_nothing(make_repo, tagger):
    repo = make_repo()
    commit_all(repo, [BASE, LONGER])
    cached = walk(history(repo.path), Reads(repo.path), tagger)
    reads = Reads(repo.path)
    assert walk(history(repo.path), reads, tagger, since=cached) is cached
    assert reads.blobs == []


def test_a_history_read_again_with_other_log_positions_reuses_the_walk(make_repo, tagger):
    """A whole re-read of the log (after a merge) numbers commits anew: the same versions."""
    repo = make_repo()
    commit_all(repo, [BASE, LONGER])
    cached = walk(history(repo.path), Reads(repo.path), tagger)
    renumbered = history(repo.path)
    renumbered = replace(
        renumbered, touches=tuple((t[0], t[1] + 7, *t[2:]) for t in renumbered.touches)
    )
    assert renumbered != cached.history
    assert walk(renumbered, Reads(repo.path), tagger, since=cached) is cached


def test_a_rewritten_history_is_walked_from_the_start(make_repo, tagger):
    repo = make_repo()
    commit_all(repo, [BASE, LONGER])
    cached = walk(history(repo.path), Reads(repo.path), tagger)
    repo.git("commit", "-q", "--amend", "-m", "Version 2, reworded", date="2024-01-02T00:00:00Z")
    commit_all(repo, [ADDED], first_day=3)
    reads = Reads(repo.path)
    resumed = walk(history(repo.path), reads, tagger, since=cached)
    assert_same(resumed, walk(history(repo.path), Reads(repo.path), tagger))
    assert set(reads.blobs) == {v.blob for v in resumed.history.versions}


def test_a_backdated_commit_among_the_walked_versions_is_walked_from_the_start(make_repo, tagger):
    repo = make_repo()
    commit_all(repo, [BASE, LONGER, ADDED])
    cached = walk(history(repo.path), Reads(repo.path), tagger)
    repo.commit({PATH: RENAMED}, "Upgrade, backdated", "2024-01-02T12:00:00Z")
    now = history(repo.path)
    assert [v.blob for v in now.versions][:2] == [v.blob for v in cached.history.versions][:2]
    assert now.versions[2].message.startswith("Upgrade")  # between the old second and third
    reads = Reads(repo.path)
    resumed = walk(now, reads, tagger, since=cached)
    assert_same(resumed, walk(now, Reads(repo.path), tagger))
    assert len(reads.blobs) == 4


def test_another_documents_walk_is_not_resumed(make_repo, tagger):
    repo = make_repo()
    commit_all(repo, [BASE])
    cached = walk(history(repo.path), Reads(repo.path), tagger)
    moved = replace(history(repo.path), path="archive/acme/privacy.md")
    reads = Reads(repo.path)
    assert_same(walk(moved, reads, tagger, since=cached), walk(moved, Reads(repo.path), tagger))
    assert len(reads.blobs) == 1


def test_analyse_is_the_analysis_of_a_full_walk(make_repo, tagger):
    repo = make_repo()
    commit_all(repo, [BASE, ADDED, RENAMED, None, REMOVED])
    full = history(repo.path)
    assert analyse(full, Reads(repo.path), tagger) == walk(full, Reads(repo.path), tagger).analysis


# Property: random histories, resumed from every point, equal the full walk.

HEADINGS = ["Data retention", "1. Data retention", "2. Data retention", "Sharing", "Disputes"]
WORDS = ["data", "keep", "share", "sell", "court", "days", "we", "you", "never", "partners"]
SECTION = st.tuples(
    st.sampled_from(HEADINGS), st.lists(st.sampled_from(WORDS), min_size=0, max_size=12)
)
DOCUMENT = st.lists(SECTION, min_size=0, max_size=5).map(
    lambda sections: "".join(f"## {h}\n\n{' '.join(words)}\n\n" for h, words in sections)
)


@st.composite
def histories(draw: Callable) -> list[str | None]:
    """Draw a few documents, then a sequence of them, some in capitals (cosmetic), None deleting."""
    pool = draw(st.lists(DOCUMENT, min_size=1, max_size=4))
    pick = st.tuples(st.integers(-1, len(pool) - 1), st.booleans())
    picks = draw(st.lists(pick, min_size=1, max_size=10))
    return [None if i < 0 else pool[i].upper() if upper else pool[i] for i, upper in picks]


def fast_import(folder: Path, texts: list[str | None]) -> None:
    """Write the texts as successive commits of one file, in one git fast-import."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    stream = []
    for number, text in enumerate(texts):
        change = b"D archive/acme/terms.md\n"
        if text is not None:
            data = text.encode()
            change = b"M 100644 inline archive/acme/terms.md\ndata %d\n%s\n" % (len(data), data)
        stream.append(
            b"commit refs/heads/main\ncommitter t <t@example.invalid> %d +0000\n"
            b"data 2\nv\n%s\n" % (1_700_000_000 + 86_400 * number, change)
        )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=folder, input=b"".join(stream), check=True
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=histories())
def test_resuming_from_any_version_equals_the_full_walk(tmp_path_factory, tagger, texts):
    folder = tmp_path_factory.mktemp("random")
    fast_import(folder, texts)
    found = read_history(open_repo(folder), "archive")
    if not found:
        return  # only deletions of a file that never was: no document at all
    (full_history,) = found
    full = walk(full_history, Reads(folder), tagger)
    for count in range(len(full_history.versions)):
        prefix = replace(full_history, touches=full_history.touches[:count])
        cached = walk(prefix, Reads(folder), tagger)
        assert_same(walk(full_history, Reads(folder), tagger, since=cached), full)


def test_a_rebuild_resumes_the_walk_of_the_changed_document_only(make_repo, tmp_path):
    repo = make_repo()
    repo.commit({PATH: BASE, "archive/acme/privacy.md": LONGER}, "Start", "2024-01-01T00:00:00Z")
    cache = tmp_path / "cache"
    build(BuildOptions(repo=repo.path, out=tmp_path / "site", search=False, cache=cache))
    before = {p: p.stat().st_mtime_ns for p in cache.rglob("walk/*.pickle")}
    repo.commit({PATH: ADDED}, "Update", "2024-01-02T00:00:00Z")
    build(BuildOptions(repo=repo.path, out=tmp_path / "site", search=False, cache=cache))
    after = {p: p.stat().st_mtime_ns for p in cache.rglob("walk/*.pickle")}
    assert len(before) == 2 and sorted(after) == sorted(before)
    (changed,) = [path for path in after if after[path] != before[path]]
    walked = decode(changed.read_bytes())
    assert isinstance(walked, Walk) and walked.history.path == PATH
    assert [c.kind for c in walked.analysis.changes] == ["first", "substantive"]


@pytest.mark.data
@pytest.mark.parametrize("back", [340, 680])
def test_resuming_a_real_archive_from_an_earlier_commit_equals_a_full_walk(tmp_path, back):
    """genai-eu as it was `back` commits ago, then as it is: backdated upgrades included."""
    now = clone_bundle("ota-genai-eu-versions.bundle", tmp_path)
    then = tmp_path / "then"
    subprocess.run(["git", "clone", "-q", str(now), str(then)], check=True)
    subprocess.run(["git", "reset", "-q", "--hard", f"HEAD~{back}"], cwd=then, check=True)
    read = BlobReader(open_repo(now)).text
    walks = {h.path: walk(h, read) for h in read_history(open_repo(then), ".")}
    resumed = 0
    for current in read_history(open_repo(now), "."):
        since = walks.get(current.path)
        grew = since is not None and since.history != current
        resumed += grew and extends(current, since.history)
        assert_same(walk(current, read, since=since), walk(current, read))
    assert resumed > 10  # documents with new versions since, resumed (38 and 46)
