"""`slopguard` end to end on temporary git repositories: contract, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from slopguard.cli import main

from .gitrepos import git, make_repo

RULE = """rules:
- id: local.error-handling.print-debugging
  languages: [python]
  severity: WARNING
  message: print() left in production code
  pattern: print(...)
  metadata: {category: error-handling}
"""
# built-in detectors off: these tests exercise the pipeline with one deterministic local rule
ONLY_LOCAL = "rules:\n  all: off\n  local: on\n"
BASE = {".slopguard/rules/local.yml": RULE, ".slopguard.yml": ONLY_LOCAL, "app.py": "def f():\n    return 1\n"}


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _scan_json(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code, out, err = _run(["scan", "--repo", str(repo), "--base", "main", "--head", "feature",
                           "--format", "json", "--no-llm", *extra], capsys)
    assert err == "" or "error" not in err, err
    return code, json.loads(out)


def test_json_contract_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, BASE, {"app.py": "def f():\n    print('debug')\n    return 1\n"})
    code, report = _scan_json(repo, capsys)
    assert code == 1
    assert set(report) >= {"tool", "base", "head", "stats", "risk", "llm", "findings"}
    assert report["tool"] == {"name": "slopguard", "version": "0.1.0"}
    assert report["base"] == git(repo, "rev-parse", "main")
    assert report["head"] == git(repo, "rev-parse", "feature")
    assert report["stats"]["files"] == 1 and report["stats"]["added_lines"] == 1
    assert 0 <= report["risk"]["score"] <= 100 and report["risk"]["level"] in ("low", "medium", "high")
    assert report["llm"]["status"] == "skipped"
    (finding,) = report["findings"]
    assert finding == {
        "rule": "local.error-handling.print-debugging", "category": "error-handling",
        "severity": "warning", "path": "app.py", "line": 2, "end_line": 2, "side": "RIGHT",
        "message": "print() left in production code", "fingerprint": finding["fingerprint"],
        "source": "semgrep", "confidence": "high",
    }
    assert _scan_json(repo, capsys, "--fail-on", "never")[0] == 0
    assert _scan_json(repo, capsys, "--fail-on", "error")[0] == 0


def test_only_changed_lines_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = dict(BASE, **{"app.py": "print('old')\n"})
    repo = make_repo(tmp_path, base, {"app.py": "print('old')\nx = 1\n"})
    code, report = _scan_json(repo, capsys)
    assert code == 0 and report["findings"] == []


def test_config_is_read_from_base_not_head(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = {"app.py": "print('x')\n", ".slopguard.yml": "rules:\n  error-handling: off\n"}
    repo = make_repo(tmp_path, BASE, head)
    _, report = _scan_json(repo, capsys)
    assert len(report["findings"]) == 1
    base = dict(BASE, **{".slopguard.yml": "rules:\n  all: off\n  error-handling: off\n"})
    repo2 = make_repo(tmp_path / "two", base, {"app.py": "print('x')\n"})
    _, report2 = _scan_json(repo2, capsys)
    assert report2["findings"] == []


def test_inline_suppression_and_severity_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = {"app.py": "print('a')  # slopguard: ignore[error-handling]\n"
                      "# slopguard: ignore[local.error-handling.print-debugging]\nprint('b')\nprint('c')\n"}
    base = dict(BASE, **{".slopguard.yml": ONLY_LOCAL + "  local.error-handling.print-debugging: error\n"})
    repo = make_repo(tmp_path, base, head)
    code, report = _scan_json(repo, capsys, "--fail-on", "error")
    assert [(f["line"], f["severity"]) for f in report["findings"]] == [(4, "error")]
    assert code == 1


def test_fingerprint_survives_line_shift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, BASE, {"app.py": "def f():\n    print('debug')\n"})
    _, first = _scan_json(repo, capsys)
    (repo / "app.py").write_text("import os\n\n\ndef f():\n    print('debug')\n")
    git(repo, "commit", "-q", "-am", "shift")
    _, second = _scan_json(repo, capsys)
    assert first["findings"][0]["line"] == 2 and second["findings"][0]["line"] == 5
    assert first["findings"][0]["fingerprint"] == second["findings"][0]["fingerprint"]


def test_default_base_is_merge_base_with_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, BASE, {"app.py": "print('x')\n"})
    code, out, _ = _run(["scan", "--repo", str(repo), "--format", "json"], capsys)
    assert json.loads(out)["base"] == git(repo, "rev-parse", "main") and code == 1


def test_working_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, BASE, {"app.py": "x = 1\n"})
    (repo / "new.py").write_text("print('untracked')\n")
    code, out, _ = _run(["scan", "--repo", str(repo), "--base", "main", "--working-tree",
                         "--format", "json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["head"] == "WORKTREE"
    assert [(f["path"], f["line"]) for f in report["findings"]] == [("new.py", 1)]


def test_empty_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, BASE, {})
    code, out, _ = _run(["scan", "--repo", str(repo), "--base", "main", "--head", "main"], capsys)
    assert code == 0 and "no changes between base and head" in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["scan", "--repo", "{tmp}/nowhere"], "no such directory"),
        (["scan", "--repo", "{tmp}/plain"], "not a git repository"),
        (["scan", "--repo", "{repo}", "--base", "nope"], "unknown revision 'nope'"),
        (["scan", "--repo", "{repo}", "--format", "xml"], "invalid choice"),
        (["scan", "--repo", "{repo}", "--config", "{tmp}/bad.yml"], "bad.yml:2: unknown key 'bogus'"),
        (["scan", "--repo", "{repo}", "--config", "{tmp}/missing.yml"], "no such configuration file"),
        (["config", "check", "{tmp}/bad.yml"], "bad.yml:2: unknown key 'bogus'"),
        (["bogus"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                      fragment: str) -> None:
    repo = make_repo(tmp_path, BASE, {"app.py": "x = 2\n"})
    (tmp_path / "plain").mkdir()
    (tmp_path / "bad.yml").write_text("ruleset: recommended\nbogus: 1\n")
    argv = [a.format(tmp=tmp_path, repo=repo) for a in args]
    code, out, err = _run(argv, capsys)
    assert code == 2 and out == ""
    assert fragment in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_file_that_is_not_valid_python_is_still_scanned(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path, BASE, {"app.py": "def f(:\n    print('x')\n  return ]\n",
                                      "blob.bin": b"\0\1" * 1_500_000})
    code, report = _scan_json(repo, capsys)
    assert code == 1
    assert report["findings"] and all(f["line"] <= 2 <= f["end_line"] for f in report["findings"])
    assert any(n["path"] == "blob.bin" for n in report["notices"])


def test_rules_and_config_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["rules"], capsys)
    assert code == 0 and len(out.splitlines()) >= 1
    good = tmp_path / "good.yml"
    good.write_text("ruleset: strict\n")
    code, out, _ = _run(["config", "check", str(good)], capsys)
    assert code == 0 and "ok" in out


def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, {"app.py": "print('x')\n"})
    exe = Path(sys.executable).parent / "slopguard"
    proc = subprocess.run([str(exe), "scan", "--repo", str(repo), "--format", "sarif", "--no-llm"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    sarif = json.loads(proc.stdout)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"][0]["ruleId"].startswith("local.")
