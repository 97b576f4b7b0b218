"""Functions the pull request adds that only forward their arguments to another callable.

## What it does
Flags, on its `def` line, an added function or method whose whole body (after the docstring) is
`return other(a, b)` (or `await`, or a bare call) passing exactly its own parameters, unchanged
and in order, to another callable. Decorated functions, dunder methods, overrides and methods an
interface (ABC or Protocol in the repository) requires, `super()` calls, and adapters that rename,
convert, reorder or add arguments or defaults are left alone.

## Why is this bad?
A pass-through adds a name, a hop and a place to keep in sync without adding behaviour; readers
must open it to learn it does nothing. AI agents add such wrappers "for readability" or to fit an
imagined layering.

## Example
```python
def fetch_invoice(invoice_id: int) -> Invoice:
    return repository.get_invoice(invoice_id)
```

## Use instead
```python
invoice = repository.get_invoice(invoice_id)   # call it directly at the call site
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from tree_sitter import Node

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.python import shape_index, shapes
from ...models import Finding, Severity
from ...parsing import SourceFile

RULE = Rule(
    id="python.bloat.passthrough-wrapper",
    category="bloat",
    languages=("python",),
    severity=Severity.NOTICE,
    summary="Added function only forwards its arguments to another callable",
    confidence="medium",
)

_PLAIN_DECORATORS = frozenset({"staticmethod", "classmethod"})
_NEUTRAL_BASES = frozenset({"object", "Generic"})


class PassthroughWrapperDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        change = shape_index.indexed_change(ctx)
        if change is None:
            return
        files, index = change
        for fctx in files.values():
            if not shapes.is_test_path(fctx.path):
                yield from _check_file(fctx, index)


def _check_file(fctx: FileContext, index: shape_index.RepoIndex) -> Iterable[Finding]:
    classes = {c.name: c for c in index.classes_in.get(fctx.path, [])}
    for func in index.functions_in.get(fctx.path, []):
        if not shapes.is_new(fctx.diff, func.node):
            continue
        if func.name.startswith("__") or not set(func.decorators) <= _PLAIN_DECORATORS:
            continue
        if func.class_name is not None:
            owner = classes.get(func.class_name)
            if owner is None or _may_override(owner, func.name, _by_name(index), _interface_methods(index)):
                continue
        finding = _check(fctx, func)
        if finding is not None:
            yield finding


def _interface_methods(index: shape_index.RepoIndex) -> set[str]:
    """The methods of the tree's abstract classes (read on the first method that asks)."""
    return index.memo("passthrough.interface-methods",
                      lambda: {name for c in index.classes if c.is_abstract() for name in c.method_names()})


def _by_name(index: shape_index.RepoIndex) -> dict[str, shapes.ClassInfo]:
    return index.memo("passthrough.by-name", lambda: {c.name: c for c in index.classes})


def _may_override(owner: shapes.ClassInfo, name: str, by_name: dict[str, shapes.ClassInfo],
                  interface_methods: set[str]) -> bool:
    """The method overrides or implements something (or might: an unknown base class)."""
    if name in interface_methods or owner.is_abstract():
        return True
    todo = [b for b in owner.bases if b not in _NEUTRAL_BASES]
    seen: set[str] = set()
    while todo:
        base_name = todo.pop()
        if base_name in seen:
            continue
        seen.add(base_name)
        base = by_name.get(base_name)
        if base is None or name in base.method_names():
            return True  # a library base class may call it, or it overrides a repo class
        todo += [b for b in base.bases if b not in _NEUTRAL_BASES]
    return False


def _check(ctx: FileContext, func: shapes.FunctionInfo) -> Finding | None:
    src = func.src
    params = _parameters(src, func.node)
    if params is None:
        return None
    if func.class_name is not None and "staticmethod" not in func.decorators:
        params = params[1:]  # self / cls
    if not params:
        return None
    stmts = shapes.body_statements(func.node)
    if len(stmts) != 1:
        return None
    call = _forwarded_call(stmts[0])
    if call is None:
        return None
    callee = call.child_by_field_name("function")
    if callee is None or "super(" in src.node_text(callee):
        return None
    if not _forwards_exactly(src, call, params):
        return None
    target = src.node_text(callee)
    return ctx.finding(
        RULE,
        func.line,
        f"{func.name} only forwards its arguments to {target}; call {target} directly instead of "
        f"adding a wrapper that adds no behaviour.",
    )


def _parameters(src: SourceFile, func: Node) -> list[str] | None:
    """Parameter names, `*name`/`**name` for splats; None when any parameter has a default."""
    node = func.child_by_field_name("parameters")
    out: list[str] = []
    for param in node.named_children if node is not None else []:
        kind = param.type
        if kind in ("default_parameter", "typed_default_parameter"):
            return None
        if kind in ("keyword_separator", "positional_separator"):
            continue
        if kind == "identifier":
            out.append(src.node_text(param))
            continue
        inner = param.named_children[0] if param.named_child_count else None
        if inner is None:
            return None
        if kind == "typed_parameter":
            kind, param = inner.type, inner
            if kind == "identifier":
                out.append(src.node_text(param))
                continue
        if kind in ("list_splat_pattern", "dictionary_splat_pattern"):
            stars = "*" if kind == "list_splat_pattern" else "**"
            ident = param.named_children[0] if param.named_child_count else None
            out.append(stars + (src.node_text(ident) if ident is not None else ""))
        else:
            return None
    return out


def _forwarded_call(stmt: Node) -> Node | None:
    if stmt.type not in ("return_statement", "expression_statement") or stmt.named_child_count != 1:
        return None
    value = stmt.named_children[0]
    if value.type == "await" and value.named_child_count == 1:
        value = value.named_children[0]
    return value if value.type == "call" else None


def _forwards_exactly(src: SourceFile, call: Node, params: list[str]) -> bool:
    args = call.child_by_field_name("arguments")
    if args is None or args.type != "argument_list":
        return False
    positional: list[str] = []
    keywords: set[str] = set()
    for arg in args.named_children:
        if arg.type == "comment":
            continue
        if arg.type == "identifier":
            positional.append(src.node_text(arg))
        elif arg.type == "list_splat" and arg.named_child_count == 1:
            positional.append("*" + src.node_text(arg.named_children[0]))
        elif arg.type == "dictionary_splat" and arg.named_child_count == 1:
            keywords.add("**" + src.node_text(arg.named_children[0]))
        elif arg.type == "keyword_argument":
            name, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
            if name is None or value is None or src.node_text(name) != src.node_text(value):
                return False  # renames an argument: an adapter
            keywords.add(src.node_text(name))
        else:
            return False  # a literal, an expression or a conversion: not a pure pass-through
    if len(positional) + len(keywords) != len(params):
        return False
    if positional != params[: len(positional)]:
        return False
    return set(params[len(positional):]) == keywords
