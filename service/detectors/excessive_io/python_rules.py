"""The rules of the Python excessive-io detector (documented in `python.py`)."""

from __future__ import annotations

from ...detector import Rule
from ...models import Severity

IO_IN_LOOP = Rule(
    id="python.excessive-io.io-in-loop",
    category="excessive-io",
    languages=("python",),
    severity=Severity.WARNING,
    summary="I/O (query, HTTP request, subprocess, file read, connection) once per loop iteration",
)


REPEATED_READ = Rule(
    id="python.excessive-io.repeated-read",
    category="excessive-io",
    languages=("python",),
    severity=Severity.WARNING,
    summary="the same file or URL read again on every request",
    confidence="medium",
)


UNBOUNDED_READ = Rule(
    id="python.excessive-io.unbounded-read",
    category="excessive-io",
    languages=("python",),
    severity=Severity.WARNING,
    summary="a whole file, response or result set read into memory instead of streamed",
    confidence="medium",
)
