#!/usr/bin/env python3
"""What the LLM pass would send and spend, without calling a model.

For each labelled benchmark case (built as a git repository like ../shared/benchmark/run.py does)
and for a generated 300-file PR, it runs the static scan, packs the LLM context exactly as the
pass does at the default budget, and prints estimated input tokens, the output-token ceiling and
the cost. Target: median <= $0.03 per small PR.

Usage: benchmarks/llm_cost.py [CASES_DIR] [--model MODEL] [--budget USD]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from slopguard.config import default_config
from slopguard.detector import FileContext
from slopguard.engine import Target, scan
from slopguard.llm.assumptions import LLMSettings
from slopguard.llm.packing import plan
from slopguard.llm.pricing import DEFAULT_MODEL, cost, price_for
from slopguard.models import FileDiff, Finding

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from scan_speed import build  # noqa: E402


class Capture:
    """A second pass that records what the LLM pass would be given, and sends nothing."""

    def __init__(self) -> None:
        self.files: list[FileContext] = []
        self.findings: list[Finding] = []
        self.intent = ""
        self.left_out: list[FileDiff] = []

    def __call__(self, files, findings, intent, config, left_out=()):  # type: ignore[no-untyped-def]
        from slopguard.llm.assumptions import PassResult

        self.files, self.findings, self.intent = list(files), list(findings), intent
        self.left_out = list(left_out)
        return PassResult()


def estimate(repo: Path, settings: LLMSettings) -> tuple[int, int, float, int]:
    capture = Capture()
    scan(Target(repo=repo, base="main", head="feature"), default_config(), second_pass=capture)
    price = price_for(settings.model, settings.provider)
    packed = plan(capture.files, capture.findings, capture.intent, settings, capture.left_out)
    tokens = sum(r.input_tokens for r in packed.requests)
    # a typical answer is a few hundred tokens; the ceiling is max_output_tokens per request
    out_tokens = 400 * len(packed.requests)
    return tokens, out_tokens, cost(price, tokens, out_tokens), len(packed.not_reviewed)


def case_repo(case: Path, work: Path) -> Path:
    sys.path.insert(0, str(case.parents[2]))
    from run import build_repo  # type: ignore[import-not-found]

    repo, _, _ = build_repo(case, work)
    return repo


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="?", default=str(HERE.parent.parent / "shared" / "benchmark" / "cases"))
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--budget", type=float, default=0.10)
    args = ap.parse_args()
    settings = LLMSettings(model=args.model, max_cost_usd=args.budget)
    costs = []
    print(f"model {settings.model}, budget ${settings.max_cost_usd:.2f} per PR")
    for case in sorted(p.parent for p in Path(args.cases).rglob("case.yaml")):
        with tempfile.TemporaryDirectory() as tmp:
            repo = case_repo(case, Path(tmp))
            tokens, out, usd, skipped = estimate(repo, settings)
        costs.append(usd)
        note = f" ({skipped} files not sent)" if skipped else ""
        print(f"  {case.name:50} in {tokens:6} out~{out:5} ${usd:.4f}{note}")
    if costs:
        print(f"benchmark cases: {len(costs)}  median ${statistics.median(costs):.4f}  max ${max(costs):.4f}")
    with tempfile.TemporaryDirectory() as tmp:
        repo = build(Path(tmp), 300, 4, 50)
        tokens, out, usd, skipped = estimate(repo, settings)
        files = subprocess.run(["git", "-C", str(repo), "diff", "--shortstat", "main", "feature"],
                               capture_output=True, text=True, check=True).stdout.strip()
    print(f"300-file PR ({files}): in {tokens} out~{out} ${usd:.4f}, {skipped} files not sent (budget)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
