"""Local variables a function assigns and never reads.

## What it does
Flags an added plain assignment `name = value` inside a function when `name` is never read
anywhere in that function (nested functions, f-strings and `del` included). Augmented assignments
(`total += x`) count as writes, so an accumulator nobody reads is reported too. Left alone: names
starting with `_`, tuple-unpacking targets, loop/`with`/`except` targets, `global`/`nonlocal`
names, and functions that use `locals()`, `vars()`, `eval` or `exec`.

## Why is this bad?
A computed-but-unused value is either leftover scaffolding (the code it was computed for was
never written) or a bug: the author meant to use it and the function does something else.

## Example
```python
def upload_archive(s3, path):
    size = path.stat().st_size
    part_count = math.ceil(size / CHUNK)   # never read
    s3.upload_file(str(path), ...)
```

## Use instead
```python
def upload_archive(s3, path):
    s3.upload_file(str(path), ...)
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.python import symbols as sym
from ...models import Finding, Severity
from ...parsing import line_of, walk
from ...ruledata import data_lists

RULE = Rule(
    id="python.dead-code.unused-variable",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A local variable the function assigns and never reads",
)



def _target(stmt: Node) -> tuple[Node, Node] | None:
    """(assignment, identifier) for `name = ...` / `name: T = ...` / `name += ...` statements."""
    if stmt.type != "expression_statement" or stmt.named_child_count != 1:
        return None
    assign = stmt.named_children[0]
    if assign.type not in ("assignment", "augmented_assignment"):
        return None
    if assign.type == "assignment" and assign.child_by_field_name("right") is None:
        return None  # a bare annotation declares, it does not assign
    left = assign.child_by_field_name("left")
    if left is None or left.type != "identifier":
        return None
    return assign, left


def _writes(func: Node) -> dict[str, list[tuple[Node, Node]]]:
    """Simple assignments of the function body itself (not of nested functions or classes)."""
    found: dict[str, list[tuple[Node, Node]]] = {}
    body = func.child_by_field_name("body")
    stack = list(body.named_children) if body is not None else []
    while stack:
        node = stack.pop()
        if node.type in ("function_definition", "class_definition", "lambda"):
            continue
        hit = _target(node)
        if hit is not None:
            found.setdefault(sym.text(hit[1]), []).append(hit)
        stack.extend(node.named_children)
    return found


def _reads(func: Node, write_ids: set[tuple[int, int]]) -> set[str]:
    """Names read anywhere in the function (global/nonlocal declarations count as reads)."""
    return {sym.text(node) for node in walk(func)
            if node.type == "identifier" and (node.start_byte, node.end_byte) not in write_ids}


class UnusedVariable(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added:
            return
        added = ctx.diff.added
        for func in sym.functions_and_classes(head.root):
            if func.type == "function_definition" and ctx.changed(func):
                yield from self._check_function(ctx, added, func)

    def _check_function(self, ctx: FileContext, added: frozenset[int], func: Node) -> Iterator[Finding]:
        writes = _writes(func)
        if not writes:
            return
        write_ids = {(ident.start_byte, ident.end_byte) for hits in writes.values() for _, ident in hits}
        reads = _reads(func, write_ids)
        if reads & data_lists("dead-code", ctx.repo).get("python_dynamic_lookups"):
            return  # `locals()`, `eval()`: names may be read without being written
        for name, hits in writes.items():
            if name.startswith("_") or name in reads:
                continue
            new = [assign for assign, _ in hits if line_of(assign) in added]
            if not new:
                continue
            first = min(new, key=lambda n: n.start_byte)
            yield ctx.finding(
                RULE, line_of(first),
                f"Local variable `{name}` is assigned but never read in `{_name(func)}`; "
                f"delete the assignment or use the value.",
            )


def _name(func: Node) -> str:
    return sym.text(func.child_by_field_name("name")) or "this function"
