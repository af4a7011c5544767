"""Two types for the two forms of a document, of its changes and of its provisions: mypy --strict
refuses one where the other goes."""

import os
import re
import subprocess
import sys
from pathlib import Path

SNIPPET = Path(__file__).parent / "typing" / "documents.py"
ROOT = Path(__file__).parents[1]


def test_a_summary_where_the_full_document_is_needed_is_a_type_error(tmp_path: Path):
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), str(SNIPPET)]
    env = {**os.environ, "MYPYPATH": str(ROOT / "src")}  # the source, not the installed package
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    refused = {
        number
        for number, line in enumerate(SNIPPET.read_text().splitlines(), 1)
        if line.endswith("# refused")
    }
    errors = {int(n) for n in re.findall(rf"{re.escape(SNIPPET.name)}:(\d+): error", result.stdout)}
    assert refused and errors == refused, result.stdout
    assert 'incompatible type "Summary"; expected "Document"' in result.stdout
    assert '"BriefChange" has no attribute "diff"' in result.stdout
    assert 'incompatible type "BriefProvision"; expected "Provision"' in result.stdout
