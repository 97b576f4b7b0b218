#!/usr/bin/env python3
"""Evaluate the LLM pass offline: record the exact requests it sends, replay answers to them.

    llm_eval.py record --out DIR [--corpus cases|real|both] [--budget USD] [--model M] [--only TEXT]
    llm_eval.py replay --out DIR --answers DIR [--corpus ...] [--only TEXT]

`record` scans every PR of a corpus (the static pass, in process), runs the real LLM pass with a
provider that writes each call to DIR/<pr>/request-NNN.json (system prompt, tool, prompt, model,
max_tokens) and answers with an empty report, and prints per PR the requests, files, tokens and
estimated cost; last, how many PRs of at most 1,500 changed lines send nothing (target: 0).

`replay` runs the same pass with a provider that answers request N of a PR from
ANSWERS/<pr>/answer-NNN.json (the tool input `{"assumptions": [...]}` or a whole Messages API
response), so the answers of any model or human reader go through the pass's own
post-processing (anchoring, merging, ranking, max_findings). It prints the findings per PR and,
where labels exist, precision and recall: for the benchmark cases a finding is correct when it
lies within 2 lines of a planted marker of its file (any category); for the real PRs when it
overlaps (within 2 lines) a recorded miss or a finding judged TP. A prompt that differs from the
recorded one is reported, since its answer may no longer fit.

Corpora: --cases DIR (default /work/shared/benchmark/cases, built as its run.py does) and --real
DIR with --mirrors DIR (default /work/shared/benchmark/real and /work/.mirror, with each repo at
MIRRORS/<owner>+<name>/repo, as real/run.py expects).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from slopguard.engine import Target, scan
from slopguard.llm.assumptions import LLMSettings, PassResult, run_pass
from slopguard.llm.pricing import DEFAULT_MODEL, cost, estimate_tokens, price_for
from slopguard.llm.providers import Reply
from slopguard.models import FileDiff, Finding

SHARED = Path("/work/shared/benchmark")
MAX_CHANGED = 1500
TOLERANCE = 2


@dataclass
class PR:
    key: str
    target: Target
    labels: list[tuple[str, int, int]] = field(default_factory=list)  # (path, first, last) of known problems
    labelled: bool = False


class Capture:
    """The engine's second pass slot: keeps what the LLM pass would be given."""

    def __init__(self) -> None:
        self.args: tuple[list[Any], list[Finding], str, list[FileDiff]] = ([], [], "", [])

    def __call__(self, files, findings, intent, config, left_out=()):
        self.args = (list(files), list(findings), intent, list(left_out))
        return PassResult()


class Recorder:
    name = "recorder"

    def __init__(self, model: str, folder: Path) -> None:
        self.model, self.folder, self.calls = model, folder, 0

    def call(self, system: str, prompt: str, tool: dict[str, Any], max_tokens: int) -> Reply:
        self.calls += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        body = {"model": self.model, "max_tokens": max_tokens, "system": system, "tool": tool, "prompt": prompt}
        (self.folder / f"request-{self.calls:03}.json").write_text(json.dumps(body, indent=1))
        return Reply(tool_input={"assumptions": []}, input_tokens=0, output_tokens=0)


class Replayer:
    name = "replay"

    def __init__(self, model: str, recorded: Path, answers: Path) -> None:
        self.model, self.recorded, self.answers, self.calls = model, recorded, answers, 0
        self.warnings: list[str] = []

    def call(self, system: str, prompt: str, tool: dict[str, Any], max_tokens: int) -> Reply:
        self.calls += 1
        name = f"{self.calls:03}"
        request = self.recorded / f"request-{name}.json"
        if not request.is_file() or json.loads(request.read_text())["prompt"] != prompt:
            self.warnings.append(f"request {name} differs from the recorded one")
        answer = self.answers / f"answer-{name}.json"
        if not answer.is_file():
            self.warnings.append(f"no {answer}")
            return Reply(tool_input={}, input_tokens=0, output_tokens=0)
        data = json.loads(answer.read_text())
        for block in data.get("content", []) if isinstance(data, dict) else []:
            if isinstance(block, dict) and block.get("type") == "tool_use":
                data = block.get("input", {})
        return Reply(tool_input=data if isinstance(data, dict) else {}, input_tokens=0, output_tokens=0)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


