"""Distributed mode: the webhook service and two `slopguard worker` processes sharing the machine's
Redis (queue) and PostgreSQL (store); one worker is killed in the middle of a job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from service.app.store import JobKey
from tests.app.conftest import APP_ID, BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub
from tests.app.harness import SECRET, Origin, Service, pr_event, settings_for, wait_for

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
PRS = 4


def _available() -> bool:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except (redis.RedisError, OperationalError):
        return False
    return True


@pytest.fixture
def pg_schema() -> Iterator[str]:
    if not _available():
        pytest.skip("needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432")
    schema = "dist_" + uuid.uuid4().hex[:10]
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def start_worker(tmp_path: Path, index: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = (tmp_path / f"worker{index}.log").open("wb")
    worker_env = {**env, "SLOPGUARD_WORKDIR": str(tmp_path / f"machine{index}")}
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], env=worker_env, stdout=log,
                            stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parents[2])


def test_two_workers_one_killed(tmp_path: Path, fake_github: FakeGitHub, app_keys: tuple[str, str],
                                pg_schema: str) -> None:
    queue_name = "slopguard-test-" + uuid.uuid4().hex[:8]
    settings = settings_for(tmp_path / "web", fake_github, app_keys[0], database_url=pg_schema,
                            queue_url=REDIS_URL, queue_name=queue_name, job_lease_s=2.0)
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    for number in range(1, PRS + 1):
        origin.open_pr(number)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOPGUARD_") and k != "ANTHROPIC_API_KEY"}
    env.update(SLOPGUARD_APP_ID=APP_ID, SLOPGUARD_PRIVATE_KEY=app_keys[0], SLOPGUARD_WEBHOOK_SECRET=SECRET,
               SLOPGUARD_GITHUB_API_URL=fake_github.url, SLOPGUARD_DATABASE_URL=pg_schema,
               SLOPGUARD_QUEUE_URL=REDIS_URL, SLOPGUARD_QUEUE_NAME=queue_name, SLOPGUARD_WRITE_INTERVAL_S="0",
               SLOPGUARD_COALESCE_DELAY_S="0", SLOPGUARD_JOB_LEASE_S="2", SLOPGUARD_WORKERS="2")
    service = Service(settings, embedded_worker=False).start()
    workers = [start_worker(tmp_path, i, env) for i in range(2)]
    fake_github.hold("GET", r"/pulls/1$", seconds=8)  # the first look at PR 1 hangs: kill its worker then
    try:
        for number in range(1, PRS + 1):
            assert service.deliver("pull_request", pr_event("opened", origin, number, fake_github)).status_code == 202
        store = service.runtime.store
        wait_for(lambda: store.lease_owner(JobKey("octo/demo", 1)), 20, "a worker to take PR 1")
        owner = store.lease_owner(JobKey("octo/demo", 1))
        assert owner is not None
        pid = int(owner.split(":")[1])
        victim = next(w for w in workers if w.pid == pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        wait_for(lambda: all(fake_github.reviews_for(n) for n in range(1, PRS + 1)), 45, "every PR's review")
        service.idle(timeout=10)
        assert len(fake_github.reviews) == PRS
        assert sorted(r["pull_number"] for r in fake_github.reviews) == list(range(1, PRS + 1))
        assert store.lease_owner(JobKey("octo/demo", 1)) is None
    finally:
        for w in workers:
            if w.poll() is None:
                w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=20)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait(timeout=5)
        service.runtime.queue.huey.flush()
        service.stop()
