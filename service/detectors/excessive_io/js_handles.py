"""Which JavaScript/TypeScript receivers are I/O handles, from structure: a value that comes from an
I/O package (`import axios from 'axios'`, `new Pool()` with `Pool` from 'pg', `new PrismaClient()`,
`new S3Client()`), directly or through the repository's own modules (`import { pool } from './db'`),
a parameter or class field typed with such a class, or `this.pool` assigned one. The packages are
data: `packages` in `rules/data/js-io-sinks.yml`. Receiver names (`pool`, `*Repository`) remain a
fallback the findings name.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from tree_sitter import Node

from ...lang.js.flow import Category, imports, name_sink, sink_categories, unwrap
from ...lang.js.resolver import ModuleResolver
from ...lang.js.syntax import text
from ...parsing import SourceFile, walk

_MAX_DEPTH = 3
_DECLARATIONS = ("variable_declarator", "public_field_definition", "field_definition", "required_parameter",
                 "optional_parameter")


@dataclass(frozen=True)
class JsSink:
    """An I/O call: its category, and the receiver name when only that name marks it as I/O."""

    category: Category
    by_name: str = ""


class Handles:
    """Answers "which I/O category does the value of this receiver come from" for one scan."""

    def __init__(self, modules: ModuleResolver) -> None:
        self.modules = modules
        self._memo: dict[tuple[str, str], Category | None] = {}

    def call_sink(self, src: SourceFile, name: str, call: Node) -> JsSink | None:
        """The I/O category of a call `recv.….method(...)` or `fetch(...)`."""
        found = name_sink(name)
        receiver, _, method = name.rpartition(".")
        if not receiver:
            return JsSink(found[0]) if found is not None else None
        root = receiver.split(".")[0]
        if root == "this":
            parts = receiver.split(".")
            cat = self._field(src, call, parts[1]) if len(parts) > 1 else None
        else:
            cat = self.of_name(src, root, call, 0)
        if cat is not None:
            lowered = method.lower()
            if any(fnmatchcase(lowered, m) for m in cat.methods) or lowered in cat.model_methods:
                return JsSink(cat)
            return None
        if found is None:
            return None
        return JsSink(found[0], found[1])

    def of_name(self, src: SourceFile, name: str, at: Node | None, depth: int) -> Category | None:
        """The category of the value `name` holds where it is used (`at`), or at module level."""
        declared = declaration(src, name, at)
        if declared is not None:
            return self._declared(src, declared, depth)
        imported = imports(src).get(name)
        if imported is None:
            return None
        return self._imported(src, imported[0], imported[1], depth)

    def _imported(self, src: SourceFile, spec: str, exported: str, depth: int) -> Category | None:
        cat = package_category(spec)
        if cat is not None or spec.startswith("node:") or depth >= _MAX_DEPTH:
            return cat
        key = (f"{src.path}\0{spec}", exported)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None
        found: Category | None = None
        target = self.modules.resolve(src.path, spec).path
        origin = self.modules.origin(target, exported) if target is not None and exported != "*" else None
        module = self.modules.source(origin[0]) if origin is not None else None
        if module is not None and origin is not None:
            found = self.of_name(module, origin[1], None, depth + 1)
        self._memo[key] = found
        return found

    def _declared(self, src: SourceFile, node: Node, depth: int) -> Category | None:
        """A declaration's category: from its type annotation (a handle class of an I/O package) or
        from the value it is initialised with."""
        kind = node.child_by_field_name("type")
        if kind is not None:
            cat = self._type(src, kind, depth)
            if cat is not None:
                return cat
        name = text(src, node.child_by_field_name("name"))
        return self.value(src, node.child_by_field_name("value"), depth, exclude=name)

    def _type(self, src: SourceFile, annotation: Node, depth: int) -> Category | None:
        """`Pool`, `PrismaClient | null`, `Promise<AxiosInstance>` with the class from an I/O package."""
        for sub in walk(annotation):
            if sub.type == "array_type":
                return None
            if sub.type == "type_identifier" and text(src, sub) in imports(src):
                spec, exported = imports(src)[text(src, sub)]
                cat = self._imported(src, spec, exported, depth)
                if cat is not None and any(fnmatchcase(exported, t) for t in cat.handle_types):
                    return cat
        return None

    def value(self, src: SourceFile, value: Node | None, depth: int, exclude: str = "") -> Category | None:
        """The category of a handle-valued expression: an I/O package's export, `new Pool()`,
        `createClient()`, `axios.create()` (a method that is not itself I/O), or a name holding one;
        `a ?? b`, `await`, ternaries and casts are looked through. The result of an I/O call is data."""
        node = unwrap(value)
        if node is None or depth > _MAX_DEPTH:
            return None
        kind = node.type
        if kind == "identifier":
            name = text(src, node)
            return self.of_name(src, name, None, depth + 1) if name != exclude else None
        if kind in ("await_expression", "binary_expression", "ternary_expression", "non_null_expression"):
            for child in node.named_children:
                cat = self.value(src, child, depth, exclude)
                if cat is not None:
                    return cat
            return None
        if kind not in ("new_expression", "call_expression"):
            return None
        fn = unwrap(node.child_by_field_name("constructor") or node.child_by_field_name("function"))
        if fn is None:
            return None
        if fn.type == "identifier":
            return self.value(src, fn, depth, exclude)
        if fn.type == "member_expression":
            root = fn
            while root.type == "member_expression" and root.child_by_field_name("object") is not None:
                root = unwrap(root.child_by_field_name("object")) or root
            cat = self.value(src, root, depth, exclude) if root.type == "identifier" else None
            method = text(src, fn.child_by_field_name("property")).lower()
            if cat is not None and not any(fnmatchcase(method, m) for m in cat.methods):
                return cat
        return None

    def _field(self, src: SourceFile, at: Node, field: str) -> Category | None:
        """`this.pool`: a class field or constructor parameter property, or `this.pool = …`."""
        cls = at.parent
        while cls is not None and cls.type not in ("class_declaration", "class", "abstract_class_declaration"):
            cls = cls.parent
        if cls is None:
            return None
        for node in walk(cls):
            if node.type in ("public_field_definition", "field_definition") \
                    and text(src, node.child_by_field_name("name")) == field:
                return self._declared(src, node, 0)
            if node.type == "required_parameter" and any(c.type == "accessibility_modifier" for c in node.children) \
                    and text(src, node.child_by_field_name("pattern")) == field:
                return self._declared(src, node, 0)
            if node.type == "assignment_expression" and \
                    "".join(text(src, node.child_by_field_name("left")).split()) == f"this.{field}":
                cat = self.value(src, node.child_by_field_name("right"), 0)
                if cat is not None:
                    return cat
        return None


def package_category(spec: str) -> Category | None:
    for cat in sink_categories():
        if any(fnmatchcase(spec, p) for p in cat.packages):
            return cat
    return None


def declaration(src: SourceFile, name: str, at: Node | None) -> Node | None:
    """The declaration of `name` visible at `at` (innermost scope first), or at module level."""
    scope = at.parent if at is not None else None
    while scope is not None:
        if scope.type in ("statement_block", "program", "formal_parameters", "arrow_function", "function_declaration",
                          "function_expression", "method_definition", "class_body"):
            for child in scope.named_children:
                found = _declares(src, child, name)
                if found is not None:
                    return found
        scope = scope.parent
    if at is None and src.root is not None:
        for child in src.root.named_children:
            found = _declares(src, child, name)
            if found is not None:
                return found
    return None


def _declares(src: SourceFile, stmt: Node, name: str) -> Node | None:
    node = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
    if node is None:
        return None
    if node.type in ("lexical_declaration", "variable_declaration"):
        for declarator in node.named_children:
            target = declarator.child_by_field_name("name")
            if target is not None and target.type == "identifier" and text(src, target) == name:
                return declarator
    if node.type == "formal_parameters":
        for param in node.named_children:
            if param.type in _DECLARATIONS and text(src, param.child_by_field_name("pattern")) == name:
                return param
    if node.type in ("required_parameter", "optional_parameter") and text(
            src, node.child_by_field_name("pattern")) == name:
        return node
    return None
