"""Git access by subprocess: refs, merge bases, trees and blobs read from the object store.

Nothing here reads the working tree except `WorkingTree`, used by `scan --working-tree`; so a
scan works on bare repositories and on refs that are not checked out.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from .errors import ConfigError, GitError

_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "LC_ALL": "C",
}
_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_LISTING = "git.ls-tree"  # a listing kept in a `Listings` store by commit id
_FEW_BLOBS = 16  # blobs read through the long-lived `cat-file` process; more: one process of their own
Listing = dict[str, tuple[str, str, int]]


class Listings(Protocol):
    """Where a commit's listing may be kept across scans (`BlobCache`: a commit id names its tree)."""

    def get(self, kind: str, blob: str) -> tuple[bool, object]: ...

    def put(self, kind: str, blob: str, value: Listing) -> None: ...


class Git:
    """A repository (bare or not) addressed by path."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._listings: dict[str, Listing] = {}  # by commit id: a commit's tree never changes
        self._reader: subprocess.Popen[bytes] | None = None  # `cat-file --batch` for a few blobs at a time
        self._reader_lock = threading.Lock()

    def run(self, *args: str, check: bool = True, input: bytes | None = None, ok: tuple[int, ...] = (0,)) -> bytes:
        env = dict(os.environ, **_ENV)
        try:
            proc = subprocess.run(
                ["git", "-C", str(self.path), "-c", "core.quotepath=false", *args],
                input=input,
                capture_output=True,
                env=env,
                check=False,
            )
        except FileNotFoundError as exc:
            raise GitError("git is not installed or not on PATH") from exc
        if check and proc.returncode not in ok:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {err[-1] if err else proc.returncode}")
        return proc.stdout

    def text(self, *args: str) -> str:
        return self.run(*args).decode("utf-8", "replace").strip()

    def ensure_repository(self) -> None:
        if not self.path.exists():
            raise GitError(f"{self.path}: no such directory")
        out = subprocess.run(
            ["git", "-C", str(self.path), "rev-parse", "--git-dir"],
            capture_output=True,
            env=dict(os.environ, **_ENV),
            check=False,
        )
        if out.returncode != 0:
            raise GitError(f"{self.path}: not a git repository")

    @property
    def is_bare(self) -> bool:
        return self.text("rev-parse", "--is-bare-repository") == "true"

    @property
    def toplevel(self) -> Path:
        return Path(self.text("rev-parse", "--show-toplevel"))

    def resolve(self, ref: str) -> str:
        """The commit sha a ref names; GitError with the ref's name when it does not exist."""
        if ref.startswith("-"):
            raise GitError(f"unknown revision {ref!r}")
        proc = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        sha = proc.decode().strip()
        if not sha:
            raise GitError(f"unknown revision {ref!r}")
        return sha

    def ref_exists(self, ref: str) -> bool:
        try:
            self.resolve(ref)
        except GitError:
            return False
        return True

    def merge_base(self, a: str, b: str) -> str:
        out = self.run("merge-base", a, b, check=False).decode().strip()
        if not out:
            raise GitError(f"{a} and {b} have no common ancestor")
        return out.splitlines()[0]

    def default_branch(self) -> str:
        """origin/HEAD, else main, else master."""
        for ref in ("refs/remotes/origin/HEAD", "main", "master", "origin/main", "origin/master"):
            if self.ref_exists(ref):
                return ref
        raise GitError("cannot find the default branch (origin/HEAD, main or master); pass --base")

    def ls_tree(self, commit: str, store: Listings | None = None) -> Listing:
        """path -> (mode, blob sha, size) for every file of a commit. A commit named by its id is
        listed once per `Git` (and, with a `store`, once for every scan that shares it); the
        listing returned is shared: callers must not change it."""
        if not _OBJECT_ID.fullmatch(commit):
            return self._list(commit)
        if commit not in self._listings:
            hit, value = store.get(_LISTING, commit) if store is not None else (False, None)
            if hit and isinstance(value, dict):
                self._listings[commit] = value
            else:
                self._listings[commit] = self._list(commit)
                if store is not None:
                    store.put(_LISTING, commit, self._listings[commit])
        return self._listings[commit]

    def ls_paths(self, commit: str, paths: Sequence[str]) -> Listing:
        """`ls_tree` of the files at or under `paths` only (a folder ends with "/")."""
        return self._list(commit, paths) if paths else {}

    def _list(self, commit: str, paths: Sequence[str] = ()) -> Listing:
        out = self.run("ls-tree", "-r", "-z", "--long", "--full-tree", commit, "--", *paths)
        files: Listing = {}
        for entry in out.split(b"\0"):
            if not entry:
                continue
            meta, _, name = entry.partition(b"\t")
            parts = meta.split()
            if len(parts) < 4 or parts[1] != b"blob":
                continue
            size = int(parts[3]) if parts[3].isdigit() else 0
            files[name.decode("utf-8", "replace")] = (parts[0].decode(), parts[2].decode(), size)
        return files

    def cat_blobs(self, shas: list[str]) -> dict[str, bytes]:
        """The contents of many blobs with one `git cat-file --batch` process; a few blobs (a file
        read on its own) through one process kept for the `Git`'s life (see `close`)."""
        if not shas:
            return {}
        unique = list(dict.fromkeys(shas))
        if len(unique) <= _FEW_BLOBS:
            return self._cat_few(unique)
        out = self.run("cat-file", "--batch", input=("\n".join(unique) + "\n").encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for sha in unique:
            nl = out.index(b"\n", pos)
            header = out[pos:nl].split()
            pos = nl + 1
            if len(header) < 3 or header[1] == b"missing":
                continue
            size = int(header[2])
            blobs[sha] = out[pos : pos + size]
            pos += size + 1
        return blobs

    def _cat_few(self, shas: list[str]) -> dict[str, bytes]:
        """Blobs asked of the long-lived process one at a time (a request and its answer, so
        neither pipe fills). Anything raised in the middle of an answer (an `Overrun` included)
        stops the process, whose output could no longer be told apart, and goes on up."""
        blobs: dict[str, bytes] = {}
        with self._reader_lock:
            try:
                proc = self._reader or self._start_reader()
                assert proc.stdin is not None and proc.stdout is not None
                for sha in shas:
                    proc.stdin.write(sha.encode() + b"\n")
                    proc.stdin.flush()
                    header = proc.stdout.readline().split()
                    if not header:
                        raise GitError(f"git cat-file stopped (exit status {proc.poll()})")
                    if len(header) < 3 or header[1] == b"missing":
                        continue
                    size = int(header[2])
                    data = proc.stdout.read(size + 1)
                    if len(data) != size + 1:
                        raise GitError("git cat-file stopped in the middle of a blob")
                    blobs[sha] = data[:size]
            except BaseException:
                self._stop_reader()
                raise
        return blobs

    def _start_reader(self) -> subprocess.Popen[bytes]:
        try:
            proc = subprocess.Popen(["git", "-C", str(self.path), "-c", "core.quotepath=false", "cat-file", "--batch"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                    env=dict(os.environ, **_ENV))
        except FileNotFoundError as exc:
            raise GitError("git is not installed or not on PATH") from exc
        self._reader = proc
        weakref.finalize(self, _stop, proc)  # a `Git` dropped without `close`: the process ends with it
        return proc

    def _stop_reader(self) -> None:
        proc, self._reader = self._reader, None
        if proc is not None:
            _stop(proc)

    def close(self) -> None:
        """Ends the long-lived `cat-file` process, if one was started (a later read starts another)."""
        with self._reader_lock:
            self._stop_reader()

    def reader(self, commit: str, max_bytes: int) -> Callable[[str], bytes | None]:
        """Reads regular files of `commit` by repository path (None: absent, a symlink, a submodule);
        a file over `max_bytes` is a ConfigError naming only its path."""
        listing: dict[str, tuple[str, str, int]] = {}

        def read(path: str) -> bytes | None:
            if not listing:
                listing.update(self.ls_tree(commit))
            entry = listing.get(path)
            if entry is None or entry[0] not in ("100644", "100755"):
                return None
            if entry[2] > max_bytes:
                raise ConfigError(f"{path}: over {max_bytes:,} bytes")
            return self.cat_blobs([entry[1]]).get(entry[1])

        return read

    def commit_messages(self, base: str, head: str) -> str:
        return self.run("log", "--format=%B", f"{base}..{head}").decode("utf-8", "replace").strip()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a `cat-file --batch` process: its output is closed first (one stopped in the middle of
    a blob no longer waits to write the rest), then its input, which ends it; else it is killed."""
    if proc.stdout is not None:
        proc.stdout.close()
    if proc.stdin is not None:
        with contextlib.suppress(BrokenPipeError):  # a request left unsent to a process that ended
            proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
