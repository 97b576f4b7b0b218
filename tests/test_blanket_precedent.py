"""A bare `# type: ignore` the change adds on a line shaped like one the module already suppresses
bare is the module's own form: a low-confidence notice; elsewhere in the same module it stays a
warning, and a suppression carried over from the rewritten line is not the change's at all."""

from __future__ import annotations

from pathlib import Path

from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.models import Finding, Severity
from slopguard.registry import load

from .gitrepos import make_repo

REGISTRY = load()
RULE = "python.test-tampering.blanket-suppression"

BASE = """import asyncio


async def test_restart():
    async def foo():  # type: ignore
        return 1

    assert await foo() == 1
"""
HEAD = BASE + """

async def test_restart_twice():
    async def factory(attempt=1):  # type: ignore
        return 2

    value = asyncio.run(factory(2))  # type: ignore
    assert value == 2
"""


def _findings(tmp_path: Path) -> list[Finding]:
    repo = make_repo(tmp_path, {"app/__init__.py": "", "tests/test_run.py": BASE},
                     {"app/__init__.py": "", "tests/test_run.py": HEAD}, message="test restarts")
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    found = scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY).findings
    return sorted((f for f in found if f.rule == RULE), key=lambda f: f.line)


def test_the_modules_own_form_is_a_notice_and_another_line_a_warning(tmp_path: Path) -> None:
    first, second = _findings(tmp_path)
    assert first.line == 12 and first.severity is Severity.NOTICE and first.confidence == "low"
    assert "same shape" in first.message
    assert second.line == 15 and second.severity is Severity.WARNING
