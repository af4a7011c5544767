"""Golden output: the demo site's data JSON, compared as a diff.

After an intended change, regenerate with ``make golden`` (TERMLINE_UPDATE_GOLDEN=1).
"""

import difflib
import json
import os
import shutil
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def _compare(built: Path, golden: Path) -> list[str]:
    if os.environ.get("TERMLINE_UPDATE_GOLDEN") == "1":
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(built, golden)
        for path in golden.rglob("*.json"):  # kept indented, so that a change reads as a diff
            path.write_text("\n".join(_lines(path)) + "\n")
    problems = []
    built_files = {p.relative_to(built) for p in built.rglob("*") if p.is_file()}
    golden_files = {p.relative_to(golden) for p in golden.rglob("*") if p.is_file()}
    problems += [f"missing from build: {p}" for p in sorted(golden_files - built_files)]
    problems += [f"new in build: {p}" for p in sorted(built_files - golden_files)]
    for relative in sorted(built_files & golden_files):
        old, new = _lines(golden / relative), _lines(built / relative)
        problems += list(
            difflib.unified_diff(old, new, f"golden/{relative}", f"built/{relative}", lineterm="")
        )
    return problems


def _lines(path: Path) -> list[str]:
    """Return a file's lines, JSON indented (the site writes it on one line)."""
    text = path.read_text()
    if path.suffix == ".json":
        text = json.dumps(json.loads(text), ensure_ascii=False, indent=1)
    return text.splitlines()


def test_demo_data_matches_golden(demo_site: Path):
    problems = _compare(demo_site / "data", GOLDEN / "demo-data")
    assert not problems, (
        "\n".join(problems[:80]) + "\n(run `make golden` if this change is intended)"
    )
