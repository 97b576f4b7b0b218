"""The App's store: deliveries seen, installations, per-PR review state, jobs and scan history.

SQLite by default, PostgreSQL (or anything SQLAlchemy speaks) via SLOPGUARD_DATABASE_URL. The
schema is created and migrated by Alembic (`slopguard db upgrade`); `serve` and `worker` refuse to
start on a schema that is not at the newest revision (SchemaError), except that a SQLite database
with no tables at all is created on the spot (the one-machine default needs no extra step).

The webhook's accept path is one short transaction (`accept`): INSERT ... ON CONFLICT DO NOTHING
for the delivery id and an upsert of the PR's job row. On SQLite every write transaction is
serialised by a process-wide lock, so threads queue on a mutex instead of on SQLite's busy handler
(which sleeps in steps of up to 100 ms and made the webhook's tail latency).

Jobs: one row per pull request. Every request for a review bumps `generation`; a worker claims the
row with a lease (an atomic conditional UPDATE), reviews the newest head, and marks the generation
it handled done only when it has finished. Requests that arrive meanwhile leave the row pending, so
quick pushes coalesce into one review and a worker that dies mid-job leaves a lease that expires,
after which `stale()` hands the job to another worker.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, case, delete, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .database import check_schema, current_revision, head_revision, make_engine, upgrade
from .pulls import ReviewState
from .schema import deliveries, installations, jobs, pull_requests, scans

__all__ = ["Job", "JobKey", "ReviewRequest", "Store", "check_schema", "current_revision", "head_revision",
           "make_engine", "upgrade"]


@dataclass(frozen=True)
class JobKey:
    repo: str  # owner/name
    number: int


@dataclass(frozen=True)
class Job:
    key: JobKey
    installation_id: int
    clone_url: str
    reason: str
    generation: int
    attempts: int
    delivery: str = ""
    head_sha: str = ""  # with check_run_id: the check run an earlier attempt opened and left open
    check_run_id: int | None = None
    repository_id: int | None = None  # GitHub's id of the repository (survives a rename)


@dataclass(frozen=True)
class ReviewRequest:
    """What a pull_request delivery asks for: a review of the PR's newest head."""

    key: JobKey
    installation_id: int
    clone_url: str
    reason: str
    repository_id: int | None = None


# The accept path's statements, in the SQL that SQLite (>= 3.35) and PostgreSQL share.
_ACCEPT_DELIVERY = text("INSERT INTO deliveries (id, event, received_at) VALUES (:id, :event, :received_at) "
                        "ON CONFLICT (id) DO NOTHING RETURNING id")
_REQUEST_REVIEW = text(
    "INSERT INTO jobs (repo, number, installation_id, clone_url, reason, generation, done_generation, attempts, "
    "updated_at, delivery, repository_id) VALUES (:repo, :number, :installation_id, :clone_url, :reason, 1, 0, 0, "
    ":updated_at, :delivery, :repository_id) ON CONFLICT (repo, number) DO UPDATE SET "
    "generation = jobs.generation + 1, repository_id = COALESCE(excluded.repository_id, jobs.repository_id), "
    "installation_id = excluded.installation_id, clone_url = excluded.clone_url, reason = excluded.reason, "
    "updated_at = excluded.updated_at, delivery = excluded.delivery"
)


