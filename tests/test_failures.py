"""Failure tracking: an issue when a document fails N runs in a row, closed when it recovers."""

import json
import subprocess
import sys

import pytest

from termline.ci.failures import Streak, fenced, load_state, save_state, track
from termline.errors import TermlineError
from termline.scrape.reports import Entry, write_report


def _run(**statuses: str) -> list[Entry]:
    """One run's entries: document key → status, or 'failed: reason'."""
    entries = []
    for key, outcome in statuses.items():
        status, _, reason = outcome.partition(": ")
        entries.append(Entry(key, "terms", f"https://{key}.example/terms", status, reason or None))
    return entries


def _replay(runs: list[list[Entry]], threshold: int = 3) -> list[list[tuple[str, str]]]:
    state: dict[str, Streak] = {}
    decided = []
    for entries in runs:
        state, actions = track(state, entries, threshold, run_url="https://ci.example/run")
        decided.append([(a.kind, a.title) for a in actions])
    return decided


def test_opens_on_the_nth_failure_in_a_row_and_closes_on_recovery():
    runs = [
        _run(acme="failed: HTTP 503", beta="unchanged"),
        _run(acme="failed: HTTP 503", beta="failed: timeout"),
        _run(acme="failed: HTTP 503", beta="changed"),
        _run(acme="failed: HTTP 503"),
        _run(acme="unchanged"),
        _run(acme="unchanged"),
    ]
    assert _replay(runs) == [
        [],
        [],
        [("open", "Scrape failing: acme/terms")],
        [],  # same reason again: nothing new to say
        [("close", "Scrape failing: acme/terms")],
        [],
    ]


def test_a_success_resets_the_streak_and_an_absent_document_keeps_it():
    runs = [
        _run(acme="failed: a"),
        _run(acme="failed: a"),
        _run(acme="new"),  # reset: one recovery before the threshold opens nothing
        _run(acme="failed: a"),
        _run(beta="unchanged"),  # acme not scraped (a run with --only): its streak holds
        _run(acme="failed: a"),
        _run(acme="failed: a"),
    ]
    assert _replay(runs) == [[], [], [], [], [], [], [("open", "Scrape failing: acme/terms")]]


def test_a_new_reason_after_the_threshold_updates_the_issue():
    runs = [_run(acme="failed: HTTP 503")] * 2 + [_run(acme="failed: page is a login page")]
    state: dict[str, Streak] = {}
    for entries in runs:
        state, actions = track(state, entries, threshold=2)
    assert [(a.kind, a.title) for a in actions] == [("update", "Scrape failing: acme/terms")]
    assert "failed the last 3 scrapes in a row" in actions[0].body
    assert "page is a login page" in actions[0].body
    assert state == {"acme/terms": Streak(3, "page is a login page")}


def test_the_reason_cannot_break_out_of_its_code_block():
    reason = "```\n<script>alert(1)</script> @everyone"
    block = fenced(reason)
    assert block.startswith("````text\n") and block.endswith("\n````")
    _, (action,) = track({"acme/terms": Streak(1, "x")}, _run(acme=f"failed: {reason}"), 2)
    assert fenced(reason) in action.body


def test_state_round_trips_and_bad_state_is_a_one_line_error(tmp_path):
    path = tmp_path / "state.json"
    assert load_state(path) == {}
    save_state(path, {"acme/terms": Streak(2, "HTTP 503")})
    assert load_state(path) == {"acme/terms": Streak(2, "HTTP 503")}
    path.write_text('{"acme/terms": 2}')
    with pytest.raises(TermlineError, match=r"state\.json: not a valid failure state"):
        load_state(path)
    with pytest.raises(TermlineError, match="--threshold 0: must be at least 1"):
        track({}, [], 0)


def test_track_failures_command_keeps_the_state_between_runs(tmp_path):
    report, state = tmp_path / "shard-001" / "report.json", tmp_path / "failures.json"
    write_report(report, _run(acme="failed: HTTP 503", beta="new"))
    command = [sys.executable, "-m", "termline.cli", "track-failures", str(tmp_path)]
    command += ["--state", str(state), "--threshold", "2", "--run-url", "https://ci.example/7"]
    first = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    second = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert json.loads(first) == []
    (action,) = json.loads(second)
    assert (action["kind"], action["title"]) == ("open", "Scrape failing: acme/terms")
    assert "Run: https://ci.example/7" in action["body"]
    assert json.loads(state.read_text()) == {"acme/terms": {"failures": 2, "reason": "HTTP 503"}}
