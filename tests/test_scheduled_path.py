"""A dry run of the scheduled scrape, end to end: plan shards → scrape each shard → record → build.

Each shard runs the real ``termline scrape --only … --results … --report …`` against a local
HTTP server, as the shard jobs of ``.github/workflows/scrape.yml`` do; then the recorder commits
every shard's results and the site is built from the history.
"""

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import git

from policy_server import SECTIONS, PolicyServer, Reply, policy_page
from termline import __version__
from termline.archive import EXTRACTED_BY, trailer
from termline.build import BuildOptions, build
from termline.ci.collect import record_results
from termline.ci.failures import track
from termline.ci.shards import plan_shards
from termline.ci.summary import summary_markdown
from termline.scrape.record import Record, record
from termline.scrape.reports import read_reports, write_report
from termline.sources import load_config

DOCUMENTS = {
    "acme": ("Acme", {"terms": "Terms of Service", "privacy": "Privacy Policy", "ai": "AI Policy"}),
    "beta": ("Beta", {"terms": "Terms of Service"}),
    "gamma": ("Gamma", {"privacy": "Privacy Policy"}),
}
FAILING = "gamma/privacy"


def _sources(server: PolicyServer) -> str:
    lines = ['[site]\ntitle = "Dry run"\n']
    for platform, (name, documents) in DOCUMENTS.items():
        lines.append(f'[platforms.{platform}]\nname = "{name}"')
        for document, title in documents.items():
            url = server.url(f"/{platform}/{document}")
            lines.append(
                f"[platforms.{platform}.documents.{document}]\n"
                f'name = "{title}"\ntype = "{title}"\nurl = "{url}"\nselect = "article"'
            )
    return "\n".join(lines) + "\n"


def _serve_edition(server: PolicyServer, edition: str) -> None:
    for platform, (name, documents) in DOCUMENTS.items():
        for document, title in documents.items():
            path = f"/{platform}/{document}"
            if f"{platform}/{document}" == FAILING:
                server.serve(path, Reply("unavailable", status=503))
                continue
            sections = {**SECTIONS, "Edition": f"This is edition {edition} of the {title}."}
            server.serve(path, Reply(policy_page(sections, title=f"{name} {title}")))


def _scrape_shard(repo: Path, selectors: tuple[str, ...], folder: Path) -> int:
    """Run what one shard job runs: fetch its part, write results and a report, commit nothing."""
    command = [sys.executable, "-m", "termline.cli", "scrape", "--repo", str(repo)]
    command += ["--sources", str(repo / "sources.toml"), "--retries", "0", "--timeout", "5"]
    command += [arg for selector in selectors for arg in ("--only", selector)]
    command += ["--results", str(folder), "--report", str(folder / "report.json")]
    return subprocess.run(command, capture_output=True, text=True, check=False).returncode


def test_plan_scrape_record_build(make_repo, tmp_path, policy_server):
    origin = make_repo()
    origin.commit({"sources.toml": _sources(policy_server)}, "Declare", "2024-01-01T00:00:00Z")
    config = load_config(origin.path / "sources.toml")
    acme_terms = config.find("acme", "terms")
    assert acme_terms is not None
    first = Record("acme", "terms", "Acme", "Terms of Service", "# Old terms\n\nEdition 1.\n",
                   acme_terms.url, datetime(2024, 5, 1, tzinfo=UTC))  # fmt: skip
    record(git.Repo(origin.path), "archive", first)
    head = git.Repo(origin.path).head.commit.hexsha

    shards = plan_shards(config.sources, max_documents=2)
    assert [s.selectors for s in shards] == [
        ("acme/ai", "acme/privacy"),
        ("acme/terms", "beta"),
        ("gamma",),
    ]
    _serve_edition(policy_server, "2")
    results = tmp_path / "shards"  # what download-artifact lays out: one folder per shard
    statuses = [
        _scrape_shard(origin.path, shard.selectors, results / f"shard-{shard.name}")
        for shard in shards
    ]
    assert statuses == [0, 0, 1]  # the shard with the failing document says so, keeps the rest
    assert git.Repo(origin.path).head.commit.hexsha == head  # shards commit nothing

    recorded = record_results(origin.path, "archive", [results])
    assert sorted((e.key, e.status) for e in recorded) == [
        ("acme/ai", "new"),
        ("acme/privacy", "new"),
        ("acme/terms", "changed"),
        ("beta/terms", "new"),
    ]
    scraped = list(git.Repo(origin.path).iter_commits(max_count=4))
    dates = [c.authored_datetime for c in scraped]
    assert dates == sorted(dates, reverse=True)  # committed in fetch-time order
    extracted = {trailer(c.message, EXTRACTED_BY) for c in scraped}
    assert extracted == {f"termline {__version__}; select=article"}  # carried through results
    write_report(tmp_path / "recorded.json", recorded)
    entries = read_reports([results, tmp_path / "recorded.json"])
    summary = summary_markdown(entries)
    assert summary.startswith("### Scrape: 3 new, 1 changed, 0 unchanged, 1 failed")
    assert "gamma/privacy" in summary and "503" in summary
    state, actions = track({}, entries, threshold=1)
    assert [a.title for a in actions] == [f"Scrape failing: {FAILING}"]
    assert list(state) == [FAILING]
    assert record_results(origin.path, "archive", [results]) == [
        e.__class__(e.platform, e.document, e.url, "unchanged", None, None) for e in recorded
    ]  # a rerun of the record job commits nothing

    site = tmp_path / "site"
    result = build(BuildOptions(repo=origin.path, out=site, search=False))
    assert (result.documents, result.versions) == (4, 5)
    terms = json.loads((site / "data/acme/terms.json").read_text())
    assert terms["versions"][0]["kind"] == "first" and len(terms["versions"]) == 2
    page = (site / "platforms/acme/terms/index.html").read_text()
    assert "This is edition 2 of the Terms of Service." in page
    assert all(v["id"] in page for v in terms["versions"])
    assert not (site / "platforms/gamma").exists()  # nothing recorded, nothing published
