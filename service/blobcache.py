"""What a scan derives from one file's content, kept on disk by git blob id.

A blob id names its content, so a value computed from a blob (the comment spans of a file, the
names it declares) is valid for every scan that meets the same blob: across pushes of one pull
request and across pull requests of one repository. Entries live under
`<root>/<kind>/<id[:2]>/<id[2:]>`, written to a temporary file in the same folder and renamed into
place, so a reader (another worker sharing the folder) sees a whole entry or none. Reads touch the
entry's modification time; `trim` removes the least recently used entries once the folder holds
more than `max_bytes`. Values are plain data (tuples, lists, dicts of str, bytes, int, None)
serialised with `marshal`, whose format is tied to the Python version: the version is part of
every kind's folder name.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_VERSION = f"py{sys.version_info[0]}{sys.version_info[1]}"


class BlobCache:
    """A size-capped, content-addressed folder of derived values, safe to share between processes."""

    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.written = 0  # bytes written by this process since the last trim

    def _path(self, kind: str, blob: str) -> Path:
        return self.root / f"{kind}-{_VERSION}" / blob[:2] / blob[2:]

    def get(self, kind: str, blob: str) -> tuple[bool, object]:
        """(True, value) for a stored entry, (False, None) otherwise (absent, being trimmed,
        or unreadable: a damaged entry is a miss and is rewritten)."""
        path = self._path(kind, blob)
        try:
            data = path.read_bytes()
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
        """Delete least recently used entries until the folder is within `max_bytes`."""
        self.written = 0
        entries: list[tuple[float, int, str]] = []
        total = 0
        for folder, _, names in os.walk(self.root):
            for name in names:
                full = os.path.join(folder, name)
                try:
                    stat = os.stat(full)
                except OSError:
                    continue
                entries.append((stat.st_mtime, stat.st_size, full))
                total += stat.st_size
        if total <= self.max_bytes:
            return
        entries.sort()
        for _, size, full in entries:
            if total <= self.max_bytes * 0.8:
                break
            try:
                os.unlink(full)
            except OSError:
                continue
            total -= size


def default_cache(env: Mapping[str, str]) -> BlobCache:
    """The CLI's cache: SLOPGUARD_CACHE_DIR/index, else $XDG_CACHE_HOME (~/.cache)/slopguard/index."""
    home = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    base = env.get("SLOPGUARD_CACHE_DIR") or str(home / "slopguard")
    return BlobCache(Path(base) / "index")
