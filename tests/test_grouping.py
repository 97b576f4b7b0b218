"""Grouping: one rule repeated in one function (or on adjacent lines) is one finding."""

from __future__ import annotations

from pathlib import Path

from slopguard.brevity import MAX_CHARS, MAX_LINES
from slopguard.engine import Target, scan
from slopguard.grouping import group
from slopguard.models import Finding, Fix, Severity
from slopguard.parsing import SourceFile, parse_source

from .gitrepos import make_repo

PY = """\
def test_one():
    a = 1
    assert a == 1
    assert a != 2
    # a comment

    assert a > 0
    b = a
    assert b == 1


def test_two():
    assert 2 == 2


X = 1
Y = 2
Z = 3




W = 4
"""

JS = """\
describe("m", () => {
  it("a", () => {
    expect(1).toBe(1);
    expect(2).toBe(2);
  });
  it("b", () => {
    expect(3).toBe(3);
  });
});
"""


def _f(line: int, rule: str = "python.test-tampering.removed-assertion", path: str = "t.py", **kw: object) -> Finding:
    return Finding(rule=rule, category="test-tampering", severity=kw.pop("severity", Severity.WARNING),  # type: ignore[arg-type]
                   path=path, line=line, message=f"removes the assertion at {line}.", fingerprint=f"fp{line}",
                   **kw)  # type: ignore[arg-type]


def _sources(*files: SourceFile):  # type: ignore[no-untyped-def]
    by_path = {f.path: f for f in files}
    return lambda finding: by_path.get(finding.path)


def test_adjacent_lines_of_one_function_give_one_finding_listing_the_lines() -> None:
    src = parse_source("t.py", PY)
    found = group([_f(4, confidence="low"), _f(3, confidence="medium", severity=Severity.ERROR), _f(7), _f(9), _f(13)],
                  _sources(src))
    assert [f.line for f in found] == [3, 9, 13]  # 9: code (line 8) between; 13: another function
    grouped = found[0]
    assert grouped.fingerprint == "fp3"  # the first member's, not a new one from the lines
    assert grouped.also == ((4, 4), (7, 7))  # a comment and a blank line between 4 and 7
    assert "3 adjacent lines of `test_one` (3, 4, 7)" in grouped.message
    assert grouped.severity is Severity.ERROR and grouped.confidence == "high"
    assert "line 4: removes the assertion at 4." in grouped.evidence
    assert grouped.covers(7) and not grouped.covers(6)
    assert found[1].also == () and found[1].message == "removes the assertion at 9."


def test_rules_sides_and_files_stay_apart() -> None:
    src = parse_source("t.py", PY)
    other = "python.test-tampering.weakened-assertion"
    found = group([_f(3), _f(4, rule=other), _f(4, side="LEFT"), _f(4, path="u.py")], _sources(src))
    assert len(found) == 4 and all(f.also == () for f in found)


def test_outside_functions_adjacent_lines_group_and_a_long_gap_splits() -> None:
    src = parse_source("t.py", PY)
    rule = "python.bloat.magic"
    found = group([_f(n, rule=rule) for n in (16, 17, 23)], _sources(src))
    assert [(f.line, f.also) for f in found] == [(16, ((17, 17),)), (23, ())]  # four blank lines: apart
    assert "fires on 2 adjacent lines (16, 17)" in found[0].message
    assert len(group([_f(n, rule=rule) for n in (1, 2)], _sources())) == 1  # no text: consecutive lines only
    assert len(group([_f(n, rule=rule) for n in (1, 3)], _sources())) == 2


def test_callbacks_are_functions_of_their_own() -> None:
    src = parse_source("a.test.js", JS)
    rule = "js.test-tampering.removed-assertion"
    found = group([_f(n, rule=rule, path="a.test.js") for n in (3, 4, 7)], _sources(src))
    assert [(f.line, f.also) for f in found] == [(3, ((4, 4),)), (7, ())]
    assert "2 adjacent lines of one function (3, 4)" in found[0].message


def test_findings_with_a_fix_or_a_definition_anchor_stay_apart() -> None:
    src = parse_source("t.py", PY)
    fixed = [_f(n, fix=Fix("delete", n, n)) for n in (3, 4)]
    anchored = [_f(n, anchor="definition") for n in (3, 4)]
    assert len(group(fixed + anchored, _sources(src))) == 4


