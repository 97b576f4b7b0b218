"""A parameter of a new JS/TS function that the function never reads.

## What it does
Flags a parameter of a function the change adds (a `function` declaration or a `const f = (...)
=> ...` at module level) when its body never refers to it and no later parameter is read
either: callers pass a value that changes nothing. Left alone: names starting with `_`,
destructured parameters, functions passed as arguments or assigned to properties (callbacks with
a signature someone else fixes, also a function the module passes by name), framework hooks
and files a framework loads (`GET`, `loader`, `page.tsx`), class methods (overrides and
interface implementations),
overload signatures and declarations without a body, and functions that read `arguments`.

## Why is this bad?
An ignored parameter is a promise the function does not keep: callers believe `dryRun` or
`locale` has an effect. It is usually a leftover of a design the author abandoned.

## Example
```ts
export function formatPrice(cents: number, currency: string): string {
  return (cents / 100).toFixed(2);
}
```

## Use instead
Use the parameter, or remove it and update the callers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from ...ruledata import data_lists

RULE = Rule(
    id="js.dead-code.unused-parameter",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="A parameter of a new function that the function never reads",
    confidence="medium",
)

PARAMS = frozenset({"required_parameter", "optional_parameter"})


def _functions(root: Node) -> Iterator[tuple[str, Node]]:
    """(name, function node) of module-level function declarations and arrow/function consts."""
    for stmt in root.named_children:
        decl = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if decl is None:
            continue
        if decl.type == "function_declaration":
            yield sym.text(decl.child_by_field_name("name")), decl
        elif decl.type in ("lexical_declaration", "variable_declaration"):
            for declarator in decl.named_children:
                value = declarator.child_by_field_name("value")
                if value is not None and value.type in ("arrow_function", "function_expression"):
                    yield sym.text(declarator.child_by_field_name("name")), value


def _parameters(func: Node) -> list[tuple[str, Node]]:
    """(name, node) of each parameter, in order; '' for a destructured or rest parameter."""
    params = func.child_by_field_name("parameters")
    if params is None:
        single = func.child_by_field_name("parameter")
        return [(sym.text(single), single)] if single is not None and single.type == "identifier" else []
    out = []
    for param in params.named_children:
        if param.type == "identifier":
            out.append((sym.text(param), param))
        elif param.type in PARAMS:
            pattern = param.child_by_field_name("pattern")
            name = sym.text(pattern) if pattern is not None and pattern.type == "identifier" else ""
            out.append((name, param))
        elif param.type not in ("comment",):
            out.append(("", param))
    return out


def _read_names(body: Node) -> set[str]:
    return {sym.text(n) for n in walk(body) if n.type in ("identifier", "shorthand_property_identifier")}


class UnusedParameter(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or not sym.is_js_path(ctx.path):
            return
        if sym.is_test_path(ctx.path) or sym.is_convention_file(ctx.path) \
                or ctx.path.endswith((".d.ts", ".d.mts", ".d.cts")):
            return  # files a framework loads call their exports with a signature it fixes
        existing = _base_function_names(ctx)
        passed = _passed_as_values(head) | data_lists("dead-code", ctx.repo).get("js_convention_exports")
        for name, func in _functions(head.root):
            body = func.child_by_field_name("body")
            if body is None or line_of(func) not in ctx.diff.added or name in existing:
                continue
            if name in passed:
                continue  # a callback or a framework hook: its caller fixes the signature
            params = _parameters(func)
            used = _read_names(body)
            if "arguments" in used:
                continue
            unused: list[tuple[str, Node]] = []
            for pname, node in reversed(params):
                if not pname or pname in used:
                    break  # parameters before a read one are positional placeholders
                if not pname.startswith("_"):
                    unused.append((pname, node))
            for pname, node in reversed(unused):
                yield ctx.finding(
                    RULE, node,
                    f"Parameter `{pname}` of the new function `{name}` is never read; callers pass a "
                    f"value that changes nothing. Use it or remove it.",
                )


def _passed_as_values(src: SourceFile) -> set[str]:
    """Names the module mentions other than by calling them: `items.map(format)`, `{ onClick: go }`."""
    out = set()
    for node in src.nodes_of("identifier", "shorthand_property_identifier"):
        parent = node.parent
        if parent is None or (parent.type in ("function_declaration", "variable_declarator") \
                and parent.child_by_field_name("name") == node):
            continue
        if parent.type == "call_expression" and parent.child_by_field_name("function") == node:
            continue
        if parent.type in ("export_specifier", "export_clause"):
            continue
        out.add(sym.text(node))
    return out


def _base_function_names(ctx: FileContext) -> set[str]:
    base = ctx.base
    if base is None or base.root is None:
        return set()
    return {name for name, _ in _functions(base.root)}
