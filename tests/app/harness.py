"""The real service (uvicorn on an OS-chosen port of 127.0.0.1) wired to the fake GitHub."""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from service.app.runtime import Runtime
from service.app.settings import Settings
from service.app.signatures import sign
from service.app.store import Store
from tests.app.conftest import APP_ID
from tests.app.fake_github import FakeGitHub, Pull
from tests.gitrepos import git, make_repo, write_tree

PAYLOADS = Path("/work/shared/github-payloads")
SECRET = "webhook-secret-for-tests"
OWNER, NAME = "octo", "demo"


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


class Service:
    def __init__(self, settings: Settings, *, embedded_worker: bool = True) -> None:
        self.settings = settings
        migrate(settings.database_url)
        self.runtime = Runtime.build(settings)
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

    def deliver(self, event: str, body: dict[str, Any] | bytes, delivery: str | None = None,
                signature: str | None = None) -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"content-type": "application/json", "x-github-event": event,
                   "x-github-delivery": delivery or str(uuid.uuid4()),
                   "x-hub-signature-256": sign(SECRET, raw) if signature is None else signature}
        return self.http.post("/webhook", content=raw, headers=headers)

    def idle(self, timeout: float = 20.0) -> None:
        wait_for(lambda: self.runtime.store.pending_jobs() == 0, timeout, "the queue to drain")


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
    repo.update(full_name=f"{OWNER}/{NAME}", name=NAME, clone_url=str(origin.bare))
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
    repo.update(full_name=f"{OWNER}/{NAME}", name=NAME, clone_url=str(origin.bare))
    data["installation"] = {"id": installation, "node_id": "x"}
    return data
