"""The real service wired to the fake GitHub, in either of its two shapes:

- embedded (`Service`): uvicorn on an OS-chosen port of 127.0.0.1 in this process, SQLite store and
  queue, the queue consumed inside the service (what `slopguard serve` does on one machine);
- distributed (`Distributed`): separate processes started as deploy/docker-compose.yml starts them
  (`slopguard db upgrade`, then `slopguard serve --no-worker` and two `slopguard worker`s) on the
  machine's PostgreSQL (a schema of its own per test run) and Redis (a key prefix of its own per test).

Both answer the same calls (`deliver`, `idle`, `store`, `http`, `metric`), so one test runs in both.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import redis
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from slopguard.app.runtime import Runtime
from slopguard.app.settings import Settings
from slopguard.app.signatures import sign
from slopguard.app.store import Store
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import OperationalError

from tests.app.conftest import APP_ID
from tests.app.fake_github import FakeGitHub, Pull, repository_id
from tests.gitrepos import git, make_repo, write_tree

PAYLOADS = Path("/work/shared/github-payloads")
SECRET = "webhook-secret-for-tests"
OWNER, NAME = "octo", "demo"
ROOT = Path(__file__).resolve().parents[2]
SLOPGUARD = [sys.executable, "-m", "slopguard.cli"]
# The machine's PostgreSQL and Redis (CI provides both); never anything but 127.0.0.1.
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


def wait_for(predicate: Callable[[], object], timeout: float = 20.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return data


def settings_for(tmp: Path, fake: FakeGitHub, private_key: str, **overrides: Any) -> Settings:
    base = Settings(app_id=APP_ID, private_key=private_key, webhook_secret=SECRET, api_url=fake.url,
                    database_url=f"sqlite:///{tmp / 'app.db'}", queue_url=str(tmp / "queue.db"),
                    workdir=tmp / "work", write_interval_s=0.0, max_retry_wait_s=5.0, retry_backoff_s=0.05,
                    coalesce_delay_s=0.0,
                    job_lease_s=30.0, workers=2)
    return Settings(**{**base.__dict__, **overrides})


@dataclass
class Origin:
    """A working repository and the bare repository GitHub would serve as clone_url."""

    work: Path
    bare: Path
    prs: dict[int, str] = field(default_factory=dict)

    @classmethod
    def create(cls, root: Path, base: dict[str, str | bytes | None], head: dict[str, str | bytes | None]) -> Origin:
        work = make_repo(root, base, head)
        bare = root / "origin.git"
        git(root, "clone", "-q", "--bare", str(work), str(bare))
        return cls(work, bare)

    def open_pr(self, number: int, branch: str = "feature") -> str:
        sha = git(self.work, "rev-parse", branch)
        git(self.work, "push", "-q", "--force", str(self.bare), f"{branch}:refs/pull/{number}/head")
        self.prs[number] = sha
        return sha

    def push(self, number: int, files: dict[str, str | bytes | None], message: str = "more") -> str:
        git(self.work, "checkout", "-q", "feature")
        write_tree(self.work, files)
        git(self.work, "add", "-A")
        git(self.work, "commit", "-q", "-m", message)
        return self.open_pr(number)


def migrate(database_url: str) -> None:
    """`slopguard db upgrade`, as an operator runs it before starting the service."""
    Store.open(database_url, migrate=True).close()


class _Driver:
    """What the tests do to a running service, whichever shape it has."""

    http: httpx.Client
    store: Store

    def deliver(self, event: str, body: dict[str, Any] | bytes, delivery: str | None = None,
                signature: str | None = None) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": "application/json", "x-github-event": event,
                   "x-github-delivery": delivery or str(uuid.uuid4()),
                   "x-hub-signature-256": sign(SECRET, raw) if signature is None else signature}
        return self.http.post("/webhook", content=raw, headers=headers)

    def idle(self, timeout: float = 20.0) -> None:
        wait_for(lambda: self.store.pending_jobs() == 0, timeout, "the queue to drain")

    def metrics_pages(self) -> list[str]:
        return [self.http.get("/metrics").text]

    def metric(self, sample: str, **labels: str) -> float:
        """A Prometheus sample (e.g. `slopguard_github_rate_limit_waits_total`) summed over every process."""
        total = 0.0
        for page in self.metrics_pages():
            for family in text_string_to_metric_families(page):
                for s in family.samples:
                    if s.name == sample and all(s.labels.get(k) == v for k, v in labels.items()):
                        total += s.value
        return total


class Service(_Driver):
    def __init__(self, settings: Settings, *, embedded_worker: bool = True,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        migrate(settings.database_url)
        self.runtime = Runtime.build(settings, clock=clock)
        self.store = self.runtime.store
        self.app = self.runtime.app(embedded_worker=embedded_worker)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", access_log=False,
                                                    timeout_graceful_shutdown=5))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    def start(self) -> Service:
        self.thread.start()
        wait_for(lambda: self.server.started, 10, "uvicorn to start")
        return self

    def stop(self) -> None:
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


def pr_event(action: str, origin: Origin, number: int, fake: FakeGitHub, *, draft: bool = False,
             title: str = "Add order helpers", body: str = "Adds helpers.", installation: int = 77,
             head_repo: str = "") -> dict[str, Any]:
    """A real pull_request payload with the test repository's fields, and the fake's view of the PR."""
    sha = origin.prs[number]
    fake.add_pull(Pull(OWNER, NAME, number, sha, "main", origin.bare, title=title, body=body, draft=draft,
                       head_repo=head_repo))
    data = payload(f"pull_request.{action}.json" if action != "ready_for_review"
                   else "pull_request.ready_for_review.with-installation.json")
    data = copy.deepcopy(data)
    data["action"] = action
    data["number"] = number
    repo = data["repository"]
    repo.update(full_name=f"{OWNER}/{NAME}", name=NAME, clone_url=str(origin.bare), id=fake.repo_id(f"{OWNER}/{NAME}"))
    repo["owner"]["login"] = OWNER
    pr = data["pull_request"]
    pr.update(number=number, draft=draft, title=title, body=body)
    pr["head"]["sha"] = sha
    pr["base"]["ref"] = "main"
    if head_repo:
        pr["head"]["repo"]["full_name"] = head_repo
    data["installation"] = {"id": installation, "node_id": "x"}
    return data


def comment_event(origin: Origin, number: int, user: str, text: str, installation: int = 77) -> dict[str, Any]:
    data = copy.deepcopy(payload("issue_comment.created.with-installation.json"))
    data["issue"]["number"] = number
    data["issue"]["pull_request"] = {"url": f"https://api.github.com/repos/{OWNER}/{NAME}/pulls/{number}"}
    data["comment"]["body"] = text
    data["comment"]["user"]["login"] = user
    data["comment"]["user"]["type"] = "User"
    repo = data["repository"]
    repo.update(full_name=f"{OWNER}/{NAME}", name=NAME, clone_url=str(origin.bare), id=repository_id(f"{OWNER}/{NAME}"))
    data["installation"] = {"id": installation, "node_id": "x"}
    return data


# ---------------------------------------------------------------------------------------- distributed mode


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def distributed_unavailable() -> str | None:
    """Why the machine's Redis and PostgreSQL cannot be used, or None when both answer."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            client.ping()
        finally:
            client.close()
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except (redis.RedisError, OperationalError, OSError) as exc:
        return (f"distributed mode needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 "
                f"({type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''})")
    return None


