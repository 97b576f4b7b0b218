#!/usr/bin/env python3
"""Robustness of the public benchmark score to spelling: F1 on the cases and on a consistently
rewritten copy of them (identifiers, prose strings, comments and module file names renamed,
indentation changed; see benchmarks/case_rewrite.py).

A rule that decides from structure scores the same on both; a rule that keys on a word (a
variable called `password`, a log message saying "retry") loses findings on the copy.

Usage: benchmarks/robustness.py [--cases DIR] [--runner RUN_PY] [--scanner SLOPGUARD] [--keep DIR]
                                [--max-drop 0.05]
Defaults: the cases and runner under ../shared/benchmark (beside the checkout's parent); when they
are absent it says so and exits 0 (a clean clone has no corpus). Prints both F1 scores and the
difference, and exits 1 when F1 on the rewritten copy is more than --max-drop below the original.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_rewrite import rewrite_case

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent.parent / "shared" / "benchmark"


def _score(runner: Path, cases: Path, scanner: str, out: Path) -> dict:
    cmd = [sys.executable, str(runner), str(cases), "--scanner", scanner, "--json", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        raise SystemExit(f"robustness: the benchmark runner failed: {(proc.stderr or proc.stdout)[-400:]}")
    return json.loads(out.read_text())


def _rewrite_all(cases: Path, target: Path) -> int:
    count = 0
    for meta in sorted(cases.rglob("case.yaml")):
        case = meta.parent
        rewrite_case(case, target / case.relative_to(cases))
        count += 1
    return count


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=SHARED / "cases")
    ap.add_argument("--runner", type=Path, default=SHARED / "run.py")
    ap.add_argument("--scanner", default=str(ROOT / ".venv" / "bin" / "slopguard"))
    ap.add_argument("--keep", type=Path, help="write the rewritten cases here (default: a temp dir)")
    ap.add_argument("--max-drop", type=float, default=0.05)
    args = ap.parse_args()
    if not args.cases.is_dir() or not args.runner.is_file():
        print(f"robustness: not run (no benchmark corpus at {args.cases})")
        return 0
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rewritten = args.keep or Path(tmp) / "cases"
        count = _rewrite_all(args.cases, rewritten)
        original = _score(args.runner, args.cases, args.scanner, Path(tmp) / "original.json")
        renamed = _score(args.runner, rewritten, args.scanner, Path(tmp) / "rewritten.json")
    print(f"{'category':16} {'F1 original':>12} {'F1 rewritten':>13}")
    for cat, stats in original["categories"].items():
        print(f"{cat:16} {stats['f1']:12.3f} {renamed['categories'][cat]['f1']:13.3f}")
    f1, f1r = original["all"]["f1"], renamed["all"]["f1"]
    drop = f1 - f1r
    print(f"{'ALL':16} {f1:12.3f} {f1r:13.3f}")
    lost = _lost(original, renamed)
    for line in lost[:20]:
        print(f"  lost on the rewrite: {line}")
    print(f"robustness: {count} cases, F1 {f1:.3f} -> {f1r:.3f} (drop {drop:+.3f}, limit {args.max_drop}) "
          f"in {time.perf_counter() - t0:.0f}s")
    return 1 if drop > args.max_drop else 0


def _lost(original: dict, renamed: dict) -> list[str]:
    """Per case, what the rewrite loses: new misses and new false positives (by category)."""
    before = {c["case"]: c for c in original["cases"]}
    out = []
    for case in renamed["cases"]:
        was = before.get(case["case"])
        if was is None:
            continue
        misses = len(case["fn"]) - len(was["fn"])
        extra = len(case["fp"]) - len(was["fp"])
        if misses > 0 or extra > 0:
            cats = sorted({f[0] for f in case["fn"]} | {f[0] for f in case["fp"]})
            out.append(f"{case['case']}: {misses:+d} misses, {extra:+d} false positives ({', '.join(cats)})")
    return out


if __name__ == "__main__":
    sys.exit(main())
