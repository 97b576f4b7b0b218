"""What a scan derives from one file's content, kept on disk by git blob id.

A blob id names its content, so a value computed from a blob (the comment spans of a file, the
names it declares) is valid for every scan that meets the same blob: across pushes of one pull
request and across pull requests of one repository. Entries live under
`<root>/<kind>/<id[:2]>/<id[2:]>`, written to a temporary file in the same folder and renamed into
place, so a reader (another worker sharing the folder) sees a whole entry or none. Reads touch the
entry's modification time; `trim` removes the least recently used entries once the folder holds
more than `max_bytes`. Values are plain data (tuples, lists, dicts of str, bytes, int, None)
serialised with `marshal`, whose format is tied to the Python version. What a value means is
tied to the code that derived it, so every kind's folder name carries both the Python version and
a stamp of slopguard's own modules (their paths, sizes and modification times): an upgraded or
edited slopguard never reads values an older one derived.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .blobindex import BlobIndex

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_PACKAGE = Path(__file__).resolve().parent


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
    """A size-capped, content-addressed folder of derived values, safe to share between processes."""

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.written = 0  # bytes written by this process since the last trim
        self._base = str(root)
        self._stamp = code_stamp()

    def keys(self) -> BlobIndex:
        """The inverted index of keys by blob id kept beside the entries (see `blobindex`)."""
        return BlobIndex(self.root / f"keys-{self._stamp}.sqlite", self._grew)

    def _grew(self, size: int) -> None:
        self.written += size

    def _path(self, kind: str, blob: str) -> Path:
        return self.root / f"{kind}-{self._stamp}" / blob[:2] / blob[2:]

    def get(self, kind: str, blob: str) -> tuple[bool, object]:
        """(True, value) for a stored entry, (False, None) otherwise (absent, being trimmed,
        or unreadable: a damaged entry is a miss and is rewritten)."""
        path = f"{self._base}/{kind}-{self._stamp}/{blob[:2]}/{blob[2:]}"  # a scan reads thousands
        try:
            with open(path, "rb") as entry:
                data = entry.read()
            value = marshal.loads(data)
        except (OSError, EOFError, ValueError, TypeError):
            return False, None
        with contextlib.suppress(OSError):  # trimmed by another worker since: the value is whole
            os.utime(path)
        return True, value

    def put(self, kind: str, blob: str, value: Any) -> None:
        path = self._path(kind, blob)
        data = marshal.dumps(value)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except OSError:
            return  # a full or read-only disk costs speed, never a scan
        self.written += len(data)

    def trim(self) -> None:
        """Delete least recently used entries until the folder is within `max_bytes`. The folder's
        size as last measured (plus what was written since) is kept in `.size`, so that a scan
        that writes a few entries does not list the whole folder: only a folder that may be over
        the limit (or has no `.size` yet) is measured."""
        estimate = self._size_estimate()
        if estimate is not None and estimate + self.written <= self.max_bytes:
            self._keep_estimate(estimate + self.written)
            self.written = 0
            return
        self.written = 0
        entries: list[tuple[float, int, str]] = []
        total = 0
        for folder, _, names in os.walk(self.root):
            for name in names:
                full = os.path.join(folder, name)
                if full == self._size_file:
                    continue
                try:
                    stat = os.stat(full)
                except OSError:
                    continue
                entries.append((stat.st_mtime, stat.st_size, full))
                total += stat.st_size
        if total > self.max_bytes:
            entries.sort()
            for _, size, full in entries:
                if total <= self.max_bytes * 0.8:
                    break
                try:
                    os.unlink(full)
                except OSError:
                    continue
                total -= size
        self._keep_estimate(total)

    @property
    def _size_file(self) -> str:
        return os.path.join(self._base, ".size")

    def _size_estimate(self) -> int | None:
        try:
            with open(self._size_file, encoding="ascii") as handle:
                return int(handle.read().strip())
        except (OSError, ValueError):
            return None

    def _keep_estimate(self, total: int) -> None:
        """Workers sharing the folder may overwrite each other's estimate: a lost update only
        delays the next measurement, which is exact."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-size-")
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(str(total))
            os.replace(tmp, self._size_file)
        except OSError:
            return


def default_cache(env: Mapping[str, str]) -> BlobCache:
    """The CLI's cache: SLOPGUARD_CACHE_DIR/index, else $XDG_CACHE_HOME (~/.cache)/slopguard/index."""
    home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    base = env.get("SLOPGUARD_CACHE_DIR") or str(home / "slopguard")
    return BlobCache(Path(base) / "index")
