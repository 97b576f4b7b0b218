"""The webhook's accept path, kept open while the database is down or does not answer.

A verified delivery goes to the dispatcher (one store transaction and an enqueue) in a worker thread
with a deadline (`SLOPGUARD_DB_DEADLINE_S`). When the database refuses, fails or does not answer in
time, the delivery is written to the local journal (journal.py, fsync'ed) and answered 202; from then
on deliveries go straight to the journal, without waiting on the database again, while a background
loop probes the database every `probe_interval_s`. As soon as a probe answers within the deadline,
deliveries go to the database again and the journal is replayed into it. `health()` reports the same
probe for `/healthz` and `/readyz`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .events import Answer, Dispatcher
from .journal import Journal
from .metrics import Metrics

log = logging.getLogger("slopguard.intake")
# The database did not do its part: the delivery is journaled instead (a bug in SQL is not among them).
UNAVAILABLE = (DBAPIError, DisconnectionError, PoolTimeout, FutureTimeout)


class Intake:
    def __init__(self, dispatcher: Dispatcher, probe: Callable[[], None], journal: Journal, metrics: Metrics, *,
                 deadline_s: float, probe_interval_s: float = 1.0, threads: int = 8) -> None:
        self.dispatcher = dispatcher
        self.journal = journal
        self.metrics = metrics
        self.deadline_s = deadline_s
        self.probe_interval_s = probe_interval_s
        self._probe = probe
        self._accepting = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="slopguard-accept")
        self._probing = ThreadPoolExecutor(max_workers=2, thread_name_prefix="slopguard-db-probe")
        self._last_probe: Future[None] | None = None
        self._probe_lock = threading.Lock()
        self._down: str | None = None  # why the database is considered down; None while it answers
        self._stop = threading.Event()
        self._wake = threading.Event()  # replay now (the database answered a health probe)
        self._loop: threading.Thread | None = None

    # ------------------------------------------------------------------ the accept path

    def handle(self, event: str, delivery: str, payload: dict[str, Any]) -> Answer:
        if not event:
            return self.dispatcher.handle(event, delivery, payload)  # 400 without touching the database
        if self._down is None:
            future = self._accepting.submit(self.dispatcher.handle, event, delivery, payload)
            try:
                return future.result(timeout=self.deadline_s)
            except UNAVAILABLE as exc:
                self._trip(exc)
        self.journal.append(event, delivery, payload)
        self.metrics.deliveries.labels(event=event, outcome="journaled").inc()
        return Answer(202, {"status": "journaled"})

    def _trip(self, exc: BaseException) -> None:
        reason = (f"no answer within {self.deadline_s:g}s" if isinstance(exc, FutureTimeout)
                  else f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}")
        if self._down is None:
            log.error("database unavailable (%s): deliveries go to the journal %s until it answers",
                      reason, self.journal.path)
        self._down = reason[:200]

    # ------------------------------------------------------------------ health and recovery

    def health(self) -> str:
        """"ok", or why the database does not count as answering (probed within the deadline)."""
        with self._probe_lock:
            if self._last_probe is not None and not self._last_probe.done():
                return f"no answer within {self.deadline_s:g}s"  # the previous probe still hangs
            self._last_probe = future = self._probing.submit(self._probe)
        try:
            future.result(timeout=self.deadline_s)
        except FutureTimeout:
            return f"no answer within {self.deadline_s:g}s"
        except Exception as exc:  # noqa: BLE001 - a health probe reports any failure instead of raising
            return f"{type(exc).__name__}: {exc}"[:200]
        if self._down is not None:  # answering again: deliveries go to the database, the journal is replayed
            log.info("database answers again: deliveries go to it; replaying the journal")
            self._down = None
            self._wake.set()
        return "ok"

    def recover(self) -> int:
        """When the database answers again: take deliveries there again and replay the journal."""
        if self._down is None and not self.journal.has_entries():
            return 0
        state = self.health()
        if state != "ok":
            self._down = state
            return 0
        replayed = self.journal.replay(self.dispatcher.handle)
        if replayed:
            log.info("replayed %d journaled deliveries", replayed)
            self.metrics.deliveries.labels(event="journal", outcome="replayed").inc(replayed)
        return replayed

    def start(self) -> None:
        self._loop = threading.Thread(target=self._run, name="slopguard-journal", daemon=True)
        self._loop.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.probe_interval_s)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.recover()
            except Exception as exc:  # noqa: BLE001 - thread boundary: the journal is kept, tried again next time
                log.warning("journal replay stopped: %s: %s (kept for the next try)", type(exc).__name__, exc)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._loop is not None:
            self._loop.join(timeout=5)
        self._accepting.shutdown(wait=False, cancel_futures=True)
        self._probing.shutdown(wait=False, cancel_futures=True)

    @property
    def degraded(self) -> str | None:
        return self._down