MARK = re.compile(r"\s*(?:#|//)\s*expect(-removed)?:\s*([a-z, -]+?)\s*$")


def _git(repo: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="eval", GIT_AUTHOR_EMAIL="eval@example.com",
               GIT_COMMITTER_NAME="eval", GIT_COMMITTER_EMAIL="eval@example.com")
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _strip(src: Path, repo: Path) -> list[tuple[str, int, int]]:
    """Copy a case side into `repo` without its markers (CASES.md); the marked head lines."""
    marked = []
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = path.relative_to(src).as_posix()
        out = repo / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            lines = path.read_text().splitlines(keepends=True)
        except UnicodeDecodeError:
            shutil.copy2(path, out)
            continue
        kept = []
        for no, line in enumerate(lines, 1):
            found = MARK.search(line.rstrip("\n"))
            if found:
                if not found.group(1):
                    marked.append((rel, no, no))
                line = line.rstrip("\n")[: found.start()] + ("\n" if line.endswith("\n") else "")
            kept.append(line)
        out.write_text("".join(kept))
    return marked


def case_prs(cases: Path, work: Path, only: str) -> Iterator[PR]:
    """Benchmark cases (CASES.md): base/ committed on main, head/ on feature, the title and
    description as the head commit's message."""
    for case in sorted(p.parent for p in cases.rglob("case.yaml")):
        key = f"{case.parent.name}/{case.name}"
        if only and only not in key:
            continue
        repo = work / key
        repo.mkdir(parents=True)
        _git(repo, "init", "-q", "-b", "main")
        if (case / "base").is_dir():
            _strip(case / "base", repo)
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "--allow-empty", "-m", "base")
        for child in repo.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        labels = _strip(case / "head", repo)
        meta = yaml.safe_load((case / "case.yaml").read_text()) or {}
        _git(repo, "checkout", "-q", "-b", "feature")
        _git(repo, "add", "-A")
        message = f"{meta.get('title', 'change')}\n\n{meta.get('description', '')}"
        _git(repo, "commit", "-q", "--allow-empty", "-m", message)
        yield PR(key, Target(repo=repo, base="main", head="feature"), labels, labelled=True)


def real_prs(real: Path, mirrors: Path, work: Path, only: str) -> Iterator[PR]:
    misses = read_jsonl(real / "misses.jsonl")
    judged = [j for j in read_jsonl(real / "judged.jsonl") if j["verdict"] == "TP"]
    for pr in read_jsonl(real / "prs.jsonl"):
        key = f"{pr['repo'].replace('/', '+')}-{pr['number']}"
        if only and only not in key:
            continue
        mirror = mirrors / pr["repo"].replace("/", "+") / "repo"
        clone = work / pr["repo"].replace("/", "+")
        if not clone.exists():
            if not mirror.exists():
                print(f"  {key}: no mirror at {mirror}", file=sys.stderr)
                continue
            subprocess.run(["git", "clone", "-q", "--no-checkout", "--shared", str(mirror), str(clone)], check=True)
        labels = [(m["path"], m["start_line"], m["end_line"]) for m in misses if m["sha"] == pr["sha"]]
        labels += [(j["path"], j["line"], j["end_line"] or j["line"]) for j in judged if j["sha"] == pr["sha"]]
        intent = f"{pr['title']}\n\n{pr.get('body') or ''}"
        yield PR(key, Target(repo=clone, base=pr["base"], head=pr["sha"], intent=intent), labels, labelled=True)


def static_scan(pr: PR) -> tuple[list[Any], list[Finding], str, list[FileDiff], int]:
    capture = Capture()
    result = scan(pr.target, second_pass=capture)
    files, findings, intent, left_out = capture.args
    return files, findings, intent, left_out, result.stats.added_lines + result.stats.removed_lines


def correct(finding: Finding, labels: list[tuple[str, int, int]]) -> bool:
    return any(path == finding.path and first - TOLERANCE <= finding.line <= last + TOLERANCE
               for path, first, last in labels)


