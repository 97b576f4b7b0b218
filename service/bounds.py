"""Bounds on the detectors' work, so that no file and no pull request holds a scan (issue 14).

Three bounds, each reported, never silent (the engine names every file it cut short as not fully
analysed, and a check run with such a file never passes):

- a structural budget per changed file: a file over MAX_ANALYSED_BYTES, over MAX_ANALYSED_NODES
  syntax nodes, or shaped like minified or generated code (at least MINIFIED_MIN_BYTES, and half of
  its lines longer than MINIFIED_MEDIAN_LINE characters) is not given to the detectors at all; its syntax
  tree is dropped, so change-wide detectors see that it changed but do not analyse it;
- a budget of processor time per changed file (`file_seconds` of the scanning thread's CPU time,
  so a loaded machine does not cut files short) for all detectors together;
- an optional deadline for the whole scan (`deadline`, on the `time.monotonic()` clock): files not
  reached by then are not analysed, and the change-wide detectors and semgrep stop at it.

Time bounds are enforced by a `Watchdog` thread that raises `Overrun` inside the scanning thread
(CPython delivers it between bytecodes, so it stops a detector's Python loop; one long C call, such
as a single regular-expression match, finishes first; see `Watchdog` for where it may land).
`Overrun` derives from BaseException so that no detector's `except Exception` can swallow it; only
the engine catches it.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
import weakref
from dataclasses import dataclass, replace

from .parsing import SourceFile

MAX_ANALYSED_BYTES = 250_000  # the same size semgrep's rules stop at (semgrep.MAX_TARGET_BYTES)
MAX_ANALYSED_NODES = 100_000  # hand-written files of 160 KB have under 50,000
MINIFIED_MIN_BYTES = 20_000
# the median, not the mean: one long comment or string in hand-written code does not make it minified
MINIFIED_MEDIAN_LINE = 200  # hand-written code: 20-40 characters a line
FILE_SECONDS = 10.0  # CPU seconds; the largest hand-written files of the measured projects take under 2 s


class Overrun(BaseException):
    """Raised in the scanning thread when the time it was given is up."""


@dataclass(frozen=True)
class Limits:
    """The bounds of one scan. `deadline`: a `time.monotonic()` value, or None for no deadline."""

    max_bytes: int = MAX_ANALYSED_BYTES
    max_nodes: int = MAX_ANALYSED_NODES
    file_seconds: float = FILE_SECONDS
    deadline: float | None = None

    def over(self, src: SourceFile | None) -> str | None:
        """Why the detectors do not analyse `src` (a structural reason), or None when they do."""
        if src is None or src.language is None:
            return None  # no syntax tree to analyse (sizes first: a file over them is never parsed)
        size = len(src.data)
        if size > self.max_bytes:
            return f"{size:,} bytes is over the detectors' {self.max_bytes:,}-byte limit"
        if size >= MINIFIED_MIN_BYTES:
            lengths = sorted(len(line) for line in src.lines) or [0]
            median = lengths[len(lengths) // 2]
            if median > MINIFIED_MEDIAN_LINE:
                return (f"minified or generated: {size:,} bytes on {len(lengths):,} line(s), half of them over "
                        f"{MINIFIED_MEDIAN_LINE} characters")
        tree = src.tree
        nodes = tree.root_node.descendant_count if tree is not None else 0
        if nodes > self.max_nodes:
            return f"{nodes:,} syntax nodes is over the detectors' {self.max_nodes:,}-node limit"
        return None

    def left(self) -> float | None:
        """Seconds until the deadline (negative once passed), or None without one."""
        return None if self.deadline is None else self.deadline - time.monotonic()

    def passed(self) -> bool:
        left = self.left()
        return left is not None and left <= 0


def unparsed(src: SourceFile | None) -> SourceFile | None:
    """`src` without its syntax tree: a file the detectors see changed but do not analyse."""
    return replace(src, parse=False) if src is not None and src.language is not None else src


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Make `thread_id` raise `exc` at its next bytecode boundary (None: withdraw a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exc) if exc is not None else None)


class Watchdog:
    """One thread per scan that raises `Overrun` in the thread inside `bound(...)` once its wall-clock
    time `until` (monotonic) has passed or it has used `cpu_seconds` of processor time.

    An exception raised into a thread lands wherever that thread is; landing inside library code
    that holds a lock (logging, threading.Condition, subprocess) would leave the lock held. So the
    watchdog raises only while the thread is running slopguard's own code (its innermost Python
    frame is in this package), where no such lock is held; an `Overrun` that lands as the thread
    enters a library function lands before that function acquires anything. The scanning thread
    itself only stores attributes (atomic under the GIL) and takes no lock: on leaving the block it
    waits out a raise the watchdog may be in the middle of and withdraws one not yet delivered, so
    `Overrun` never arrives after the block.

    An `Overrun` that lands where Python ignores exceptions (a weakref callback, a `__del__`) is
    lost; while the block still runs `REDELIVER_S` after the raise, the watchdog raises again. The
    raise may also land as the block's `__exit__` starts, before it disarms the watchdog: the
    `Overrun` then leaves the block and the watchdog stays armed for it. So a raise is repeated only
    while the block object lives (the watchdog holds it weakly; `with` drops it as it leaves)."""

    POLL_S = 0.05  # how often the watchdog looks at the armed block
    RETRY_S = 0.005  # how soon it looks again when the thread is in library code
    REDELIVER_S = 0.2  # a block still running this long after its raise lost the `Overrun`

    def __init__(self) -> None:
        self._armed: _Armed | None = None
        self._raising: _Armed | None = None  # the watchdog is deciding whether to raise for this block
        self._fired: _Armed | None = None  # the block the watchdog raised in
        self._fired_at = 0.0  # when it last raised there (monotonic)
        self._entered: tuple[_Armed, weakref.ref[_Block]] | None = None  # the armed block, held weakly
        self._closed = False
        self._thread = threading.Thread(target=self._watch, name="slopguard-watchdog", daemon=True)
        self._thread.start()

    def bound(self, until: float | None = None, cpu_seconds: float | None = None) -> _Block:
        """A `with` block that runs until `until` and for `cpu_seconds` at most (None: no such bound)."""
        return _Block(self, _Armed.now(threading.get_ident(), until, cpu_seconds))

    def close(self) -> None:
        self._closed = True
        self._thread.join()

    def _watch(self) -> None:
        while not self._closed:
            armed = self._armed
            wait = self.POLL_S
            # Still inside the block well after the raise: the `Overrun` landed where Python ignores
            # exceptions (a weakref callback, a `__del__`) and was lost; raise it again.
            lost = self._fired is armed and time.monotonic() - self._fired_at >= self.REDELIVER_S \
                and self._running(armed)
            if armed is not None and (self._fired is not armed or lost):
                left = 0.0 if lost else armed.wait()
                if left > 0:
                    wait = min(wait, left)
                elif not _in_own_code(armed.thread_id):
                    wait = self.RETRY_S
                else:
                    self._raising = armed
                    if self._armed is armed:  # still inside the block: it now waits for this to finish
                        self._fired, self._fired_at = armed, time.monotonic()
                        _raise_in(armed.thread_id, Overrun)
                    self._raising = None
            time.sleep(wait)

    def _running(self, armed: _Armed | None) -> bool:
        """The `with` statement of `armed` still holds its block (it has not left it)."""
        entered = self._entered
        return armed is not None and entered is not None and entered[0] is armed and entered[1]() is not None


class _Block:
    def __init__(self, dog: Watchdog, armed: _Armed) -> None:
        self._dog, self._armed = dog, armed

    def __enter__(self) -> None:
        self._dog._entered = (self._armed, weakref.ref(self))
        self._dog._armed = self._armed

    def __exit__(self, *exc: object) -> None:
        dog, armed = self._dog, self._armed
        if dog._armed is armed:
            dog._armed = None
        while dog._raising is armed:
            time.sleep(0.0005)
        if dog._fired is armed:
            _raise_in(armed.thread_id, None)


_OWN_CODE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _in_own_code(thread_id: int) -> bool:
    """Whether the thread's innermost Python frame is slopguard's own code."""
    frame = sys._current_frames().get(thread_id)
    return frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_OWN_CODE)


@dataclass(frozen=True)
class _Armed:
    thread_id: int
    until: float | None
    cpu_clock: int | None  # the thread's processor-time clock (Linux and most Unix systems)
    cpu_until: float | None

    @classmethod
    def now(cls, thread_id: int, until: float | None, cpu_seconds: float | None) -> _Armed:
        if cpu_seconds is None:
            return cls(thread_id, until, None, None)
        try:
            clock = time.pthread_getcpuclockid(thread_id)
        except (AttributeError, OSError):  # no per-thread clock here: the budget counts wall time
            wall = time.monotonic() + cpu_seconds
            return cls(thread_id, wall if until is None else min(until, wall), None, None)
        return cls(thread_id, until, clock, time.clock_gettime(clock) + cpu_seconds)

    def wait(self) -> float:
        """Seconds the watchdog may sleep before looking again; 0 or less: the time is up."""
        waits = []
        if self.until is not None:
            waits.append(self.until - time.monotonic())
        if self.cpu_clock is not None and self.cpu_until is not None:
            left = self.cpu_until - time.clock_gettime(self.cpu_clock)
            waits.append(left)
        return min(waits) if waits else 3600.0
