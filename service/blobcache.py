"""What a scan derives from one file's content, kept on disk by git blob id.

A blob id names its content, so a value computed from a blob (the comment spans of a file, the
names it declares) is valid for every scan that meets the same blob: across pushes of one pull
request and across pull requests of one repository. Entries live in one SQLite file,
`<root>/entries-<stamp>.sqlite` (a row per kind and blob id), so a scan that reads thousands of
entries opens one file, not thousands; `get_many` reads a batch with one query. Values are plain
data (tuples, lists, dicts of str, bytes, int, None) serialised with `marshal`, whose format is tied
to the Python version. What a value means is tied to the code that derived it, so the file's name
carries both the Python version and a stamp of slopguard's own modules (their paths, sizes and
modification times): an upgraded or edited slopguard never reads values an older one derived.

Workers may share the folder. The file is in write-ahead-log mode: readers never wait for a
writer and see whole transactions only. A scan's new entries are written in batches, each batch
one transaction, and its reads mark their rows used in one more (only rows last marked over an
hour ago, so a repeat scan of the same pull request usually writes nothing). `trim` keeps the
folder within `max_bytes`: other stamps' files go first (least recently used first), then the
least recently used rows. Any storage error (a damaged, locked, read-only or full file) turns the
cache off for the rest of the scan: every read is a miss and the value is computed again, so it
costs speed, never a finding; a damaged file is removed so that the next scan starts a new one.
Nothing here raises for a storage error: each is logged (logger `slopguard.blobcache`: a warning when
the cache turns off or a file cannot be trimmed, an info line for a batch dropped by a busy file).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import marshal
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .blobindex import BlobIndex

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_log = logging.getLogger(__name__)
_PACKAGE = Path(__file__).resolve().parent
_TIMEOUT = 5.0  # seconds a writer waits for another worker's transaction
_TOUCH_AFTER = 3600  # a row read this many seconds after it was last marked used is marked again
_FLUSH_BYTES = 4 * 1024 * 1024  # pending writes kept in memory before a batch is written
_FLUSH_ROWS = 2000
_CHUNK = 500  # bound parameters per query
_ROW_OVERHEAD = 48  # bytes a row costs beyond its key and value, about
_DAMAGED = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB (primary codes): the file is not worth keeping
_SCHEMA = (
    "PRAGMA auto_vacuum = INCREMENTAL",  # set before the table exists: freed pages can be returned
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",  # a crash may lose the last batches, never damage the file
    "CREATE TABLE IF NOT EXISTS entries (kind TEXT NOT NULL, blob TEXT NOT NULL, value BLOB NOT NULL,"
    " size INTEGER NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (kind, blob))",
    "CREATE INDEX IF NOT EXISTS entries_used ON entries (used)",
)


@functools.cache
def code_stamp(package: Path = _PACKAGE) -> str:
    """A short digest of the Python version and of every module of `package` (path, size, mtime)."""
    digest = hashlib.blake2b(digest_size=6)
    digest.update(f"py{sys.version_info[0]}{sys.version_info[1]}".encode())
    for module in sorted(package.rglob("*.py")):
        stat = module.stat()
        digest.update(f"{module.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return f"py{sys.version_info[0]}{sys.version_info[1]}-{digest.hexdigest()}"


class BlobCache:
    """A size-capped, content-addressed store of derived values, safe to share between processes.
    One scan (one thread at a time) uses an instance; `finish` writes what is pending."""

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES,
                 clock: Callable[[], float] = time.time) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.written = 0  # bytes written by this process since the last trim
        self._clock = clock
        self._conn: sqlite3.Connection | None = None
        self._pid = 0
        self._off = False  # a storage error turned the cache off for this scan
        self._pending: dict[tuple[str, str], bytes] = {}
        self._pending_bytes = 0
        self._touch: set[tuple[str, str]] = set()

    @functools.cached_property
    def path(self) -> Path:
        """The entries' file (named on first use: the code stamp reads every module's size and time)."""
        return self.root / f"entries-{code_stamp()}.sqlite"

    def keys(self) -> BlobIndex:
        """The inverted index of keys by blob id kept beside the entries (see `blobindex`)."""
        return BlobIndex(self.root / f"keys-{code_stamp()}.sqlite", self._grew)

    def _grew(self, size: int) -> None:
        self.written += size

    def _connection(self) -> sqlite3.Connection | None:
        if self._off:
            return None
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=_TIMEOUT, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            self._off = True
            _log.warning("blob cache off for this scan: cannot open %s: %s", self.path, exc)
            return None
        try:
            for statement in _SCHEMA:
                conn.execute(statement)
        except sqlite3.Error as exc:
            conn.close()
            self._failed(exc)
            return None
        with contextlib.suppress(OSError):  # the file in use is the last one `trim` removes
            os.utime(self.path)
        self._conn, self._pid = conn, os.getpid()
        return conn

    def _failed(self, exc: sqlite3.Error) -> None:
        """Turn the cache off for this scan; remove a damaged file (the next scan starts anew)."""
        self._off = True
        self._pending.clear()
        self._touch.clear()
        self.close()
        _log.warning("blob cache off for this scan: %s: %s", self.path, exc)
        code = getattr(exc, "sqlite_errorcode", None)  # an extended code: its low byte is the primary one
        if code is not None and (code & 0xFF) in _DAMAGED:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{self.path}{suffix}")

    def get(self, kind: str, blob: str) -> tuple[bool, object]:
        """(True, value) for a stored entry, (False, None) otherwise (absent, evicted, unreadable:
        a damaged entry is a miss and is written again)."""
        pending = self._pending.get((kind, blob))
        if pending is not None:
            return True, marshal.loads(pending)
        conn = self._connection()
        if conn is None:
            return False, None
        try:
            row = conn.execute("SELECT value, used FROM entries WHERE kind = ? AND blob = ?", (kind, blob)).fetchone()
        except sqlite3.Error as exc:
            self._failed(exc)
            return False, None
        if row is None:
            return False, None
        return self._loaded(kind, blob, row[0], row[1])

    def get_many(self, kind: str, blobs: Iterable[str]) -> dict[str, object]:
        """blob id -> value of those of `blobs` that have an entry of `kind` (one query per batch)."""
        found: dict[str, object] = {}
        wanted = []
        for blob in dict.fromkeys(blobs):
            pending = self._pending.get((kind, blob))
            if pending is not None:
                found[blob] = marshal.loads(pending)
            else:
                wanted.append(blob)
        conn = self._connection() if wanted else None
        if conn is None:
            return found
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = conn.execute("SELECT blob, value, used FROM entries WHERE kind = ? AND blob IN"
                                    f" ({','.join('?' * len(chunk))})", (kind, *chunk)).fetchall()
                for blob, data, used in rows:
                    hit, value = self._loaded(kind, blob, data, used)
                    if hit:
                        found[blob] = value
        except sqlite3.Error as exc:
            self._failed(exc)
        return found

    def _loaded(self, kind: str, blob: str, data: bytes, used: int) -> tuple[bool, object]:
        try:
            value = marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return False, None
        if used < self._clock() - _TOUCH_AFTER:
            self._touch.add((kind, blob))
        return True, value

    def put(self, kind: str, blob: str, value: Any) -> None:
        """Keep `value`; it is written with the next batch (`flush`), readable by `get` at once."""
        if self._off:
            return
        data = marshal.dumps(value)
        old = self._pending.get((kind, blob))
        self._pending[(kind, blob)] = data
        self._pending_bytes += len(data) - (len(old) if old is not None else 0)
        if self._pending_bytes >= _FLUSH_BYTES or len(self._pending) >= _FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write the pending entries and the marks of rows read, in one transaction. A batch that
        cannot be written (another worker holds the file too long, a full disk) is dropped."""
        if not self._pending and not self._touch:
            return
        pending, touched = self._pending, self._touch
        self._pending, self._pending_bytes, self._touch = {}, 0, set()
        conn = self._connection()
        if conn is None:
            return
        now = int(self._clock())
        rows = [(kind, blob, data, len(kind) + len(blob) + len(data) + _ROW_OVERHEAD, now)
                for (kind, blob), data in pending.items()]
        try:
            with conn:  # commits, or rolls back whatever interrupts it
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT OR REPLACE INTO entries (kind, blob, value, size, used)"
                                 " VALUES (?, ?, ?, ?, ?)", rows)
                conn.executemany("UPDATE entries SET used = ? WHERE kind = ? AND blob = ?",
                                 ((now, kind, blob) for kind, blob in touched if (kind, blob) not in pending))
        except sqlite3.OperationalError as exc:  # busy or full: these entries are computed again by a later scan
            _log.info("blob cache: a batch of %d entries not written to %s: %s", len(rows), self.path, exc)
            return
        except sqlite3.Error as exc:
            self._failed(exc)
            return
        self.written += sum(row[3] for row in rows)

    def finish(self) -> None:
        """The end of a scan: write what is pending, keep the folder within its bound, close."""
        self.flush()
        if self.written:
            self.trim()
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(sqlite3.Error):
                if self._pid == os.getpid():
                    conn.close()

    def trim(self) -> None:
        """Keep the folder within `max_bytes`: once over, delete down to 80% of it. The folder holds
        a few files, so measuring it is cheap. Folders of the per-file layout of older versions are
        never read and go at once; then other stamps' files, least recently used first; then the
        least recently used rows of this stamp's file (its freed pages go back to the file system);
        then the key index."""
        self.flush()
        self.written = 0
        own = {self.path.name, self.keys().path.name}
        sizes: dict[str, tuple[float, int]] = {}
        for name, (used, size, folder) in self._files().items():
            if folder:
                _remove(self.root / name)
            elif _base(name) in own:
                sizes[name] = (float("inf"), size)  # in use: gone last
            else:
                sizes[name] = (used, size)
        total = sum(size for _, size in sizes.values())
        if total <= self.max_bytes:
            return
        target = int(self.max_bytes * 0.8)
        for name, (used, size) in sorted(sizes.items(), key=lambda item: item[1][0]):
            if total <= target or used == float("inf"):
                break
            if _remove(self.root / name):
                total -= size
        if total > target and self.path.name in sizes:
            total -= self._checkpoint()  # the log's pages written back: measure the file itself
        if total > target and self.path.name in sizes:
            total -= self._evict(total - target)
        index = self.keys().path
        if total > target:
            for suffix in ("", "-wal", "-shm"):
                _remove(Path(f"{index}{suffix}"))

    def _files(self) -> dict[str, tuple[float, int, bool]]:
        """name -> (last used, bytes, is a folder) of what the folder holds."""
        out: dict[str, tuple[float, int, bool]] = {}
        try:
            entries = list(os.scandir(self.root))
        except OSError:
            return out
        for entry in entries:
            try:
                stat = entry.stat(follow_symlinks=False)
                out[entry.name] = (stat.st_mtime, stat.st_size, entry.is_dir(follow_symlinks=False))
            except OSError:
                continue
        for name in list(out):  # a database's log and shared-memory files share its last use
            base = _base(name)
            if base != name and base in out:
                out[name] = (out[base][0], out[name][1], False)
        return out

    def _checkpoint(self) -> int:
        """Write the log back into this stamp's file and empty it; the bytes the folder lost."""
        before = _file_bytes(self.path)
        conn = self._connection()
        try:
            if conn is not None:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error as exc:
            self._failed(exc)
        return before - _file_bytes(self.path)

    def _evict(self, excess: int) -> int:
        """Delete the least recently used rows holding at least `excess` bytes, in a few rounds
        while the pages they freed fall short; the bytes of pages the file gave back."""
        conn = self._connection()
        if conn is None:
            return 0
        try:
            start = _pages(conn)
            for _ in range(3):
                remaining = excess - (start - _pages(conn))
                with conn:
                    conn.execute("BEGIN IMMEDIATE")
                    freed, doomed = 0, []
                    oldest = conn.execute("SELECT kind, blob, size FROM entries ORDER BY used")
                    for kind, blob, size in oldest:  # read row by row: only as many as go
                        if freed >= remaining:
                            break
                        doomed.append((kind, blob))
                        freed += size
                    oldest.close()
                    conn.executemany("DELETE FROM entries WHERE kind = ? AND blob = ?", doomed)
                conn.executescript("PRAGMA incremental_vacuum")  # steps until done: one page a step
                if not doomed or start - _pages(conn) >= excess:
                    break
            # readers of other workers may hold the log: then the file shrinks at a later checkpoint
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            return start - _pages(conn)
        except sqlite3.Error as exc:
            self._failed(exc)
            return 0


def _pages(conn: sqlite3.Connection) -> int:
    """The bytes of a database's pages (freed pages included until a vacuum returns them)."""
    return int(conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0])


def _base(name: str) -> str:
    for suffix in ("-wal", "-shm", "-journal"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _file_bytes(path: Path) -> int:
    """The bytes of a database file and its log."""
    total = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError):
            total += os.stat(f"{path}{suffix}").st_size
    return total


def _remove(path: Path) -> bool:
    """Delete a file or folder; a worker that still has it open keeps reading its own copy. False
    when it is gone already (another worker's trim) or cannot be deleted (logged)."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        _log.warning("blob cache: cannot remove %s to keep the folder within its bound: %s", path, exc)
        return False
    return True


def default_cache(env: Mapping[str, str]) -> BlobCache:
    """The CLI's cache: SLOPGUARD_CACHE_DIR/index, else $XDG_CACHE_HOME (~/.cache)/slopguard/index."""
    home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    base = env.get("SLOPGUARD_CACHE_DIR") or str(home / "slopguard")
    return BlobCache(Path(base) / "index")
