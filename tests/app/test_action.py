"""The GitHub Action's entry point, run as a process with the environment a runner gives it: a real
pull_request payload, GITHUB_TOKEN, GITHUB_API_URL on the local fake GitHub, GITHUB_STEP_SUMMARY,
GITHUB_OUTPUT and GITHUB_WORKSPACE on a real repository. It reviews, keeps the summary comment in
place, never repeats a comment on a new push, writes the step summary, outputs and a SARIF file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.app.fake_github import FakeGitHub, Pull
from tests.app.harness import payload
from tests.app.test_suggestions import BASE as SUGGESTION_BASE
from tests.app.test_suggestions import HEAD as SUGGESTION_HEAD
from tests.gitrepos import git, make_repo, write_tree
from tests.test_reports import _schema

TOKEN = "ghs_workflow_token_of_this_run"
BASE = {
    **SUGGESTION_BASE,
    # at most one inline comment: the rest is listed in the review body (and must not be listed twice)
    ".github/slopguard.yml": "review: {max_inline_comments: 1}\n",
}
HEAD = {
    "client.py": SUGGESTION_HEAD["client.py"] + (
        "\n"
        "\n"
        "def get_all(urls):\n"
        "    out = []\n"
        "    for url in urls:\n"
        "        out.append(requests.get(url, timeout=5))\n"
        "    return out\n"
    ),
}


class Runner:
    """One workflow run after another on the same pull request, as GitHub starts them."""

    def __init__(self, tmp: Path, fake: FakeGitHub, repo: Path) -> None:
        self.tmp, self.fake, self.repo, self.runs = tmp, fake, repo, 0

    def run(self, head: str, token: str = TOKEN, **inputs: str) -> tuple[subprocess.CompletedProcess[str], Path]:
        self.runs += 1
        home = self.tmp / f"run{self.runs}"
        home.mkdir()
        event = payload("pull_request.synchronize.json" if self.runs > 1 else "pull_request.opened.json")
        pr = event["pull_request"]
        pr.update(number=7, title="Fetch URLs", body="Adds a helper that fetches many URLs.")
        pr["head"]["sha"] = head
        pr["base"].update(sha=git(self.repo, "rev-parse", "main"), ref="main")
        pr["base"]["repo"]["full_name"] = event["repository"]["full_name"] = "octo/demo"
        event["number"] = 7
        (home / "event.json").write_text(json.dumps(event))
        env = {
            **os.environ, "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(home / "event.json"), "GITHUB_TOKEN": token, "GITHUB_API_URL": self.fake.url,
            "GITHUB_STEP_SUMMARY": str(home / "summary.md"), "GITHUB_OUTPUT": str(home / "output"),
            "GITHUB_WORKSPACE": str(self.repo), "GITHUB_REPOSITORY": "octo/demo",
            "INPUT_FAIL_ON": "error", "INPUT_CONFIG": ".github/slopguard.yml", "INPUT_LLM": "false",
            "INPUT_SARIF_FILE": "results/slopguard.sarif", **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
        }
        env.pop("ANTHROPIC_API_KEY", None)
        proc = subprocess.run([sys.executable, "-m", "slopguard.action"], env=env, cwd=home, capture_output=True,
                              text=True, timeout=120, check=False)
        return proc, home


def outputs(home: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in (home / "output").read_text().splitlines())


@pytest.fixture
def runner(tmp_path: Path, fake_github: FakeGitHub) -> tuple[Runner, str]:
    repo = make_repo(tmp_path, BASE, HEAD)
    head = git(repo, "rev-parse", "feature")
    fake_github.add_pull(Pull("octo", "demo", 7, head, "main", repo))
    fake_github.tokens[TOKEN] = time.time() + 3600  # the workflow's GITHUB_TOKEN
    return Runner(tmp_path, fake_github, repo), head


def test_review_summary_step_summary_outputs_and_sarif(runner: tuple[Runner, str], fake_github: FakeGitHub) -> None:
    run, head = runner
    proc, home = run.run(head)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # verify=False is an error; fail-on: error
    assert "Traceback" not in proc.stderr
    (review,) = fake_github.reviews_for(7)
    assert review["commit_id"] == head and review["user"]["type"] == "Bot"
    (inline,) = review["comments"]  # max_inline_comments: 1 from the config input
    assert inline["path"] == "client.py" and inline["line"] == 6 and "```suggestion" in inline["body"]
    visible = inline["body"].split("<!--")[0].rstrip()  # the comment ends with a link to the rule's page
    assert visible.endswith(".md)") and "/docs/rules/" in visible.rsplit("\n", 1)[-1]
    assert "Not placed as inline comments" in review["body"]
    (summary,) = fake_github.summaries_for(7)
    assert "## slopguard review" in summary["body"] and "<!-- slopguard:posted=" in summary["body"]
    assert not fake_github.check_runs  # the workflow's job is the check
    step = (home / "summary.md").read_text()
    assert step.startswith("<!-- slopguard:summary -->\n## slopguard review") and "tls-verify-disabled" in step
    out = outputs(home)
    assert int(out["findings"]) >= 3 and out["errors"] == "1" and out["risk-level"] in ("low", "medium", "high")
    sarif = json.loads(Path(out["sarif-file"]).read_text())
    assert Path(out["sarif-file"]) == run.repo / "results" / "slopguard.sarif"
    results = sarif["runs"][0]["results"]
    assert len(results) == int(out["findings"])
    assert any(r.get("fixes") for r in results)
    assert all(rule["help"]["text"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"])
    schema = _schema()
    if schema is not None:
        import jsonschema

        jsonschema.validate(sarif, schema)

    # the same head again (a re-run): nothing new is posted, the summary is edited in place
    proc, _ = run.run(head)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert len(fake_github.reviews_for(7)) == 1
    (summary,) = fake_github.summaries_for(7)
    assert summary["edits"] == 1


def test_new_push_gets_only_new_findings(runner: tuple[Runner, str], fake_github: FakeGitHub) -> None:
    run, head = runner
    run.run(head)
    first: list[dict[str, Any]] = fake_github.reviews_for(7)
    assert len(first) == 1
    git(run.repo, "checkout", "-q", "feature")
    write_tree(run.repo, {"client.py": HEAD["client.py"] + "\n\ndef token():\n    return 'x'\n    print('gone')\n"})
    git(run.repo, "commit", "-qam", "more")
    new_head = git(run.repo, "rev-parse", "feature")
    fake_github.pulls[("octo/demo", 7)].head_sha = new_head
    proc, home = run.run(new_head)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    reviews = fake_github.reviews_for(7)
    assert len(reviews) == 2
    second = reviews[1]
    # only the new function's findings (unused at 16, unreachable at 18) are new: one inline comment (the
    # limit), the other listed; nothing posted or listed on the first push comes back
    (inline,) = second["comments"]
    assert inline["line"] == 16
    assert "`client.py:18`" in second["body"]
    before = first[0]["body"] + "".join(c["body"] for c in first[0]["comments"])
    assert "`client.py:1`" in before and "`client.py:12`" in before  # listed on the first push
    for old in ("`client.py:1`", "`client.py:6`", "`client.py:12`"):
        assert old not in second["body"]
    (summary,) = fake_github.summaries_for(7)
    assert summary["edits"] == 1
    assert outputs(home)["review"].startswith("1 new inline comments")


def test_a_token_that_may_not_write_still_reports(runner: tuple[Runner, str], fake_github: FakeGitHub) -> None:
    run, head = runner
    proc, home = run.run(head, token="ghs_read_only_fork_token")
    assert proc.returncode == 1
    assert "::warning title=slopguard::the review could not be posted (401" in proc.stdout
    assert not fake_github.reviews_for(7)
    assert "## slopguard review" in (home / "summary.md").read_text()
    assert outputs(home)["review"] == "not posted (401)"


@pytest.mark.parametrize(("inputs", "message"), [
    ({"FAIL_ON": "sometimes"}, "input fail-on: 'sometimes' is not one of"),
    ({"LLM": "maybe"}, "input llm: 'maybe' is not true or false"),
    ({"CONFIG": "nowhere.yml"}, "input config: nowhere.yml: no such file in the workspace"),
])
def test_bad_inputs_are_one_error_line(runner: tuple[Runner, str], inputs: dict[str, str], message: str) -> None:
    run, head = runner
    proc, _ = run.run(head, **inputs)
    assert proc.returncode == 2
    assert proc.stdout.strip().splitlines() == [f"::error title=slopguard::{proc.stdout.split('::', 2)[2].strip()}"]
    assert message in proc.stdout and proc.stderr == ""
