"""The build, end to end, on real git repositories: pages, data contract, empty archive, CLI."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from termline.build import BuildOptions, build
from termline.cli import main
from termline.errors import TermlineError
from termline.site.output import Output
from termline.site.render import default_templates

ROOT = Path(__file__).resolve().parents[1]


def test_demo_site_has_every_page_kind(demo_site: Path):
    assert (demo_site / "index.html").is_file()
    assert (demo_site / "search/index.html").is_file()
    assert (demo_site / "pagefind/pagefind-ui.js").is_file()
    platform = demo_site / "platforms/chirpy"
    assert (platform / "index.html").is_file()
    assert (platform / "privacy-policy/index.html").is_file()
    versions = sorted((platform / "privacy-policy/versions").iterdir())
    assert len(versions) >= 6
    page = (versions[1] / "index.html").read_text()
    assert "<ins>" in page and "Training of AI models" in page


def test_data_contract(demo_site: Path):
    index = json.loads((demo_site / "data/index.json").read_text())
    assert {p["slug"] for p in index["platforms"]} == {
        "chirpy",
        "stridely",
        "nimbus-cloud",
        "parley-ai",
    }
    for platform in index["platforms"]:
        assert set(platform) >= {"slug", "name", "url", "documents"}
        for document in platform["documents"]:
            assert set(document) >= {"slug", "name", "type", "path", "url", "versions"}
            data = json.loads(
                (demo_site / f"data/{platform['slug']}/{document['slug']}.json").read_text()
            )
            assert (
                data["path"]
                == document["path"]
                == f"archive/{platform['slug']}/{document['slug']}.md"
            )
            assert len(data["versions"]) == document["versions"]
            dates = [v["date"] for v in data["versions"]]
            assert dates == sorted(dates)
            for version in data["versions"]:
                assert version["id"] == f"{version['date'][:10]}-{version['sha'][:7]}"
                assert version["kind"] in {
                    "first",
                    "change",
                    "deleted",
                    "substantive",
                    "cosmetic",
                    "revert",
                }
            assert data["versions"][0]["kind"] == "first"


def test_untrusted_markdown_is_escaped(make_repo, tmp_path):
    repo = make_repo()
    repo.commit(
        {
            "archive/evil/terms.md": (
                "# Terms\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
            )
        },
        "Start tracking",
        "2024-01-01T00:00:00Z",
    )
    out = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=out, search=False))
    page = (out / "platforms/evil/terms/index.html").read_text()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page


def test_empty_archive_says_how_to_fill_it(make_repo, tmp_path):
    repo = make_repo()
    out = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=out, search=False))
    page = (out / "index.html").read_text()
    assert "termline scrape" in page and "termline demo" in page
    assert json.loads((out / "data/index.json").read_text()) == {"platforms": [], "retired": []}


def test_rebuild_removes_pages_no_longer_built_and_keeps_unchanged_bytes(make_repo, tmp_path):
    repo = make_repo()
    repo.commit(
        {"archive/a/x.md": "# X\n\nOne.\n", "archive/a/y.md": "# Y\n"},
        "Start",
        "2024-01-01T00:00:00Z",
    )
    out = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=out, search=False))
    stray = out / "platforms/a/stray/index.html"
    stray.parent.mkdir(parents=True)
    stray.write_text("old")
    second = build(BuildOptions(repo=repo.path, out=out, search=False))
    assert not stray.exists()
    assert second.files_changed == 0 and second.files_removed == 1


@pytest.mark.parametrize("cached", [False, True])
def test_unchanged_files_keep_their_inode_and_a_failed_build_leaves_the_site(
    make_repo, tmp_path, cached
):
    repo = make_repo()
    repo.commit({"archive/a/x.md": "# X\n\nOne.\n"}, "Start", "2024-01-01T00:00:00Z")
    out = tmp_path / "site"
    cache = tmp_path / "cache" if cached else None
    build(BuildOptions(repo=repo.path, out=out, search=False, cache=cache))
    page = out / "platforms/a/x/index.html"
    inode, before = page.stat().st_ino, sorted(p for p in out.rglob("*"))
    build(BuildOptions(repo=repo.path, out=out, search=False, cache=cache))
    assert page.stat().st_ino == inode
    assert sorted(p for p in out.rglob("*")) == before
    repo.commit({"archive/a/x.md": "# X\n\nTwo.\n"}, "Change", "2024-02-01T00:00:00Z")
    broken = tmp_path / "templates"
    shutil.copytree(default_templates(), broken)
    (broken / "index.html").write_text("{% if %}")
    with pytest.raises(Exception, match="Expected an expression"):
        build(BuildOptions(repo=repo.path, out=out, search=False, templates=broken, cache=cache))
    assert sorted(p for p in out.rglob("*")) == before
    assert page.stat().st_ino == inode
    assert not list(tmp_path.glob(".site.*"))


def test_refuses_to_replace_a_folder_it_did_not_build(make_repo, tmp_path):
    repo = make_repo()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    with pytest.raises(TermlineError, match="not a site termline built"):
        build(BuildOptions(repo=repo.path, out=precious, search=False))
    assert (precious / "thesis.txt").read_text() == "years of work"


def test_bad_repository_is_one_line_exit_2(tmp_path, capsys):
    assert main(["build", "--repo", str(tmp_path / "nope"), "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such folder" in err


def test_build_py_is_the_same_command(demo_repo, tmp_path):
    out = tmp_path / "site"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--repo",
            str(demo_repo),
            "--out",
            str(out),
            "--no-search",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "built 8 documents" in result.stdout
    assert (out / "data/index.json").is_file()


def test_bad_option_is_one_line_exit_2():
    result = subprocess.run(
        [sys.executable, "-m", "termline.cli", "build", "--bogus"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("path", ["", "/etc/x", "../x", "a/../../x", "a//b", "./x", "a/\0"])
def test_output_refuses_paths_that_leave_the_site(tmp_path, path):
    out = Output(tmp_path / "site")
    with pytest.raises(TermlineError, match="would be written outside"):
        out.write(path, "x")
    out.abandon()
    assert not (tmp_path / "x").exists() and not list(tmp_path.iterdir())
