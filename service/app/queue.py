"""The job queue: huey, SqliteHuey by default (consumed inside `slopguard serve`) or RedisHuey when
SLOPGUARD_QUEUE_URL is redis://... (consumed by any number of `slopguard worker` processes).

Messages only name work ("review PR o/r#7", "run this command"); what to do and whether it is still
needed lives in the store, which also gives acknowledgement after the job finishes (see store.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from .errors import AppError
from .settings import Settings
from .store import JobKey

ReviewHandler = Callable[[str, int], None]
CommandHandler = Callable[["Command"], None]
FeedbackHandler = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Command:
    repo: str
    number: int
    installation_id: int
    clone_url: str
    user: str
    command: str
    delivery: str = ""  # the X-GitHub-Delivery that carried it (for logs)
    repository_id: int = 0  # GitHub's id of the repository (0: unknown), for the token's scope


class _QuietConsumer(Consumer):
    """A consumer that runs beside another server: it leaves signal handling to its host."""

    def _set_signal_handlers(self) -> None:
        return


class Queue:
    def __init__(self, settings: Settings) -> None:
        self.huey: Huey
        if settings.redis_queue:
            self.huey = RedisHuey(settings.queue_name, url=settings.queue_url, results=False, utc=True)
        else:
            Path(settings.queue_url).parent.mkdir(parents=True, exist_ok=True)
            self.huey = SqliteHuey(settings.queue_name, filename=settings.queue_url, results=False, utc=True,
                                   fsync=False, timeout=30)
        self._review: ReviewHandler | None = None
        self._command: CommandHandler | None = None
        self._review_task = self.huey.task(name="slopguard.review", retries=3, retry_delay=2)(self._run_review)
        self._command_task = self.huey.task(name="slopguard.command", retries=3, retry_delay=2)(self._run_command)
        self._feedback: FeedbackHandler | None = None
        self._feedback_task = self.huey.task(name="slopguard.feedback", retries=3, retry_delay=2)(self._run_feedback)

    def attach(self, review: ReviewHandler, command: CommandHandler, feedback: FeedbackHandler | None = None) -> None:
        """Give this process's consumer the functions that do the work."""
        self._review, self._command, self._feedback = review, command, feedback

    def _run_review(self, repo: str, number: int) -> None:
        if self._review is None:
            raise AppError("this process has no review handler attached")
        self._review(repo, number)

    def _run_command(self, data: dict[str, Any]) -> None:
        if self._command is None:
            raise AppError("this process has no command handler attached")
        self._command(Command(**data))

    def _run_feedback(self, job: dict[str, Any]) -> None:
        if self._feedback is None:
            raise AppError("this process has no feedback handler attached")
        self._feedback(job)

    def enqueue_feedback(self, job: dict[str, Any]) -> None:
        """A feedback job (see feedback_events.py): a plain dict of JSON values."""
        self._feedback_task(job)

    def enqueue_review(self, key: JobKey, delay_s: float = 0.0) -> None:
        if delay_s > 0:
            self._review_task.schedule(args=(key.repo, key.number), delay=delay_s)
        else:
            self._review_task(key.repo, key.number)

    def enqueue_command(self, command: Command) -> None:
        self._command_task(command.__dict__)

    def ping(self) -> int:
        """Pending messages; raises when the queue's storage is unreachable."""
        return int(self.huey.pending_count())

    def consumer(self, workers: int) -> Consumer:
        return _QuietConsumer(self.huey, workers=max(1, workers), worker_type="thread", periodic=False,
                              initial_delay=0.05, backoff=1.3, max_delay=0.5, scheduler_interval=1,
                              check_worker_health=True)
