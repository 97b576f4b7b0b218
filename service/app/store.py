"""The App's store: deliveries seen, installations, per-PR review state, jobs and scan history.

SQLite by default, PostgreSQL (or anything SQLAlchemy speaks) via SLOPGUARD_DATABASE_URL. The
schema is created by Alembic migrations (`slopguard db upgrade`, also run by `serve` and `worker`
at start).

Jobs: one row per pull request. Every request for a review bumps `generation`; a worker claims the
row with a lease (an atomic conditional UPDATE), reviews the newest head, and marks the generation
it handled done only when it has finished. Requests that arrive meanwhile leave the row pending, so
quick pushes coalesce into one review and a worker that dies mid-job leaves a lease that expires,
after which `stale()` hands the job to another worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, func, insert, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from .publisher import ReviewState
from .schema import deliveries, installations, jobs, pull_requests, scans

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across process crashes
            cursor.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date with the migrations shipped inside the package."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Store:
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # ------------------------------------------------------------------ deliveries and installations

    def record_delivery(self, delivery_id: str, event_name: str) -> bool:
        """True the first time a delivery id is seen, False for a redelivery."""
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(deliveries).values(id=delivery_id[:64], event=event_name[:64],
                                                       received_at=time.time()))
        except IntegrityError:
            return False
        return True

    def record_installation(self, installation_id: int, account: str, action: str) -> None:
        values = {"account": account[:255], "action": action[:64], "active": action not in ("deleted", "suspend"),
                  "updated_at": time.time()}
        with self.engine.begin() as conn:
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
        with self.engine.begin() as conn:
            row = self._pr_row(conn, repo, number)
        return ReviewState(summary_comment_id=row["summary_comment_id"],
                           check_runs={str(k): int(v) for k, v in (row["check_runs"] or {}).items()},
                           posted={str(k): str(v) for k, v in (row["posted"] or {}).items()})

    def save_review_state(self, repo: str, number: int, state: ReviewState) -> None:
        with self.engine.begin() as conn:
            self._pr_row(conn, repo, number)
            conn.execute(update(pull_requests)
                         .where((pull_requests.c.repo == repo) & (pull_requests.c.number == number))
                         .values(summary_comment_id=state.summary_comment_id, check_runs=dict(state.check_runs),
                                 posted=dict(state.posted)))

    def set_paused(self, repo: str, number: int, paused: bool) -> None:
        with self.engine.begin() as conn:
            self._pr_row(conn, repo, number)
            conn.execute(update(pull_requests)
                         .where((pull_requests.c.repo == repo) & (pull_requests.c.number == number))
                         .values(paused=paused))

    def is_paused(self, repo: str, number: int) -> bool:
        with self.engine.begin() as conn:
            return bool(self._pr_row(conn, repo, number)["paused"])

    # ------------------------------------------------------------------ jobs

    def request_review(self, key: JobKey, installation_id: int, clone_url: str, reason: str) -> int:
        """Ask for a review of the PR's newest head; returns the request's generation."""
        now = time.time()
        where = (jobs.c.repo == key.repo) & (jobs.c.number == key.number)
        values = {"installation_id": installation_id, "clone_url": clone_url, "reason": reason[:64], "updated_at": now}
        with self.engine.begin() as conn:
            done = conn.execute(update(jobs).where(where).values(generation=jobs.c.generation + 1, **values))
            if done.rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(insert(jobs).values(repo=key.repo, number=key.number, generation=1,
                                                         done_generation=0, attempts=0, **values))
                except IntegrityError:
                    conn.execute(update(jobs).where(where).values(generation=jobs.c.generation + 1, **values))
            return int(conn.execute(select(jobs.c.generation).where(where)).scalar_one())

    def claim(self, key: JobKey, owner: str, lease_s: float) -> Job | None:
        """Lease the PR's pending work to `owner`, or None when nothing is pending or someone holds it."""
        now = time.time()
        where = (jobs.c.repo == key.repo) & (jobs.c.number == key.number)
        with self.engine.begin() as conn:
            done = conn.execute(
                update(jobs)
                .where(where & (jobs.c.generation > jobs.c.done_generation)
                       & ((jobs.c.lease_until.is_(None)) | (jobs.c.lease_until < now)))
                .values(lease_owner=owner, lease_until=now + lease_s, attempts=jobs.c.attempts + 1)
            )
            if done.rowcount != 1:
                return None
            row = conn.execute(select(jobs).where(where)).mappings().one()
        return Job(key, int(row["installation_id"]), str(row["clone_url"]), str(row["reason"]),
                   int(row["generation"]), int(row["attempts"]))

    def renew(self, key: JobKey, owner: str, lease_s: float) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(jobs)
                                .where((jobs.c.repo == key.repo) & (jobs.c.number == key.number)
                                       & (jobs.c.lease_owner == owner))
                                .values(lease_until=time.time() + lease_s))
        return done.rowcount == 1

    def finish(self, key: JobKey, owner: str, generation: int, *, done: bool = True) -> bool:
        """Release the lease (marking `generation` handled when done); True if newer work is pending."""
        where = (jobs.c.repo == key.repo) & (jobs.c.number == key.number)
        values: dict[str, Any] = {"lease_owner": None, "lease_until": None}
        with self.engine.begin() as conn:
            if done:
                conn.execute(update(jobs).where(where & (jobs.c.lease_owner == owner)
                                                & (jobs.c.done_generation < generation))
                             .values(done_generation=generation, attempts=0))
            conn.execute(update(jobs).where(where & (jobs.c.lease_owner == owner)).values(**values))
            row = conn.execute(select(jobs.c.generation, jobs.c.done_generation).where(where)).one()
        return int(row[0]) > int(row[1])

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
        now = time.time()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(jobs.c.repo, jobs.c.number)
                .where((jobs.c.generation > jobs.c.done_generation)
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
        with self.engine.begin() as conn:
            conn.execute(insert(scans).values(repo=key.repo, number=key.number, head_sha=head_sha, base_sha=base_sha,
                                              status=status, findings=findings, risk=risk, duration_s=duration_s,
                                              llm_cost_usd=llm_cost_usd, detail=detail[:2000],
                                              created_at=time.time()))

    def scans(self, repo: str, number: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(scans).where((scans.c.repo == repo) & (scans.c.number == number))
                                .order_by(scans.c.id)).mappings().all()
        return [dict(r) for r in rows]
