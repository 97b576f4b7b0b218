#!/usr/bin/env python3
"""Clean-history noise: how many warnings and errors slopguard raises on well-kept projects.

Replays the last N non-merge commits of each local git repository (bare mirrors work: the
scanner reads git objects) as pull requests `parent..commit` whose intent is the commit message,
as `slopguard scan --format json --no-llm` reports them (by default in J forked processes that load
the rules once; `--scanner PATH` runs that executable per commit instead), and counts the findings
of severity warning or error. Target (issue 4): under 3 per 1,000 added lines of code on well-kept projects.

Usage: benchmarks/noise.py REPO [REPO ...] [--commits N] [--jobs J] [--details FILE] [--scanner PATH]
                           [--before DATE | --years-back N] [--since DATE]
Range: by default the last N non-merge commits of the repository's HEAD (its default branch in a
mirror). `--before 2023-06-01` takes the last N non-merge commits committed before that date;
`--years-back 3` does the same with a date per repository, that many years before the committer
date of its newest commit (issue 12's "50 commits from three years earlier"); `--since DATE` drops
commits committed before DATE (with fewer than N left, fewer are scanned, and the range line says so).
Prints per repository: commits scanned, added lines (all files and code files), warning+error
findings, findings per 1,000 added code lines, the range actually scanned (committer dates), and the
same rate by rule; then the total.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

CODE_SUFFIXES = (".py", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts")
NOISY = ("warning", "error")
ENV = dict(os.environ, ANTHROPIC_API_KEY="")


@dataclass
class CommitResult:
    sha: str
    subject: str
    added: int = 0
    code_added: int = 0
    findings: list[dict[str, object]] = field(default_factory=list)
    error: str = ""


@dataclass
class RepoResult:
    path: str
    commits: list[CommitResult]
    span: str = ""

    @property
    def scanned(self) -> list[CommitResult]:
        return [c for c in self.commits if not c.error]

    @property
    def code_added(self) -> int:
        return sum(c.code_added for c in self.scanned)

    @property
    def added(self) -> int:
        return sum(c.added for c in self.scanned)

    def by_rule(self) -> Counter[str]:
        return Counter(str(f["rule"]) for c in self.scanned for f in c.findings)


def git(repo: str, *args: str) -> str:
    proc = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise SystemExit(f"noise.py: git {args[0]} failed in {repo}: {lines[-1] if lines else proc.returncode}")
    return proc.stdout


@dataclass(frozen=True)
class Range:
    """Which commits of a repository to replay: the last `count` before `before`, after `since`."""
    count: int
    before: str = ""
    since: str = ""
    years_back: int = 0

    def cutoff(self, repo: str) -> str:
        """The `--before` date for this repository ('' for none)."""
        if not self.years_back:
            return self.before
        newest = git(repo, "log", "-1", "--format=%cs", "HEAD").strip()
        return shift_years(date.fromisoformat(newest), -self.years_back).isoformat()


def shift_years(day: date, years: int) -> date:
    """`day` moved by whole years (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def commits(repo: str, rng: Range) -> list[str]:
    """The last `rng.count` non-merge commits that have a parent, within the range."""
    args = ["rev-list", "--no-merges", "--min-parents=1", f"--max-count={rng.count}"]
    cutoff = rng.cutoff(repo)
    if cutoff:  # midnight UTC: a bare date would get the current time of day from git
        args.append(f"--before={cutoff} 00:00:00 +0000")
    if rng.since:
        args.append(f"--since={rng.since} 00:00:00 +0000")
    return git(repo, *args, "HEAD").split()


def describe(repo: str, shas: list[str], rng: Range) -> str:
    """One line naming the range actually scanned: committer dates of the oldest and newest commit."""
    if not shas:
        return "no commits in range"
    newest = git(repo, "log", "-1", "--format=%cs", shas[0]).strip()
    oldest = git(repo, "log", "-1", "--format=%cs", shas[-1]).strip()
    cutoff = rng.cutoff(repo)
    parts = [f"{len(shas)} commits {oldest}..{newest}"]
    if cutoff:
        parts.append(f"before {cutoff}")
    if rng.since:
        parts.append(f"since {rng.since}")
    if len(shas) < rng.count:
        parts.append(f"fewer than the {rng.count} asked")
    return ", ".join(parts)


def added_lines(repo: str, sha: str) -> tuple[int, int]:
    """Added lines of the commit in all files and in code files (binary files count 0)."""
    total = code = 0
    for row in git(repo, "diff", "--numstat", "--no-renames", f"{sha}^", sha).splitlines():
        parts = row.split("\t")
        if len(parts) < 3 or not parts[0].isdigit():
            continue
        n = int(parts[0])
        total += n
        if PurePosixPath(parts[2]).name.endswith(CODE_SUFFIXES):
            code += n
    return total, code


def scan(scanner: str | None, repo: str, sha: str) -> CommitResult:
    """One commit as a PR: through `scanner` (a `slopguard` executable), or in this process."""
    message = git(repo, "log", "-1", "--format=%B", sha).strip()
    result = CommitResult(sha=sha[:10], subject=message.splitlines()[0] if message else "")
    result.added, result.code_added = added_lines(repo, sha)
    if scanner is None:
        try:
            report = _report_in_process(repo, sha, message)
        except Exception as exc:  # noqa: BLE001 - counted and printed as a scan error of this commit
            result.error = f"{type(exc).__name__}: {exc}"[:300]
            return result
    else:
        proc = subprocess.run([scanner, "scan", "--repo", repo, "--base", f"{sha}^", "--head", sha,
                               "--intent", message, "--format", "json", "--no-llm",
                               "--fail-on", "never"], capture_output=True, text=True, env=ENV,
                              check=False)
        if proc.returncode != 0:
            result.error = proc.stderr.strip()[-300:] or f"exit {proc.returncode}"
            return result
        report = json.loads(proc.stdout)
    result.findings = [f for f in report.get("findings", []) if f.get("severity") in NOISY]
    return result


_REGISTRY: Any = None  # in-process mode: loaded once in the parent, inherited by the forked scanners


def _report_in_process(repo: str, sha: str, message: str) -> dict[str, Any]:
    """What `slopguard scan --no-llm --format json` prints for this commit (same engine, registry,
    blob cache), without starting a process and loading the rules for every commit."""
    from slopguard.blobcache import default_cache
    from slopguard.engine import Target
    from slopguard.engine import scan as engine_scan
    from slopguard.reporters import render

    result = engine_scan(Target(Path(repo), f"{sha}^", sha, intent=message), registry=_REGISTRY,
                         cache=default_cache(ENV))
    report: dict[str, Any] = json.loads(render(result, "json", rules=_REGISTRY.rules))
    return report


def _scan_task(task: tuple[str, str]) -> CommitResult:
    return scan(None, *task)


def run_all(scanner: str | None, repos: list[str], rng: Range, jobs: int) -> list[RepoResult]:
    """Every repository's range, scanned by `jobs` processes (in-process mode) or threads."""
    global _REGISTRY
    picked = {repo: commits(repo, rng) for repo in repos}
    tasks = [(repo, sha) for repo in repos for sha in picked[repo]]
    if scanner is None:
        from slopguard.registry import load

        _REGISTRY = load()
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            done = pool.map(_scan_task, tasks, chunksize=1)
    else:
        with ThreadPoolExecutor(max_workers=jobs) as threads:
            done = list(threads.map(lambda t: scan(scanner, *t), tasks))
    out, i = [], 0
    for repo in repos:
        n = len(picked[repo])
        out.append(RepoResult(path=repo, commits=done[i:i + n], span=describe(repo, picked[repo], rng)))
        i += n
    return out


def iso_date(text: str) -> str:
    """argparse type: a YYYY-MM-DD date, kept as text for git."""
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def rate(findings: int, lines: int) -> float:
    return 1000.0 * findings / lines if lines else 0.0


def repo_name(path: str) -> str:
    p = Path(path).resolve()
    return p.parent.name if p.name in ("repo", ".git") else p.name


def print_repo(r: RepoResult, top: int) -> None:
    noisy = sum(len(c.findings) for c in r.scanned)
    errors = [c for c in r.commits if c.error]
    print(f"{repo_name(r.path):28} commits {len(r.scanned):4}  added {r.added:7} "
          f"(code {r.code_added:6})  warning+error {noisy:4}  "
          f"per 1k code lines {rate(noisy, r.code_added):5.2f}"
          + (f"  scan errors {len(errors)}" if errors else ""))
    print(f"    range: {r.span}")
    for rule, n in r.by_rule().most_common(top):
        print(f"    {rule:48} {n:4}  {rate(n, r.code_added):5.2f}/1k")
    for c in errors[:3]:
        print(f"    error at {c.sha}: {c.error}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("repos", nargs="+", help="local git repositories (bare mirrors work)")
    ap.add_argument("--commits", type=int, default=50, help="non-merge commits per repository")
    when = ap.add_mutually_exclusive_group()
    when.add_argument("--before", type=iso_date,
                      help="last N commits committed before this date (YYYY-MM-DD)")
    when.add_argument("--years-back", type=int, default=0, metavar="N",
                      help="last N commits before the date N years before each repository's newest commit")
    ap.add_argument("--since", type=iso_date, help="only commits committed on or after this date")
    ap.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2))
    ap.add_argument("--scanner", help="scan through this `slopguard` executable, one process per commit "
                                      "(default: in this process with the installed slopguard package)")
    ap.add_argument("--top", type=int, default=8, help="rules listed per repository")
    ap.add_argument("--details", help="write every warning/error finding as JSON to FILE")
    args = ap.parse_args()
    if args.years_back < 0:
        ap.error("--years-back must be positive")
    rng = Range(count=args.commits, before=args.before or "", since=args.since or "", years_back=args.years_back)
    results = run_all(args.scanner, args.repos, rng, max(1, args.jobs))
    for r in results:
        print_repo(r, args.top)
    noisy = sum(len(c.findings) for r in results for c in r.scanned)
    code = sum(r.code_added for r in results)
    total_rules: Counter[str] = Counter()
    for r in results:
        total_rules.update(r.by_rule())
    print(f"{'ALL':28} commits {sum(len(r.scanned) for r in results):4}  "
          f"added {sum(r.added for r in results):7} (code {code:6})  warning+error {noisy:4}  "
          f"per 1k code lines {rate(noisy, code):5.2f}")
    for rule, n in total_rules.most_common(args.top):
        print(f"    {rule:48} {n:4}  {rate(n, code):5.2f}/1k")
    if args.details:
        rows = [{"repo": repo_name(r.path), "commit": c.sha, "subject": c.subject, **f}
                for r in results for c in r.scanned for f in c.findings]
        Path(args.details).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
