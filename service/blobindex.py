"""An inverted index of integer keys by git blob id, in one SQLite file beside the blob cache.

"Which files of this tree hold one of these keys?" (the window hashes of the functions a pull
request adds, for copy-paste) is answered by one query instead of reading a value per file: the
keys of a blob are a pure function of its content, so they are stored once per blob and `kind`
and serve every later scan of every tree that holds the blob. A blob is marked indexed in the same
transaction that stores its keys, so a reader sees all of a blob's keys or treats it as missing.

The file lives in the blob cache folder, named with the cache's code stamp (what a key means is
tied to the code that derived it); the cache's least-recently-used trim may delete it whole, and
every open touches it so that an index in use is the last thing trimmed. Any SQLite error makes
the index unavailable for the call (`IndexUnavailable`): the caller computes the keys itself, so a
damaged, locked or read-only file costs speed, never a finding.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS blobs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, blob TEXT NOT NULL,"
    " UNIQUE (kind, blob))",
    "CREATE TABLE IF NOT EXISTS keys (key INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (key, id))"
    " WITHOUT ROWID",
)
KeysOf = Callable[[list[str]], Mapping[str, Iterable[int]]]
_CHUNK = 500  # bound parameters per statement (SQLite's limit is 999 in old builds)
_ROW_BYTES = 24  # a key row's share of the file, about
_TIMEOUT = 10.0  # seconds a writer waits for another worker's transaction
_ID_BITS = 40  # a blob's row id, below a key in `add`'s packed rows
_ID_MASK = (1 << _ID_BITS) - 1


class IndexUnavailable(Exception):
    """The index file could not be opened, read or written."""


class BlobIndex:
    """Keys of blobs by kind, shared by processes through one SQLite file."""

    def __init__(self, path: Path, grew: Callable[[int], None] | None = None) -> None:
        self.path = path
        self.grew = grew  # told the bytes (estimated) each `add` wrote: the cache's size estimate

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=_TIMEOUT, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnavailable(str(exc)) from exc
        try:
            for statement in _SCHEMA:
                conn.execute(statement)
            with contextlib.suppress(OSError):  # trimmed meanwhile: the open connection still works
                os.utime(self.path)
            yield conn
        except sqlite3.Error as exc:
            raise IndexUnavailable(str(exc)) from exc
        finally:
            conn.close()

    def missing(self, kind: str, blobs: Iterable[str]) -> set[str]:
        """Those of `blobs` whose keys of `kind` are not stored."""
        wanted = sorted(set(blobs))
        return set(wanted) - self._select("SELECT blob FROM blobs WHERE blob IN ({}) AND kind = ?", wanted, kind)

    def having(self, kind: str, keys: Iterable[int]) -> set[str]:
        """The blobs of `kind` holding at least one of `keys`."""
        # keys first (CROSS JOIN fixes the order): a key is rare, a kind holds every blob
        return self._select("SELECT DISTINCT b.blob FROM keys k CROSS JOIN blobs b ON b.id = k.id"
                            " WHERE k.key IN ({}) AND b.kind = ?", sorted(set(keys)), kind)

    def _select(self, query: str, values: list[str] | list[int], kind: str) -> set[str]:
        found: set[str] = set()
        with self._connect() as conn:
            for start in range(0, len(values), _CHUNK):
                chunk = values[start : start + _CHUNK]
                rows = conn.execute(query.format(",".join("?" * len(chunk))), (*chunk, kind))
                found.update(row[0] for row in rows)
        return found

    def add(self, kind: str, keys: Mapping[str, Iterable[int]]) -> None:
        """Store the keys of each blob (blob id -> keys) in one transaction. The key rows go in
        ascending order, as one statement: each lands next to the last one in the table's B-tree
        (in arrival order, every row would touch another page)."""
        rows: list[int] = []  # key and blob row id packed in one int: sorts as (key, id), small
        added = 0
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for blob, values in keys.items():
                    cur = conn.execute("INSERT OR IGNORE INTO blobs (kind, blob) VALUES (?, ?)", (kind, blob))
                    if not cur.rowcount:
                        continue  # another worker indexed it meanwhile
                    ident = cur.lastrowid
                    if ident is None or not 0 <= ident <= _ID_MASK:
                        raise sqlite3.DatabaseError(f"blob row id {ident} does not fit the packed rows")
                    rows.extend((key << _ID_BITS) + ident for key in set(values))
                    added += 1
                rows.sort()
                conn.executemany("INSERT OR IGNORE INTO keys (key, id) VALUES (?, ?)",
                                 ((row >> _ID_BITS, row & _ID_MASK) for row in rows))
                conn.execute("COMMIT")
            except sqlite3.Error:
                conn.execute("ROLLBACK")
                raise
        if self.grew is not None:
            self.grew((len(rows) + added) * _ROW_BYTES)


def matching(index: BlobIndex | None, files: Mapping[str, tuple[str, str | None]], keys: KeysOf,
             wanted: set[int]) -> set[str]:
    """The paths of `files` (path -> (kind, blob id or None)) whose keys meet `wanted`; `keys(paths)`
    gives the keys of many files at once (a pure function of each file's content). With an index,
    the keys of the blobs it lacks are computed once and stored and the others are looked up;
    without one (or for a file without a blob id, or when the index fails) they are computed."""
    direct = [path for path, (_, blob) in files.items() if index is None or blob is None]
    stored: dict[str, dict[str, list[str]]] = {}  # kind -> blob -> paths
    for path, (kind, blob) in files.items():
        if index is not None and blob is not None:
            stored.setdefault(kind, {}).setdefault(blob, []).append(path)
    if not wanted:
        return set()
    hits: dict[str, set[str]] = {}
    try:
        for kind, blobs in stored.items():
            assert index is not None
            missing = sorted(index.missing(kind, blobs))
            if missing:
                computed = keys([blobs[blob][0] for blob in missing])  # a file it leaves out: no keys
                index.add(kind, {blob: computed[blobs[blob][0]] for blob in missing if blobs[blob][0] in computed})
            hits[kind] = index.having(kind, wanted) & blobs.keys()
    except IndexUnavailable:
        direct, hits = list(files), {}
    found = {path for path, values in keys(direct).items() if not wanted.isdisjoint(values)} if direct else set()
    return found | {path for kind, blobs in hits.items() for blob in blobs for path in stored[kind][blob]}
