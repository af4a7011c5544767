"""A dry run of the scheduled scrape, end to end: plan shards → shard results → record → build.

The shard results are written with ``results.write_result``, as a ``termline scrape --results``
shard writes them. TODO(lead, after the scraper merge): produce them by running
``termline scrape --only … --results … --report …`` per shard against the local test server.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import git

from termline.build import BuildOptions, build
from termline.collect import record_results
from termline.failures import track
from termline.record import Record, record
from termline.reports import Entry, read_reports, write_report
from termline.results import write_result
from termline.shards import plan_shards, select
from termline.sources import Source, load_config
from termline.summary import summary_markdown

SOURCES = """
[site]
title = "Dry run"

[platforms.acme]
name = "Acme"
[platforms.acme.documents.terms]
name = "Terms of Service"
url = "https://acme.example/terms"
[platforms.acme.documents.privacy]
name = "Privacy Policy"
url = "https://acme.example/privacy"
[platforms.acme.documents.ai]
name = "AI Policy"
url = "https://acme.example/ai"

[platforms.beta]
name = "Beta"
[platforms.beta.documents.terms]
name = "Terms of Service"
url = "https://beta.example/terms"

[platforms.gamma]
name = "Gamma"
[platforms.gamma.documents.privacy]
name = "Privacy Policy"
url = "https://gamma.example/privacy"
"""

RUN_AT = datetime(2024, 6, 1, 0, 17, tzinfo=UTC)
FAILING = "gamma/privacy"


def _text(source: Source, edition: str) -> str:
    return f"# {source.platform_name} {source.name}\n\n## Scope\n\nEdition {edition}.\n"


def _scrape_shard(sources: list[Source], folder: Path, minute: int) -> None:
    """Do what one shard job does: write each fetched document and the report, commit nothing."""
    entries = []
    for offset, source in enumerate(sources):
        key = f"{source.platform}/{source.document}"
        if key == FAILING:
            entries.append(
                Entry(source.platform, source.document, source.url, "failed", "HTTP 503")
            )
            continue
        item = Record(
            platform=source.platform,
            document=source.document,
            platform_name=source.platform_name,
            document_name=source.name,
            text=_text(source, "2"),
            url=source.url,
            fetched_at=RUN_AT + timedelta(minutes=minute, seconds=offset),
        )
        write_result(folder, item)
        entries.append(Entry(source.platform, source.document, source.url, "changed"))
    write_report(folder / "report.json", entries)


def test_plan_scrape_record_build(make_repo, tmp_path):
    origin = make_repo()
    origin.commit({"sources.toml": SOURCES}, "Declare sources", "2024-01-01T00:00:00Z")
    config = load_config(origin.path / "sources.toml")
    acme_terms = config.find("acme", "terms")
    assert acme_terms is not None
    first = Record("acme", "terms", "Acme", "Terms of Service", _text(acme_terms, "1"),
                   acme_terms.url, datetime(2024, 5, 1, tzinfo=UTC))  # fmt: skip
    record(git.Repo(origin.path), "archive", first)

    shards = plan_shards(config.sources, max_documents=2)
    assert [s.selectors for s in shards] == [
        ("acme/ai", "acme/privacy"),
        ("acme/terms", "beta"),
        ("gamma",),
    ]
    results = tmp_path / "shards"  # what download-artifact lays out: one folder per shard
    for number, shard in reversed(list(enumerate(shards))):  # shards finish in any order
        _scrape_shard(
            select(config.sources, shard.selectors), results / f"shard-{shard.name}", number
        )

    recorded = record_results(origin.path, "archive", [results])
    assert [(e.key, e.status) for e in recorded] == [  # fetch-time order
        ("acme/privacy", "new"),
        ("acme/ai", "new"),
        ("acme/terms", "changed"),
        ("beta/terms", "new"),
    ]
    write_report(tmp_path / "recorded.json", recorded)
    entries = read_reports([results, tmp_path / "recorded.json"])
    summary = summary_markdown(entries)
    assert summary.startswith("### Scrape: 3 new, 1 changed, 0 unchanged, 1 failed")
    assert "| [gamma/privacy](https://gamma.example/privacy) | **failed** | HTTP 503 |" in summary
    state, actions = track({}, entries, threshold=1)
    assert [a.title for a in actions] == ["Scrape failing: gamma/privacy"]
    assert list(state) == ["gamma/privacy"]

    site = tmp_path / "site"
    result = build(BuildOptions(repo=origin.path, out=site, search=False))
    assert (result.documents, result.versions) == (4, 5)
    terms = json.loads((site / "data/acme/terms.json").read_text())
    assert [v["kind"] for v in terms["versions"]] == ["first", "change"]
    assert terms["versions"][-1]["date"].startswith("2024-06-01T00:18")
    page = (site / "platforms/acme/terms/index.html").read_text()
    assert "Edition 2." in page
    assert all(v["id"] in page for v in terms["versions"])
    assert not (site / "platforms/gamma").exists()  # nothing recorded, nothing published
