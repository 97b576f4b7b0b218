"""benchmarks/noise.py picks its commit range from committer dates: `--before`, `--years-back`, `--since`.

Runs the script as a process on a real repository whose commits carry fixed dates, with a real
scanner, and reads the range line and the commit count it prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gitrepos import ENV, git

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "noise.py"
SCANNER = str(Path(sys.executable).parent / "slopguard")
# One commit per year, 2019-01-15 .. 2026-01-15; the first has no parent and is never replayed.
YEARS = range(2019, 2027)


def dated_repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    for year in YEARS:
        (repo / f"m{year}.py").write_text(f"def f{year}(x):\n    return x + {year}\n")
        git(repo, "add", "-A")
        stamp = f"{year}-01-15T12:00:00+00:00"
        subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", f"add m{year}"], check=True,
                       env=dict(ENV, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp))
    return repo


def noise(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), str(repo), "--scanner", SCANNER,
                           "--jobs", "1", *args], capture_output=True, text=True, check=False,
                          env=dict(os.environ, ANTHROPIC_API_KEY=""))


def range_line(out: str) -> str:
    lines = [line.strip() for line in out.splitlines() if line.strip().startswith("range:")]
    assert len(lines) == 1, out
    return lines[0]


def test_default_range_is_the_last_commits(tmp_path: Path) -> None:
    proc = noise(dated_repo(tmp_path), "--commits", "2")
    assert proc.returncode == 0, proc.stderr
    assert range_line(proc.stdout) == "range: 2 commits 2025-01-15..2026-01-15"
    assert " commits    2 " in proc.stdout


def test_before_takes_the_last_commits_before_the_date(tmp_path: Path) -> None:
    proc = noise(dated_repo(tmp_path), "--commits", "3", "--before", "2023-01-15")
    assert proc.returncode == 0, proc.stderr
    # 2023-01-15 at noon is after midnight of the cutoff day, so 2022 is the newest taken
    assert range_line(proc.stdout) == "range: 3 commits 2020-01-15..2022-01-15, before 2023-01-15"


def test_years_back_counts_from_the_newest_commit_and_since_bounds_the_start(tmp_path: Path) -> None:
    proc = noise(dated_repo(tmp_path), "--commits", "50", "--years-back", "3", "--since", "2021-06-01")
    assert proc.returncode == 0, proc.stderr
    # newest commit 2026-01-15 -> cutoff 2023-01-15; since 2021-06-01 leaves only 2022
    assert range_line(proc.stdout) == ("range: 1 commits 2022-01-15..2022-01-15, before 2023-01-15, "
                                       "since 2021-06-01, fewer than the 50 asked")


def test_a_date_that_is_not_a_date_is_a_usage_error(tmp_path: Path) -> None:
    proc = noise(tmp_path, "--before", "three years ago")
    assert proc.returncode == 2
    assert "not a date" in proc.stderr
    proc = noise(tmp_path, "--before", "2023-01-01", "--years-back", "3")
    assert proc.returncode == 2


def test_in_process_scans_report_what_the_scanner_process_reports(tmp_path: Path) -> None:
    """The default (forked in-process scanners) and `--scanner` (a process per commit) agree."""
    from .app.conftest import HEAD_FILES

    repo = dated_repo(tmp_path)
    (repo / "app.py").write_text(HEAD_FILES["app.py"])  # a swallowed exception, an HTTP call in a loop
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add app")
    default = subprocess.run([sys.executable, str(SCRIPT), str(repo), "--commits", "3", "--jobs", "2"],
                             capture_output=True, text=True, check=False, env=dict(os.environ, ANTHROPIC_API_KEY=""))
    assert default.returncode == 0, default.stderr
    assert default.stdout == noise(repo, "--commits", "3").stdout
    assert "python.error-handling.swallowed-exception" in default.stdout, default.stdout
    assert "python.excessive-io.io-in-loop" in default.stdout
