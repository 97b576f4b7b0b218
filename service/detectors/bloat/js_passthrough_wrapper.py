"""Functions the change adds that only forward their arguments to another function (JS/TS).

## What it does
Flags, on its declaration line, an added function, arrow function or method whose whole body is
`return other(a, b)` (or `return await other(a, b)`, a bare call, or an arrow expression body)
passing exactly its own parameters, unchanged and in order, to another callable. Methods of
classes that extend or implement something (overrides, interface methods), `super` calls,
constructors, React components and adapters that rename, convert, reorder, bind or add arguments
are left alone.

## Why is this bad?
A pass-through adds a name, a hop and a place to keep in sync without adding behaviour; readers
must open it to learn it does nothing. AI agents add such wrappers "for readability" or to fit
an imagined layering.

## Example
```ts
export async function fetchInvoice(id: string): Promise<Invoice> {
  return repository.getInvoice(id);
}
```

## Use instead
Call `repository.getInvoice(id)` at the call site.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import line_of

RULE = Rule(
    id="js.bloat.passthrough-wrapper",
    category="bloat",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.NOTICE,
    summary="Added function only forwards its arguments to another function",
    confidence="medium",
)

FUNCTIONS = frozenset({"function_declaration", "arrow_function", "function_expression", "method_definition"})
PARAMS = frozenset({"identifier", "required_parameter"})


def _params(func: Node) -> list[str] | None:
    """Plain parameter names; None when any parameter has a default, a pattern or is optional."""
    params = func.child_by_field_name("parameters") or func.child_by_field_name("parameter")
    if params is None:
        return None
    if params.type == "identifier":
        return [sym.text(params)]
    names = []
    for param in params.named_children:
        if param.type == "comment":
            continue
        if param.type not in PARAMS or param.child_by_field_name("value") is not None:
            return None
        pattern = param.child_by_field_name("pattern") if param.type == "required_parameter" else param
        if pattern is None or pattern.type != "identifier":
            return None
        names.append(sym.text(pattern))
    return names


def _forwarded_call(func: Node) -> Node | None:
    body = func.child_by_field_name("body")
    if body is None:
        return None
    expr: Node | None = body
    if body.type == "statement_block":
        stmts = [s for s in body.named_children if s.type != "comment"]
        if len(stmts) != 1 or stmts[0].type not in ("return_statement", "expression_statement"):
            return None
        expr = stmts[0].named_children[0] if stmts[0].named_children else None
    while expr is not None and expr.type in ("await_expression", "parenthesized_expression") and expr.named_children:
        expr = expr.named_children[0]
    return expr if expr is not None and expr.type == "call_expression" else None


def _name(func: Node) -> str:
    name = func.child_by_field_name("name")
    if name is None and func.parent is not None and func.parent.type == "variable_declarator":
        name = func.parent.child_by_field_name("name")
    return sym.text(name)


def _in_derived_class(func: Node) -> bool:
    body = func.parent
    cls = body.parent if body is not None else None
    return cls is not None and any(c.type == "class_heritage" for c in cls.children)


class PassthroughWrapper(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or sym.is_test_path(ctx.path):
            return
        for func in head.nodes_of(*FUNCTIONS):
            if line_of(func) not in ctx.diff.added:
                continue
            finding = self._check(ctx, func)
            if finding is not None:
                yield finding

    def _check(self, ctx: FileContext, func: Node) -> Finding | None:
        name = _name(func)
        if not name or name == "constructor" or name[:1].isupper():
            return None
        if func.type == "method_definition" and _in_derived_class(func):
            return None
        if func.type != "method_definition" and (func.parent is None or func.parent.type not in (
                "variable_declarator", "program", "export_statement")):
            return None
        params = _params(func)
        call = _forwarded_call(func)
        if not params or call is None:
            return None
        callee = call.child_by_field_name("function")
        callee_text = sym.text(callee)
        if callee is None or callee_text.startswith("super") or callee.type not in ("identifier", "member_expression"):
            return None
        if any(c.type == "type_arguments" for c in call.children):
            return None
        args = [a for a in (call.child_by_field_name("arguments") or call).named_children if a.type != "comment"]
        if [sym.text(a) for a in args] != params or any(a.type != "identifier" for a in args):
            return None
        if callee_text.split(".", 1)[0] in params or callee_text.rsplit(".", 1)[-1] == name:
            return None
        return ctx.finding(
            RULE, line_of(func),
            f"`{name}` only forwards its arguments to `{callee_text}`; call `{callee_text}` directly "
            f"instead of adding a pass-through wrapper.",
        )
