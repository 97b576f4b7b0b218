"""Wiring: one process's store, queue, GitHub client, worker and (optionally) queue consumer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from huey.consumer import Consumer

from . import dashboard
from .events import Dispatcher
from .github_client import GitHubClient, RetryPolicy
from .intake import Intake
from .journal import Journal
from .metrics import Metrics
from .queue import Queue
from .ratelimits import SharedLimits
from .reconciler import Reconciler
from .settings import Settings
from .store import Store
from .webhook import WebhookASGI, create_app
from .worker import Worker

log = logging.getLogger("slopguard.runtime")
DELIVERY_MEMORY_S = 14 * 24 * 3600.0  # GitHub redelivers for a few days; remember ids longer than that
PRUNE_INTERVAL_S = 3600.0


@dataclass
class Runtime:
    settings: Settings
    store: Store
    queue: Queue
    metrics: Metrics
    github: GitHubClient
    worker: Worker
    reconciler: Reconciler
    intake: Intake | None = None  # the webhook's accept path (journal while the database is down)
    _consumer: Consumer | None = None
    _sweeper: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _dashboard: dashboard.Dashboard | None = None

    @classmethod
    def build(cls, settings: Settings, *, clock: Callable[[], float] = time.time) -> Runtime:
        """`clock` (wall-clock seconds) is injectable so that tests can move time forward."""
        metrics = Metrics()
        # The schema must be current (`slopguard db upgrade`); only an empty SQLite file is created here.
        store = Store.open(settings.database_url, create_empty=True, clock=clock)
        queue = Queue(settings)
        policy = RetryPolicy(max_retry_wait_s=settings.max_retry_wait_s, write_interval_s=settings.write_interval_s,
                             backoff_s=settings.retry_backoff_s)
        github = GitHubClient(settings.api_url, settings.app_id, settings.private_key, policy=policy,
                              metrics=metrics, clock=clock, timeout_s=settings.github_timeout_s,
                              limits=SharedLimits(store))
        worker = Worker(settings, store, github, metrics, queue.enqueue_review)
        queue.attach(worker.review, worker.command, worker.feedback.handle)
        return cls(settings, store, queue, metrics, github, worker, Reconciler(github, store))

    def app(self, *, embedded_worker: bool) -> WebhookASGI:
        dispatcher = Dispatcher(self.store, self.queue, self.metrics, self.settings.coalesce_delay_s)
        self.intake = Intake(dispatcher, self.store.ping, Journal(self.settings.workdir / "journal"), self.metrics,
                             deadline_s=self.settings.db_deadline_s)

        def start() -> None:
            assert self.intake is not None
            self.intake.start()
            if self.settings.reconcile_interval_s > 0:
                self.reconciler.start(self.settings.reconcile_interval_s)
            if embedded_worker:
                self.start_consumer()

        app = create_app(secret=self.settings.webhook_secret, store=self.store, queue=self.queue,
                         metrics=self.metrics, dispatcher=self.intake, max_body_bytes=self.settings.max_body_bytes,
                         on_start=start, on_stop=self.stop)
        if self.settings.dashboard_enabled:
            self._dashboard = dashboard.Dashboard(self.settings, self.store, self.github, lambda: self.worker.registry)
        dashboard.install(app.app, self._dashboard)
        return app

    def start_consumer(self) -> None:
        """Consume the queue in this process (threads) and re-queue jobs whose worker vanished."""
        self._consumer = self.queue.consumer(self.settings.workers)
        self._consumer.start()
        self._sweeper = threading.Thread(target=self._sweep, name="slopguard-sweeper", daemon=True)
        self._sweeper.start()

    def _sweep(self) -> None:
        interval = max(0.5, min(self.settings.job_lease_s / 2, 30.0))
        next_prune = 0.0
        while not self._stop.wait(interval):
            try:
                for key in self.store.stale(older_than_s=self.settings.job_lease_s):
                    log.info("re-queueing %s#%s (pending, and no live worker holds it)", key.repo, key.number,
                             extra={"repository": key.repo, "pr": key.number})
                    self.queue.enqueue_review(key)
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_INTERVAL_S
                    self.store.prune_deliveries(DELIVERY_MEMORY_S)
            except Exception as exc:  # noqa: BLE001 - thread boundary: a database or queue blip must not end it
                log.warning("sweeper: %s: %s", type(exc).__name__, exc)

    def stop(self) -> None:
        self._stop.set()
        self.reconciler.stop()
        if self.intake is not None:
            self.intake.stop()
        if self._consumer is not None:
            self._consumer.stop(graceful=True)
            self._consumer = None
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
        if self._dashboard is not None:
            self._dashboard.close()
        self.github.close()
        self.store.close()
