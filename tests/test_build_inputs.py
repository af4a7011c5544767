"""Nothing lost, nothing silent: archives a new user points the build at, as the CLI sees them.

Each case is a real git repository built by the real ``termline build`` in a subprocess: where
no document is under ``--archive`` the build says so and how to fix it, every tracked document
reaches the site whatever its name, and every file it skips is named on one warning line.
"""

import json
import subprocess
import sys
from pathlib import Path

from conftest import GitRepo

TERMS = "# Terms\n\nText.\n"


def _build(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "termline.cli", "build", "--no-search", "--no-cache"]
    command += ["--base-url", "https://example.org/", *args]  # else a line says links are relative
    return subprocess.run(
        command, cwd=repo, capture_output=True, text=True, timeout=300, check=False
    )


def _lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    assert "Traceback" not in result.stderr + result.stdout
    return [line for line in result.stderr.splitlines() if line.strip()]


def _index(repo: Path) -> dict:
    return json.loads((repo / "site/data/index.json").read_text())


def test_documents_at_the_root_without_archive_dot_is_one_line_and_status_2(make_repo):
    repo = make_repo()  # laid out as an Open Terms Archive versions repository
    files = {f"Service {n}/Terms of Service.md": TERMS for n in range(3)}
    repo.commit(
        {**files, "README.md": "# Versions\n", "LICENSE": "ODC-By\n"},
        "Start",
        "2024-01-01T00:00:00Z",
    )
    result = _build(repo.path)
    assert result.returncode == 2
    assert _lines(result) == [
        "termline: error: no <platform>/<document>.md under archive/ in ., "
        "but 3 at its root: use --archive ."
    ]
    assert not (repo.path / "site").exists()
    assert _build(repo.path, "--archive", ".").returncode == 0
    assert len(_index(repo.path)["platforms"]) == 3


def test_documents_in_another_folder_name_that_folder(make_repo):
    repo = make_repo()
    repo.commit({"data/policies/acme/terms.md": TERMS}, "Start", "2024-01-01T00:00:00Z")
    result = _build(repo.path, "--archive", "policies")
    assert result.returncode == 2
    assert _lines(result)[0].endswith(
        "no <platform>/<document>.md under policies/ in ., but 1 under data/policies/: "
        "use --archive data/policies"
    )


def test_no_document_anywhere_builds_an_empty_site_with_a_warning(make_repo):
    repo = make_repo()
    repo.commit({"README.md": "# A fork that starts empty\n"}, "Start", "2024-01-01T00:00:00Z")
    result = _build(repo.path)
    assert result.returncode == 0, result.stderr
    assert _lines(result) == [
        "termline: no <platform>/<document>.md under archive/ in .: building an empty site"
    ]
    assert _index(repo.path)["platforms"] == []


def test_a_termline_archive_before_its_first_scrape_builds_empty_despite_its_docs(make_repo):
    repo = make_repo()  # sources.toml declares what archive/ will hold; docs/ is no archive
    docs = {f"docs/{name}.md": "# Doc\n" for name in ("architecture", "security")}
    sources = "[platforms.acme.documents.terms]\nurl = 'https://acme.example/terms'\n"
    repo.commit({**docs, "sources.toml": sources}, "Start", "2024-01-01T00:00:00Z")
    result = _build(repo.path)
    assert result.returncode == 0, result.stderr
    assert "building an empty site" in _lines(result)[0]


def test_dot_and_path_like_names_reach_the_site_with_safe_unique_slugs(make_repo):
    repo = make_repo()
    names = [
        "acme/.hidden.md",
        "acme/..md",
        "acme/.md",
        "acme/terms.md",
        ".../terms.md",
        "..\\..\\evil/terms.md",
    ]
    texts = {name: f"# Document {n}\n\nWords of document {n}.\n" for n, name in enumerate(names)}
    repo.commit(texts, "Start", "2024-01-01T00:00:00Z")
    result = _build(repo.path, "--archive", ".")
    assert result.returncode == 0, result.stderr
    assert _lines(result) == []  # nothing skipped, nothing to say
    documents = [d for p in _index(repo.path)["platforms"] for d in p["documents"]]
    assert sorted(d["path"] for d in documents) == sorted(names)
    urls = [d["url"] for d in documents]
    assert len(set(urls)) == len(names)
    site = repo.path / "site"
    for document in documents:
        url = document["url"]
        assert url.isascii() and ".." not in url and "\\" not in url and "/." not in url
        page = site / url / "index.html"
        assert page.resolve().is_relative_to(site.resolve())
        assert texts[document["path"]].split("\n")[2] in page.read_text()


def test_each_skipped_file_is_named_on_one_warning_line(make_repo):
    repo = make_repo()
    repo.commit(
        {
            "archive/acme/terms.md": TERMS,
            "archive/acme/terms.html": "<p>Terms</p>",
            "archive/acme/old/terms.md": TERMS,
            "archive/README.md": "# The archive\n",
            "README.md": "# Outside the archive: not its business\n",
        },
        "Start",
        "2024-01-01T00:00:00Z",
    )
    sha = repo.git("rev-parse", "HEAD").strip()
    repo.git("update-index", "--add", "--cacheinfo", f"160000,{sha},archive/acme/module.md")
    repo.git(
        "update-index",
        "--add",
        "--cacheinfo",
        f"120000,{_blob(repo, 'terms.md')},archive/acme/link.md",
    )
    repo.git("commit", "-q", "-m", "Submodule and link", date="2024-02-01T00:00:00Z")
    result = _build(repo.path)
    assert result.returncode == 0, result.stderr
    assert sorted(_lines(result)) == [
        "termline: archive/README.md: skipped, not in a platform folder (<platform>/<document>.md)",
        "termline: archive/acme/link.md: skipped, a symbolic link",
        "termline: archive/acme/module.md: skipped, a submodule",
        "termline: archive/acme/old/terms.md: skipped, in a sub-folder of a platform folder "
        "(<platform>/<document>.md)",
        "termline: archive/acme/terms.html: skipped, not Markdown (no .md extension)",
    ]
    documents = [d["path"] for p in _index(repo.path)["platforms"] for d in p["documents"]]
    assert documents == ["archive/acme/terms.md"]


def _blob(repo: GitRepo, text: str) -> str:
    return subprocess.run(
        ["git", "hash-object", "-w", "--stdin"],
        input=text,
        cwd=repo.path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_the_notes_folder_at_the_root_is_no_platform_with_archive_dot(make_repo):
    """With --archive . (an Open Terms Archive clone), notes/README.md is no document of a
    platform "notes", and the notes' own files are not warned about as misplaced documents."""
    repo = make_repo()
    terms = {"acme/terms.md": "# Terms\n\n## Retention\n\nWe keep data 90 days.\n"}
    sha = repo.commit(terms, "Start", "2024-01-01T00:00:00Z")
    note = f'+++\nsummary = "90 days."\nwritten_against = "2024-01-01-{sha[:7]}"\n'
    files = {
        "notes/README.md": "# Notes\n\nHow to write a note.\n",
        "notes/acme/terms/retention.md": note + 'authors = ["A"]\n+++\n\nShort.\n',
    }
    repo.commit(files, "Notes", "2024-01-02T00:00:00Z")
    result = _build(repo.path, "--archive", ".")
    assert result.returncode == 0, result.stderr
    assert _lines(result) == []
    platforms = [p["slug"] for p in _index(repo.path)["platforms"]]
    assert platforms == ["acme"]
