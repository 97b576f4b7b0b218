"""Bounds on the detectors' work (issue 14): a file over the structural budget is not analysed and is
named; a file that uses up its processor-time budget is cut short and named; a scan past its deadline
stops and names what it did not reach. Real git repositories, the real engine and CLI process."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from slopguard.bounds import Limits, Overrun, Watchdog
from slopguard.detector import ChangeContext, Detector, Rule
from slopguard.engine import Target, scan
from slopguard.llm import llm_dry_run_pass
from slopguard.models import Finding, ScanResult, Severity
from slopguard.parsing import parse_source, walk
from slopguard.registry import Registry, load

from .app.conftest import HEAD_FILES
from .gitrepos import make_repo

CODE = HEAD_FILES["app.py"]  # a swallowed exception and an HTTP call in a loop
EXPECTED = {"python.error-handling.swallowed-exception", "python.excessive-io.io-in-loop"}
# A generated module: one 25,000-term string concatenation, 475 KB (the detectors took ~40 s on it).
GENERATED = "X = (\n" + "    'abcdefghij' +\n" * 25_000 + "    'end')\n"
MINIFIED = "var a=" + ",".join(f"function(n){{return n+{i}}}" for i in range(2_000)) + ";\n"  # one 50 KB line
# Ordinary code, 120 functions: far inside the structural budget, but more than 10 ms of detector work.
ORDINARY = "".join(f"def f{i}(items):\n    total = 0\n    for x in items:\n        if x > {i}:\n"
                   f"            total += x\n    return total\n\n\n" for i in range(120))


def scanned(tmp_path: Path, head: dict[str, str | bytes | None], limits: Limits | None = None,
            **kwargs: Any) -> ScanResult:
    repo = make_repo(tmp_path, {"README.md": "x\n"}, head)
    return scan(Target(repo, "main", "feature"), limits=limits, **kwargs)


def notices_at(result: ScanResult, path: str) -> list[str]:
    return [n.message for n in result.notices if n.path == path and n.unreviewed]


def rules_at(result: ScanResult, path: str) -> set[str]:
    return {f.rule for f in result.findings if f.path == path}


def test_a_large_generated_file_is_named_and_the_scan_stays_fast(tmp_path: Path) -> None:
    started = time.process_time()  # processor time: wall time on a loaded machine says little
    result = scanned(tmp_path, {"gen.py": GENERATED, "app.py": CODE})
    assert time.process_time() - started < 15  # ~40 s before the bound, under 1 s after
    assert rules_at(result, "app.py") >= EXPECTED
    assert rules_at(result, "gen.py") == set()
    (named,) = notices_at(result, "gen.py")  # one notice, whichever stages left the file out
    assert named.startswith("not fully analysed: detectors skipped (475,017 bytes is over the detectors' "
                            "250,000-byte limit)")


def test_minified_code_and_files_over_the_node_budget_are_named(tmp_path: Path) -> None:
    result = scanned(tmp_path, {"vendor.js": MINIFIED, "app.py": CODE, "big.py": ORDINARY},
                     limits=Limits(max_nodes=3_000))
    (minified,) = notices_at(result, "vendor.js")
    assert minified.startswith("not fully analysed: detectors skipped (minified or generated: ")
    assert "on 1 line(s), half of them over 200 characters" in minified
    (nodes,) = notices_at(result, "big.py")
    assert "syntax nodes is over the detectors' 3,000-node limit" in nodes
    assert rules_at(result, "app.py") >= EXPECTED and not notices_at(result, "app.py")


def test_hand_written_files_are_inside_the_structural_budget(tmp_path: Path) -> None:
    """The defaults leave ordinary code alone: 60 KB of functions is analysed in full, and so is a
    file with one very long line (a comment cannot switch the detectors off)."""
    padded = CODE + "# " + "padding " * 5_000 + "\n"
    result = scanned(tmp_path, {"big.py": ORDINARY * 4, "padded.py": padded})
    assert not [n for n in result.notices if n.unreviewed], result.notices
    assert rules_at(result, "padded.py") >= EXPECTED


TREE = parse_source("ordinary.py", ORDINARY).root


def spin(seconds: float) -> int:
    """Busy for `seconds`, most of it in slopguard's own code (the watchdog raises only there)."""
    n, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        for _ in walk(TREE):
            n += 1
    return n


class Endless(Detector):
    """A cross-file analysis that would run for a minute (a stand-in for a slow repository index)."""

    rules: ClassVar[tuple[Rule, ...]] = (Rule("python.bloat.endless", "bloat", ("python",), Severity.WARNING,
                                              "runs for a minute"),)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        spin(60)
        return ()


def test_a_deadline_reached_during_the_change_wide_analyses_names_each_file_once(tmp_path: Path) -> None:
    registry = Registry([*load().detectors, Endless()], [])
    started = time.monotonic()
    result = scanned(tmp_path, {"a.py": CODE, "notes.md": "hello\n"}, registry=registry,
                     limits=Limits(deadline=started + 8))
    assert time.monotonic() - started < 30
    assert rules_at(result, "a.py") >= EXPECTED  # the per-file detectors finished before the deadline
    for path in ("a.py", "notes.md"):
        (cut,) = notices_at(result, path)
        assert cut.startswith("not fully analysed: the scan's deadline passed during the change-wide analyses (")
        assert cut.endswith(" not run or stopped, from Endless on)")  # the last detector: the others finished


