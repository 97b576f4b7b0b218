"""What a verified webhook delivery asks for: record it, queue a review or a command, or ignore it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import commands
from .metrics import Metrics
from .queue import Command, Queue
from .store import JobKey, Store

REVIEW_ACTIONS = frozenset({"opened", "synchronize", "reopened", "ready_for_review"})
INSTALLATION_EVENTS = frozenset({"installation", "installation_repositories"})


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, str]


class Dispatcher:
    def __init__(self, store: Store, queue: Queue, metrics: Metrics, coalesce_delay_s: float) -> None:
        self.store = store
        self.queue = queue
        self.metrics = metrics
        self.delay = coalesce_delay_s

    def handle(self, event: str, delivery: str, payload: dict[str, Any]) -> Answer:
        answer = self._handle(event, delivery, payload)
        self.metrics.deliveries.labels(event=event or "unknown", outcome=answer.body["status"]).inc()
        return answer

    def _handle(self, event: str, delivery: str, payload: dict[str, Any]) -> Answer:
        if not event:
            return Answer(400, {"status": "rejected", "error": "missing X-GitHub-Event"})
        if delivery and not self.store.record_delivery(delivery, event):
            return Answer(200, {"status": "duplicate"})
        if event == "ping":
            return Answer(200, {"status": "pong"})
        if event in INSTALLATION_EVENTS:
            inst = payload.get("installation") or {}
            if isinstance(inst.get("id"), int):
                account = str((inst.get("account") or {}).get("login", ""))
                self.store.record_installation(inst["id"], account, str(payload.get("action", "")))
                return Answer(202, {"status": "recorded"})
            return Answer(400, {"status": "rejected", "error": "installation without an id"})
        installation = _installation_id(payload)
        repo = payload.get("repository") or {}
        full_name, clone_url = repo.get("full_name"), repo.get("clone_url")
        if installation is None or not isinstance(full_name, str) or not isinstance(clone_url, str):
            return Answer(202, {"status": "ignored"})
        if event == "pull_request" and payload.get("action") in REVIEW_ACTIONS:
            number = (payload.get("pull_request") or {}).get("number", payload.get("number"))
            if not isinstance(number, int):
                return Answer(400, {"status": "rejected", "error": "pull_request without a number"})
            key = JobKey(full_name, number)
            self.store.request_review(key, installation, clone_url, str(payload["action"]))
            self.queue.enqueue_review(key, self.delay)
            self.metrics.jobs.labels(state="queued").inc()
            return Answer(202, {"status": "queued"})
        if event == "issue_comment" and payload.get("action") == "created":
            return self._comment(payload, installation, full_name, clone_url)
        return Answer(202, {"status": "ignored"})

    def _comment(self, payload: dict[str, Any], installation: int, full_name: str, clone_url: str) -> Answer:
        issue = payload.get("issue") or {}
        comment = payload.get("comment") or {}
        user = comment.get("user") or {}
        if not issue.get("pull_request") or user.get("type") == "Bot":
            return Answer(202, {"status": "ignored"})
        command = commands.parse(str(comment.get("body") or ""))
        if command is None or not isinstance(issue.get("number"), int):
            return Answer(202, {"status": "ignored"})
        self.queue.enqueue_command(Command(full_name, issue["number"], installation, clone_url,
                                           str(user.get("login", "")), command))
        return Answer(202, {"status": "queued"})


def _installation_id(payload: dict[str, Any]) -> int | None:
    value = (payload.get("installation") or {}).get("id")
    return value if isinstance(value, int) else None
