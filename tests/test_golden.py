"""Golden output: the demo site's data JSON, compared as a diff.

After an intended change, regenerate with ``make golden`` (TERMLINE_UPDATE_GOLDEN=1).
"""

import difflib
import os
import shutil
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"


def _compare(built: Path, golden: Path) -> list[str]:
    if os.environ.get("TERMLINE_UPDATE_GOLDEN") == "1":
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(built, golden)
    problems = []
    built_files = {p.relative_to(built) for p in built.rglob("*") if p.is_file()}
    golden_files = {p.relative_to(golden) for p in golden.rglob("*") if p.is_file()}
    problems += [f"missing from build: {p}" for p in sorted(golden_files - built_files)]
    problems += [f"new in build: {p}" for p in sorted(built_files - golden_files)]
    for relative in sorted(built_files & golden_files):
        old = (golden / relative).read_text().splitlines()
        new = (built / relative).read_text().splitlines()
        problems += list(
            difflib.unified_diff(old, new, f"golden/{relative}", f"built/{relative}", lineterm="")
        )
    return problems


def test_demo_data_matches_golden(demo_site: Path):
    problems = _compare(demo_site / "data", GOLDEN / "demo-data")
    assert not problems, (
        "\n".join(problems[:80]) + "\n(run `make golden` if this change is intended)"
    )
