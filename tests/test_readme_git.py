"""The README's "Inspect the archive with git" commands, run against the demo archive."""

import re
import subprocess
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def _commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", _section("Inspect the archive with git"), re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_the_section_shows_every_kind_of_inspection():
    shown = "\n".join(_commands())
    for needed in (
        "git log --follow -p archive/",
        "git log --word-diff",
        "git show ",
        "--since=",
        "git log --grep=",
        "git log --format='%(trailers:key=Source-URL)'",
    ):
        assert needed in shown, f"README's git section lacks {needed!r}"


@pytest.mark.parametrize("command", _commands())
def test_every_command_runs_on_the_demo_archive(demo_repo, command):
    result = subprocess.run(  # a clean environment: no user git config, no pager
        ["bash", "-c", f"set -euo pipefail; {command}"],
        cwd=demo_repo,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "GIT_PAGER": "cat", "HOME": str(demo_repo)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip(), f"{command} printed nothing on the demo archive"


def test_the_trailer_commands_print_where_and_when_each_version_came_from(demo_repo):
    (sources, table) = [c for c in _commands() if "trailers:" in c]

    def run(command: str) -> str:
        return subprocess.check_output(["bash", "-c", command], cwd=demo_repo, text=True)

    assert set(run(sources).split()) == {"Source-URL:", "https://chirpy.example/privacy-policy"}
    last = run(table).splitlines()[0].split()
    assert last[1:] == ["2025-09-15T06:00:00Z", "https://stridely.example/privacy-policy"]
