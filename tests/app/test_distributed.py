"""Distributed mode: the webhook service and two `slopguard worker` processes sharing the machine's
Redis (queue) and PostgreSQL (store), started as deploy/docker-compose.yml does (`slopguard db
upgrade` first); PRS pull requests, exactly one review each; one worker is killed in the middle of
a job. Every run has its own PostgreSQL schema and Redis key prefix (queue name), removed afterwards,
so parallel runs do not collide."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from service.app.signatures import sign
from service.app.store import JobKey, Store
from tests.app.conftest import APP_ID, BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub
from tests.app.harness import SECRET, Origin, pr_event, wait_for

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
# Issue 5 asks for 50 pull requests (CI runs 50); SLOPGUARD_TEST_DISTRIBUTED_PRS lowers it for a quick local run.
PRS = max(2, int(os.environ.get("SLOPGUARD_TEST_DISTRIBUTED_PRS", "50")))
ROOT = Path(__file__).resolve().parents[2]


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
    # the URL form an operator writes (deploy/docker-compose.yml); the store picks the psycopg driver
    yield f"postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def start_worker(tmp_path: Path, index: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = (tmp_path / f"worker{index}.log").open("wb")
    worker_env = {**env, "SLOPGUARD_WORKDIR": str(tmp_path / f"machine{index}")}
    return subprocess.Popen([sys.executable, "-m", "service.cli", "worker"], env=worker_env, stdout=log,
                            stderr=subprocess.STDOUT, cwd=ROOT)


def start_web(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """`slopguard serve --no-worker`, as the compose file's `web` service runs it (on a free port)."""
    web_env = {**env, "SLOPGUARD_WORKDIR": str(tmp_path / "web")}
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", "0",
                             "--no-worker"], env=web_env, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stderr is not None
    line = proc.stderr.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not match:
        proc.kill()
        raise AssertionError(f"serve did not start: {line}{proc.communicate(timeout=10)[1]}")
    log = (tmp_path / "web.log").open("w")
    stderr = proc.stderr
    threading.Thread(target=lambda: [log.write(x) for x in stderr], daemon=True).start()  # keep the pipe drained
    return proc, match.group(0)


def stop(procs: list[subprocess.Popen[Any]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def test_two_workers_one_killed(tmp_path: Path, fake_github: FakeGitHub, app_keys: tuple[str, str],
                                pg_schema: str) -> None:
    queue_name = "slopguard-test-" + uuid.uuid4().hex[:8]
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    for number in range(1, PRS + 1):
        origin.open_pr(number)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOPGUARD_") and k != "ANTHROPIC_API_KEY"}
    env.update(SLOPGUARD_APP_ID=APP_ID, SLOPGUARD_PRIVATE_KEY=app_keys[0], SLOPGUARD_WEBHOOK_SECRET=SECRET,
               SLOPGUARD_GITHUB_API_URL=fake_github.url, SLOPGUARD_DATABASE_URL=pg_schema,
               SLOPGUARD_QUEUE_URL=REDIS_URL, SLOPGUARD_QUEUE_NAME=queue_name, SLOPGUARD_WRITE_INTERVAL_S="0",
               SLOPGUARD_COALESCE_DELAY_S="0", SLOPGUARD_JOB_LEASE_S="2", SLOPGUARD_WORKERS="2")
    upgrade = subprocess.run([sys.executable, "-m", "service.cli", "db", "upgrade"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert upgrade.returncode == 0, upgrade.stderr
    store = Store.open(pg_schema)
    web, url = start_web(tmp_path, env)
    workers = [start_worker(tmp_path, i, env) for i in range(2)]
    fake_github.hold("GET", r"/pulls/1$", seconds=8)  # the first look at PR 1 hangs: kill its worker then
    http = httpx.Client(base_url=url, timeout=30)

    def deliver(body: dict[str, Any], delivery: str, signature: str | None = None) -> httpx.Response:
        raw = json.dumps(body).encode()
        return http.post("/webhook", content=raw, headers={
            "x-github-event": "pull_request", "x-github-delivery": delivery, "content-type": "application/json",
            "x-hub-signature-256": sign(SECRET, raw) if signature is None else signature})

    try:
        wait_for(lambda: _ready(http), 30, "the web service to be ready")
        first = pr_event("opened", origin, 1, fake_github)
        assert deliver(first, "bad", signature="sha256=" + "0" * 64).status_code == 401
        for number in range(1, PRS + 1):
            event = first if number == 1 else pr_event("opened", origin, number, fake_github)
            assert deliver(event, f"delivery-{number}").status_code == 202
        assert deliver(first, "delivery-1").json()["status"] == "duplicate"  # a redelivery
        wait_for(lambda: store.lease_owner(JobKey("octo/demo", 1)), 20, "a worker to take PR 1")
        owner = store.lease_owner(JobKey("octo/demo", 1))
        assert owner is not None
        pid = int(owner.split(":")[1])
        victim = next(w for w in workers if w.pid == pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        wait_for(lambda: all(fake_github.reviews_for(n) for n in range(1, PRS + 1)), 30 + 2.0 * PRS,
                 "every PR's review")
        wait_for(lambda: store.pending_jobs() == 0, 20, "the queue to drain")
        assert len(fake_github.reviews) == PRS  # none duplicated
        assert sorted(r["pull_number"] for r in fake_github.reviews) == list(range(1, PRS + 1))
        assert store.lease_owner(JobKey("octo/demo", 1)) is None
        survivor = next(w for w in workers if w is not victim)
        assert survivor.poll() is None, "the other worker kept running"
        assert web.poll() is None
    finally:
        http.close()
        stop([*workers, web])
        store.close()
        client = redis.Redis.from_url(REDIS_URL)
        leftovers = list(client.scan_iter(match=f"*{queue_name}*", count=1000))
        if leftovers:
            client.delete(*leftovers)
        client.close()


def _ready(http: httpx.Client) -> bool:
    try:
        return http.get("/readyz").status_code == 200
    except httpx.TransportError:
        return False
