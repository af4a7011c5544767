"""The synthetic archive of ``make bench`` has the shapes that make a real archive heavy.

contrib-versions (877 documents, 42,632 commits) has documents of 2,000+ versions, long tables,
headings of hundreds or thousands of characters, backdated commits, and whole texts replaced and
then brought back. A small archive is generated and read with git, as the build reads it.
"""

from __future__ import annotations

import collections
import statistics
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from termline import bench
from termline.bench import Shape, make_archive, render_reformatted

SHAPE = Shape(documents=40, versions=3_000)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """The synthetic archive of 40 documents and 3,000 versions."""
    return make_archive(tmp_path_factory.mktemp("shapes") / "repo", SHAPE)


@pytest.fixture(scope="module")
def histories(repo: Path) -> dict[str, list[str]]:
    """Each document's blob ids, oldest commit first."""
    log = _git(repo, "log", "--reverse", "--format=", "--raw", "--no-abbrev").decode()
    blobs: dict[str, list[str]] = collections.defaultdict(list)
    for line in log.splitlines():
        fields, path = line.split("\t")
        blobs[path].append(fields.split()[3])
    return blobs


@pytest.fixture(scope="module")
def texts(repo: Path) -> dict[str, str]:
    """The text of every blob in the repository, by id."""
    out = _git(repo, "cat-file", "--batch-all-objects", "--batch")
    found, at = {}, 0
    while at < len(out):
        end = out.index(b"\n", at)
        sha, kind, size = out[at:end].split()
        body = out[end + 1 : end + 1 + int(size)]
        at = end + 1 + int(size) + 1
        if kind == b"blob":
            found[sha.decode()] = body.decode()
    return found


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True).stdout


def test_a_few_documents_have_most_versions(histories: dict[str, list[str]]):
    counts = sorted((len(blobs) for blobs in histories.values()), reverse=True)
    assert len(counts) == SHAPE.documents and sum(counts) == SHAPE.versions
    assert counts[0] >= SHAPE.versions // 12  # 2,000+ at 40,000 versions: 3,000 here
    assert sum(counts[: SHAPE.documents // 10]) >= SHAPE.versions / 4  # a tenth hold a quarter
    assert statistics.median(counts) < SHAPE.versions / SHAPE.documents


def test_some_documents_hold_a_long_table_with_paragraphs_in_cells(texts: dict[str, str]):
    tables = {table for text in texts.values() for table in _tables(text)}
    assert max((len(table.splitlines()) for table in tables), default=0) >= 30
    assert any("<br><br>" in table for table in tables)
    documents_with_tables = SHAPE.documents // 10
    assert len(tables) > documents_with_tables  # tables are edited too


def _tables(text: str) -> list[str]:
    runs, rows = [], []
    for line in [*text.split("\n"), ""]:
        if line.startswith("| "):
            rows.append(line)
        elif rows:
            runs.append("\n".join(rows))
            rows = []
    return runs


def test_some_headings_are_hundreds_or_thousands_of_characters(texts: dict[str, str]):
    headings = {line for text in texts.values() for line in text.split("\n") if line[:1] == "#"}
    assert any(len(h) > 300 and "\u200b" not in h for h in headings)  # a menu bar run into it
    assert any(h.count("\u200b") >= 1_000 for h in headings)  # a zero-width watermark


def test_some_commits_are_dated_before_their_parent(repo: Path):
    log = _git(repo, "log", "--format=%H %P %ct %at").decode().split("\n")
    dates = {sha: (int(ct), int(at)) for sha, *_, ct, at in (line.split() for line in log if line)}
    parents = {
        sha: rest[0] for sha, *rest in (line.split() for line in log if line) if len(rest) == 3
    }
    backdated = [sha for sha, parent in parents.items() if dates[sha] < dates[parent]]
    assert SHAPE.versions / 500 <= len(backdated) <= SHAPE.versions / 20


def test_whole_texts_are_replaced_then_brought_back(
    histories: dict[str, list[str]], texts: dict[str, str]
):
    returns = [
        (path, i)
        for path, blobs in histories.items()
        for i in range(len(blobs) - 2)
        if _rewritten(texts[blobs[i]], texts[blobs[i + 1]]) and blobs[i] in blobs[i + 2 :]
    ]
    assert len({path for path, _ in returns}) >= SHAPE.documents // 5


def _rewritten(old: str, new: str) -> bool:
    """Tell whether more than half of the old text's lines are gone from the new one."""
    lines = [line for line in old.split("\n") if line]
    kept = set(new.split("\n"))
    return sum(line not in kept for line in lines) > len(lines) / 2


def test_reverts_go_back_one_version_or_several(histories: dict[str, list[str]]):
    back = collections.Counter(
        next(k for k in range(1, i + 1) if blobs[i - k] == blobs[i])
        for blobs in histories.values()
        for i in range(1, len(blobs))
        if blobs[i] in blobs[:i]
    )
    reverts = sum(back.values())
    assert 0.25 < reverts / (SHAPE.versions - SHAPE.documents) < 0.5  # contrib-versions: 37 %
    assert back[2] > reverts / 2  # mostly a flip back to the text before
    assert sum(n for k, n in back.items() if k >= 4) >= reverts / 50  # some 3+ versions back


def test_a_reformatted_rendering_keeps_numbered_headings_as_headings():
    # "3. Fees" underlined read as a list item and a rule: every provision was removed and added
    sections = [("3. Fees", "We charge ten euros."), ("4. Law", "French law applies.")]
    tokens = MarkdownIt().parse(render_reformatted(sections).decode())
    headings = [after.content for t, after in pairwise(tokens) if t.type == "heading_open"]
    assert headings == ["3\\. Fees", "4\\. Law"]
    assert not {"ordered_list_open", "hr"} & {t.type for t in tokens}


def test_a_measured_command_ends_when_it_exits_not_at_the_next_sample(monkeypatch):
    # Sampled once a minute: a command of milliseconds must still be timed in milliseconds (the
    # bench's rebuilds were rounded up to the next whole second of its 1 s samples).
    monkeypatch.setattr(bench, "SAMPLE_SECONDS", 60.0)
    run = bench.measured([sys.executable, "-c", "import time; time.sleep(0.2)"])
    assert 0.2 <= run.seconds < 30
    assert run.peak_kib > 0 and run.tree_pss_kib > 0  # sampled at least once, at its start


def test_a_failing_measured_command_is_an_error():
    with pytest.raises(subprocess.CalledProcessError):
        bench.measured([sys.executable, "-c", "raise SystemExit(3)"])
