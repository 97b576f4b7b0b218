"""Scanning a two-commit repository (`gitrepos.make_repo`: base on `main`, head on `feature`) with
the strict ruleset, for the tests of what rules report on a small change."""

from __future__ import annotations

from pathlib import Path

from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.models import Finding
from slopguard.registry import load

from .gitrepos import make_repo

REGISTRY = load()


def strict_findings(tmp_path: Path, base: dict[str, str], head: dict[str, str],
                    intent: str = "change") -> list[Finding]:
    """The findings of the change from `base` to `head` (file path -> text), `intent` its message."""
    repo = make_repo(tmp_path, base, head, message=intent)
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    return list(scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY).findings)


def only(findings: list[Finding], rule: str) -> Finding:
    """The one finding of `rule` (the assertion names every finding when there is not exactly one)."""
    hits = [f for f in findings if f.rule == rule]
    assert len(hits) == 1, [f"{f.rule}:{f.line}" for f in findings]
    return hits[0]