class Store:
    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock  # wall-clock seconds (injectable: tests move time forward)
        self.dialect = engine.dialect.name
        # SQLite has one writer at a time: queue this process's writers on a mutex, not on SQLite's
        # busy handler (which sleeps up to 100 ms per step).
        self._write_lock: contextlib.AbstractContextManager[Any] = (
            threading.Lock() if self.dialect == "sqlite" else contextlib.nullcontext())

    @classmethod
    def open(cls, url: str, *, migrate: bool = False, create_empty: bool = False,
             clock: Callable[[], float] = time.time) -> Store:
        """Open the store; `migrate` upgrades the schema, otherwise it must be current (SchemaError)."""
        engine = make_engine(url)
        try:
            if migrate:
                upgrade(engine)
            else:
                check_schema(engine, create_empty=create_empty and engine.dialect.name == "sqlite")
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, clock=clock)

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction (on SQLite, one writer of this process at a time)."""
        with self._write_lock, self.engine.begin() as conn:
            yield conn

    _tx = transaction

    # ------------------------------------------------------------------ the webhook's accept path

    def accept(self, delivery_id: str, event_name: str, review: ReviewRequest | None = None) -> bool:
        """Record a delivery and (when it asks for one) a review request in one transaction.

        False for a redelivery (nothing changes). On PostgreSQL and SQLite it is one INSERT ... ON
        CONFLICT DO NOTHING and one upsert, as prepared SQL (no statement building per request);
        other databases take the portable path.
        """
        now = self.clock()
        fast = self.dialect in ("sqlite", "postgresql")
        with self._tx() as conn:
            if delivery_id:
                row = {"id": delivery_id[:64], "event": event_name[:64], "received_at": now}
                if fast:
                    if conn.execute(_ACCEPT_DELIVERY, row).first() is None:
                        return False
                else:
                    try:
                        with conn.begin_nested():
                            conn.execute(insert(deliveries).values(row))
                    except IntegrityError:
                        return False
            if review is not None:
                self._request(conn, review, delivery_id, now)
        return True

    def _request(self, conn: Connection, review: ReviewRequest, delivery_id: str, now: float) -> None:
        key = review.key
        values = {"installation_id": review.installation_id, "clone_url": review.clone_url,
                  "reason": review.reason[:64], "updated_at": now, "delivery": delivery_id[:64] or None,
                  "repository_id": review.repository_id}
        if self.dialect in ("sqlite", "postgresql"):
            conn.execute(_REQUEST_REVIEW, {"repo": key.repo, "number": key.number, **values})
            return
        where = (jobs.c.repo == key.repo) & (jobs.c.number == key.number)
        done = conn.execute(update(jobs).where(where).values(generation=jobs.c.generation + 1, **values))
        if done.rowcount == 0:
            try:
                with conn.begin_nested():
                    conn.execute(insert(jobs).values(repo=key.repo, number=key.number, generation=1,
                                                     done_generation=0, attempts=0, **values))
            except IntegrityError:
                conn.execute(update(jobs).where(where).values(generation=jobs.c.generation + 1, **values))

    def knows_delivery(self, delivery_id: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(deliveries.c.id).where(deliveries.c.id == delivery_id[:64])).first() is not None

    def forget_delivery(self, delivery_id: str) -> None:
        with self._tx() as conn:
            conn.execute(delete(deliveries).where(deliveries.c.id == delivery_id[:64]))

    def prune_deliveries(self, older_than_s: float) -> int:
        """Forget delivery ids older than `older_than_s` (GitHub redelivers for a few days at most)."""
        with self._tx() as conn:
            return int(conn.execute(delete(deliveries).where(deliveries.c.received_at < self.clock() - older_than_s))
                       .rowcount or 0)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # ------------------------------------------------------------------ deliveries and installations

    def record_installation(self, installation_id: int, account: str, action: str) -> None:
        values = {"account": account[:255], "action": action[:64], "active": action not in ("deleted", "suspend"),
                  "updated_at": self.clock()}
        with self._tx() as conn:
            done = conn.execute(update(installations).where(installations.c.id == installation_id).values(**values))
            if done.rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(installations).values(id=installation_id, **values))
                except IntegrityError:
                    conn.execute(update(installations).where(installations.c.id == installation_id).values(**values))

    def installation(self, installation_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(installations).where(installations.c.id == installation_id)).mappings().first()
        return dict(row) if row else None

    # ------------------------------------------------------------------ review state

    def _pr_row(self, conn: Connection, repo: str, number: int) -> dict[str, Any]:
        where = (pull_requests.c.repo == repo) & (pull_requests.c.number == number)
        row = conn.execute(select(pull_requests).where(where)).mappings().first()
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(insert(pull_requests).values(repo=repo, number=number, check_runs={}, posted={},
                                                              paused=False))
            except IntegrityError:
                pass
            row = conn.execute(select(pull_requests).where(where)).mappings().one()
        return dict(row)

    def review_state(self, repo: str, number: int) -> ReviewState:
        with self._tx() as conn:
            row = self._pr_row(conn, repo, number)
        return ReviewState(summary_comment_id=row["summary_comment_id"],
                           check_runs={str(k): int(v) for k, v in (row["check_runs"] or {}).items()},
                           posted={str(k): str(v) for k, v in (row["posted"] or {}).items()},
                           pending_review=row["pending_review"], pending_since=row["pending_since"])

    def save_review_state(self, repo: str, number: int, state: ReviewState) -> None:
        with self._tx() as conn:
            self._pr_row(conn, repo, number)
            conn.execute(update(pull_requests)
                         .where((pull_requests.c.repo == repo) & (pull_requests.c.number == number))
                         .values(summary_comment_id=state.summary_comment_id, check_runs=dict(state.check_runs),
                                 posted=dict(state.posted), pending_review=state.pending_review,
                                 pending_since=state.pending_since))

    def set_paused(self, repo: str, number: int, paused: bool) -> None:
        with self._tx() as conn:
            self._pr_row(conn, repo, number)
            conn.execute(update(pull_requests)
                         .where((pull_requests.c.repo == repo) & (pull_requests.c.number == number))
                         .values(paused=paused))

    def is_paused(self, repo: str, number: int) -> bool:
        with self._tx() as conn:
            return bool(self._pr_row(conn, repo, number)["paused"])

    # ------------------------------------------------------------------ jobs

    def request_review(self, key: JobKey, installation_id: int, clone_url: str, reason: str,
                       repository_id: int | None = None) -> int:
        """Ask for a review of the PR's newest head; returns the request's generation."""
        where = (jobs.c.repo == key.repo) & (jobs.c.number == key.number)
        with self._tx() as conn:
            self._request(conn, ReviewRequest(key, installation_id, clone_url, reason, repository_id), "",
                          self.clock())
            return int(conn.execute(select(jobs.c.generation).where(where)).scalar_one())

    def claim(self, key: JobKey, owner: str, lease_s: float) -> Job | None:
        """Lease the PR's pending work to `owner`, or None when nothing is pending or someone holds it."""
        now = self.clock()
        where = (jobs.c.repo == key.repo) & (jobs.c.number == key.number)
        with self._tx() as conn:
            done = conn.execute(
                update(jobs)
                .where(where & (jobs.c.generation > jobs.c.done_generation) & _due(now)
                       & ((jobs.c.lease_until.is_(None)) | (jobs.c.lease_until < now)))
                .values(lease_owner=owner, lease_until=now + lease_s, attempts=jobs.c.attempts + 1)
            )
            if done.rowcount != 1:
                return None
            row = conn.execute(select(jobs).where(where)).mappings().one()
        return Job(key, int(row["installation_id"]), str(row["clone_url"]), str(row["reason"]),
                   int(row["generation"]), int(row["attempts"]), str(row["delivery"] or ""),
                   str(row["head_sha"] or ""), row["check_run_id"], row["repository_id"])

    def renew(self, key: JobKey, owner: str, lease_s: float) -> bool:
        with self._tx() as conn:
            done = conn.execute(update(jobs)
                                .where((jobs.c.repo == key.repo) & (jobs.c.number == key.number)
                                       & (jobs.c.lease_owner == owner))
                                .values(lease_until=self.clock() + lease_s))
        return done.rowcount == 1

    def finish(self, key: JobKey, owner: str, generation: int, *, done: bool = True) -> bool:
        """Release the lease (marking `generation` handled when done); True if newer work is pending."""
        where = (jobs.c.repo == key.repo) & (jobs.c.number == key.number)
        values: dict[str, Any] = {"lease_owner": None, "lease_until": None}
        with self._tx() as conn:
            if done:
                conn.execute(update(jobs).where(where & (jobs.c.lease_owner == owner)
                                                & (jobs.c.done_generation < generation))
                             .values(done_generation=generation, attempts=0, head_sha=None, check_run_id=None,
                                     not_before=None))
            conn.execute(update(jobs).where(where & (jobs.c.lease_owner == owner)).values(**values))
            row = conn.execute(select(jobs.c.generation, jobs.c.done_generation).where(where)).one()
        return int(row[0]) > int(row[1])

    def defer(self, key: JobKey, owner: str, until: float, *, counted: bool = False) -> None:
        """Put the job held by `owner` off until `until`; unless `counted`, the attempt is not one."""
        attempts = jobs.c.attempts if counted else case((jobs.c.attempts > 0, jobs.c.attempts - 1), else_=0)
        with self._tx() as conn:
            conn.execute(update(jobs).where((jobs.c.repo == key.repo) & (jobs.c.number == key.number)
                                            & (jobs.c.lease_owner == owner))
                         .values(not_before=until, attempts=attempts))

    def set_job_check(self, key: JobKey, owner: str, head_sha: str | None, check_run_id: int | None) -> None:
        """Remember the check run the job opened (None once it is completed)."""
        with self._tx() as conn:
            conn.execute(update(jobs).where((jobs.c.repo == key.repo) & (jobs.c.number == key.number)
                                            & (jobs.c.lease_owner == owner))
                         .values(head_sha=head_sha, check_run_id=check_run_id))

    def lease_owner(self, key: JobKey) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(jobs.c.lease_owner)
                                 .where((jobs.c.repo == key.repo) & (jobs.c.number == key.number))).scalar()
        return str(value) if value else None

    def generation(self, key: JobKey) -> int:
        with self.engine.connect() as conn:
            value = conn.execute(select(jobs.c.generation)
                                 .where((jobs.c.repo == key.repo) & (jobs.c.number == key.number))).scalar()
        return int(value or 0)

    def stale(self, older_than_s: float, limit: int = 100) -> list[JobKey]:
        """Pending jobs nobody holds (lease expired or never taken) for longer than `older_than_s`."""
        now = self.clock()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(jobs.c.repo, jobs.c.number)
                .where((jobs.c.generation > jobs.c.done_generation) & _due(now)
                       & (((jobs.c.lease_until.is_(None)) & (jobs.c.updated_at < now - older_than_s))
                          | (jobs.c.lease_until < now)))
                .limit(limit)
            ).all()
        return [JobKey(str(r[0]), int(r[1])) for r in rows]

    def pending_jobs(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(jobs)
                                    .where(jobs.c.generation > jobs.c.done_generation)).scalar_one())

    # ------------------------------------------------------------------ scan history

    def record_scan(self, key: JobKey, head_sha: str, base_sha: str, status: str, *, findings: int = 0,
                    risk: int = 0, duration_s: float = 0.0, llm_cost_usd: float = 0.0, detail: str = "") -> None:
        with self._tx() as conn:
            conn.execute(insert(scans).values(repo=key.repo, number=key.number, head_sha=head_sha, base_sha=base_sha,
                                              status=status, findings=findings, risk=risk, duration_s=duration_s,
                                              llm_cost_usd=llm_cost_usd, detail=detail[:2000],
                                              created_at=self.clock()))

    def scans(self, repo: str, number: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(scans).where((scans.c.repo == repo) & (scans.c.number == number))
                                .order_by(scans.c.id)).mappings().all()
        return [dict(r) for r in rows]


def _due(now: float) -> Any:
    """Jobs not put off to a later time."""
    return jobs.c.not_before.is_(None) | (jobs.c.not_before <= now)
