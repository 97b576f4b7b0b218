"""JS/TS deleted tests: one merged into a table-driven test of its file is not reported; one that a
new test replaces, making the same call with the same literal inputs while the change edits the
code under test, is a low-confidence notice naming the replacement; otherwise a warning."""

from __future__ import annotations

from pathlib import Path

from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.models import Finding, Severity
from slopguard.registry import load

from .gitrepos import make_repo

REGISTRY = load()
RULE = "js.test-tampering.deleted-test"
SOURCE = 'export function expand(t: string, v: object): string {\n  return t.includes(":}") ? t : "x";\n}\n'
CHANGED = 'export function expand(t: string, v: object): string {\n  return t.includes(":") ? t : "x";\n}\n'
OLD = '''import { expand } from "./uri";

it("ignores a malformed modifier", () => {
  expect(expand("x://{id:}", { id: "abc" })).toBe("x://abc");
});
'''
NEW = '''import { expand } from "./uri";

it.each(["x://{id:}", "x://{id:abc}"])("returns %s unchanged", (template) => {
  expect(expand(template, { id: "abc" })).toBe(template);
});
'''


def _deleted(tmp_path: Path, source: str) -> list[Finding]:
    repo = make_repo(tmp_path, {"src/uri.ts": SOURCE, "src/uri.test.ts": OLD},
                     {"src/uri.ts": source, "src/uri.test.ts": NEW}, message="change")
    result = scan(Target(repo=repo, base="main", head="feature"), Config(ruleset=load_ruleset("strict"), ignore=()),
                  registry=REGISTRY)
    return [f for f in result.findings if f.rule == RULE]


def test_a_test_replaced_for_the_changed_behaviour_is_a_notice(tmp_path: Path) -> None:
    found = _deleted(tmp_path, CHANGED)
    assert [(f.line, f.severity, f.confidence) for f in found] == [(3, Severity.NOTICE, "low")]
    assert "`returns %s unchanged`" in found[0].message
    assert '`expand("x://{id:}", …)`' in found[0].message


def test_without_a_change_to_the_code_under_test_it_stays_a_warning(tmp_path: Path) -> None:
    found = _deleted(tmp_path, SOURCE)
    assert [(f.line, f.severity) for f in found] == [(3, Severity.WARNING)]
