"""Fixtures for the GitHub App tests: an App key pair, the fake GitHub, pull request repositories."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from slopguard.app.github_client import GitHubClient, RetryPolicy

from tests.app.fake_github import FakeGitHub
from tests.gitrepos import git, make_repo

APP_ID = "424242"


@pytest.fixture(scope="session")
def app_keys() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@pytest.fixture
def fake_github(app_keys: tuple[str, str]) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(APP_ID, app_keys[1]).start()
    yield fake
    fake.stop()


@pytest.fixture
def client(fake_github: FakeGitHub, app_keys: tuple[str, str]) -> Iterator[GitHubClient]:
    policy = RetryPolicy(backoff_s=0.01, max_backoff_s=0.05, max_retry_wait_s=5.0, write_interval_s=0.0)
    gh = GitHubClient(fake_github.url, APP_ID, app_keys[0], policy=policy)
    yield gh
    gh.close()


BASE_FILES = {
    "app.py": "def f():\n    return 1\n",
    "README.md": "hello\n",
}
HEAD_FILES = {
    "app.py": (
        "import os\n"
        "import requests\n"
        "\n"
        "def f():\n"
        "    try:\n"
        "        return 1\n"
        "    except Exception:\n"
        "        pass\n"
        "\n"
        "def g(ids):\n"
        "    for i in ids:\n"
        "        requests.get('http://x/%s' % i)\n"
    ),
}


def pr_repository(root: Path, base: dict[str, str | bytes | None] | None = None,
                  head: dict[str, str | bytes | None] | None = None) -> tuple[Path, str]:
    """A repository with `main` (base) and `feature` (head); returns its path and the head sha."""
    repo = make_repo(root, base or BASE_FILES, head or HEAD_FILES)
    return repo, git(repo, "rev-parse", "feature")


@pytest.fixture(scope="session")
def distributed_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The machine's PostgreSQL (a fresh schema, `slopguard db upgrade`d) and Redis (a key prefix) for
    this test run, removed at its end; fails in CI (CI=true) and skips elsewhere when they are not there."""
    from tests.app.harness import distributed_backend

    with distributed_backend(tmp_path_factory.mktemp("distributed")) as backend:
        yield backend
