"""Hostile names and histories never break the build, never lose a version, never escape --out."""

import json
import subprocess
from pathlib import Path

from termline.analysis.history import read_history
from termline.archive import open_repo
from termline.build import BuildOptions, build


def _built(repo_path: Path, out: Path) -> dict:
    build(BuildOptions(repo=repo_path, archive=".", out=out, search=False))
    return json.loads((out / "data/index.json").read_text())


def test_hostile_names_get_unique_safe_urls_inside_out(make_repo, tmp_path):
    repo = make_repo()
    names = [
        "Acme Corp/Terms.md",
        "acme corp/terms.md",
        "ACME-CORP/Terms!.md",
        "日本/規約.md",
        "....../x.md",
        "\u202eevil/\u200bterms.md",
        f"{'Long' * 60}/{'Name' * 60}.md",
        "a b/..md",
    ]
    repo.commit({name: f"# {name}\n\nText.\n" for name in names}, "Start", "2024-01-01T00:00:00Z")
    out = tmp_path / "out" / "site"
    index = _built(repo.path, out)
    urls = [d["url"] for p in index["platforms"] for d in p["documents"]]
    # Dot-names ("....../", "..md") are documents too, with slugs of their own.
    assert len(urls) == len(set(urls)) == len(names)
    for url in urls:
        assert url.isascii() and ".." not in url and len(url) < 140
        assert (out / url / "index.html").is_file()
    outside = {p for p in (tmp_path / "out").rglob("*")} - {out} - set(out.rglob("*"))
    assert outside == set()


def test_submodules_binaries_and_odd_dates(make_repo, tmp_path):
    repo = make_repo()
    repo.commit({"acme/terms.md": "# Terms\n\nOld.\n"}, "Old", "1985-06-01T00:00:00Z")
    repo.commit({"acme/terms.md": "# Terms\n\nFuture.\n"}, "Future", "2099-01-01T00:00:00Z")
    repo.commit({"acme/binary.md": bytes(range(256)) * 50}, "Binary", "2024-01-01T00:00:00Z")
    sha = repo.git("rev-parse", "HEAD").strip()
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sha},acme/module.md")
    repo.git("commit", "-q", "-m", "Submodule", date="2024-02-01T00:00:00Z")
    index = _built(repo.path, tmp_path / "site")
    documents = {d["name"]: d for p in index["platforms"] for d in p["documents"]}
    assert set(documents) == {"terms", "binary"}
    data = json.loads((tmp_path / "site/data/acme/terms.json").read_text())
    assert [v["date"][:4] for v in data["versions"]] == ["1985", "2099"]


def test_shallow_clone_builds_what_it_has(make_repo, tmp_path, caplog):
    repo = make_repo()
    for day in range(1, 5):
        repo.commit(
            {"acme/terms.md": f"# Terms\n\nVersion {day}.\n"}, "Update", f"2024-01-0{day}T00:00:00Z"
        )
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "2", f"file://{repo.path}", str(shallow)], check=True
    )
    index = _built(shallow, tmp_path / "site")
    assert index["platforms"][0]["documents"][0]["versions"] == 2
    assert "shallow" in caplog.text


def test_a_document_deleted_then_readded_keeps_every_version(make_repo):
    repo = make_repo()
    repo.commit({"acme/terms.md": "one"}, "One", "2024-01-01T00:00:00Z")
    (repo.path / "acme/terms.md").unlink()
    repo.commit({}, "Gone", "2024-02-01T00:00:00Z")
    repo.commit({"acme/terms.md": "one"}, "Back", "2024-03-01T00:00:00Z")
    [history] = read_history(open_repo(repo.path), ".")
    assert [v.title for v in history.versions] == ["One", "Gone", "Back"]
