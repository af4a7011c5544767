"""The two real Open Terms Archive histories in ../shared/data build, versions in date order."""

import json
from pathlib import Path

import pytest

from conftest import clone_bundle
from termline.analysis.history import read_history
from termline.archive import open_repo
from termline.build import BuildOptions, build


@pytest.fixture(scope="module")
def clones(tmp_path_factory):
    return tmp_path_factory.mktemp("ota")


@pytest.mark.data
@pytest.mark.parametrize(
    ("bundle", "documents", "platforms"),
    [("ota-genai-eu-versions.bundle", 63, 12), ("ota-demo-versions.bundle", 19, 7)],
)
def test_real_archive_builds(bundle, documents, platforms, clones, tmp_path):
    repo = clone_bundle(bundle, clones)
    out = tmp_path / "site"
    build(BuildOptions(repo=repo, archive=".", out=out, search=False))
    index = json.loads((out / "data/index.json").read_text())
    assert len(index["platforms"]) == platforms
    assert sum(len(p["documents"]) for p in index["platforms"]) == documents
    for platform in index["platforms"]:
        for document in platform["documents"]:
            assert (repo / document["path"]).is_file()
            data = json.loads(
                (out / f"data/{platform['slug']}/{document['slug']}.json").read_text()
            )
            dates = [v["date"] for v in data["versions"]]
            assert dates == sorted(dates), document["path"]
            assert (out / document["url"] / "index.html").is_file()


@pytest.mark.data
def test_backdated_commits_are_ordered_by_date(clones, tmp_path):
    repo = clone_bundle("ota-genai-eu-versions.bundle", clones)
    histories = read_history(open_repo(repo), ".")
    assert sum(len(h.versions) for h in histories) > 1000
    for history in histories:
        dates = [v.date for v in history.versions]
        assert dates == sorted(dates)
    assert not any(Path(h.path).name in {"README.md", "LICENSE"} for h in histories)
