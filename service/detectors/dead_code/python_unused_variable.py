"""Local variables a function assigns and never reads; parameters added and never read.

## What it does
Flags an added plain assignment `name = value` inside a function when `name` is never read
anywhere in that function (nested functions, f-strings and `del` included). Augmented assignments
(`total += x`) count as writes, so an accumulator nobody reads is reported too. Left alone: names
starting with `_`, tuple-unpacking targets, loop/`with`/`except` targets, `global`/`nonlocal`
names, and functions that use `locals()`, `vars()`, `eval` or `exec`.

A second rule flags a parameter the change adds to an existing function when the body never reads
it (`dry_run=False` that changes nothing). Left alone: stubs, decorated handlers, dunder and test
functions, methods of classes with framework bases, and names defined more than once in the
repository (several implementations sharing one signature).

## Why is this bad?
A computed-but-unused value is either leftover scaffolding (the code it was computed for was
never written) or a bug: the author meant to use it and the function does something else. An
ignored parameter is worse: callers pass it and believe it has an effect.

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

RULE = Rule(
    id="python.dead-code.unused-variable",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A local variable the function assigns and never reads",
)

DYNAMIC = frozenset({"locals", "vars", "eval", "exec"})


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


def _reads(func: Node, write_ids: set[tuple[int, int]]) -> tuple[set[str], bool]:
    """Names read anywhere in the function (global/nonlocal declarations count as reads), and
    whether it uses dynamic name lookups."""
    names: set[str] = set()
    dynamic = False
    for node in walk(func):
        if node.type != "identifier" or (node.start_byte, node.end_byte) in write_ids:
            continue
        name = sym.text(node)
        names.add(name)
        if name in DYNAMIC:
            dynamic = True
    return names, dynamic


PARAMETER = Rule(
    id="python.dead-code.unused-parameter",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A parameter the change adds to an existing function that its body never reads",
    confidence="medium",
)
PARAM_NODES = frozenset({"identifier", "typed_parameter", "default_parameter", "typed_default_parameter"})


def _qualname(func: Node) -> str:
    parts = []
    node: Node | None = func
    while node is not None:
        if node.type in ("function_definition", "class_definition"):
            parts.append(sym.text(node.child_by_field_name("name")))
        node = node.parent
    return ".".join(reversed(parts))


def _parameters(func: Node) -> dict[str, Node]:
    """Named parameters (no `*args`/`**kwargs`, no `self`/`cls`) and their nodes."""
    params = func.child_by_field_name("parameters")
    found: dict[str, Node] = {}
    for param in params.named_children if params is not None else []:
        if param.type not in PARAM_NODES:
            continue
        ident = param if param.type == "identifier" else (
            param.child_by_field_name("name") or next(
                (c for c in param.named_children if c.type == "identifier"), None))
        name = sym.text(ident)
        if ident is not None and name not in ("self", "cls"):
            found[name] = ident
    return found


def _is_stub(body: Node) -> bool:
    """A body of only a docstring, `pass`, `...` or `raise NotImplementedError`."""
    for stmt in body.named_children:
        if stmt.type in ("pass_statement", "comment"):
            continue
        if stmt.type == "expression_statement" and stmt.named_children[0].type in ("string", "ellipsis"):
            continue
        if stmt.type == "raise_statement" and "NotImplementedError" in sym.text(stmt):
            continue
        return False
    return True


class UnusedVariable(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE, PARAMETER)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added:
            return
        added = ctx.diff.added
        before = _base_parameters(ctx)
        for func in sym.functions_and_classes(head.root):
            if func.type == "function_definition" and ctx.changed(func):
                yield from self._check_function(ctx, added, func)
                old = before.get(_qualname(func))
                if old is not None:
                    yield from self._check_parameters(ctx, added, func, old)

    def _check_parameters(self, ctx: FileContext, added: frozenset[int], func: Node,
                          old: set[str]) -> Iterator[Finding]:
        body = func.child_by_field_name("body")
        name = _name(func)
        if body is None or _is_stub(body) or sym.registers(func) or sym.is_dunder(name) \
                or name.startswith("test_"):
            return  # a stub, or a signature a framework or a protocol imposes
        cls = sym.enclosing_class(func)
        if cls is not None and sym.has_external_bases(cls):
            return
        if len(sym.side_index(ctx.repo, "RIGHT").defs.get(name, [])) > 1:
            return  # one of several implementations sharing a signature
        reads, dynamic = _reads(body, set())
        if dynamic:
            return
        for param, ident in _parameters(func).items():
            if param in old or param in reads or param.startswith("_") or line_of(ident) not in added:
                continue
            yield ctx.finding(
                PARAMETER, line_of(ident),
                f"Parameter `{param}` is added to `{name}` but the body never reads it; use it "
                f"or drop it so callers are not misled into thinking it has an effect.",
            )

    def _check_function(self, ctx: FileContext, added: frozenset[int], func: Node) -> Iterator[Finding]:
        writes = _writes(func)
        if not writes:
            return
        write_ids = {(ident.start_byte, ident.end_byte) for hits in writes.values() for _, ident in hits}
        reads, dynamic = _reads(func, write_ids)
        if dynamic:
            return
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


def _base_parameters(ctx: FileContext) -> dict[str, set[str]]:
    """Parameter names of every function of the base version of the file, by qualified name."""
    base = ctx.base
    if base is None or base.root is None:
        return {}
    return {
        _qualname(func): set(_parameters(func))
        for func in sym.functions_and_classes(base.root)
        if func.type == "function_definition"
    }


def _name(func: Node) -> str:
    return sym.text(func.child_by_field_name("name")) or "this function"
