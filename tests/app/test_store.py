"""The store on SQLite (always) and PostgreSQL (when the local server answers)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from slopguard.app.errors import SchemaError
from slopguard.app.publisher import ReviewState
from slopguard.app.store import JobKey, ReviewRequest, Store, make_engine
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_url() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except (OperationalError, ImportError):
        return None
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}", migrate=True)
        yield s
        s.close()
        return
    url = _postgres_url()
    if url is None:
        pytest.skip("no PostgreSQL on 127.0.0.1:5432")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    s = Store.open(url + f"?options=-csearch_path%3D{schema}", migrate=True)
    try:
        yield s
    finally:
        s.close()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_deliveries_are_recorded_once(store: Store) -> None:
    assert store.accept("d-1", "pull_request")
    assert not store.accept("d-1", "pull_request")
    assert store.accept("d-2", "pull_request")


def test_installations(store: Store) -> None:
    store.record_installation(5, "octo", "created")
    store.record_installation(5, "octo", "deleted")
    row = store.installation(5)
    assert row is not None and row["action"] == "deleted" and not row["active"]


def test_review_state_round_trip(store: Store) -> None:
    assert store.review_state("o/r", 1) == ReviewState()
    state = ReviewState(summary_comment_id=12, check_runs={"abc": 3}, posted={"fp": "desc"})
    store.save_review_state("o/r", 1, state)
    assert store.review_state("o/r", 1) == state
    store.set_paused("o/r", 1, True)
    assert store.is_paused("o/r", 1) and not store.is_paused("o/r", 2)


def test_requests_coalesce_and_leases_exclude(store: Store) -> None:
    key = JobKey("o/r", 3)
    for _ in range(3):
        store.request_review(key, 1, "/tmp/x", "synchronize")
    job = store.claim(key, "w1", 60)
    assert job is not None and job.generation == 3
    assert store.claim(key, "w2", 60) is None  # leased
    assert not store.finish(key, "w1", job.generation)
    assert store.claim(key, "w2", 60) is None  # nothing pending
    assert store.pending_jobs() == 0


def test_request_during_a_job_stays_pending(store: Store) -> None:
    key = JobKey("o/r", 4)
    store.request_review(key, 1, "/tmp/x", "opened")
    job = store.claim(key, "w1", 60)
    assert job is not None
    store.request_review(key, 1, "/tmp/x", "synchronize")
    assert store.finish(key, "w1", job.generation)  # newer work pending
    again = store.claim(key, "w2", 60)
    assert again is not None and again.generation == 2


def test_expired_lease_is_stale_and_can_be_claimed(store: Store) -> None:
    key = JobKey("o/r", 5)
    store.request_review(key, 1, "/tmp/x", "opened")
    assert store.claim(key, "dead-worker", 0.0) is not None
    assert key in store.stale(older_than_s=0)
    job = store.claim(key, "w2", 60)
    assert job is not None and job.attempts == 2
    assert store.finish(key, "dead-worker", job.generation)  # a late finish by the dead worker changes nothing
    assert store.pending_jobs() == 1
    store.finish(key, "w2", job.generation)
    assert store.pending_jobs() == 0


def test_scan_history(store: Store) -> None:
    store.record_scan(JobKey("o/r", 1), "h", "b", "published", findings=3, risk=40)
    (row,) = store.scans("o/r", 1)
    assert row["findings"] == 3 and row["status"] == "published"


def test_schema_check(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'schema.sqlite'}"
    with pytest.raises(SchemaError, match="has no slopguard schema"):
        Store.open(url)
    Store.open(url, create_empty=True).close()  # an empty SQLite file is created on the spot
    Store.open(url).close()
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    with pytest.raises(SchemaError, match=r"revision 0001.*run `slopguard db upgrade`"):
        Store.open(url, create_empty=True)  # an existing older schema is never migrated implicitly
    other = f"sqlite:///{tmp_path / 'foreign.sqlite'}"
    engine = make_engine(other)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE unrelated (x INTEGER)"))
    engine.dispose()
    with pytest.raises(SchemaError, match="no slopguard schema version"):
        Store.open(other, create_empty=True)


def test_accept_records_a_delivery_and_its_review_request_once(store: Store) -> None:
    key = JobKey("o/r", 9)
    request = ReviewRequest(key, 1, "/tmp/x", "opened")
    assert store.accept("d-9", "pull_request", request)
    assert not store.accept("d-9", "pull_request", request)  # a redelivery changes nothing
    assert store.accept("d-10", "pull_request", request)
    job = store.claim(key, "w1", 60)
    assert job is not None and job.generation == 2 and job.delivery == "d-10"
