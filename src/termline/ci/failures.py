"""Failure tracking: decide which documents deserve a GitHub issue because they keep failing.

Takes the state of the previous runs (how many runs in a row each document has failed, and the
last reason), this run's report entries and a threshold; gives the new state and the issue
actions: ``open`` when a document reaches the threshold, ``update`` when it keeps failing for a
new reason, ``close`` when a document that had reached it is fetched again. A document this run
did not scrape keeps its streak. The workflow carries the state from run to run and turns each
action into a ``gh`` call; the decision is all here.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from termline.errors import TermlineError
from termline.scrape.record import write_atomically
from termline.scrape.reports import Entry

TITLE_PREFIX = "Scrape failing:"


@dataclass(frozen=True)
class Streak:
    """A document failing run after run: how many runs in a row, and why the last time."""

    failures: int
    reason: str


@dataclass(frozen=True)
class IssueAction:
    """One thing to do on GitHub: open, update or close the issue of one document."""

    kind: str
    title: str
    body: str


State = dict[str, Streak]


def issue_title(key: str) -> str:
    """Return the title of a document's failure issue, by which the workflow finds it again."""
    return f"{TITLE_PREFIX} {key}"


def track(
    state: Mapping[str, Streak],
    entries: Iterable[Entry],
    threshold: int,
    run_url: str | None = None,
) -> tuple[State, list[IssueAction]]:
    """Return the state after this run's entries and the issue actions they call for."""
    if threshold < 1:
        raise TermlineError(f"--threshold {threshold}: must be at least 1")
    new_state = dict(state)
    actions: list[IssueAction] = []
    for entry in sorted(entries, key=lambda e: e.key):
        earlier = state.get(entry.key)
        if entry.status != "failed":
            new_state.pop(entry.key, None)
            if earlier and earlier.failures >= threshold:
                actions.append(_close(entry, earlier, run_url))
            continue
        streak = Streak((earlier.failures if earlier else 0) + 1, entry.reason or "no reason given")
        new_state[entry.key] = streak
        if streak.failures == threshold or (
            streak.failures > threshold and earlier and earlier.reason != streak.reason
        ):
            actions.append(_failing(entry, streak, threshold, run_url))
    return new_state, actions


def _failing(entry: Entry, streak: Streak, threshold: int, run_url: str | None) -> IssueAction:
    kind = "open" if streak.failures == threshold else "update"
    lines = [
        f"`{entry.key}` has failed the last {streak.failures} scrapes in a row.",
        "",
        f"Source: <{entry.url}>" if entry.url else "",
        f"Run: {run_url}" if run_url else "",
        "",
        "Last reason:",
        "",
        fenced(streak.reason),
        "",
        "The previous version stays in the archive. "
        "This issue is closed automatically when the document is fetched again.",
    ]
    return IssueAction(kind, issue_title(entry.key), "\n".join(lines))


def _close(entry: Entry, earlier: Streak, run_url: str | None) -> IssueAction:
    body = f"`{entry.key}` was fetched again ({entry.status}) after {earlier.failures} failures."
    if run_url:
        body += f"\n\nRun: {run_url}"
    return IssueAction("close", issue_title(entry.key), body)


def fenced(text: str) -> str:
    """Return text as a Markdown code block whose fence no backtick run inside can close."""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    return f"{fence}text\n{text}\n{fence}"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def load_state(path: Path) -> State:
    """Read the state file; a missing one is a fresh start."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {key: Streak(int(v["failures"]), str(v["reason"])) for key, v in data.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise TermlineError(f"{path}: not a valid failure state: {error}") from error


def save_state(path: Path, state: Mapping[str, Streak]) -> None:
    """Write the state file."""
    data = {key: asdict(state[key]) for key in sorted(state)}
    write_atomically(path, json.dumps(data, indent=1) + "\n")


def actions_json(actions: Iterable[IssueAction]) -> str:
    """Return the actions as the JSON list the workflow reads."""
    return json.dumps([asdict(action) for action in actions], indent=1)
