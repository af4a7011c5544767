"""The shard planner: by platform, at most N documents a shard, every document exactly once."""

import json
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from termline.ci.shards import matrix, plan_shards
from termline.errors import TermlineError
from termline.sources import Source
from termline.sources import select_sources as select


def _source(platform: str, document: str) -> Source:
    return Source(
        platform=platform,
        platform_name=platform.title(),
        document=document,
        name=document,
        type=document,
        url=f"https://{platform}.example/{document}",
    )


def _sources(counts: dict[str, int]) -> list[Source]:
    return [_source(p, f"doc-{i}") for p, n in counts.items() for i in range(n)]


def _documents(shard_selectors: tuple[str, ...], sources: list[Source]) -> list[str]:
    return [f"{s.platform}/{s.document}" for s in select(sources, shard_selectors)]


def test_small_platforms_are_packed_whole_and_large_ones_split_by_document():
    sources = _sources({"zeta": 2, "alpha": 3, "big": 5, "mid": 1})
    shards = plan_shards(sources, max_documents=4)
    assert [(s.name, s.selectors, s.documents) for s in shards] == [
        ("001", ("alpha",), 3),
        ("002", ("big/doc-0", "big/doc-1", "big/doc-2", "big/doc-3"), 4),
        ("003", ("big/doc-4", "mid", "zeta"), 4),
    ]
    assert matrix(shards)["include"][2] == {
        "name": "003",
        "only": "big/doc-4 mid zeta",
        "documents": 4,
    }


@given(
    counts=st.dictionaries(
        st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True), st.integers(1, 12), max_size=12
    ),
    max_documents=st.integers(1, 15),
)
def test_every_document_is_in_exactly_one_shard_of_at_most_n(counts, max_documents):
    sources = _sources(counts)
    shards = plan_shards(sources, max_documents)
    seen = Counter(d for shard in shards for d in _documents(shard.selectors, sources))
    assert seen == Counter(f"{s.platform}/{s.document}" for s in sources)
    assert all(1 <= shard.documents <= max_documents for shard in shards)
    assert all(len(_documents(s.selectors, sources)) == s.documents for s in shards)
    assert plan_shards(list(reversed(sources)), max_documents) == shards  # order-independent


def test_only_selects_a_platform_or_one_document_and_refuses_unknown_ones():
    sources = _sources({"acme": 3, "beta": 2})
    assert len(select(sources, ["acme"])) == 3
    assert [s.document for s in select(sources, ["beta/doc-1"])] == ["doc-1"]
    partly = plan_shards(sources, 10, only=["acme", "beta/doc-1"])
    assert [s.selectors for s in partly] == [("acme", "beta/doc-1")]  # not all of beta
    with pytest.raises(TermlineError, match="--only acme/nope: no declared document"):
        select(sources, ["acme/nope"])


def test_bad_limits_are_one_line_errors():
    with pytest.raises(TermlineError, match="--max-documents 0: must be at least 1"):
        plan_shards(_sources({"acme": 1}), 0)
    with pytest.raises(TermlineError, match="more than the 256 jobs"):
        plan_shards(_sources({f"p{i}": 1 for i in range(300)}), 1)


def test_plan_shards_command_prints_the_matrix(tmp_path):
    (tmp_path / "sources.toml").write_text(
        "[platforms.acme.documents.terms]\nurl = 'https://acme.example/terms'\n"
        "[platforms.acme.documents.privacy]\nurl = 'https://acme.example/privacy'\n"
        "[platforms.beta.documents.terms]\nurl = 'https://beta.example/terms'\n"
    )
    run = [sys.executable, "-m", "termline.cli", "plan-shards", "--max-documents", "2"]
    out = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == {
        "include": [
            {"name": "001", "only": "acme", "documents": 2},
            {"name": "002", "only": "beta", "documents": 1},
        ]
    }
    only = [*run, "--only", "acme/terms", "--only", "beta"]
    out = subprocess.run(only, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert json.loads(out)["include"] == [
        {"name": "001", "only": "acme/terms beta", "documents": 2}
    ]
    bad = subprocess.run(
        [*run, "--only", "gamma"], check=False, cwd=tmp_path, capture_output=True, text=True
    )
    assert (bad.returncode, bad.stderr) == (
        2,
        "termline: error: --only gamma: no declared document matches it\n",
    )