def _admin_engine() -> Engine:
    return create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 10})


def _process_env(settings: Settings) -> dict[str, str]:
    """The environment an operator sets (deploy/.env), from the same Settings the embedded mode uses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOPGUARD_") and k != "ANTHROPIC_API_KEY"}
    names = {"api_url": "SLOPGUARD_GITHUB_API_URL", "private_key": "SLOPGUARD_PRIVATE_KEY"}
    for f in fields(Settings):
        if f.name in ("workdir", "llm_enabled", "max_body_bytes"):
            continue  # per process / ANTHROPIC_API_KEY (absent) / fixed
        env[names.get(f.name, "SLOPGUARD_" + f.name.upper())] = str(getattr(settings, f.name))
    return env


@dataclass
class Backend:
    """One test run's share of the machine's PostgreSQL and Redis: a schema of its own, migrated by
    `slopguard db upgrade` as the compose file's `migrate` service does, and a Redis key prefix."""

    database_url: str  # the form an operator writes (postgresql://...); the store picks the psycopg driver
    schema: str
    prefix: str
    _queues: int = 0

    def queue_name(self) -> str:
        self._queues += 1
        return f"{self.prefix}_{self._queues}"

    def reset(self) -> None:
        """Empty every table (not the schema revision): each test starts from a fresh store."""
        engine = _admin_engine()
        try:
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '20s'"))  # never hang on a stuck connection
                tables = [t for t in inspect(conn).get_table_names(schema=self.schema) if t != "alembic_version"]
                if tables:
                    conn.execute(text("TRUNCATE " + ", ".join(f'{self.schema}."{t}"' for t in tables)
                                      + " RESTART IDENTITY CASCADE"))
        finally:
            engine.dispose()


