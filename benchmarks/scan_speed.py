#!/usr/bin/env python3
"""Wall time and peak memory of whole `slopguard scan` processes on generated pull requests.

Targets (issues 2, 4, 16): a small PR (5 files, ~200 changed lines) at <= 0.6 s median, the same
size of PR in a 4,000-file Python + TypeScript repository (`big`) at <= 1.0 s median and <= 250 MB,
and a 300-file / 30k-line PR at <= 20 s and <= 1 GiB peak memory. The `mixed` scenario is a small
PR of 3 Python and 2 TypeScript files. `push` scans the `big` PR with an empty cache directory
(SLOPGUARD_CACHE_DIR), adds one more commit and scans again: the second scan must be the faster.
`mirror` (only with --mirror) adds one function to three code files of a real repository.

Usage: benchmarks/scan_speed.py [--runs N] [--scanner PATH] [--only NAME] [--mirror BARE_REPO]
Prints one line per scenario: the first run's wall time (empty cache folder), the median, min and
max wall time of all runs (one cache folder per scenario) and the peak RSS of the scan process.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from big_repo import build_large, build_on_mirror, push

ENV = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.com",
           GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.com", ANTHROPIC_API_KEY="")

TEMPLATE = '''"""Module {n}: orders, customers and the HTTP client that syncs them."""

import logging
import os

import requests

log = logging.getLogger(__name__)
BASE_URL = os.environ.get("SERVICE_URL", "http://localhost")


class Repository{n}:
    def __init__(self, session):
        self.session = session

    def find(self, order_id):
        return self.session.query(Order).filter_by(id=order_id).first()

    def total(self, order_id):
        order = self.find(order_id)
        if order is None:
            raise LookupError(order_id)
        return sum(line.price * line.quantity for line in order.lines)
'''

FUNC = '''

def handler_{n}_{k}(session, ids, payload):
    """Sync a batch of records ({k})."""
    settings = payload.get("settings")
    results = []
    for record_id in ids:
        row = session.get(Record, record_id)
        if row is None:
            continue
        try:
            response = requests.get(f"{{BASE_URL}}/records/{{record_id}}", timeout=10)
            response.raise_for_status()
        except requests.Timeout:
            log.warning("timeout for %s", record_id)
            continue
        data = response.json()
        row.name = data["name"].strip()
        row.updated = data.get("updated") or row.updated
        results.append(row.id)
    if settings:
        log.info("settings %s", settings.get("mode"))
    return results
'''


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=ENV)


def build(root: Path, files: int, funcs_per_file: int, untouched: int) -> Path:
    """A repository whose `feature` branch adds `funcs_per_file` functions to `files` modules."""
    repo = root / f"repo-{files}"
    (repo / "app").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for n in range(files + untouched):
        (repo / "app" / f"module_{n}.py").write_text(TEMPLATE.format(n=n))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    rng = random.Random(files)
    for n in range(files):
        path = repo / "app" / f"module_{n}.py"
        extra = "".join(FUNC.format(n=n, k=k) for k in range(funcs_per_file))
        text = path.read_text().replace("BASE_URL = ", f"TIMEOUT_{rng.randint(1, 99)} = 5\nBASE_URL = ")
        path.write_text(text + extra)
    git(repo, "commit", "-q", "-am", "Sync records from the records service")
    return repo


TS_TEMPLATE = """import {{ db }} from './db';

export interface Order{n} {{
  id: string;
  totalCents: number;
}}

