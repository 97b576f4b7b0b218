"""The pre-commit hook, run by the real `pre-commit` tool on a temporary repository.

Offline by construction: the hook repository is a local git repository holding this project's
`.pre-commit-hooks.yaml` (reached with `file://`, and git may use no other protocol), and the hook
tested is `slopguard-system`, which runs the slopguard on PATH (this environment's) without
installing anything. The `slopguard` hook (language: python) differs only in that pre-commit
pip-installs this repository into an environment of its own, which needs the package index; the
test checks that both hooks run the same command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .gitrepos import ENV, git, make_repo

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
BIN = Path(sys.executable).parent
CLEAN = "import requests\n\n\ndef get(url):\n    return requests.get(url, timeout=5)\n"
INSECURE = "import requests\n\n\ndef get(url):\n    return requests.get(url, timeout=5, verify=False)\n"


def _hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


def test_both_hooks_run_the_same_staged_scan() -> None:
    hooks = _hooks()
    assert set(hooks) == {"slopguard", "slopguard-system"}
    assert hooks["slopguard"]["language"] == "python" and hooks["slopguard-system"]["language"] == "system"
    for hook in hooks.values():
        assert hook["entry"].split()[:3] == ["slopguard", "scan", "--staged"]
        assert hook["pass_filenames"] is False
    assert hooks["slopguard"]["entry"] == hooks["slopguard-system"]["entry"]


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    if shutil.which("pre-commit", path=str(BIN)) is None:
        pytest.fail("pre-commit is not installed: it is in the dev extra (./dev setup)")
    hook_repo = tmp_path / "hooks"
    hook_repo.mkdir()
    git(hook_repo, "init", "-q", "-b", "main")
    shutil.copy(MANIFEST, hook_repo / ".pre-commit-hooks.yaml")
    git(hook_repo, "add", "-A")
    git(hook_repo, "commit", "-qm", "hooks")
    repo = make_repo(tmp_path / "work", {"client.py": CLEAN}, {})
    git(repo, "checkout", "-q", "main")
    config = {"repos": [{"repo": f"file://{hook_repo}", "rev": git(hook_repo, "rev-parse", "HEAD"),
                         "hooks": [{"id": "slopguard-system"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-qm", "pre-commit config")
    env = dict(ENV, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", PRE_COMMIT_HOME=str(tmp_path / "cache"),
               GIT_ALLOW_PROTOCOL="file", PIP_NO_INDEX="1", PRE_COMMIT_COLOR="never")
    env.pop("ANTHROPIC_API_KEY", None)
    subprocess.run([str(BIN / "pre-commit"), "install"], cwd=repo, env=env, check=True, capture_output=True)
    return repo, env


def _commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "commit", "-m", message], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_hook_stops_a_commit_with_a_finding_and_lets_a_clean_one_through(project: tuple[Path, dict[str, str]]
                                                                          ) -> None:
    repo, env = project
    before = git(repo, "rev-parse", "HEAD")
    (repo / "client.py").write_text(INSECURE)
    git(repo, "add", "client.py")
    proc = _commit(repo, env, "turn off TLS checks")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert "slopguard (review the staged changes)" in out and "Failed" in out
    assert "[WARNING]" not in out  # no deprecated key or language in the manifest
    assert "python.insecure-auth.tls-verify-disabled" in out and "client.py" in out
    assert git(repo, "rev-parse", "HEAD") == before  # the commit was stopped

    # fixed in the index only; the working tree still has the bad line, which must not count
    (repo / "client.py").write_text(CLEAN.replace("timeout=5", "timeout=10"))
    git(repo, "add", "client.py")
    (repo / "client.py").write_text(INSECURE)
    proc = _commit(repo, env, "longer timeout")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Passed" in out
    assert git(repo, "rev-parse", "HEAD") != before
    assert "timeout=10" in git(repo, "show", "HEAD:client.py")