def test_a_file_that_uses_up_its_processor_time_is_cut_short_and_named(tmp_path: Path) -> None:
    result = scanned(tmp_path, {"big.py": ORDINARY * 4}, limits=Limits(file_seconds=0.01))
    (cut,) = notices_at(result, "big.py")
    assert cut.startswith("not fully analysed: the detectors' budget of 0.01 s of processor time per file ran out (")
    assert " detectors finished; " in cut and cut.endswith(" was stopped)")


def test_a_scan_past_its_deadline_names_every_file_it_did_not_analyse(tmp_path: Path) -> None:
    result = scanned(tmp_path, {"a.py": CODE, "b.py": CODE, "notes.md": "hello\n"},
                     limits=Limits(deadline=time.monotonic() - 1), second_pass=llm_dry_run_pass)
    assert result.findings == ()
    for path in ("a.py", "b.py", "notes.md"):
        assert notices_at(result, path) == ["not analysed: the scan's deadline passed before the detectors reached it"]
    assert not [n for n in result.notices if "semgrep" in n.message]  # not even started
    assert not [n for n in result.notices if n.path is None and n.unreviewed]  # every one names its file
    assert "LLM pass skipped: the scan's deadline has passed" in [n.message for n in result.notices]
    assert result.llm.status == "skipped"


def test_the_cli_scan_of_a_generated_file_finishes_and_names_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {"gen.py": GENERATED, "app.py": CODE})
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "slopguard.cli", "scan", "--repo", str(repo), "--base", "main",
                           "--no-llm", "--format", "json"], capture_output=True, text=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert after.ru_utime - before.ru_utime < 20  # processor time of the scan and its git/semgrep children
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert {f["rule"] for f in report["findings"] if f["path"] == "app.py"} >= EXPECTED
    named = [n["message"] for n in report["notices"] if n["path"] == "gen.py"]
    assert any(m.startswith("not fully analysed: detectors skipped") for m in named), named


# ------------------------------------------------------------------ the watchdog itself




def test_the_watchdog_raises_only_in_slopguard_code() -> None:
    """A loop in library code (here: this test's own frame, outside the package) is not interrupted
    where it might hold a lock; the raise waits until the thread is back in slopguard's code."""
    dog = Watchdog()
    try:
        with pytest.raises(Overrun), dog.bound(until=time.monotonic() + 0.05):
            end = time.monotonic() + 0.5
            while time.monotonic() < end:
                pass  # not slopguard code: no raise here
            reached = True
            spin(10)  # slopguard code: the raise lands
        assert reached
    finally:
        dog.close()


def test_the_watchdog_stops_a_python_loop_on_wall_time_and_on_processor_time() -> None:
    dog = Watchdog()
    try:
        for bound in ({"until": time.monotonic() + 0.1}, {"cpu_seconds": 0.1}):
            started = time.monotonic()
            with pytest.raises(Overrun), dog.bound(**bound):
                spin(10)
            assert time.monotonic() - started < 5
        with dog.bound(until=time.monotonic() + 60, cpu_seconds=60):
            assert spin(0.05) > 0  # inside its bounds: runs to the end
    finally:
        dog.close()


def test_an_overrun_never_arrives_after_its_block_ends() -> None:
    """Blocks that end right at their bound: a raise the block outran is withdrawn when it ends,
    so none surfaces in the code that follows."""
    dog = Watchdog()
    stopped = late = 0
    try:
        for _ in range(300):
            try:
                with dog.bound(until=time.monotonic() + 0.001):
                    spin(0.001)
            except Overrun:
                stopped += 1
            try:
                spin(0.002)
            except Overrun:
                late += 1
    finally:
        dog.close()
    assert late == 0, (late, stopped)


def test_an_overrun_lost_where_python_ignores_exceptions_is_raised_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """An `Overrun` that lands in a weakref callback or `__del__` is dropped by Python (seen in CI:
    inside the memo table's weakref callback); the watchdog raises again while the block runs on."""
    from slopguard import bounds

    monkeypatch.setattr(bounds, "_OWN_CODE", str(Path(__file__).resolve().parent) + "/")  # this file counts as own code
    dog, caught = Watchdog(), 0
    try:
        with pytest.raises(Overrun), dog.bound(until=time.monotonic() + 0.05):
            end = time.monotonic() + 5
            while time.monotonic() < end:
                try:
                    while time.monotonic() < end:
                        pass
                except Overrun:
                    caught += 1  # the first one is swallowed, as Python does in a weakref callback
                    if caught > 1:
                        raise
    finally:
        dog.close()
    assert caught == 2


def test_an_overrun_is_not_raised_again_once_its_block_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The raise may land as the block's `__exit__` starts, before it disarms the watchdog; the
    `Overrun` then leaves the block with the watchdog still armed for it. Raising it again (for one
    lost where Python ignores exceptions) must stop with the block, not reach the code after it."""
    from slopguard import bounds

    monkeypatch.setattr(bounds, "_OWN_CODE", str(Path(__file__).resolve().parent) + "/")  # this file counts as own code
    dog, late = Watchdog(), 0
    try:
        block = dog.bound(until=time.monotonic() + 0.05)
        with pytest.raises(Overrun):
            block.__enter__()  # what `with` does; `__exit__` is never reached, as when the raise lands at its start
            end = time.monotonic() + 5
            while time.monotonic() < end:
                pass
        del block  # the `with` statement drops its block as the exception leaves it
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            try:
                while time.monotonic() < end:
                    pass
            except Overrun:
                late += 1
    finally:
        dog.close()
    assert late == 0
