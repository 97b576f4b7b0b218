"""Review the pull request of a `pull_request` workflow run, with the environment a runner gives.

Reads `GITHUB_EVENT_PATH` (the event payload), `GITHUB_WORKSPACE` (the checked-out repository, with
the base and head commits), `GITHUB_TOKEN`, `GITHUB_API_URL`, and the action's inputs as `INPUT_*`
variables (action.yml passes them). Scans merge-base(base, head)..head, writes the markdown report to
`GITHUB_STEP_SUMMARY`, an optional SARIF file, outputs to `GITHUB_OUTPUT`, and posts the review and
the summary comment through the App's publisher (no check run: the workflow's job is the check).
What was posted on earlier pushes is read back from the summary comment, so a new push gets
comments only for new findings. Exit codes are the CLI's: 0, 1 (findings at or above fail-on),
2 (bad input), 3 (internal error); errors are one `::error::` line.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cli import EXIT_INTERNAL, EXIT_USAGE, confident, exit_code
from ..errors import ConfigError, GitError, SlopguardError, UsageError
from ..models import ScanResult, Severity

PR_EVENTS = ("pull_request", "pull_request_target")


@dataclass(frozen=True)
class Inputs:
    fail_on: str = "error"
    config: str = ""
    min_confidence: str = "low"
    llm: bool = True
    sarif_file: str = ""
    review: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Inputs:
        def get(name: str, default: str) -> str:
            return env.get(f"INPUT_{name.upper().replace('-', '_')}", "").strip() or default

        inputs = cls(fail_on=get("fail-on", "error"), config=get("config", ""),
                     min_confidence=get("min-confidence", "low"), llm=_flag(get("llm", "true"), "llm"),
                     sarif_file=get("sarif-file", ""), review=_flag(get("review", "true"), "review"))
        if inputs.fail_on not in ("notice", "warning", "error", "never"):
            raise UsageError(f"input fail-on: {inputs.fail_on!r} is not one of notice, warning, error, never")
        if inputs.min_confidence not in ("low", "medium", "high"):
            raise UsageError(f"input min-confidence: {inputs.min_confidence!r} is not one of low, medium, high")
        return inputs


def _flag(value: str, name: str) -> bool:
    if value.lower() in ("true", "yes", "on", "1"):
        return True
    if value.lower() in ("false", "no", "off", "0"):
        return False
    raise UsageError(f"input {name}: {value!r} is not true or false")


@dataclass(frozen=True)
class Event:
    owner: str
    repo: str
    number: int
    base_sha: str
    head_sha: str
    intent: str

    @classmethod
    def read(cls, env: Mapping[str, str]) -> Event:
        name = env.get("GITHUB_EVENT_NAME", "pull_request")
        if name not in PR_EVENTS:
            raise UsageError(f"slopguard reviews pull requests: this workflow ran for {name!r} "
                             f"(use `on: pull_request`)")
        path = env.get("GITHUB_EVENT_PATH", "")
        try:
            payload = json.loads(Path(path).read_text())
            pr = payload["pull_request"]
            owner, repo = str(pr["base"]["repo"]["full_name"]).split("/", 1)
            return cls(owner, repo, int(pr["number"]), str(pr["base"]["sha"]), str(pr["head"]["sha"]),
                       f"{pr.get('title') or ''}\n\n{pr.get('body') or ''}".strip())
        except OSError as exc:
            raise UsageError(f"GITHUB_EVENT_PATH {path!r}: {exc.strerror}") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"GITHUB_EVENT_PATH {path!r} is not a pull_request payload ({exc})") from None


def main(env: Mapping[str, str] | None = None) -> int:
    env = os.environ if env is None else env
    try:
        return run(env)
    except (UsageError, ConfigError, GitError) as exc:
        print(f"::error title=slopguard::{_escape(str(exc))}", flush=True)
        return EXIT_USAGE
    except SlopguardError as exc:
        print(f"::error title=slopguard::{_escape(str(exc))}", flush=True)
        return EXIT_INTERNAL
    except Exception as exc:  # the process boundary: one line, never a traceback
        if env.get("SLOPGUARD_DEBUG"):
            raise
        print(f"::error title=slopguard::internal error: {type(exc).__name__}: {_escape(str(exc))}", flush=True)
        return EXIT_INTERNAL


def run(env: Mapping[str, str]) -> int:
    from ..engine import Target, repo_config, scan
    from ..gitrepo import Git
    from ..registry import load
    from ..reporters import render

    inputs = Inputs.from_env(env)
    event = Event.read(env)
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    git = Git(workspace)
    git.ensure_repository()
    head = _commit(git, event.head_sha, f"pull/{event.number}/head")
    base = git.merge_base(_commit(git, event.base_sha, event.base_sha), head)
    registry = load()
    config, registry = repo_config(git, base, registry)
    if inputs.config:
        from ..config import parse_config

        path = workspace / inputs.config
        if not path.is_file():
            raise UsageError(f"input config: {inputs.config}: no such file in the workspace")
        config = parse_config(path.read_text(), inputs.config, registry.rules.values(), path.parent)
    second_pass = None
    if inputs.llm:  # the pass itself honours llm.enabled and skips without a key
        from ..llm import llm_pass

        second_pass = llm_pass
    result = confident(scan(Target(workspace, base, head, event.intent), config, registry=registry,
                            second_pass=second_pass), inputs.min_confidence)
    _append(env.get("GITHUB_STEP_SUMMARY"), render(result, "markdown"))
    sarif = ""
    if inputs.sarif_file:
        target = workspace / inputs.sarif_file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(result, "sarif", rules=registry.rules))
        sarif = str(target)
    review = _publish(env, event, result, config) if inputs.review else "off"
    _outputs(env.get("GITHUB_OUTPUT"), result, sarif, review)
    print(f"slopguard: {len(result.findings)} findings, risk {result.risk.score}/100 ({result.risk.level}); "
          f"review: {review}", flush=True)
    return exit_code(result, inputs.fail_on)


def _commit(git: Any, sha: str, fetch: str) -> str:
    """The commit `sha`, fetched from origin when the checkout does not have it (a shallow clone)."""
    if not git.ref_exists(sha):
        git.run("fetch", "--no-tags", "--quiet", "origin", fetch, check=False)
    return str(git.resolve(sha))


def _publish(env: Mapping[str, str], event: Event, result: ScanResult, config: Any) -> str:
    """Post the review and the summary comment; a token that may not write (a fork's pull request)
    is a warning, not a failed review: the step summary and SARIF still hold the report."""
    from ..app.errors import GitHubError
    from ..app.publisher import Publisher, PullRequest, ReviewState
    from .session import TokenSession

    token = env.get("GITHUB_TOKEN", "")
    if not token:
        print("::warning title=slopguard::no GITHUB_TOKEN: the review is not posted", flush=True)
        return "skipped (no token)"
    session = TokenSession(env.get("GITHUB_API_URL") or "https://api.github.com", token)
    try:
        pr = PullRequest(event.owner, event.repo, event.number, result.head)
        outcome = Publisher(session).publish(pr, result, config, ReviewState(), check_run=False)
    except GitHubError as exc:
        if exc.status not in (401, 403, 404):
            raise
        print(f"::warning title=slopguard::the review could not be posted ({exc.status}: {_escape(exc.message)}); "
              f"give the workflow `permissions: pull-requests: write` (pull requests from forks get a "
              f"read-only token)", flush=True)
        return f"not posted ({exc.status})"
    finally:
        session.close()
    return f"{outcome.inline} new inline comments" + (f", review {outcome.review_id}" if outcome.review_id else "")


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")


def _outputs(path: str | None, result: ScanResult, sarif: str, review: str) -> None:
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in Severity}
    values = {
        "findings": str(len(result.findings)),
        "errors": str(counts[Severity.ERROR]),
        "warnings": str(counts[Severity.WARNING]),
        "notices": str(counts[Severity.NOTICE]),
        "risk-score": str(result.risk.score),
        "risk-level": result.risk.level,
        "sarif-file": sarif,
        "review": review,
    }
    _append(path, "\n".join(f"{key}={value}" for key, value in values.items()))


def _escape(text: str) -> str:
    """A workflow command's message: GitHub's escapes for %, CR and LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


if __name__ == "__main__":
    sys.exit(main())
