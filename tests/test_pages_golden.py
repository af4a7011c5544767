"""Golden pages: every file of a small site's build, compared as a diff.

After an intended change of the templates or pages, regenerate with ``make golden``.
"""

import shutil
from pathlib import Path

from termline.build import BuildOptions, build
from test_golden import GOLDEN, _compare

SOURCES = """\
[site]
title = "Small archive"
base_url = "https://example.org/small/"
repo_url = "https://git.example.org/small-archive"

[platforms.acme]
name = "Acme & Co"

[platforms.acme.documents.terms]
name = "Terms of Service"
type = "terms of service"
url = "https://acme.example/terms"
"""


def test_small_site_matches_golden(make_repo, tmp_path: Path):
    repo = make_repo()
    repo.commit({"sources.toml": SOURCES}, "Declare sources", "2024-01-01T00:00:00Z")
    repo.commit(
        {"archive/acme/terms.md": "# Terms\n\n## Use\n\nBe nice.\n\n## Data\n\nWe keep it.\n"},
        "Start tracking Acme & Co Terms of Service",
        "2024-02-01T08:00:00Z",
    )
    repo.commit(
        {"archive/globex/privacy.md": "# Privacy <script>\n\nWe sell nothing.\n"},
        "Start tracking Globex Privacy",
        "2024-02-02T08:00:00Z",
    )
    repo.commit(
        {
            "archive/acme/terms.md": (
                "# Terms\n\n## Use\n\nBe nice to others.\n\n## Data\n\nWe keep it for a year.\n"
            )
        },
        "Update Acme & Co Terms of Service",
        "2024-03-05T08:00:00Z",
    )
    repo.git("rm", "-q", "archive/globex/privacy.md")
    repo.commit({}, "Stop tracking Globex Privacy", "2024-04-01T08:00:00Z")
    out = tmp_path / "site"
    build(BuildOptions(repo=repo.path, out=out, search=False))
    shutil.rmtree(out / "static")  # copies of templates/static, checked by the browser tests
    (out / ".termline-site").unlink()  # its state is a digest of page keys: tests/test_incremental
    texts = sorted(out.glob("platforms/*/*/texts.json.gz"))
    assert len(texts) == 2  # the terms' two texts in one file, the privacy policy's in another
    for text in texts:  # gzip bytes: test_site checks they are reproducible
        text.unlink()
    problems = _compare(out, GOLDEN / "small-site")
    assert not problems, (
        "\n".join(problems[:120]) + "\n(run `make golden` if this change is intended)"
    )
