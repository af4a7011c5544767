"""Search stage: index the built site with the Pagefind binary.

Takes the output folder; gives ``pagefind/`` inside it. Only pages marked
``data-pagefind-body`` (current documents and provisions) are indexed; version pages are
near-duplicates and would bloat the index. The binary ships in the ``pagefind[extended]`` wheel
and runs as ``python -m pagefind`` on the whole folder (one process, not one call per file).
Pagefind does not remove the index files of earlier runs, so the folder is emptied first.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from termline.errors import TermlineError


def index_site(site: Path) -> None:
    """Run Pagefind over the site folder."""
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise TermlineError(f"pagefind failed on {site}: {message[-1] if message else 'no output'}")
