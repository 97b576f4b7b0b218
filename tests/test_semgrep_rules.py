"""The bundled semgrep rules: `semgrep --test` over rules/semgrep (each rule next to its annotated
test target), and every rule once more through slopguard's own runner (semgrep-core on a
real git change), so a rule that semgrep accepts but our loader or runner mishandles fails too."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from slopguard import semgrep
from slopguard.blobcache import BlobCache
from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.registry import load
from slopguard.semgrep import SEMGREP_DIR, find_core

from .gitrepos import make_repo

SEMGREP = Path(sys.executable).parent / "semgrep"
ANNOTATION = re.compile(r"(?:#|//)\s*(ruleid|ok):\s*([\w.\-, ]+?)\s*$")
TARGETS = sorted(
    p for p in SEMGREP_DIR.rglob("*")
    if p.suffix in (".py", ".js", ".ts", ".tsx") and p.with_suffix(".yml").is_file()
)


@pytest.mark.skipif(not SEMGREP.is_file(), reason="semgrep is not installed in this environment")
def test_semgrep_rule_tests_pass() -> None:
    env = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    proc = subprocess.run(
        [str(SEMGREP), "--test", "--disable-version-check", "--metrics=off", str(SEMGREP_DIR)],
        capture_output=True, text=True, timeout=600, env=env, check=False,
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report[-4000:]
    assert "tests did not pass" not in report, report[-4000:]


def _expected(text: str) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(rule, line) pairs annotated `# ruleid:` / `# ok:` on the line above the target line."""
    want: set[tuple[str, int]] = set()
    avoid: set[tuple[str, int]] = set()
    for no, line in enumerate(text.splitlines(), 1):
        m = ANNOTATION.search(line)
        if m and line.lstrip().startswith(("#", "//")):
            for rule in (r.strip() for r in m.group(2).split(",")):
                (want if m.group(1) == "ruleid" else avoid).add((rule, no + 1))
    return want, avoid


@pytest.mark.skipif(find_core() is None, reason="semgrep-core is not installed in this environment")
@pytest.mark.parametrize("target", TARGETS, ids=[f"{p.parent.name}/{p.name}" for p in TARGETS])
def test_rule_through_engine(target: Path, tmp_path: Path) -> None:
    text = target.read_text()
    want, avoid = _expected(text)
    assert want, f"{target.name} has no `# ruleid:` annotation"
    registry = load()
    named = {rule for rule, _ in want | avoid}
    assert named <= set(registry.rules), f"unknown rules: {named - set(registry.rules)}"
    repo = make_repo(tmp_path, {}, {f"app/{target.name}": text})
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    result = scan(Target(repo=repo, base="main", head="feature"), config, registry=registry)
    errors = [n.message for n in result.notices if n.message.startswith("semgrep")]
    assert not errors, errors
    got = {(f.rule, line) for f in result.findings if f.rule in named and f.source == "semgrep"
           for start, end in ((f.line, f.last_line), *f.also) for line in range(start, end + 1)}
    missed = sorted(w for w in want if w not in got)
    wrong = sorted(a for a in avoid if a in got)
    assert not missed, f"missed: {missed}"
    assert not wrong, f"false positives: {wrong}"


@pytest.mark.skipif(find_core() is None, reason="semgrep-core is not installed in this environment")
def test_findings_are_reused_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = TARGETS[0]
    repo = make_repo(tmp_path, {}, {f"app/{target.name}": target.read_text()})
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    cache = BlobCache(tmp_path / "cache")

    def run() -> list[tuple[str, int, int, str]]:
        result = scan(Target(repo=repo, base="main", head="feature"), config, cache=cache)
        assert not [n.message for n in result.notices if n.message.startswith("semgrep")]
        return sorted((f.rule, f.line, f.end_line, f.message) for f in result.findings if f.source == "semgrep")

    first = run()
    assert first
    started: list[str] = []
    real = subprocess.Popen

    def popen(cmd: list[str], **kwargs: Any) -> Any:
        started.append(cmd[0])
        return real(cmd, **kwargs)

    monkeypatch.setattr(semgrep.subprocess, "Popen", popen)
    assert run() == first
    assert find_core() not in started  # every target's findings came from the cache: semgrep-core was not started
