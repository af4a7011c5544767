"""The run summary: counts, then what is new, changed or failed and why, every cell escaped."""

import subprocess
import sys

import pytest

from termline.ci.summary import summary_markdown
from termline.errors import TermlineError
from termline.scrape.reports import Entry, merge, read_reports, write_report

URL = "https://acme.example/terms"


def test_lists_failures_first_then_new_and_changed_and_counts_the_unchanged():
    entries = [
        Entry("acme", "terms", URL, "changed", None, "0123456789abcdef"),
        Entry("beta", "privacy", "https://beta.example/p", "unchanged"),
        Entry("beta", "terms", "https://beta.example/t", "failed", "HTTP 503 after 3 tries"),
        Entry("gamma", "ai", "https://gamma.example/ai", "new", None, "fedcba9876543210"),
    ]
    assert summary_markdown(entries, "https://github.com/o/r/commit/").splitlines() == [
        "### Scrape: 1 new, 1 changed, 1 unchanged, 1 failed",
        "",
        "| document | status | reason | commit |",
        "|---|---|---|---|",
        "| [beta/terms](https://beta.example/t) | **failed** | HTTP 503 after 3 tries |  |",
        "| [gamma/ai](https://gamma.example/ai) | new |  | "
        "[fedcba9](https://github.com/o/r/commit/fedcba9876543210) |",
        "| [acme/terms](https://acme.example/terms) | changed |  | "
        "[0123456](https://github.com/o/r/commit/0123456789abcdef) |",
    ]


def test_a_quiet_run_says_so():
    entries = [Entry("acme", "terms", URL, "unchanged")]
    assert summary_markdown(entries).splitlines()[-1] == (
        "Nothing new, nothing changed, nothing failed."
    )


def test_an_untrusted_reason_stays_in_its_cell_as_text():
    reason = "blocked | <img src=x onerror=alert(1)>\n| forged | row |"
    (row,) = [
        line
        for line in summary_markdown([Entry("a", "b", "", "failed", reason)]).splitlines()
        if line.startswith("| a/b")
    ]
    assert "<img" not in row and "&lt;img" in row
    assert row.count("|") - row.count("\\|") == 5  # still exactly four cells


def test_reports_merge_so_the_recorder_fills_in_the_commits(tmp_path):
    write_report(
        tmp_path / "shards/shard-001/report.json", [Entry("acme", "terms", URL, "changed")]
    )
    write_report(tmp_path / "recorded.json", [Entry("acme", "terms", URL, "changed", None, "abc")])
    (merged,) = read_reports([tmp_path / "shards", tmp_path / "recorded.json"])
    assert (merged.status, merged.commit) == ("changed", "abc")
    assert merge([Entry("a", "b", URL, "failed", "x"), Entry("a", "b", "", "failed")]) == [
        Entry("a", "b", URL, "failed", "x")
    ]


def test_bad_reports_are_one_line_errors(tmp_path):
    bad = tmp_path / "report.json"
    bad.write_text('{"documents": [{"platform": "a", "document": "b", "status": "exploded"}]}')
    with pytest.raises(TermlineError, match=r"report\.json: not a valid report: .*exploded"):
        read_reports([bad])
    with pytest.raises(TermlineError, match=r"missing\.json: no such report file or folder"):
        read_reports([tmp_path / "missing.json"])


def test_summarise_command_prints_markdown(tmp_path):
    write_report(tmp_path / "report.json", [Entry("acme", "terms", URL, "new", None, "abcdef1234")])
    command = [sys.executable, "-m", "termline.cli", "summarise", str(tmp_path / "report.json")]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert out.startswith("### Scrape: 1 new, 0 changed, 0 unchanged, 0 failed\n")
    assert "| [acme/terms](https://acme.example/terms) | new |  | abcdef1 |" in out
