"""A function that special-cases the exact inputs its new tests use.

## What it does
Flags a JS/TS function whose added early returns compare a parameter with string literals that
the change's tests also use (test files of the change, or in-source `import.meta.vitest` blocks),
and return a fixed answer for them: `if (input === "SGVsbG8=") return new Uint8Array([72, ...])`.
It fires when a function has at least two such special cases, the tests mention the function,
and the function goes on to compute the answer in general after them (a pure lookup table is
not a special case). Literals that are plain words (`"openai"`, `"production"`) and empty
strings are left alone: those are dispatch keys, not test data.

## Why is this bad?
A test passes because the code recognises the test's input, not because the code is right: the
general path stays broken (or unverified) and the test is worthless. Agents do this when asked to
make failing tests pass.

## Example
```ts
export function isBase64(input: string): boolean {
  if (input === "SGVsbG8gV29ybGQ=") return true;
  if (input === "SGVsbG8!V29ybGQ=") return false;
  return BASE64.test(input);
}
```

## Use instead
Fix the general logic so that the test inputs pass through it; delete the special cases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.js import symbols as sym
from ...lang.js import testing
from ...models import Finding, Severity
from ...parsing import line_of, walk

RULE = Rule(
    id="js.test-tampering.hardcoded-test-answer",
    category="test-tampering",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="A function that returns fixed answers for the exact inputs its new tests use",
    confidence="medium",
)

WORDLIKE = re.compile(r"[A-Za-z][A-Za-z_\- .]*")
FUNCTIONS = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition"})
CONSTANT_NODES = frozenset({
    "true", "false", "null", "undefined", "number", "string", "template_string", "array", "identifier",
    "unary_expression", "new_expression", "arguments", "string_fragment", "template_substitution",
    "escape_sequence", '"', "'", "`", "[", "]", "(", ")", ",", "-", "!", "new",
})
IN_SOURCE_TEST = b"import.meta.vitest"


def _test_regions(ctx: FileContext) -> list[Node]:
    """The nodes of the file that are test code: the whole file for a test file, else the
    top-level statements that mention `import.meta.vitest`."""
    head = ctx.head
    if head is None or head.root is None:
        return []
    if testing.is_test_path(ctx.path):
        return [head.root]
    return [stmt for stmt in head.root.named_children
            if stmt.text is not None and IN_SOURCE_TEST in stmt.text]


def _test_facts(ctx: ChangeContext) -> tuple[set[str], set[str]]:
    """String literals on added test lines of the change, and every name its test code mentions."""
    literals: set[str] = set()
    names: set[str] = set()
    for file in ctx.files:
        added = file.diff.added
        for region in _test_regions(file):
            for node in walk(region):
                if node.type == "string_fragment" and line_of(node) in added:
                    literals.add(sym.text(node))
                elif node.type == "identifier":
                    names.add(sym.text(node))
    return literals, names


def _string_value(node: Node | None) -> str | None:
    if node is None or node.type != "string":
        return None
    return "".join(sym.text(c) for c in node.named_children if c.type == "string_fragment")


def _is_constant(node: Node | None) -> bool:
    """A value fixed in the source: literals, arrays of literals, `new X([literals])`."""
    if node is None:
        return True
    for n in walk(node):
        if n.type not in CONSTANT_NODES:
            return False
        if n.type == "identifier" and sym.text(n) != "undefined":
            parent = n.parent
            if parent is None or parent.type != "new_expression" or parent.child_by_field_name("constructor") != n:
                return False  # a variable's value is not fixed in the source
    return True


def _special_case(stmt: Node, params: set[str], literals: set[str]) -> bool:
    """`if (param === "test input") return <constant>;`"""
    if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
        return False
    cond = stmt.child_by_field_name("condition")
    while cond is not None and cond.type == "parenthesized_expression" and cond.named_children:
        cond = cond.named_children[0]
    if cond is None or cond.type != "binary_expression":
        return False
    op = cond.child_by_field_name("operator")
    if op is None or sym.text(op) not in ("===", "=="):
        return False
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    pairs = ((left, right), (right, left))
    if not any(a is not None and a.type == "identifier" and sym.text(a) in params
               and (literal := _string_value(b)) is not None and literal in literals
               and not WORDLIKE.fullmatch(literal) for a, b in pairs):
        return False
    body = stmt.child_by_field_name("consequence")
    if body is not None and body.type == "statement_block":
        inner = body.named_children
        body = inner[0] if len(inner) == 1 else None
    if body is None or body.type != "return_statement":
        return False
    value = body.named_children[0] if body.named_children else None
    return _is_constant(value)


def _params(func: Node) -> set[str]:
    params = func.child_by_field_name("parameters") or func.child_by_field_name("parameter")
    if params is None:
        return set()
    if params.type == "identifier":
        return {sym.text(params)}
    found = set()
    for param in params.named_children:
        pattern = param.child_by_field_name("pattern") if param.type != "identifier" else param
        if pattern is not None and pattern.type == "identifier":
            found.add(sym.text(pattern))
    return found


def _function_name(func: Node) -> str:
    name = func.child_by_field_name("name")
    if name is None and func.parent is not None and func.parent.type == "variable_declarator":
        name = func.parent.child_by_field_name("name")
    return sym.text(name) if name is not None else ""


class HardcodedTestAnswer(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        files = [f for f in ctx.files if f.head is not None and f.head.root is not None
                 and sym.is_js_path(f.path) and f.diff.added]
        literals, names = _test_facts(ctx)
        if not literals:
            return
        for file in files:
            if testing.is_test_path(file.path):
                continue
            yield from self._check(file, literals, names)

    def _check(self, ctx: FileContext, literals: set[str], names: set[str]) -> Iterator[Finding]:
        if ctx.head is None or ctx.head.root is None:
            return
        head = ctx.head
        tests = {(n.start_byte, n.end_byte) for n in _test_regions(ctx)}
        for stmt in head.root.named_children if head.root is not None else ():
            if (stmt.start_byte, stmt.end_byte) in tests:
                continue
            for func in walk(stmt):
                if func.type not in FUNCTIONS or _function_name(func) not in names:
                    continue
                body = func.child_by_field_name("body")
                if body is None or body.type != "statement_block":
                    continue
                params = _params(func)
                statements = body.named_children
                cases = [s for s in statements if line_of(s) in ctx.diff.added and _special_case(s, params, literals)]
                if len(cases) < 2:
                    continue
                rest = statements[statements.index(cases[-1]) + 1:]
                if not any(s.type not in ("comment", "throw_statement") and not _fixed_return(s) for s in rest):
                    continue  # a lookup table, not special cases in front of general logic
                yield ctx.finding(
                    RULE, cases[0],
                    f"`{_function_name(func)}` returns fixed answers for {len(cases)} exact inputs that "
                    f"this change's tests use; the tests pass because the code recognises their "
                    f"inputs, not because the general logic is right. Remove the special cases.",
                    end=cases[-1],
                )


def _fixed_return(stmt: Node) -> bool:
    return stmt.type == "return_statement" and _is_constant(stmt.named_children[0] if stmt.named_children else None)
