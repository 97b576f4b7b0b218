"""Interfaces, abstract classes and factories the change adds around a single implementation (JS/TS).

## What it does
Flags, on its declaration line, an abstraction the change adds that has exactly one
implementation in the repository:
- a TypeScript `interface` with methods that exactly one class `implements` (and that no object
  literal implements through `: I = {...}`, `as I` or `satisfies I`), unless that class is itself
  abstract (then the abstract class is the layer reported);
- an `abstract class` (or a `Base*`/`Abstract*` class whose methods throw "not implemented")
  that exactly one concrete class `extends`;
- a `*Factory`/`*Registry` class, a class (whatever its name) with a small method that dispatches
  on its argument, or a `create*`/`make*`/`build*` function that dispatches on an argument (a
  `switch`, a comparison or a registry lookup `REGISTRY[type]`), that can only ever produce one
  class.
Abstractions with two or more implementations (test doubles included) and abstractions that
already exist in the base are left alone.

## Why is this bad?
Speculative generality: every reader goes through an interface, a base class and a factory to
find the one class that does the work. AI agents add these layers "so we can add other channels
later"; the second implementation rarely comes, and when it does the right abstraction is clearer.

## Example
```ts
export interface Notifier { notify(r: Result): Promise<void> }
export abstract class BaseNotifier implements Notifier { ... }
export class SlackNotifier extends BaseNotifier { ... }
export class NotifierFactory { static create(type: 'slack'): Notifier { return new SlackNotifier(); } }
```

## Use instead
```ts
export async function notifySlack(result: Result): Promise<void> { ... }
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.js import repo_index
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from . import js_class_shapes
from .js_class_shapes import ERROR_NAME, ClassInfo, RepoShapes, type_name

RULE = Rule(
    id="js.bloat.single-implementation",
    category="bloat",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="Interface, abstract class or factory added for a single implementation",
    confidence="medium",
)

FACTORY_CLASS = re.compile(r"(Factory|Registry)$")
FACTORY_FUNCTION = re.compile(r"^(create|make|build)[A-Z]\w*$|Factory$")


class SingleImplementation(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        files = [f for f in ctx.files if f.head is not None and f.head.root is not None
                 and sym.is_js_path(f.path) and f.diff.added and not sym.is_test_path(f.path)]
        if not files:
            return
        if not any(_may_report(f) for f in files):
            return  # the repository's shapes can only matter to a new interface, class or factory
        index = repo_index.side_index(ctx.repo, "RIGHT")
        shapes = js_class_shapes.shapes(index, {f.path for f in files})
        for fctx in files:
            yield from _check_file(fctx, shapes)


def _may_report(ctx: FileContext) -> bool:
    """The file adds what `_check_file` reports on: an interface with methods, a class or a
    factory-named function (read from the file alone, before the repository's shapes)."""
    src = ctx.head
    assert src is not None and src.root is not None
    own = RepoShapes()
    js_class_shapes.file_shapes(src, own, ctx.path, keep_nodes=True)
    existing = _base_names(ctx)
    for node in (n for nodes in own.interfaces.values() for _, n in nodes):
        body = node.child_by_field_name("body") if node is not None else None
        if node is not None and body is not None and any(m.type == "method_signature" for m in body.named_children) \
                and _is_new(ctx, node, sym.text(node.child_by_field_name("name")), existing):
            return True
    if any(c.node is not None and _is_new(ctx, c.node, c.name, existing) for c in own.classes):
        return True
    return any(FACTORY_FUNCTION.search(name) and _is_new(ctx, func, name, existing)
               for func, name in _functions(src.root))


def _is_new(ctx: FileContext, node: Node, name: str, existing: set[str]) -> bool:
    return line_of(node) in ctx.diff.added and name not in existing


def _base_names(ctx: FileContext) -> set[str]:
    base = ctx.base
    if base is None or base.root is None:
        return set()
    names = set()
    for node in base.nodes_of("class_declaration", "abstract_class_declaration", "interface_declaration",
                              "function_declaration"):
        names.add(sym.text(node.child_by_field_name("name")))
    return names


def _check_file(ctx: FileContext, shapes: RepoShapes) -> Iterator[Finding]:
    src = ctx.head
    assert src is not None and src.root is not None
    existing = _base_names(ctx)
    for path_, node in (p for nodes in shapes.interfaces.values() for p in nodes):
        if path_ == ctx.path and node is not None:
            finding = _interface(ctx, node, shapes, existing)
            if finding is not None:
                yield finding
    for cls in shapes.classes:
        if cls.path != ctx.path or cls.node is None or not _is_new(ctx, cls.node, cls.name, existing):
            continue
        finding = _abstract_class(ctx, cls, shapes) or _factory_class(ctx, src, cls, shapes)
        if finding is not None:
            yield finding
    for func, name in _functions(src.root):
        if FACTORY_FUNCTION.search(name) and _is_new(ctx, func, name, existing):
            finding = _factory_function(ctx, src, func, name, shapes)
            if finding is not None:
                yield finding


def _interface(ctx: FileContext, node: Node, shapes: RepoShapes, existing: set[str]) -> Finding | None:
    name = sym.text(node.child_by_field_name("name"))
    if not _is_new(ctx, node, name, existing) or len(shapes.interfaces.get(name, [])) != 1:
        return None
    body = node.child_by_field_name("body")
    if body is None or not any(m.type == "method_signature" for m in body.named_children):
        return None  # a data shape, not a behavioural interface
    if name in shapes.structural or name in shapes.interface_parents:
        return None
    impls = shapes.subclasses(name)
    if len(impls) != 1 or impls[0].abstract:
        return None
    impl = impls[0]
    return ctx.finding(
        RULE, line_of(node),
        f"Interface {name} has a single implementation ({impl.name} in {impl.path}:{impl.line}); "
        f"drop the interface and use {impl.name} directly until a second implementation exists.",
    )


def _abstract_class(ctx: FileContext, cls: ClassInfo, shapes: RepoShapes) -> Finding | None:
    if not cls.abstract or ERROR_NAME.search(cls.name):
        return None
    subs = shapes.subclasses(cls.name)
    if len(subs) != 1 or subs[0].abstract or cls.name in shapes.structural or _sibling_layer(cls, shapes):
        return None
    impl = subs[0]
    return ctx.finding(
        RULE, cls.line,
        f"Abstract class {cls.name} has a single subclass ({impl.name} in {impl.path}:{impl.line}); "
        f"merge it into {impl.name} until a second implementation exists.",
    )


def _sibling_layer(cls: ClassInfo, shapes: RepoShapes) -> bool:
    """Another abstract class extends the same parent and has its own implementations: the change adds
    one more layer of the repository's architecture (`SolanaWalletClient` beside `EvmWalletClient`,
    both on `WalletClientBase`), not a speculative one."""
    parents = set(cls.extends)
    return bool(parents) and any(
        other is not cls and other.abstract and parents & set(other.extends) and shapes.subclasses(other.name)
        for other in shapes.classes)


def _products(src: SourceFile, node: Node, known: set[str], registries: dict[str, set[str]]) -> set[str]:
    """Repository classes `node` constructs or lists, including those of registries it reads."""
    found: set[str] = set()
    for child in walk(node):
        if child.type == "new_expression":
            name = type_name(child.child_by_field_name("constructor") or child)
            if name in known:
                found.add(name)
        elif child.type in ("pair", "shorthand_property_identifier"):
            value = child.child_by_field_name("value") if child.type == "pair" else child
            if value is not None and value.type == "identifier" and sym.text(value) in known:
                found.add(sym.text(value))
        elif child.type == "subscript_expression":
            target = sym.text(child.child_by_field_name("object"))
            found |= registries.get(target.rsplit(".", 1)[-1], set())
    return found


def _registries(src: SourceFile, known: set[str]) -> dict[str, set[str]]:
    """Module-level object literals mapping keys to repository classes (or `() => new C()`)."""
    root = src.root
    assert root is not None
    out: dict[str, set[str]] = {}
    for decl in sym.declarations(root):
        value = decl.node.child_by_field_name("value") if decl.kind == "const" else None
        if value is not None and value.type == "object":
            out[decl.name] = _products(src, value, known, {})
    return out


def _factory_class(ctx: FileContext, src: SourceFile, cls: ClassInfo, shapes: RepoShapes) -> Finding | None:
    known = shapes.class_names - {cls.name}
    assert cls.node is not None  # a class of the changed file
    if not FACTORY_CLASS.search(cls.name) and not _dispatching_method(src, cls.node, known):
        return None
    products = _products(src, cls.node, known, _registries(src, known))
    if len(products) != 1:
        return None
    product = next(iter(products))
    return ctx.finding(
        RULE, cls.line,
        f"{cls.name} can only ever create {product}; construct {product} directly instead of "
        f"going through a factory until there is a second product.",
    )


_SMALL_METHOD = 6  # statements: a factory method picks and constructs, nothing more


def _dispatching_method(src: SourceFile, cls: Node, known: set[str]) -> bool:
    """A small method of the class dispatches on its argument (a `switch`, a comparison with a
    string, a lookup in a registry the class or module holds) to construct one repository class:
    the class is a factory whatever it is called."""
    body = cls.child_by_field_name("body")
    registries = dict(_registries(src, known))
    methods = []
    for member in body.named_children if body is not None else []:
        value = member.child_by_field_name("value")
        if member.type == "public_field_definition" and value is not None and value.type == "object":
            registries[sym.text(member.child_by_field_name("name"))] = _products(src, value, known, {})
        elif member.type == "method_definition":
            methods.append(member)
    for method in methods:
        block = method.child_by_field_name("body")
        if block is None or len(block.named_children) > _SMALL_METHOD or not _dispatches(method, registries):
            continue
        if len(_products(src, method, known, registries)) == 1:
            return True
    return False


def _functions(root: Node) -> Iterator[tuple[Node, str]]:
    for decl in sym.declarations(root):
        if decl.kind == "function":
            yield decl.node, decl.name
        elif decl.kind == "const":
            value = decl.node.child_by_field_name("value")
            if value is not None and value.type in ("arrow_function", "function_expression"):
                yield decl.node, decl.name


def _dispatches(func: Node, registries: dict[str, set[str]]) -> bool:
    """The function picks its result from an argument: a `switch` on it, a comparison of it with a
    string literal, or a lookup `REGISTRY[arg]` in a module-level registry."""
    value = func.child_by_field_name("value") if func.type == "variable_declarator" else func
    params = value.child_by_field_name("parameters") if value is not None else None
    names = {sym.text(n) for n in walk(params) if n.type == "identifier"} if params is not None else set()
    if not names or value is None:
        return False
    for node in walk(value):
        if node.type == "switch_statement":
            if _mentions(node.child_by_field_name("value"), names):
                return True
        elif node.type == "binary_expression" and len(node.named_children) == 2:
            op = sym.text(node.child_by_field_name("operator"))
            left, right = node.named_children
            if op in ("===", "==") and {left.type, right.type} & {"string"} and (
                    _mentions(left, names) or _mentions(right, names)):
                return True
        elif node.type == "subscript_expression":
            target = sym.text(node.child_by_field_name("object")).rsplit(".", 1)[-1]
            if target in registries and _mentions(node.child_by_field_name("index"), names):
                return True
    return False


def _mentions(node: Node | None, names: set[str]) -> bool:
    return node is not None and any(n.type == "identifier" and sym.text(n) in names for n in walk(node))


def _factory_function(ctx: FileContext, src: SourceFile, func: Node, name: str,
                      shapes: RepoShapes) -> Finding | None:
    known = shapes.class_names
    registries = _registries(src, known)
    if not _dispatches(func, registries):
        return None
    products = _products(src, func, known, registries)
    if len(products) != 1:
        return None
    product = next(iter(products))
    return ctx.finding(
        RULE, line_of(func),
        f"{name} dispatches on its argument but can only create {product}; construct {product} "
        f"directly and drop the factory until there is a second choice.",
    )
