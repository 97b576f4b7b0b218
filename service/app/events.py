"""What a verified webhook delivery asks for: record it, queue a review or a command, or ignore it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from . import commands, feedback_events
from .metrics import Metrics
from .queue import Command, Queue
from .store import JobKey, ReviewRequest, Store

log = logging.getLogger("slopguard.webhook")

REVIEW_ACTIONS = frozenset({"opened", "synchronize", "reopened", "ready_for_review"})
CHECK_EVENTS = frozenset({"check_run", "check_suite"})  # action "rerequested": GitHub's Re-run button
CHECK_NAME = "slopguard"
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
        """Validate first, then one store transaction records the delivery (and the review request)."""
        if not event:
            return Answer(400, {"status": "rejected", "error": "missing X-GitHub-Event"})
        if event == "ping":
            return self._record_only(event, delivery, Answer(200, {"status": "pong"}))
        if event in INSTALLATION_EVENTS:
            inst = payload.get("installation") or {}
            if not isinstance(inst.get("id"), int):
                return Answer(400, {"status": "rejected", "error": "installation without an id"})
            if delivery and not self.store.accept(delivery, event):
                return Answer(200, {"status": "duplicate"})
            account = str((inst.get("account") or {}).get("login", ""))
            self.store.record_installation(inst["id"], account, str(payload.get("action", "")))
            return Answer(202, {"status": "recorded"})
        installation = _installation_id(payload)
        repo = payload.get("repository") or {}
        full_name, clone_url = repo.get("full_name"), repo.get("clone_url")
        if installation is None or not isinstance(full_name, str) or not isinstance(clone_url, str):
            return self._record_only(event, delivery, Answer(202, {"status": "ignored"}))
        job = feedback_events.job_for(event, payload, installation, full_name, delivery)
        if job is not None:
            return self._queue_feedback(event, delivery, job)
        if event == "pull_request" and payload.get("action") in REVIEW_ACTIONS:
            number = (payload.get("pull_request") or {}).get("number", payload.get("number"))
            if not isinstance(number, int):
                return Answer(400, {"status": "rejected", "error": "pull_request without a number"})
            key = JobKey(full_name, number)
            request = ReviewRequest(key, installation, clone_url, str(payload["action"]), _repository_id(payload))
            if not self.store.accept(delivery, event, request):
                return Answer(200, {"status": "duplicate"})
            self._enqueue(key)  # the job row is committed: even if this enqueue were lost, the sweeper re-queues it
            return Answer(202, {"status": "queued"})
        if event in CHECK_EVENTS and payload.get("action") == "rerequested":
            return self._rerequested(event, delivery, payload, installation, full_name, clone_url)
        if event == "issue_comment" and payload.get("action") == "created":
            return self._comment(event, delivery, payload, installation, full_name, clone_url)
        return self._record_only(event, delivery, Answer(202, {"status": "ignored"}))

    def _rerequested(self, event: str, delivery: str, payload: dict[str, Any], installation: int, full_name: str,
                     clone_url: str) -> Answer:
        """Re-run: review the pull requests of the re-requested check run or suite again (a new check run).

        GitHub lists in `pull_requests` only pull requests whose head branch is in the repository
        itself; a re-run on a fork's pull request is answered by `/slopguard review` instead.
        """
        holder = payload.get(event) or {}
        if event == "check_run" and holder.get("name") != CHECK_NAME:
            return self._record_only(event, delivery, Answer(202, {"status": "ignored"}))
        numbers = sorted({pr["number"] for pr in holder.get("pull_requests") or []
                          if isinstance(pr, dict) and isinstance(pr.get("number"), int)})
        if not numbers:
            return self._record_only(event, delivery, Answer(202, {"status": "ignored"}))
        keys = [JobKey(full_name, n) for n in numbers]
        repository_id = _repository_id(payload)
        if not self.store.accept(delivery, event, ReviewRequest(keys[0], installation, clone_url, "rerequested",
                                                                repository_id)):
            return Answer(200, {"status": "duplicate"})
        for key in keys[1:]:
            self.store.request_review(key, installation, clone_url, "rerequested", repository_id)
        for key in keys:
            self._enqueue(key)
        return Answer(202, {"status": "queued"})

    def _enqueue(self, key: JobKey) -> None:
        """Queue a recorded job; if the queue fails, the sweeper re-queues the committed job row."""
        try:
            self.queue.enqueue_review(key, self.delay)
        # slopguard: ignore[error-handling] - the job row is committed; the sweeper re-queues it
        except Exception as exc:  # noqa: BLE001 - the job is recorded; the sweeper picks it up later
            log.warning("enqueue failed (the sweeper will re-queue the job): %s: %s", type(exc).__name__, exc)
        self.metrics.jobs.labels(state="queued").inc()

    def _record_only(self, event: str, delivery: str, answer: Answer) -> Answer:
        if delivery and not self.store.accept(delivery, event):
            return Answer(200, {"status": "duplicate"})
        return answer

    def _queue_feedback(self, event: str, delivery: str, job: dict[str, Any]) -> Answer:
        if delivery and not self.store.accept(delivery, event):
            return Answer(200, {"status": "duplicate"})
        try:
            self.queue.enqueue_feedback(job)
        except Exception:
            # Not queued: forget the delivery so that GitHub's redelivery is not dropped as a repeat.
            if delivery:
                self.store.forget_delivery(delivery)
            raise
        return Answer(202, {"status": "queued"})

    def _comment(self, event: str, delivery: str, payload: dict[str, Any], installation: int, full_name: str,
                 clone_url: str) -> Answer:
        issue = payload.get("issue") or {}
        comment = payload.get("comment") or {}
        user = comment.get("user") or {}
        command = commands.parse(str(comment.get("body") or ""))
        if (not issue.get("pull_request") or user.get("type") == "Bot" or command is None
                or not isinstance(issue.get("number"), int)):
            return self._record_only(event, delivery, Answer(202, {"status": "ignored"}))
        if delivery and not self.store.accept(delivery, event):
            return Answer(200, {"status": "duplicate"})
        try:
            self.queue.enqueue_command(Command(full_name, issue["number"], installation, clone_url,
                                               str(user.get("login", "")), command, delivery[:64],
                                               _repository_id(payload) or 0))
        except Exception:
            # Not queued: forget the delivery so that GitHub's redelivery is not dropped as a repeat.
            if delivery:
                self.store.forget_delivery(delivery)
            raise
        return Answer(202, {"status": "queued"})


def _repository_id(payload: dict[str, Any]) -> int | None:
    value = (payload.get("repository") or {}).get("id")
    return value if isinstance(value, int) else None


def _installation_id(payload: dict[str, Any]) -> int | None:
    value = (payload.get("installation") or {}).get("id")
    return value if isinstance(value, int) else None