def test_long_messages_and_many_lines_stay_within_the_cap() -> None:
    body = "".join(f"    assert f({n}) == {n}\n" for n in range(40))
    src = parse_source("t.py", "def test_many():\n" + body)
    members = [Finding(rule="r", category="test-tampering", severity=Severity.WARNING, path="t.py", line=n,
                       message="Removes `assert f(1) == 1`. " + "The check is gone from the head. " * 20)
               for n in range(2, 42)]
    [grouped] = group(members, _sources(src))
    assert len(grouped.message) <= MAX_CHARS and len(grouped.message.splitlines()) <= MAX_LINES + 1
    assert "40 adjacent lines of `test_many` (2, 3, 4, 5, 6, 7, 8, 9 and 32 more)" in grouped.message
    assert "at lines " + ", ".join(str(n) for n in range(2, 42)) in grouped.evidence


TEST_BASE = """\
import { f } from "./app";

describe("f", () => {
  it("one", () => {
    expect(f(1)).toBe(1);
    expect(f(2)).toBe(2);
    expect(f(3)).toBe(3);
    expect(f(4)).toBe(4);
  });
  it("two", () => {
    expect(f(5)).toBe(5);
    expect(f(6)).toBe(6);
  });
});
"""

TEST_HEAD = """\
import { f } from "./app";

describe("f", () => {
  it("one", () => {
    f(1);
    f(2);
    f(3);
    f(4);
  });
  it("two", () => {
    f(5);
    f(6);
  });
});
"""


def test_a_scan_reports_one_finding_per_function(tmp_path: Path) -> None:
    app = "export function f(x: number): number {\n  return x;\n}\n"
    repo = make_repo(tmp_path, {"src/app.ts": app, "src/app.test.ts": TEST_BASE},
                     {"src/app.test.ts": TEST_HEAD}, message="tidy the tests")
    result = scan(Target(repo=repo, base="main", head="feature"))
    removed = [f for f in result.findings if f.path == "src/app.test.ts"]
    assert {(f.rule, f.side) for f in removed} == {("js.test-tampering.removed-assertion", "LEFT")}, removed
    assert [(f.line, f.also) for f in removed] == [(5, ((6, 6), (7, 7), (8, 8))), (11, ((12, 12),))]
    assert "4 adjacent lines of one function (5, 6, 7, 8); line 5: 'one' no longer asserts" in removed[0].message
    assert "lines 5, 6, 7, 8" in removed[0].evidence and "line 8: 'one' no longer asserts" in removed[0].evidence
    assert len({f.fingerprint for f in removed}) == 2


def test_a_suppressed_line_is_no_member(tmp_path: Path) -> None:
    # the marker covers its own line and the next: line 8 of the base, and nothing after it
    base = TEST_BASE.replace("toBe(4);", "toBe(4); // slopguard: ignore[js.test-tampering.removed-assertion]")
    app = "export function f(x: number): number {\n  return x;\n}\n"
    repo = make_repo(tmp_path, {"src/app.ts": app, "src/app.test.ts": base}, {"src/app.test.ts": TEST_HEAD})
    result = scan(Target(repo=repo, base="main", head="feature"))
    removed = [f for f in result.findings if f.path == "src/app.test.ts"]
    assert [(f.line, f.also) for f in removed] == [(5, ((6, 6), (7, 7))), (11, ((12, 12),))]
    assert "3 adjacent lines of one function (5, 6, 7)" in removed[0].message


MULTI = """\
def test_fields(actual, expected):
    assert actual.id == expected.id
    assert (
        actual.source == expected.source
    ), "source"
    assert (
        actual.title == expected.title
    ), "title"
    if actual.extra:
        assert actual.extra == 1
    assert actual.size == 2
    count = 1
    assert count == 1
"""


def test_a_multi_line_statement_is_one_place_but_a_compound_statement_is_not() -> None:
    src = parse_source("t.py", MULTI)
    found = group([_f(n) for n in (2, 3, 6, 9, 11, 13)], _sources(src))
    # 2, 3, 6 and 9 are adjacent statements (3 and 6 span three lines each); the `if` at 9 does not
    # swallow 11 (line 10 lies between); the assignment at 12 parts 11 from 13
    assert [(f.line, f.also) for f in found] == [(2, ((3, 3), (6, 6), (9, 9))), (11, ()), (13, ())]


WRAPPERS = """\
function Table() {
  const a = (x) =>
    setA(x);
  const b = (x) =>
    setB(x);
}
"""


def test_two_definitions_are_two_places() -> None:
    src = parse_source("t.js", WRAPPERS)
    found = group([_f(n, rule="js.bloat.passthrough-wrapper", path="t.js") for n in (2, 4)], _sources(src))
    assert [(f.line, f.also) for f in found] == [(2, ()), (4, ())]
