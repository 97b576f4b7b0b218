"""The `slopguard` check run: one per head commit, created once, reused by retries, always completed.

GitHub keeps a check run `in_progress` until its App completes it, and a required check that never
completes blocks the merge. So a run is looked up before one is created (in the stored state, then
on GitHub: the App's own runs on the head commit), and every way a job ends completes it with a
conclusion and a one-line reason. GitHub limits a run's `output.summary` and `output.text` to
65,535 bytes (not characters): text is cut on a UTF-8 boundary below that.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from .github_client import Installation
from .pulls import PullRequest

CHECK_NAME = "slopguard"
MAX_OUTPUT_BYTES = 65535
ANNOTATIONS_PER_REQUEST = 50
TRUNCATED = "\n\n… (truncated)\n"


def cut_bytes(text: str, limit: int) -> str:
    """`text` itself when its UTF-8 form fits in `limit` bytes, else cut (whole characters) with a note."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    budget = limit - len(TRUNCATED.encode("utf-8"))
    return raw[:budget].decode("utf-8", "ignore") + TRUNCATED


def one_line(reason: str, limit: int = 300) -> str:
    text = " ".join(reason.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class CheckRuns:
    """The App's check runs on one repository, through one installation."""

    def __init__(self, api: Installation) -> None:
        self.api = api

    def find_open(self, pr: PullRequest) -> int | None:
        """The App's own `slopguard` run on the head commit that is not completed yet, if any."""
        data = self.api.get(f"repos/{pr.full_name}/commits/{pr.head_sha}/check-runs",
                            {"check_name": CHECK_NAME, "filter": "latest", "per_page": 100})
        app_id = str(self.api.client.app_id)
        for run in data.get("check_runs") or []:
            if str((run.get("app") or {}).get("id", "")) == app_id and run.get("status") != "completed":
                return int(run["id"])
        return None

    def create(self, pr: PullRequest) -> int:
        run = self.api.post(f"repos/{pr.full_name}/check-runs", {
            "name": CHECK_NAME, "head_sha": pr.head_sha, "status": "in_progress", "started_at": now(),
            "output": {"title": "Reviewing", "summary": "slopguard is reviewing this change."},
        })
        return int(run["id"])

    def complete(self, pr: PullRequest, run_id: int, conclusion: str, title: str, reason: str) -> None:
        """Complete the run with `conclusion` and a one-line `reason` as its summary."""
        self.api.patch(f"repos/{pr.full_name}/check-runs/{run_id}", {
            "status": "completed", "conclusion": conclusion, "completed_at": now(),
            "output": {"title": one_line(title, 200), "summary": cut_bytes(one_line(reason, 1000), MAX_OUTPUT_BYTES)},
        })

    def report(self, pr: PullRequest, run_id: int, title: str, summary: str, conclusion: str,
               annotations: Sequence[dict[str, Any]]) -> None:
        """The review's result: annotations in batches of 50, the last request completing the run."""
        summary = cut_bytes(summary, MAX_OUTPUT_BYTES)
        batches = [list(annotations[i:i + ANNOTATIONS_PER_REQUEST])
                   for i in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)] or [[]]
        for i, batch in enumerate(batches):
            payload: dict[str, Any] = {"output": {"title": title, "summary": summary, "annotations": batch}}
            if i == len(batches) - 1:
                payload.update(status="completed", conclusion=conclusion, completed_at=now())
            self.api.patch(f"repos/{pr.full_name}/check-runs/{run_id}", payload)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
