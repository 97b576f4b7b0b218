#!/usr/bin/env python3
"""Robustness of the public benchmark score to spelling: F1 on the cases and on a consistently
rewritten copy of them (identifiers, prose strings, comments and module file names renamed,
indentation changed; see benchmarks/case_rewrite.py).

A rule that decides from structure scores the same on both; a rule that keys on a word (a
variable called `password`, a log message saying "retry") loses findings on the copy.

Usage: benchmarks/robustness.py [--cases DIR] [--runner RUN_PY] [--jobs J] [--keep DIR]
                                [--max-drop 0.05]
Defaults: the cases and runner under ../shared/benchmark beside the checkout's parent, or the
folder named by SLOPGUARD_BENCHMARK; when they are absent it says so and exits 0 (a clean clone
has no corpus). Each case's repository is built and scored exactly as the runner does it (its
`build_repo` and `match` are used), but scanned in-process by the engine with one registry, in J
forked processes, instead of one `slopguard scan` process per case: the same findings as
`slopguard scan --no-llm --format json`, in a fraction of the time. Prints per category the
counts and F1 on both copies, what the rewrite lost, and exits 1 when F1 on the rewritten copy is
more than --max-drop below the original.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from case_rewrite import rewrite_case

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SLOPGUARD_BENCHMARK") or ROOT.parent.parent / "shared" / "benchmark")
_REGISTRY: Any = None  # loaded once in the parent, inherited by the forked scanners


def load_runner(path: Path) -> ModuleType:
    """The benchmark's own run.py, for its repository builder and its matching."""
    spec = importlib.util.spec_from_file_location("benchmark_run", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"robustness: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _scan_case(task: tuple[str, str, str, str]) -> dict[str, Any]:
    """Build one case's repository (as run.py does), scan it in-process, match it (as run.py does)."""
    from slopguard.engine import Target, scan
    from slopguard.reporters import render

    runner_path, case_dir, copy, work = task
    runner = load_runner(Path(runner_path))
    case = Path(case_dir)
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        repo, meta, expected = runner.build_repo(case, Path(tmp))
        result = scan(Target(repo, "main", "feature"), registry=_REGISTRY)
        found = json.loads(render(result, "json", rules=_REGISTRY.rules))["findings"]
    found = [f for f in found if f.get("category") in runner.CATEGORIES]
    tp, fn, fp = runner.match(expected, found)
    return {"copy": copy, "case": case.name, "clean": meta.get("kind") == "clean",
            "tp": [e["category"] for e, _ in tp],
            "fn": [(e["category"], e["path"], e["line"]) for e in fn],
            "fp": [(f["category"], f["path"], f.get("line"), f.get("rule")) for f in fp]}


def score(rows: list[dict[str, Any]], categories: list[str]) -> dict[str, Any]:
    """Counts, precision, recall and F1 per category and overall, as run.py computes them."""
    stats: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for row in rows:
        for cat in row["tp"]:
            stats[cat]["tp"] += 1
        for cat, *_ in row["fn"]:
            stats[cat]["fn"] += 1
        for cat, *_ in row["fp"]:
            stats[cat]["fp"] += 1
    total = {k: sum(stats[c][k] for c in categories) for k in ("tp", "fp", "fn")}
    return {"categories": {c: _prf(stats[c]) for c in categories}, "all": _prf(total),
            "cases": sorted(rows, key=lambda r: r["case"])}


def _prf(s: dict[str, int]) -> dict[str, float]:
    p = s["tp"] / (s["tp"] + s["fp"]) if s["tp"] + s["fp"] else 0.0
    r = s["tp"] / (s["tp"] + s["fn"]) if s["tp"] + s["fn"] else 0.0
    return {**s, "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def lost(original: dict[str, Any], renamed: dict[str, Any]) -> list[str]:
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


def run(cases: Path, runner_path: Path, jobs: int, keep: Path | None) -> tuple[dict[str, Any], dict[str, Any], int]:
    """Both copies scored: (original, rewritten, number of cases)."""
    global _REGISTRY
    from slopguard.registry import load

    runner = load_runner(runner_path)
    _REGISTRY = load()
    with tempfile.TemporaryDirectory(prefix="slopguard-robustness-") as tmp:
        rewritten = keep or Path(tmp) / "cases"
        originals = sorted(meta.parent for meta in cases.rglob("case.yaml"))
        for case in originals:
            rewrite_case(case, rewritten / case.relative_to(cases))
        copies = sorted(meta.parent for meta in rewritten.rglob("case.yaml"))
        tasks = [(str(runner_path), str(c), "original", tmp) for c in originals]
        tasks += [(str(runner_path), str(c), "rewritten", tmp) for c in copies]
        # fork: the scanners inherit the loaded registry (rules, detectors, semgrep rules)
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            rows = pool.map(_scan_case, tasks, chunksize=1)
    original = score([r for r in rows if r["copy"] == "original"], runner.CATEGORIES)
    renamed = score([r for r in rows if r["copy"] == "rewritten"], runner.CATEGORIES)
    return original, renamed, len(originals)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=SHARED / "cases")
    ap.add_argument("--runner", type=Path, default=SHARED / "run.py")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="scanning processes")
    ap.add_argument("--keep", type=Path, help="write the rewritten cases here (default: a temp dir)")
    ap.add_argument("--json", type=Path, help="write both scores (per category and per case) to FILE")
    ap.add_argument("--max-drop", type=float, default=0.05)
    args = ap.parse_args()
    if not args.cases.is_dir() or not args.runner.is_file():
        print(f"robustness: not run (no benchmark corpus at {args.cases})")
        return 0
    t0 = time.perf_counter()
    original, renamed, count = run(args.cases, args.runner, max(1, args.jobs), args.keep)
    print(f"{'category':16} {'tp':>4} {'fp':>4} {'fn':>4} {'F1 original':>12}   {'tp':>4} {'fp':>4} {'fn':>4} "
          f"{'F1 rewritten':>13}")
    for cat, a in original["categories"].items():
        b = renamed["categories"][cat]
        print(f"{cat:16} {a['tp']:4} {a['fp']:4} {a['fn']:4} {a['f1']:12.3f}   {b['tp']:4} {b['fp']:4} {b['fn']:4} "
              f"{b['f1']:13.3f}")
    f1, f1r = original["all"]["f1"], renamed["all"]["f1"]
    a, b = original["all"], renamed["all"]
    print(f"{'ALL':16} {a['tp']:4} {a['fp']:4} {a['fn']:4} {f1:12.3f}   "
          f"{b['tp']:4} {b['fp']:4} {b['fn']:4} {f1r:13.3f}")
    for line in lost(original, renamed)[:20]:
        print(f"  lost on the rewrite: {line}")
    if args.json:
        args.json.write_text(json.dumps({"original": original, "rewritten": renamed}, indent=1))
    drop = f1 - f1r
    print(f"robustness: {count} cases, F1 {f1:.3f} -> {f1r:.3f} (drop {drop:+.3f}, limit {args.max_drop}) "
          f"in {time.perf_counter() - t0:.0f}s")
    return 1 if drop > args.max_drop else 0


if __name__ == "__main__":
    sys.exit(main())