export async function findOrder{n}(id: string): Promise<Order{n} | undefined> {{
  return db.order.findUnique({{ where: {{ id }} }}) ?? undefined;
}}
"""

TS_FUNC = """
export async function syncOrders{n}_{k}(ids: string[], token: string): Promise<string[]> {{
  const synced: string[] = [];
  for (const id of ids) {{
    const order = await findOrder{n}(id);
    if (!order) {{
      continue;
    }}
    try {{
      const res = await fetch(`${{process.env.SERVICE_URL ?? ''}}/orders/${{id}}`, {{
        headers: {{ authorization: `Bearer ${{token}}` }},
      }});
      if (!res.ok) {{
        throw new Error(`sync failed: ${{res.status}}`);
      }}
      const body = (await res.json()) as {{ total?: number }};
      synced.push(`${{order.id}}:${{body.total ?? order.totalCents}}`);
    }} catch (err) {{
      console.warn('sync', id, err);
    }}
  }}
  return synced;
}}
"""


def build_mixed(root: Path) -> Path:
    """A repository whose `feature` branch changes 3 Python and 2 TypeScript modules
    (~200 added lines): the small PR of a project that mixes both languages."""
    repo = root / "repo-mixed"
    (repo / "app").mkdir(parents=True)
    (repo / "web").mkdir()
    git(repo, "init", "-q", "-b", "main")
    for n in range(10):
        (repo / "app" / f"module_{n}.py").write_text(TEMPLATE.format(n=n))
        (repo / "web" / f"orders_{n}.ts").write_text(TS_TEMPLATE.format(n=n))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    for n in range(3):
        path = repo / "app" / f"module_{n}.py"
        path.write_text(path.read_text() + FUNC.format(n=n, k=0) + FUNC.format(n=n, k=1))
    for n in range(2):
        path = repo / "web" / f"orders_{n}.ts"
        path.write_text(path.read_text() + TS_FUNC.format(n=n, k=0) + TS_FUNC.format(n=n, k=1))
    git(repo, "commit", "-q", "-am", "Sync records and orders from the records service")
    return repo


def scan_once(scanner: str, repo: Path, env: dict[str, str]) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KiB) and CPU seconds (user + system) of one scan process: on a
    machine other work loads, the CPU time is the steadier figure."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        # slopguard: ignore[excessive-io] - each run is one measured scan process
        proc = subprocess.Popen([scanner, "scan", "--repo", str(repo), "--base", "main", "--head", "feature",
                                 "--format", "json", "--no-llm", "--fail-on", "never"],
                                stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            err.seek(0)
            sys.exit(f"scan failed: {err.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def measure(scanner: str, repo: Path, runs: int, env: dict[str, str]) -> tuple[list[float], int, list[float]]:
    times, peaks, cpu = [], [], []
    for _ in range(runs):
        elapsed, peak, used = scan_once(scanner, repo, env)  # slopguard: ignore[excessive-io]
        times.append(elapsed)
        peaks.append(peak)
        cpu.append(used)
    return times, max(peaks), cpu


def report(name: str, repo: Path, times: list[float], peak_kb: int, cpu: list[float]) -> None:
    """One line: the first run (empty cache folder) and the median, min and max of all runs."""
    stat = subprocess.run(["git", "-C", str(repo), "diff", "--shortstat", "main", "feature"],
                          capture_output=True, text=True, check=True).stdout.strip()
    print(f"{name:6}  {stat:58}  first {times[0]:6.2f}s  median {statistics.median(times):6.2f}s  "
          f"min {min(times):6.2f}s  max {max(times):6.2f}s  CPU first {cpu[0]:6.2f}s median "
          f"{statistics.median(cpu):6.2f}s  peak RSS {peak_kb / 1024:7.1f} MiB  ({len(times)} runs)", flush=True)


def push_scenario(scanner: str, tmp: Path, runs: int) -> None:
    """First scan of a PR with an empty cache, then the scan after one more push."""
    first, second, peak, cpu1, cpu2 = [], [], 0, [], []
    for i in range(runs):
        repo = tmp / f"push-{i}"
        build_large(repo, git)
        env = dict(ENV, SLOPGUARD_CACHE_DIR=str(tmp / f"push-cache-{i}"))
        t1, p1, c1 = scan_once(scanner, repo / "repo-4000", env)  # slopguard: ignore[excessive-io]
        push(repo / "repo-4000", git, [42, 1777], "Reconcile two more modules", k=91)
        t2, p2, c2 = scan_once(scanner, repo / "repo-4000", env)  # slopguard: ignore[excessive-io]
        first.append(t1)
        second.append(t2)
        cpu1.append(c1)
        cpu2.append(c2)
        peak = max(peak, p1, p2)
    report("push-1", repo / "repo-4000", first, peak, cpu1)
    report("push-2", repo / "repo-4000", second, peak, cpu2)


def compile_scanner(scanner: str) -> None:
    """Compile the scanner's package as an installed wheel has it compiled: with
    PYTHONDONTWRITEBYTECODE set (as on the development machines), an editable install has no
    bytecode and every measured process would compile the package again (0.3-0.5 s)."""
    python = Path(scanner).parent / "python"
    if not python.exists():
        return
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    where = subprocess.run([str(python), "-c", "import os, slopguard; print(os.path.dirname(slopguard.__file__))"],
                           capture_output=True, text=True, env=env)
    if where.returncode == 0 and where.stdout.strip():
        subprocess.run([str(python), "-m", "compileall", "-q", where.stdout.strip()],
                       capture_output=True, env=env, check=False)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--scanner", default=str(Path(sys.executable).parent / "slopguard"))
    ap.add_argument("--only", choices=("small", "mixed", "big", "push", "mirror", "large"))
    ap.add_argument("--mirror", type=Path, help="a (bare) git repository for the `mirror` scenario")
    args = ap.parse_args()
    compile_scanner(args.scanner)
    names = ["small", "mixed", "big", "push", "mirror", "large"]
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for name in names:
            if (args.only and args.only != name) or (name == "mirror" and args.mirror is None):
                continue
            if name == "push":
                push_scenario(args.scanner, tmp, max(1, args.runs // 2))
                continue
            runs = max(1, args.runs // 3) if name == "large" else args.runs
            if name == "small":
                repo = build(tmp, 5, 2, 20)
            elif name == "mixed":
                repo = build_mixed(tmp)
            elif name == "big":
                repo = build_large(tmp, git)
            elif name == "mirror":
                repo = build_on_mirror(tmp, git, args.mirror)
            else:
                repo = build(tmp, 300, 4, 50)
            # a fresh cache folder per scenario: the first run fills it (values kept by blob id),
            # the later runs are the repeated scans of one pull request (the App on every push)
            env = dict(ENV, SLOPGUARD_CACHE_DIR=str(tmp / f"cache-{name}"))
            times, peak_kb, cpu = measure(args.scanner, repo, runs, env)
            report(name, repo, times, peak_kb, cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
