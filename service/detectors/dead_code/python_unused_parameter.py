"""Parameters a function's body never reads: on a new function, or added to an existing one.

## What it does
Flags a parameter of a function the change adds, or a parameter the change adds to an existing
function, when the body never reads it (nested functions and f-strings count as reads): the
`dry_run=False` that changes nothing. Left alone: names starting with `_`, `self`/`cls`,
`*args`/`**kwargs`; stubs (`...`, `pass`, `raise NotImplementedError`); functions with a
registering decorator (routes, fixtures, CLI commands); dunder and `test_` functions and new
functions in test files (pytest passes fixtures by parameter name); methods of classes with
bases from outside the repository; names defined more than once in the repository (several
implementations sharing one signature); functions that read `locals()`/`vars()`; and new
functions passed somewhere as a value (`map(fn, ...)`, `{"a": fn}`, `register(self.on_done)`),
in this module or another, whose caller fixes the signature.

## Why is this bad?
Callers pass the argument and believe it has an effect. An AI agent asked to "add a dry-run
option" often threads the parameter through the signature and never implements it; a new helper
with a parameter nobody reads usually means a case the author meant to handle was forgotten.

## Example
```python
def export_orders(conn, path, dry_run=False):
    rows = conn.execute("SELECT * FROM orders").fetchall()
    write_csv(path, rows)
```

## Use instead
```python
def export_orders(conn, path, dry_run=False):
    rows = conn.execute("SELECT * FROM orders").fetchall()
    if not dry_run:
        write_csv(path, rows)
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.python import symbols as sym
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from ...ruledata import data_lists

RULE = Rule(
    id="python.dead-code.unused-parameter",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A parameter of a new function, or one added to an existing function, that the body never reads",
    confidence="medium",
)
PARAM_NODES = frozenset({"identifier", "typed_parameter", "default_parameter", "typed_default_parameter"})
IMPORT_LINE = re.compile(rb"^[ \t]*(?:from|import)[ \t]")


def _qualname(func: Node) -> str:
    parts = []
    node: Node | None = func
    while node is not None:
        if node.type in ("function_definition", "class_definition"):
            parts.append(sym.text(node.child_by_field_name("name")))
        node = node.parent
    return ".".join(reversed(parts))


def _parameters(func: Node) -> dict[str, Node]:
    """Named parameters (no `*args`/`**kwargs`, no `self`/`cls`) and their identifier nodes."""
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


def _reads(body: Node) -> set[str]:
    """Names the body mentions."""
    return {sym.text(n) for n in walk(body) if n.type == "identifier"}


def _values(src: SourceFile) -> set[str]:
    """Names the module mentions other than by calling or defining them: `map(fmt, xs)`,
    `{"a": handle}`, `signal.connect(self.on_done)`."""
    out = set()
    for node in src.nodes_of("identifier"):
        parent = node.parent
        if parent is None:
            continue
        if parent.type in ("function_definition", "class_definition") and parent.child_by_field_name("name") == node:
            continue
        ref: Node = node
        if parent.type == "attribute":
            if parent.child_by_field_name("attribute") != node or parent.parent is None:
                continue  # the object of `obj.attr`, not a reference to a function
            ref, parent = parent, parent.parent
        if parent.type == "call" and parent.child_by_field_name("function") == ref:
            continue
        if parent.type == "keyword_argument" and parent.child_by_field_name("name") == ref:
            continue
        out.add(sym.text(node))
    return out


def _passed_elsewhere(ctx: FileContext, name: str) -> bool:
    """True when another Python file mentions `name` other than by calling or importing it."""
    index = sym.side_index(ctx.repo, "RIGHT")
    pattern = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b(?!\s*\()")
    for path in index.candidates([name]):
        if path == ctx.path or not path.endswith((".py", ".pyi")):
            continue
        for line in (index.masked_of(path) or b"").splitlines():
            if not IMPORT_LINE.match(line) and pattern.search(line):
                return True
    return False


class UnusedParameter(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added:
            return
        added = ctx.diff.added
        before = _base_parameters(ctx)
        values: set[str] | None = None
        for func in sym.functions_and_classes(head.root):
            if func.type != "function_definition" or not ctx.changed(func):
                continue
            old = before.get(_qualname(func))
            if old is None:
                if line_of(func) not in added or sym.is_test_path(ctx.path):
                    continue
                if values is None:
                    values = _values(head)
                if _name(func) in values:
                    continue  # passed as a callback: its caller fixes the signature
            yield from self._check(ctx, added, func, old)

    def _check(self, ctx: FileContext, added: frozenset[int], func: Node,
               old: set[str] | None) -> Iterator[Finding]:
        body = func.child_by_field_name("body")
        name = _name(func)
        conv = sym.conventions(ctx.repo)
        if body is None or _is_stub(body) or sym.registers(func, conv) or sym.is_dunder(name) \
                or name.startswith("test_"):
            return  # a stub, or a signature a framework or a protocol imposes
        cls = sym.enclosing_class(func)
        if cls is not None and (sym.has_external_bases(cls, conv) or sym.registers(cls, conv)):
            return
        reads = _reads(body)
        if reads & data_lists("dead-code", ctx.repo).get("python_dynamic_lookups"):
            return  # `locals()`, `eval()`: names may be read without being written
        unused = [(param, ident) for param, ident in _parameters(func).items()
                  if param not in reads and not param.startswith("_") and line_of(ident) in added
                  and (old is None or param not in old)]
        if not unused:
            return
        if len(sym.side_index(ctx.repo, "RIGHT").defs.get(name, [])) > 1:
            return  # one of several implementations sharing a signature
        if old is None and _passed_elsewhere(ctx, name):
            return
        for param, ident in unused:
            message = (
                f"Parameter `{param}` of the new function `{name}` is never read; callers pass a "
                f"value that changes nothing. Use it or remove it." if old is None else
                f"Parameter `{param}` is added to `{name}` but the body never reads it; use it "
                f"or drop it so callers are not misled into thinking it has an effect.")
            yield ctx.finding(RULE, line_of(ident), message)


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
