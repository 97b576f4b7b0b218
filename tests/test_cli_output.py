"""The command's output around the report: --staged, --min-confidence, order, colour, pipes, progress."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from slopguard.cli import main
from slopguard.terminal import progress_line

from .gitrepos import git, make_repo
from .test_cli import BASE, RULE

EXE = Path(sys.executable).parent / "slopguard"


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["scan", "--format", "json", "--no-llm", *args])
    out, err = capsys.readouterr()
    assert "error" not in err, err
    return code, json.loads(out)


def test_staged_reviews_the_index_not_the_working_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, BASE, {})
    git(repo, "checkout", "-q", "main")
    (repo / "app.py").write_text("def f():\n    print('staged')\n    return 1\n")
    git(repo, "add", "app.py")
    (repo / "app.py").write_text("def f():\n    print('staged')\n    print('unstaged')\n    return 1\n")
    (repo / "new.py").write_text("print('untracked')\n")
    head_before = git(repo, "rev-parse", "HEAD")
    status_before = git(repo, "status", "--porcelain")
    code, report = _json(capsys, "--repo", str(repo), "--staged")
    assert code == 1
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("app.py", 2)]
    assert report["base"] == head_before
    # nothing moved: HEAD, the index and the working tree are as they were
    assert git(repo, "rev-parse", "HEAD") == head_before and git(repo, "status", "--porcelain") == status_before
    git(repo, "reset", "-q")
    code, report = _json(capsys, "--repo", str(repo), "--staged")
    assert code == 0 and report["findings"] == []


def test_staged_in_a_repository_without_commits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "fresh"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "app.py").write_text("import os\n\n\ndef f():\n    return 1\n")
    git(repo, "add", "app.py")
    code, report = _json(capsys, "--repo", str(repo), "--staged")
    assert code == 1
    assert ("python.dead-code.unused-import", 1) in [(f["rule"], f["line"]) for f in report["findings"]]


def test_staged_refuses_other_revisions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, BASE, {})
    assert main(["scan", "--repo", str(repo), "--staged", "--base", "main"]) == 2
    assert "--staged" in capsys.readouterr().err


def test_min_confidence_drops_less_certain_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a confidence set in the rule's metadata is not available to repository rules, so use real detectors:
    # an unused import is reported with high confidence
    repo = make_repo(tmp_path, {"app.py": "def f():\n    return 1\n"},
                     {"app.py": "import os\n\n\ndef f():\n    return 1\n"})
    _, everything = _json(capsys, "--repo", str(repo), "--base", "main", "--head", "feature")
    levels = {f["confidence"] for f in everything["findings"]}
    assert everything["findings"]
    _, high = _json(capsys, "--repo", str(repo), "--base", "main", "--head", "feature", "--min-confidence", "high")
    assert [f for f in everything["findings"] if f["confidence"] == "high"] == high["findings"]
    if levels != {"high"}:
        assert len(high["findings"]) < len(everything["findings"])


def test_text_is_sorted_by_severity_within_a_file_and_explains_the_risk(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    rules = RULE + """- id: local.insecure-auth.eval-call
  languages: [python]
  severity: ERROR
  message: eval() of data
  pattern: eval(...)
  metadata: {category: insecure-auth}
"""
    base = dict(BASE, **{".slopguard/rules/local.yml": rules})
    repo = make_repo(tmp_path, base, {"app.py": "print(1)\neval(x)\nprint(2)\n"})
    assert main(["scan", "--repo", str(repo), "--base", "main", "--no-llm"]) == 1
    out = capsys.readouterr().out
    rows = [line.split()[:2] for line in out.splitlines() if "[local." in line]
    assert rows == [["2", "error"], ["1", "warning"], ["3", "warning"]]
    assert "\x1b[" not in out  # not a terminal: no colour
    (explanation,) = [line for line in out.splitlines() if line.startswith("risk = ")]
    assert "per finding error 18" in explanation


def test_rules_into_a_pipe_closed_early_say_so_in_one_line() -> None:
    """`slopguard rules | head -n 2`: the two lines arrive; if head left before the rest was
    written, one line on stderr and exit 2 (issue 14), never a traceback."""
    proc = subprocess.run(f"set -o pipefail; '{EXE}' rules | head -n 2", shell=True, capture_output=True, text=True,
                          check=False, executable="/bin/bash", env=dict(os.environ, SLOPGUARD_DEBUG=""))
    assert len(proc.stdout.splitlines()) == 2
    assert (proc.returncode, proc.stderr) in (
        (0, ""), (2, "slopguard: error: standard output was closed by its reader: the output is cut short\n"))


def test_colour_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    pty = pytest.importorskip("pty")
    repo = make_repo(tmp_path, BASE, {"app.py": "print(1)\n"})
    outputs = []
    for extra in ({}, {"NO_COLOR": "1"}):
        primary, secondary = pty.openpty()
        subprocess.run([str(EXE), "scan", "--repo", str(repo), "--no-llm"], stdout=secondary,
                       stderr=subprocess.DEVNULL, check=False, env={**os.environ, **extra})
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(primary)
        outputs.append(b"".join(chunks).decode())
    coloured, plain = outputs
    assert "\x1b[33m" in coloured and "print() left" in coloured
    assert "\x1b[" not in plain and "print() left" in plain


def test_progress_line_only_after_a_few_seconds() -> None:
    now = [0.0]
    stream = io.StringIO()
    show = progress_line(stream, after_s=2.0, clock=lambda: now[0])
    show(0, 4)
    now[0] = 1.5
    show(1, 4)
    assert stream.getvalue() == ""  # a quick scan shows nothing
    now[0] = 2.5
    show(2, 4)
    show(3, 4)
    assert stream.getvalue() == ("\rscanning [######################........] 3/4 files"
                                 "\rscanning [##############################] 4/4 files\n")