def record(prs: Iterator[PR], out: Path, settings: LLMSettings) -> int:
    silent, counted = [], 0
    price = price_for(settings.model, settings.provider)
    for pr in prs:
        files, findings, intent, left_out, changed = static_scan(pr)
        folder = out / pr.key
        for old in folder.glob("request-*.json"):
            old.unlink()
        recorder = Recorder(settings.model, folder)
        result = run_pass(files, findings, intent, settings, factory=lambda _s, r=recorder: r, left_out=left_out)
        requests = [json.loads(p.read_text()) for p in sorted(folder.glob("request-*.json"))]
        tokens = [estimate_tokens(r["system"]) + estimate_tokens(json.dumps(r["tool"])) + estimate_tokens(r["prompt"])
                  for r in requests]
        usd = sum(cost(price, t, settings.max_output_tokens) for t in tokens)
        skipped = [n.message for n in result.notices if "did not review" in n.message or "only the first" in n.message]
        print(f"{pr.key:58} {changed:5} lines  {len(requests)} request(s) ~{sum(tokens):6} tokens  <=${usd:.3f}"
              + (f"  [{'; '.join(skipped)[:150]}]" if skipped else ""))
        if changed <= MAX_CHANGED and files:
            counted += 1
            if not requests:
                silent.append(pr.key)
    print(f"SUMMARY: PRs up to {MAX_CHANGED} changed lines that send nothing at ${settings.max_cost_usd:.2f}: "
          f"{len(silent)} of {counted}" + (f" ({', '.join(silent)})" if silent else ""))
    return 0


def replay(prs: Iterator[PR], out: Path, answers: Path, settings: LLMSettings) -> int:
    total = right = labels = found = 0
    for pr in prs:
        files, findings, intent, left_out, _ = static_scan(pr)
        replayer = Replayer(settings.model, out / pr.key, answers / pr.key)
        result = run_pass(files, findings, intent, settings, factory=lambda _s, r=replayer: r, left_out=left_out)
        print(f"{pr.key}: {len(result.findings)} finding(s)" + "".join(f"  [{w}]" for w in replayer.warnings))
        for f in result.findings:
            mark = ("+" if correct(f, pr.labels) else "-") if pr.labelled else " "
            print(f"  {mark} {f.path}:{f.line} {f.severity.value}/{f.confidence} {f.message[:140]}")
        total += len(result.findings)
        right += sum(correct(f, pr.labels) for f in result.findings)
        labels += len(pr.labels)
        found += sum(any(p == f.path and a - TOLERANCE <= f.line <= b + TOLERANCE for f in result.findings)
                     for p, a, b in pr.labels)
    precision = f"{right / total:.2f}" if total else "-"
    recall = f"{found / labels:.2f}" if labels else "-"
    print(f"SUMMARY: findings={total} correct={right} precision={precision} labels_found={found}/{labels} "
          f"recall={recall}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=("record", "replay"))
    ap.add_argument("--out", type=Path, required=True, help="the folder of recorded requests")
    ap.add_argument("--answers", type=Path, help="replay: the folder of answers, one per request")
    ap.add_argument("--corpus", choices=("cases", "real", "both"), default="both")
    ap.add_argument("--cases", type=Path, default=SHARED / "cases")
    ap.add_argument("--real", type=Path, default=SHARED / "real")
    ap.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    ap.add_argument("--budget", type=float, default=0.10)
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--max-findings", type=int, default=5)
    ap.add_argument("--only", default="", help="only PRs whose key contains this text")
    args = ap.parse_args()
    if args.command == "replay" and args.answers is None:
        ap.error("replay needs --answers")
    settings = LLMSettings(model=args.model, max_cost_usd=args.budget, max_findings=args.max_findings)
    with tempfile.TemporaryDirectory(prefix="sg-llm-eval-") as tmp:
        work = Path(tmp)

        def prs() -> Iterator[PR]:
            if args.corpus in ("cases", "both"):
                yield from case_prs(args.cases, work / "cases", args.only)
            if args.corpus in ("real", "both"):
                yield from real_prs(args.real, args.mirrors, work / "real", args.only)

        if args.command == "record":
            return record(prs(), args.out, settings)
        return replay(prs(), args.out, args.answers, settings)


if __name__ == "__main__":
    sys.exit(main())
