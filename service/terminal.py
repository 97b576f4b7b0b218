"""The CLI's standard output and terminal progress line.

Output that cannot be delivered is a usage error (exit 2, one line on stderr): standard output
closed from the start (`>&-`) or its reader gone before everything was written (`| head -0`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

from .errors import UsageError

CLOSED = "standard output is closed: nothing was written"
CUT_SHORT = "standard output was closed by its reader: the output is cut short"


def write(text: str) -> None:
    """`text` on standard output. Output that cannot be delivered is a usage error (exit 2, one
    line on stderr), whether standard output was closed from the start (`>&-`) or its reader went
    away (`slopguard scan | head -0`): a caller must not take a lost report for a clean one."""
    if sys.stdout is None:  # Python starts with sys.stdout None when descriptor 1 is closed
        raise UsageError(CLOSED)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        raise UsageError(CUT_SHORT) from None


def silence_stdout() -> None:
    """Point descriptor 1 at /dev/null, so the interpreter's own flush at exit has nowhere to fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def progress_line(stream: Any, after_s: float = 2.0,
                   clock: Callable[[], float] = time.monotonic) -> Callable[[int, int], None]:
    """A progress line on `stream` (a terminal), shown only once a scan has run `after_s` seconds."""
    started = clock()
    shown = [False]

    def show(done: int, total: int) -> None:
        if not shown[0] and clock() - started < after_s:
            return
        shown[0] = True
        width = 30
        filled = int(width * (done + 1) / total)
        end = "\n" if done + 1 == total else ""
        stream.write(f"\rscanning [{'#' * filled}{'.' * (width - filled)}] {done + 1}/{total} files{end}")
        stream.flush()

    return show
