"""Bad configuration and bad command-line values: one line on stderr, exit status 2, no traceback.

Each case runs the real ``termline`` command as a subprocess in a folder holding a real git
archive, with one thing wrong, and names what the one-line error must mention.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GitRepo
from termline.site.render import default_templates

SOURCES = """\
[platforms.acme]
name = "Acme"

[platforms.acme.documents.terms]
url = "https://acme.example/terms"
"""

TOPICS = """\
[topics.children]
name = "Children"
description = "Minors."
patterns = ['\\bchild']
"""

# (id, files written into the folder, arguments, words the error line must contain)
CASES = [
    ("sources-syntax", {"sources.toml": "[platforms.acme\n"}, ["build"], ["sources.toml"]),
    (
        "sources-type",
        {"sources.toml": "[platforms.acme]\nname = 3\n"},
        ["build"],
        ["sources.toml", "name"],
    ),
    (
        "sources-unknown-key",
        {"sources.toml": SOURCES + 'colour = "red"\n'},
        ["build"],
        ["sources.toml", "colour"],
    ),
    (
        "sources-bad-url",
        {"sources.toml": SOURCES.replace("https://acme.example/terms", "ftp:/x")},
        ["build"],
        ["sources.toml", "url"],
    ),
    (
        "sources-bad-slug",
        {"sources.toml": SOURCES.replace("platforms.acme", "platforms.Acme")},
        ["build"],
        ["sources.toml", "Acme"],
    ),
    (
        "sources-duplicate",
        {"sources.toml": SOURCES + SOURCES},
        ["plan-shards"],
        ["sources.toml"],
    ),
    ("topics-syntax", {"topics.toml": "[topics.x\n"}, ["build"], ["topics.toml"]),
    (
        "topics-type",
        {"topics.toml": TOPICS.replace("['\\bchild']", "3")},
        ["build"],
        ["topics.toml", "patterns"],
    ),
    (
        "topics-unknown-key",
        {"topics.toml": TOPICS + "colour = 1\n"},
        ["build"],
        ["topics.toml", "colour"],
    ),
    (
        "topics-bad-regex",
        {"topics.toml": TOPICS.replace("\\bchild", "(child")},
        ["build"],
        ["topics.toml", "children"],
    ),
    ("build-repo-missing", {}, ["build", "--repo", "nowhere"], ["nowhere"]),
    ("build-repo-not-git", {"plain/x": ""}, ["build", "--repo", "plain"], ["plain", "git"]),
    ("build-archive-escapes", {}, ["build", "--archive", "../x"], ["--archive", "../x"]),
    ("build-out-is-file", {"out.txt": "x"}, ["build", "--out", "out.txt"], ["out.txt"]),
    (
        "build-out-not-ours",
        {"mine/keep.txt": "precious"},
        ["build", "--out", "mine"],
        ["mine"],
    ),
    ("build-templates-missing", {}, ["build", "--templates", "nope"], ["nope"]),
    (
        "build-template-syntax",
        {"tpl/base.html": "{% block content %}\n{% if %}\n"},
        ["build", "--templates", "tpl"],
        ["base.html", "line 2"],
    ),
    (
        "build-template-undefined",
        {"tpl/index.html": "line one\n{{ nothing_here.x }}\n"},
        ["build", "--templates", "tpl"],
        ["index.html", "nothing_here"],
    ),
    ("serve-port-high", {}, ["serve", "--port", "70000"], ["--port", "70000"]),
    ("serve-port-negative", {}, ["serve", "--port", "-1"], ["--port", "-1"]),
    ("serve-port-word", {}, ["serve", "--port", "abc"], ["--port", "abc"]),
    ("serve-dir-missing", {}, ["serve", "--dir", "nope"], ["nope"]),
    ("demo-dir-is-file", {"file": "x"}, ["demo", "--dir", "file", "--no-serve"], ["file"]),
    ("demo-port-high", {}, ["demo", "--port", "99999"], ["--port", "99999"]),
    ("scrape-timeout-negative", {}, ["scrape", "--timeout", "-1"], ["--timeout", "-1"]),
    ("scrape-only-unknown", {"sources.toml": SOURCES}, ["scrape", "--only", "nope"], ["nope"]),
    ("plan-shards-zero", {"sources.toml": SOURCES}, ["plan-shards", "--max-documents", "0"], ["0"]),
    ("plan-shards-missing", {}, ["plan-shards", "--sources", "none.toml"], ["none.toml"]),
    ("record-results-missing", {}, ["record-results", "gone"], ["gone"]),
    (
        "track-failures-corrupt",
        {"state.json": "{not json", "reports/r.json": "{}"},
        ["track-failures", "reports", "--state", "state.json"],
        ["state.json"],
    ),
    (
        "track-failures-threshold",
        {},
        ["track-failures", "r", "--state", "s", "--threshold", "0"],
        ["--threshold"],
    ),
    ("summarise-missing", {}, ["summarise", "nothing.json"], ["nothing.json"]),
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    repo = GitRepo(tmp_path)
    repo.commit({"archive/acme/terms.md": "# Terms\n\nText.\n"}, "Start", "2024-01-01T00:00:00Z")
    return tmp_path


@pytest.mark.parametrize(
    ("files", "args", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_one_line_and_exit_status_2(folder, files, args, words):
    if any(name.startswith("tpl/") for name in files):  # the default templates, one broken
        shutil.copytree(default_templates(), folder / "tpl")
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    extra = ["--no-search"] if args[0] == "build" else []
    result = subprocess.run(
        [sys.executable, "-m", "termline.cli", *args, *extra],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_a_refused_out_folder_is_left_as_it_was(folder):
    (folder / "mine").mkdir()
    (folder / "mine/keep.txt").write_text("precious")
    subprocess.run(
        [sys.executable, "-m", "termline.cli", "build", "--out", "mine"],
        cwd=folder,
        check=False,
        capture_output=True,
    )
    assert json.dumps(sorted(p.name for p in (folder / "mine").iterdir())) == '["keep.txt"]'
    assert (folder / "mine/keep.txt").read_text() == "precious"
