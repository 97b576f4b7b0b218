"""JS/TS deleted tests: one merged into a table-driven test of its file is not reported; one that a
new test replaces, making the same call with the same literal inputs while the change edits the
code under test, is a low-confidence notice naming the replacement; otherwise a warning."""

from __future__ import annotations

from pathlib import Path

from slopguard.models import Finding, Severity

from .strict_scan import strict_findings

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


def _deleted(tmp_path: Path, source: str, new: str = NEW) -> list[Finding]:
    findings = strict_findings(tmp_path, {"src/uri.ts": SOURCE, "src/uri.test.ts": OLD},
                               {"src/uri.ts": source, "src/uri.test.ts": new})
    return [f for f in findings if f.rule == RULE]


def test_a_test_replaced_for_the_changed_behaviour_is_a_notice(tmp_path: Path) -> None:
    found = _deleted(tmp_path, CHANGED)
    assert [(f.line, f.severity, f.confidence) for f in found] == [(3, Severity.NOTICE, "low")]
    assert "`returns %s unchanged`, which the change adds to its file," in found[0].message
    assert '`expand("x://{id:}", …)`' in found[0].message


def test_without_a_change_to_the_code_under_test_it_stays_a_warning(tmp_path: Path) -> None:
    found = _deleted(tmp_path, SOURCE)
    assert [(f.line, f.severity) for f in found] == [(3, Severity.WARNING)]


def test_a_new_test_without_the_deleted_tests_input_is_no_replacement(tmp_path: Path) -> None:
    other_input = NEW.replace('"x://{id:}", ', "")  # the malformed modifier is no longer tried
    found = _deleted(tmp_path, CHANGED, other_input)
    assert [(f.line, f.severity) for f in found] == [(3, Severity.WARNING)]


def test_a_new_test_calling_other_code_with_the_input_is_no_replacement(tmp_path: Path) -> None:
    other_call = NEW.replace("expect(expand(template, { id: \"abc\" }))", "expect(String(template))")
    assert other_call != NEW
    found = _deleted(tmp_path, CHANGED, other_call)
    assert [(f.line, f.severity) for f in found] == [(3, Severity.WARNING)]
