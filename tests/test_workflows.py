"""The GitHub workflows: valid against the schema, wired as the design says, their shell steps run.

The steps that are shell (push with rebase, the ``gh`` calls) are taken out of the YAML and run
here with bash, against a real bare remote and a stand-in for ``gh`` (the one part that would
reach the internet).
"""

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from termline.ci.collect import record_results
from termline.scrape.record import Record
from termline.scrape.results import write_result

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
GITHUB_BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # what `shell: bash` runs


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load((WORKFLOWS / name).read_text())
    return data


def _step(workflow: dict[str, Any], job: str, name: str) -> dict[str, Any]:
    steps = workflow["jobs"][job]["steps"]
    (step,) = [s for s in steps if s.get("name") == name]
    return step  # type: ignore[no-any-return]


def _runs(workflow: dict[str, Any], job: str) -> str:
    return "\n".join(s.get("run", "") for s in workflow["jobs"][job].get("steps", []))


def _uses(workflow: dict[str, Any], job: str) -> list[str]:
    steps = workflow["jobs"][job].get("steps", [])
    return [s["uses"].split("@")[0] for s in steps if "uses" in s]


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    command = [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_every_workflow_is_valid_against_the_github_schema():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert [f.name for f in files] == ["scrape.yml", "site.yml", "tests.yml"]
    for path in files:
        result = _validate(path)
        assert result.returncode == 0, f"{path.name}: {result.stdout}{result.stderr}"


def test_the_schema_check_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    steps:\n      - run: true\n")  # no runs-on
    assert _validate(broken).returncode != 0


def test_scrape_runs_every_six_hours_at_an_odd_minute_or_by_hand_one_at_a_time():
    scrape = _load("scrape.yml")
    (schedule,) = scrape["on"]["schedule"]
    minute, hour, *rest = schedule["cron"].split()
    assert int(minute) % 2 == 1 and hour == "*/6" and rest == ["*", "*", "*"]
    assert scrape["on"]["workflow_dispatch"]["inputs"]["only"]["required"] is False
    assert scrape["concurrency"] == {"group": "scrape", "cancel-in-progress": False}


def test_scrape_grants_each_job_only_what_it_needs():
    scrape = _load("scrape.yml")
    assert scrape["permissions"] == {"contents": "read"}
    granted = {name: job.get("permissions") for name, job in scrape["jobs"].items()}
    assert granted == {
        "plan": None,
        "shard": None,
        "record": {"contents": "write"},
        "site": {"contents": "read", "pages": "write", "id-token": "write"},
        "track": {"contents": "read", "issues": "write"},
    }


def test_scrape_plans_shards_then_fetches_without_pushing_then_records_once():
    scrape = _load("scrape.yml")
    jobs = scrape["jobs"]
    assert "termline plan-shards" in _runs(scrape, "plan")
    assert jobs["shard"]["needs"] == "plan"
    assert jobs["shard"]["strategy"]["matrix"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    assert jobs["shard"]["strategy"]["fail-fast"] is False
    shard = _runs(scrape, "shard")
    assert re.search(r"termline scrape .*--results results --report results/report\.json", shard)
    assert "actions/upload-artifact" in _uses(scrape, "shard")
    assert jobs["record"]["needs"] == ["plan", "shard"]
    assert "!cancelled()" in jobs["record"]["if"]  # a failed shard does not lose the others
    assert "termline record-results" in _runs(scrape, "record")
    assert [name for name in jobs if "git push" in _runs(scrape, name)] == ["record"]
    assert "termline summarise" in _runs(scrape, "record")
    assert '>> "$GITHUB_STEP_SUMMARY"' in _runs(scrape, "record")
    assert "termline track-failures" in _runs(scrape, "track")
    assert "${{" not in shard + _runs(scrape, "record")  # inputs reach shell through env only


def test_site_builds_from_full_history_with_a_cache_and_deploys_to_pages():
    site = _load("site.yml")
    paths = site["on"]["push"]["paths"]
    for needed in ("archive/**", "templates/**", "src/**", "sources.toml", "topics.toml"):
        assert needed in paths
    assert "workflow_dispatch" in site["on"]
    checkout = site["jobs"]["build"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0
    assert checkout["with"]["ref"] == "${{ github.ref }}"  # the pushed commits, not github.sha
    (cache,) = [s for s in site["jobs"]["build"]["steps"] if "actions/cache@" in s.get("uses", "")]
    assert cache["with"]["path"].split() == [
        ".termline-cache",
        "site",
    ]  # the site is trusted with it
    assert "steps.key.outputs.version" in cache["with"]["key"]
    assert "steps.key.outputs.head" in cache["with"]["key"]
    assert "python build.py --base-url" in _runs(site, "build")
    assert "actions/upload-pages-artifact" in _uses(site, "build")
    assert _uses(site, "deploy") == ["actions/deploy-pages"]
    assert site["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}
    assert site["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert site["permissions"] == {"contents": "read"}


def test_a_scrape_that_pushed_calls_the_site_workflow_without_workflow_run():
    site, scrape = _load("site.yml"), _load("scrape.yml")
    assert "workflow_run" not in site["on"] and "workflow_call" in site["on"]
    call = scrape["jobs"]["site"]  # bot pushes start no workflow: the scrape calls it
    assert call["uses"] == "./.github/workflows/site.yml" and call["needs"] == "record"
    assert "needs.record.result == 'success'" in call["if"]
    granted = call["permissions"]
    for job in site["jobs"].values():  # a called workflow gets at most what its caller grants
        assert set(job["permissions"].items()) <= set(granted.items()) | {("pages", "read")}


PIN = re.compile(r"^\s*(?:- )?uses: (?P<action>[\w./-]+)@(?P<ref>\S+)(?: # (?P<note>.*))?$")
ACTIONLINT = Path(sys.executable).parent / "actionlint"
ZIZMOR = Path(sys.executable).parent / "zizmor"


def test_every_action_is_pinned_to_a_commit_with_its_release_in_a_comment():
    pinned = set()
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text().splitlines():
            if (found := PIN.match(line)) is None or found["action"].startswith("./"):
                continue
            assert re.fullmatch(r"[0-9a-f]{40}", found["ref"]), f"{path.name}: {line.strip()}"
            assert re.fullmatch(r"v\d+\.\d+\.\d+", found["note"] or ""), f"{path.name}: {line}"
            pinned.add(f"{found['action']}@{found['ref']}")
    assert len(pinned) >= 9  # checkout, setup-python, the artifact, cache and pages actions
    assert len({pin.split("@")[0] for pin in pinned}) == len(pinned)  # one release per action


def test_checkouts_keep_no_token_and_dependabot_keeps_the_actions_current():
    for name in ("scrape.yml", "site.yml", "tests.yml"):
        workflow = _load(name)
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, name
    dependabot = ROOT / ".github" / "dependabot.yml"
    command = [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.dependabot", str(dependabot)]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 0
    (update,) = YAML(typ="safe").load(dependabot.read_text())["updates"]
    assert update["package-ecosystem"] == "github-actions" and update["directory"] == "/"


def test_actionlint_and_zizmor_pass_here_and_catch_an_unpinned_node20_action(tmp_path):
    assert subprocess.run([str(ACTIONLINT)], cwd=ROOT, check=False).returncode == 0
    zizmor = [str(ZIZMOR), "--offline", "--quiet"]
    assert subprocess.run([*zizmor, str(WORKFLOWS)], cwd=ROOT, check=False).returncode == 0
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\npermissions: {}\njobs:\n  x:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n"
    )
    linted = subprocess.run(
        [str(ACTIONLINT), str(bad)], capture_output=True, text=True, check=False
    )
    assert linted.returncode != 0 and "node20" in linted.stdout
    audited = subprocess.run([*zizmor, str(bad)], capture_output=True, text=True, check=False)
    assert audited.returncode != 0 and "unpinned-uses" in audited.stdout + audited.stderr


def test_tests_run_make_test_with_chromium_on_pushes_and_pull_requests():
    tests = _load("tests.yml")
    assert set(tests["on"]) == {"push", "pull_request"}
    runs = _runs(tests, "test")
    assert "apt-get install -y -qq chromium" in runs and "\nmake test\n" in runs
    assert runs.strip().endswith("termline notes check")


def _git(cwd: Path, *args: str) -> str:
    return subprocess.check_output(["git", *args], cwd=cwd, text=True, env=_env(cwd))


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": str(home), "GIT_PAGER": "cat", **extra}


def _clone(bare: Path, into: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(bare), str(into)], check=True, env=_env(into.parent))
    for key, value in (("user.name", "Someone"), ("user.email", "someone@example.invalid")):
        _git(into, "config", key, value)
    return into


def _run_step(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    path = cwd.parent / "step.sh"
    path.write_text(script)
    return subprocess.run(
        [*GITHUB_BASH, str(path)],
        cwd=cwd,
        env=_env(cwd.parent, **env),
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_push_step_rebases_on_a_moved_branch_and_keeps_fetch_times(tmp_path):
    bare = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
    seed = _clone(bare, tmp_path / "seed")
    (seed / "README.md").write_text("archive\n")
    _git(seed, "add", "README.md")
    _git(seed, "commit", "-q", "-m", "Start")
    _git(seed, "push", "-q", "origin", "HEAD:main")
    runner = _clone(bare, tmp_path / "runner")  # the record job's checkout
    (seed / "sources.toml").write_text("# someone edits main meanwhile\n")
    _git(seed, "add", "sources.toml")
    _git(seed, "commit", "-q", "-m", "Declare sources")
    _git(seed, "push", "-q", "origin", "HEAD:main")

    fetched = datetime(2024, 5, 1, 6, 17, tzinfo=UTC)
    item = Record("acme", "terms", "Acme", "Terms", "# Terms\n", "https://acme.example/t", fetched)
    write_result(tmp_path / "shards" / "shard-001", item)
    record_results(runner, "archive", [tmp_path / "shards"])
    push = _step(_load("scrape.yml"), "record", "Push once, rebasing on a moved branch")
    token = {**push["env"], "GIT_TOKEN": "ghs_secret", "BRANCH": "main"}
    result = _run_step(push["run"], runner, **token)
    assert result.returncode == 0, result.stderr
    asked = subprocess.run(  # what git answers a remote that asks for credentials in this step
        ["git", "credential", "fill"],
        input="protocol=https\nhost=github.com\n\n",
        cwd=runner,
        env=_env(tmp_path, **token, GIT_TERMINAL_PROMPT="0"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "username=x-access-token\npassword=ghs_secret\n" in asked.stdout
    kept = subprocess.run(["grep", "-r", "ghs_secret", runner / ".git"], check=False)
    assert kept.returncode == 1  # the token is in no file of the checkout
    recording = "Record every shard's results, one commit per document"
    record_env = _step(_load("scrape.yml"), "record", recording)["env"]
    git_env = {key: value for key, value in push["env"].items() if key.startswith("GIT_")}
    assert git_env.items() <= record_env.items()  # recording may fetch blobs: the same helper

    log = _git(bare, "log", "--format=%s|%an|%cn|%aI|%cI", "main").splitlines()
    stamp = "2024-05-01T06:17:00+00:00"
    assert log[0] == f"Start tracking Acme Terms|termline|termline|{stamp}|{stamp}"
    assert [line.split("|")[0] for line in log[1:]] == ["Declare sources", "Start"]
    again = _run_step(push["run"], runner, BRANCH="main")  # nothing new: a no-op
    assert again.returncode == 0 and _git(bare, "rev-list", "--count", "main") == "3\n"

    rerun = _clone(bare, tmp_path / "rerun")  # "Re-run jobs": the same results, the old checkout
    _git(rerun, "reset", "-q", "--hard", "HEAD~2")
    record_results(rerun, "archive", [tmp_path / "shards"])
    assert _run_step(push["run"], rerun, BRANCH="main").returncode == 0
    assert _git(bare, "rev-list", "--count", "main") == "3\n"  # rebase drops the duplicate


FAKE_GH = """#!/bin/bash
# Stands in for the GitHub CLI: logs each call, answers `issue list` from open-issues.json.
printf '%s\\n' "$*" >> "$GH_LOG"
if [ "$1 $2" = "issue list" ]; then
  while [ $# -gt 0 ]; do if [ "$1" = --jq ]; then jq -r "$2" "$GH_ISSUES"; fi; shift; done
fi
"""


@pytest.fixture
def fake_gh(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "gh").write_text(FAKE_GH)
    (folder / "gh").chmod(0o755)
    return folder


def test_the_issue_step_opens_comments_and_closes_through_gh(tmp_path, fake_gh):
    work = tmp_path / "work"
    work.mkdir()
    actions = [
        {"kind": "open", "title": "Scrape failing: acme/terms", "body": "3 in a row"},
        {"kind": "update", "title": "Scrape failing: beta/terms", "body": "new reason `x`"},
        {"kind": "close", "title": "Scrape failing: gamma/ai", "body": "recovered"},
        {"kind": "close", "title": "Scrape failing: delta/ai", "body": "no issue open"},
    ]
    (tmp_path / "issues.json").write_text(json.dumps(actions))
    open_issues = [
        {"number": 7, "title": "Scrape failing: beta/terms"},
        {"number": 9, "title": "Scrape failing: gamma/ai"},
        {"number": 11, "title": "Scrape failing: gamma/ai-policy"},  # a near miss in search
    ]
    (tmp_path / "open.json").write_text(json.dumps(open_issues))
    step = _step(_load("scrape.yml"), "track", "Open, update or close issues")
    result = _run_step(
        step["run"],
        work,
        PATH=f"{fake_gh}:{os.environ['PATH']}",
        ACTIONS=str(tmp_path / "issues.json"),
        GH_LOG=str(tmp_path / "gh.log"),
        GH_ISSUES=str(tmp_path / "open.json"),
    )
    assert result.returncode == 0, result.stderr
    calls = [c for c in (tmp_path / "gh.log").read_text().splitlines() if "issue list" not in c]
    assert calls == [
        "issue create --title Scrape failing: acme/terms --body 3 in a row",
        "issue comment 7 --body new reason `x`",
        "issue close 9 --comment recovered",
    ]


def test_the_summary_step_writes_the_report_table(tmp_path):
    work = tmp_path / "work"
    shards = tmp_path / "shards" / "shard-001"
    shards.mkdir(parents=True)
    work.mkdir()
    report = {"documents": [{"platform": "acme", "document": "terms", "url": "", "status": "failed",
                             "reason": "HTTP 503", "commit": None}]}  # fmt: skip
    (shards / "report.json").write_text(json.dumps(report))
    step = _step(_load("scrape.yml"), "record", "Summary")
    summary = tmp_path / "summary.md"
    result = _run_step(
        step["run"],
        work,
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        SHARDS=str(tmp_path / "shards"),
        RUNNER_TEMP=str(tmp_path),
        COMMIT_URL="https://github.com/o/r/commit/",
        GITHUB_STEP_SUMMARY=str(summary),
    )
    assert result.returncode == 0, result.stderr
    assert "| acme/terms | **failed** | HTTP 503 |  |" in summary.read_text()


def test_the_plan_step_outputs_the_matrix_and_the_shard_count(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "sources.toml").write_text(
        "[platforms.acme.documents.terms]\nurl = 'https://acme.example/terms'\n"
        "[platforms.acme.documents.privacy]\nurl = 'https://acme.example/privacy'\n"
        "[platforms.beta.documents.terms]\nurl = 'https://beta.example/terms'\n"
    )
    step = _step(_load("scrape.yml"), "plan", "Plan shards")
    outputs = tmp_path / "outputs"
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    for only, expected in (("", 2), ("acme/terms beta", 1)):
        outputs.write_text("")
        env = {"PATH": path, "GITHUB_OUTPUT": str(outputs), "MAX_DOCUMENTS": "2", "ONLY": only}
        result = _run_step(step["run"], work, **env)
        assert result.returncode == 0, result.stderr
        values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
        assert values["shards"] == str(expected)
        assert len(json.loads(values["matrix"])["include"]) == expected
