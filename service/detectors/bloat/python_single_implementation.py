"""Interfaces, factories and registries the pull request adds around a single implementation.

## What it does
Flags, on its `class`/`def` line, an abstraction the change adds that has exactly one
implementation in the repository:
- an abstract base class (`ABC`, `@abstractmethod`, methods raising `NotImplementedError`) or a
  `Protocol` that exactly one class implements;
- a registry (a dict filled by a `register` function or decorator, or a dict literal of classes or
  functions) that holds a single entry, reported on the factory/lookup that reads it;
- a factory that dispatches on a kind (`if kind == "csv": return CsvExporter()`) or a `*Factory`
  class, with only one product.
Bases with two or more implementations and abstractions that already exist in the base are left
alone; a base whose only subclasses merely set constants is left to
`python.bloat.config-hierarchy`.

## Why is this bad?
Speculative generality: every reader now has to go through an interface, a registry and a factory
to find the one class that does the work. AI agents add these "for extensibility" by default; the
second implementation rarely comes, and when it does the right abstraction is clearer.

## Example
```python
class ReportExporter(ABC):
    @abstractmethod
    def render(self, report): ...

class CsvReportExporter(ReportExporter):
    def render(self, report): ...
```

## Use instead
```python
def render_csv(report) -> str: ...
```
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.python import constants, shape_index, shapes
from ...models import Finding, Severity
from ...parsing import SourceFile, walk
from ...ruledata import data_lists
from .python_single_registries import RULE, _parameter_names, _registries


class SingleImplementationDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        change = shape_index.indexed_change(ctx)
        if change is None:
            return
        files, index = change
        for fctx in files.values():
            yield from _check(fctx, index)


def _check(ctx: FileContext, index: shape_index.RepoIndex) -> Iterator[Finding]:
    src = ctx.head
    if src is None or src.root is None:
        return
    reported: set[int] = set()
    for registry in _registries(ctx, src, index):
        reported.add(registry.line)
        yield registry
    for cls in index.classes_in.get(ctx.path, []):
        if cls.line in reported or not shapes.is_new(ctx.diff, cls.node):
            continue
        abstraction = _interface(ctx, cls, index) or _factory_class(ctx, cls, index)
        if abstraction is not None:
            reported.add(abstraction.line)
            yield abstraction
    for func in index.functions_in.get(ctx.path, []):
        if func.class_name is not None or func.line in reported:
            continue
        if shapes.is_new(ctx.diff, func.node):
            finding = _dispatch_factory(ctx, func, index)
            if finding is not None:
                yield finding


# ------------------------------------------------------------------ interfaces


def _interface(ctx: FileContext, cls: shapes.ClassInfo, index: shape_index.RepoIndex) -> Finding | None:
    if not cls.is_abstract() or _is_exception_or_enum(cls):
        return None
    if "Protocol" in cls.bases:
        if _builtin_shaped(cls):
            return None
        impls = index.structural_implementations(cls)
        kind = "Protocol"
    else:
        impls = [s for s in index.subclasses(cls) if not s.is_abstract() and not index.children.get(s.name)]
        kind = "abstract base class"
    if len(impls) != 1:
        return None
    impl = impls[0]
    if constants.constant_members(impl) is not None:
        return None  # python.bloat.config-hierarchy reports constant-only hierarchies
    where = f"{impl.path}:{impl.line}"
    return ctx.finding(
        RULE,
        cls.line,
        f"{kind} {cls.name} has a single implementation ({impl.name} in {where}); drop the "
        f"interface and use {impl.name} directly until a second implementation exists.",
    )


# Methods of the built-in containers, strings and file objects: a Protocol made only of these
# (`items`, `read`, `__iter__` ...) describes what dicts, files or sequences already do, so its
# other implementations are outside this repository.
_BUILTIN_METHODS = frozenset().union(*(dir(t) for t in (dict, list, set, str, bytes, io.TextIOWrapper,
                                                        io.BufferedReader, io.BufferedWriter)))


def _builtin_shaped(cls: shapes.ClassInfo) -> bool:
    names = cls.method_names()
    return bool(names) and names <= _BUILTIN_METHODS


def _is_exception_or_enum(cls: shapes.ClassInfo) -> bool:
    return any(b.endswith(("Error", "Exception", "Enum", "Warning")) for b in cls.bases)


# ------------------------------------------------------------------ factories


def _factory_class(ctx: FileContext, cls: shapes.ClassInfo, index: shape_index.RepoIndex) -> Finding | None:
    if not cls.name.endswith("Factory"):
        return None
    product = _single_product(cls.src, cls.node, index)
    if product is None:
        return None
    return ctx.finding(
        RULE,
        cls.line,
        f"{cls.name} only ever creates {product}; construct {product} directly instead of going "
        f"through a factory class.",
    )


def _single_product(src: SourceFile, node: Node, index: shape_index.RepoIndex) -> str | None:
    """The one project class that the `return`s under `node` construct, when there is exactly one."""
    products = _constructed_classes(src, node, index)
    return next(iter(products)) if len(products) == 1 else None


def _constructed_classes(src: SourceFile, node: Node, index: shape_index.RepoIndex) -> set[str]:
    known = {n for n in index.class_names if not n.endswith(("Error", "Exception", "Warning"))}
    found = set()
    for ret in walk(node):
        if ret.type != "return_statement" or not ret.named_child_count:
            continue
        value = ret.named_children[0]
        if value.type == "call":
            func = value.child_by_field_name("function")
            name = shapes.last_name(src, func) if func is not None else ""
            if name in known:
                found.add(name)
            else:
                found.add("")
        else:
            found.add("")
    found.discard("")
    return found


def _dispatch_factory(ctx: FileContext, func: shapes.FunctionInfo, index: shape_index.RepoIndex) -> Finding | None:
    """`def create_x(kind): if kind == "a": return A(); raise ValueError(...)`; a name without
    a factory word (`rules/data/bloat.yml`) makes it a low-confidence notice, never drops it."""
    src = func.src
    stmts = shapes.body_statements(func.node)
    if not stmts or stmts[-1].type != "raise_statement":
        return None
    params = _parameter_names(src, func.node)
    ifs = [s for s in stmts[:-1] if s.type == "if_statement"]
    if len(ifs) != 1 or len(stmts) > 3 or ifs[0].child_by_field_name("alternative") is not None:
        return None
    cond = ifs[0].child_by_field_name("condition")
    if cond is None or cond.type != "comparison_operator":
        return None
    if not any(c.type == "identifier" and src.node_text(c) in params for c in cond.named_children):
        return None
    product = _single_product(src, ifs[0], index)
    if product is None:
        return None
    name = func.name.lower()
    named = any(word in name for word in data_lists("bloat", ctx.repo).ordered("factory_words"))
    return ctx.finding(
        RULE,
        func.line,
        f"{func.name} dispatches on a kind but can only create {product}; construct {product} "
        f"directly and drop the factory until there is a second choice.",
        severity=None if named else Severity.NOTICE, confidence=None if named else "low",
    )
