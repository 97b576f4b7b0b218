"""Per-repository bare clones under SLOPGUARD_WORKDIR, updated with `git fetch`.

Only `refs/pull/N/head` and the base branch are fetched. A closed pull request's ref is dropped
(`forget`), and a cache over `max_bytes` keeps only the ref being reviewed; unreachable objects are
then removed, so the cache does not grow with every pull request ever reviewed. Credentials (the installation token) are
given to git only for http(s) URLs, through environment-provided configuration (an extra HTTP
header), so they appear neither in the URL, nor on a command line, nor in any message.
"""

from __future__ import annotations

import base64
import fcntl
import os
import re
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import FetchError

FETCH_TIMEOUT_S = 600
MAX_CACHE_BYTES = 2 * 1024**3  # one repository's bare clone


def cache_path(workdir: Path, repo: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", repo.replace("/", "__"))
    return workdir / "repos" / f"{safe}.git"


def fetch(workdir: Path, repo: str, clone_url: str, number: int, base_ref: str, token: str | None,
          max_bytes: int = MAX_CACHE_BYTES) -> Path:
    """Fetch the PR head and base branch into the repository's bare cache; returns its path."""
    path = cache_path(workdir, repo)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path):
        if not (path / "HEAD").exists():
            _git(["init", "-q", "--bare", str(path)], {}, token)
        env = _auth_env(clone_url, token)
        refspecs = [f"+refs/pull/{number}/head:refs/pull/{number}/head",
                    f"+refs/heads/{base_ref}:refs/remotes/origin/{base_ref}"]
        _git(["-C", str(path), "-c", "gc.auto=0", "fetch", "--quiet", "--no-tags", "--force", clone_url, *refspecs],
             env, token)
        if size(path) > max_bytes:
            others = [ref for ref in _pull_refs(path) if ref != f"refs/pull/{number}/head"]
            _drop(path, others)
    return path


def forget(workdir: Path, repo: str, number: int) -> None:
    """Drop a (closed) pull request's ref and the objects only it kept."""
    path = cache_path(workdir, repo)
    if not (path / "HEAD").exists():
        return
    with _locked(path):
        if f"refs/pull/{number}/head" in _pull_refs(path):
            _drop(path, [f"refs/pull/{number}/head"])


def size(path: Path) -> int:
    """Bytes the cache takes on disk. Files and folders that git removes while this walks (a prune
    or repack by another worker) are not counted; any other error reading the folder is raised."""
    total = 0
    for folder, _dirs, files in os.walk(path, onerror=_unless_gone):
        for name in files:
            try:
                st = os.lstat(os.path.join(folder, name))
            except FileNotFoundError:
                continue
            if stat.S_ISREG(st.st_mode):
                total += st.st_size
    return total


def _unless_gone(exc: OSError) -> None:
    """`os.walk` skips a folder it cannot list; only one removed under it may be skipped."""
    if not isinstance(exc, FileNotFoundError):
        raise exc


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path.parent / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _pull_refs(path: Path) -> list[str]:
    out = subprocess.run(["git", "-C", str(path), "for-each-ref", "--format=%(refname)", "refs/pull/"],
                         capture_output=True, text=True, timeout=FETCH_TIMEOUT_S, check=False)
    return out.stdout.split()


def _drop(path: Path, refs: list[str]) -> None:
    if not refs:
        return
    commands = "".join(f"delete {ref}\n" for ref in refs)
    subprocess.run(["git", "-C", str(path), "update-ref", "--stdin"], input=commands, text=True,
                   capture_output=True, timeout=FETCH_TIMEOUT_S, check=False)
    _git(["-C", str(path), "-c", "gc.auto=0", "gc", "--quiet", "--prune=now"], {}, None)


def _auth_env(url: str, token: str | None) -> dict[str, str]:
    if not token or not url.lower().startswith(("https://", "http://")):
        return {}
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "http.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}"}


def _git(args: list[str], extra_env: dict[str, str], token: str | None) -> None:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **extra_env}
    try:
        proc = subprocess.run(["git", *args], capture_output=True, env=env, timeout=FETCH_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise FetchError(f"git {args[0] if args[0] != '-C' else args[2]} failed: {type(exc).__name__}") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        message = err[-1] if err else f"exit status {proc.returncode}"
        if token:
            message = message.replace(token, "***")
        raise FetchError(f"git fetch failed: {message}")