def drop_redis_keys(pattern: str) -> None:
    """Delete the keys matching `pattern`; huey names them `huey.<kind>.<queue name>`, keeping only
    [A-Za-z0-9_] of the name, so test queue names use nothing else."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=10)
    try:
        keys = list(client.scan_iter(match=pattern, count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def drop_queue(name: str) -> None:
    drop_redis_keys(f"huey.*.{name}")


@contextmanager
def distributed_backend(workdir: Path) -> Iterator[Backend]:
    """A fresh PostgreSQL schema (migrated) and Redis prefix for this run, removed afterwards. Without
    Redis or PostgreSQL the test fails in CI (CI=true) and is skipped elsewhere."""
    reason = distributed_unavailable()
    if reason:
        if _in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    run = uuid.uuid4().hex[:10]
    schema = prefix = f"slopguard_test_{run}"
    admin = _admin_engine()
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SLOPGUARD_")}
        env.update(SLOPGUARD_DATABASE_URL=url, SLOPGUARD_WORKDIR=str(workdir))
        upgrade = subprocess.run([*SLOPGUARD, "db", "upgrade"], env=env, cwd=ROOT, capture_output=True, text=True,
                                 timeout=120)
        assert upgrade.returncode == 0, upgrade.stderr
        yield Backend(url, schema, prefix)
    finally:
        with admin.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '30s'"))
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
        drop_redis_keys(f"huey.*.{prefix}_*")


class Process:
    """One `slopguard ...` process; its output (one pipe) is kept in `log`, and `ready` waits for the
    startup line that matches `pattern` (group 1: the URL it announces)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, pattern: str) -> None:
        self.args, self.log_path = args, log
        self.url = ""
        self._pattern = re.compile(pattern)
        self._seen = threading.Event()
        self.proc = subprocess.Popen([*SLOPGUARD, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self._reader = threading.Thread(target=self._drain, args=(log.open("w"),), daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _drain(self, out: IO[str]) -> None:
        assert self.proc.stdout is not None
        with out:
            for line in self.proc.stdout:
                out.write(line)
                out.flush()
                match = None if self._seen.is_set() else self._pattern.search(line)
                if match:
                    self.url = match.group(1)
                    self._seen.set()

    def ready(self, timeout: float = 60.0) -> Process:
        deadline = time.monotonic() + timeout
        while not self._seen.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self._reader.join(timeout=2)
                raise AssertionError(f"slopguard {' '.join(self.args)} did not start "
                                     f"(exit {self.proc.poll()}):\n{self.log_path.read_text()[-3000:]}")
        return self

    def alive(self) -> bool:
        return self.proc.poll() is None


def stop_processes(procs: list[Process], timeout: float = 20.0) -> None:
    """SIGTERM to all (as `docker compose stop` does), then SIGKILL what is still running."""
    for p in procs:
        if p.alive():
            p.proc.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.proc.kill()
            p.proc.wait(timeout=5)
        p._reader.join(timeout=5)


class Distributed(_Driver):
    """`slopguard serve --no-worker` and `workers` `slopguard worker` processes, as deploy/docker-compose.yml
    runs them (one shared SLOPGUARD_WORKDIR like its `workdir` volume, or one per worker with
    `separate_machines`), on the run's PostgreSQL schema and a Redis queue name of their own."""

    def __init__(self, root: Path, settings: Settings, backend: Backend, *, workers: int = 2,
                 separate_machines: bool = False) -> None:
        backend.reset()
        self.backend = backend
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.queue_name = backend.queue_name()
        self.env = _process_env(Settings(**{**settings.__dict__, "database_url": backend.database_url,
                                            "queue_url": REDIS_URL, "queue_name": self.queue_name}))
        self.env["SLOPGUARD_WORKDIR"] = str(root / "workdir")
        self.separate_machines = separate_machines
        self.worker_count = workers
        self.store = Store.open(backend.database_url)
        self.web: Process | None = None
        self.workers: list[Process] = []
        self.http = httpx.Client(timeout=30)

    def start(self) -> Distributed:
        url = r"(http://127\.0\.0\.1:\d+)"
        self.web = Process(["serve", "--host", "127.0.0.1", "--port", "0", "--no-worker"], self.env,
                           self.root / "web.log", r"listening on " + url)
        for i in range(self.worker_count):
            env = dict(self.env)
            if self.separate_machines:
                env["SLOPGUARD_WORKDIR"] = str(self.root / f"machine{i}")
            # --metrics-port: a worker's own counters (jobs, scans, GitHub calls) are served by the worker
            self.workers.append(Process(["worker", "--metrics-port", "0"], env, self.root / f"worker{i}.log",
                                        r"consuming .*metrics on " + url + "/metrics"))
        try:
            for p in (self.web, *self.workers):
                p.ready()
            self.http = httpx.Client(base_url=self.web.url, timeout=30)
            wait_for(self._ready, 30, "the web service to be ready")
        except BaseException:
            self.stop()
            raise
        return self

    def _ready(self) -> bool:
        try:
            return self.http.get("/readyz").status_code == 200
        except httpx.TransportError:
            return False

    def reset(self) -> None:
        """Between tests on the same processes: an empty store and an empty queue."""
        drop_queue(self.queue_name)
        self.backend.reset()

    def metrics_pages(self) -> list[str]:
        return [*super().metrics_pages(), *(httpx.get(f"{w.url}/metrics", timeout=10).text
                                           for w in self.workers if w.alive())]

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.log_path.read_text()[-4000:]}"
                         for p in ([self.web] if self.web else []) + self.workers)

    def stop(self) -> None:
        self.http.close()
        stop_processes([*self.workers, *([self.web] if self.web else [])])
        self.store.close()
        drop_queue(self.queue_name)
