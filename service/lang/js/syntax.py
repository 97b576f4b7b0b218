"""Shared syntax helpers for the JavaScript/TypeScript detectors (tree-sitter JS, TS and TSX).

The JS and TS grammars share the node types used here; TS-only nodes (non-null assertions, type
annotations, interfaces) simply never occur in plain JavaScript trees.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from ...parsing import SourceFile, walk, walk_pruned
from . import testing

LANGUAGES: tuple[str, ...] = ("javascript", "typescript", "tsx")
FUNCTIONS = frozenset({
    "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function",
})
BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default", "class_body"})
WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "type_assertion"})
EXTENSIONS = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
TEST_NAME = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$|(^|/)(__tests__|tests?|e2e|__mocks__)/")


def text(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


def is_test_path(path: str) -> bool:
    """Test code: the language layer's answer (lang/js/testing.py), plus mocks."""
    return testing.is_test_path(path) or TEST_NAME.search(path) is not None


def unwrap(node: Node | None) -> Node | None:
    """Strip parentheses and TS casts (`(x as T)`, `x satisfies T`, `<T>x`)."""
    while node is not None and node.type in WRAPPERS and node.named_children:
        node = node.named_children[0]
    return node


def value_parent(node: Node, through: frozenset[str] = WRAPPERS) -> Node | None:
    """Where the value of `node` goes: its first ancestor that is not one of `through` (by default
    parentheses and TS casts; add `await_expression` to look past an await)."""
    while node.parent is not None and node.parent.type in through:
        node = node.parent
    return node.parent


def unwrap_await(node: Node | None) -> Node | None:
    node = unwrap(node)
    while node is not None and node.type == "await_expression" and node.named_children:
        node = unwrap(node.named_children[0])
    return node


def enclosing_function(node: Node) -> Node | None:
    cur = node.parent
    while cur is not None and cur.type not in FUNCTIONS:
        cur = cur.parent
    return cur


def walk_scope(node: Node) -> Iterator[Node]:
    """Every node under `node` without descending into nested functions."""
    return walk_pruned(node, FUNCTIONS)


def is_async(func: Node) -> bool:
    return any(c.type == "async" for c in func.children)


def following_statements(stmt: Node) -> Iterator[Node]:
    """Statements executed after `stmt`: its later siblings, then those of the enclosing blocks, up to
    the enclosing function."""
    cur: Node | None = stmt
    while cur is not None and cur.type not in FUNCTIONS:
        parent = cur.parent
        if parent is not None and parent.type in BLOCKS:
            sib = cur.next_named_sibling
            while sib is not None:
                yield sib
                sib = sib.next_named_sibling
        cur = parent


def call_name(src: SourceFile, call: Node) -> str:
    """`a.b?.c<T>(...)` -> `a.b.c`; `new X(...)` -> `X`; other callees: their text."""
    fn = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    return re.sub(r"\s+|\?", "", text(src, unwrap(fn)))


def last_name(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def call_args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


# ---------------------------------------------------------------------------------------------
# a light index of the file and the files it imports


@dataclass
class FileFacts:
    """What one JS/TS module declares that the detectors care about."""

    async_functions: set[str] = field(default_factory=set)
    nullable_functions: set[str] = field(default_factory=set)
    # methods/functions whose TypeScript return type says null/undefined (safe to match by method name)
    nullable_methods: set[str] = field(default_factory=set)
    # type name -> property -> True when optional/nullable
    types: dict[str, dict[str, bool]] = field(default_factory=dict)
    maps: set[str] = field(default_factory=set)
    # async functions whose whole body is a try/catch that never rethrows: they cannot reject
    never_rejects: set[str] = field(default_factory=set)
    # imported local names whose module the resolver could not find (filled by `linked`)
    unresolved: set[str] = field(default_factory=set)


_FACT_TYPES = (*FUNCTIONS, "function_signature", "method_signature", "interface_declaration",
               "type_alias_declaration", "variable_declarator", "required_parameter", "optional_parameter",
               "public_field_definition", "field_definition")


def facts_of(src: SourceFile) -> FileFacts:
    facts = FileFacts()
    root = src.root
    if root is None:
        return facts
    for node in src.nodes_of(*_FACT_TYPES):
        kind = node.type
        if kind in FUNCTIONS or kind == "function_signature" or kind == "method_signature":
            _function_facts(src, node, facts)
        elif kind in ("interface_declaration", "type_alias_declaration"):
            name = text(src, node.child_by_field_name("name"))
            body = node.child_by_field_name("body") or node.child_by_field_name("value")
            if name and body is not None and body.type in ("interface_body", "object_type"):
                facts.types[name] = _properties(src, body)
        elif kind == "variable_declarator":
            name = text(src, node.child_by_field_name("name"))
            value = unwrap(node.child_by_field_name("value"))
            ann = text(src, node.child_by_field_name("type"))
            if (value is not None and value.type == "new_expression" and call_name(src, value) == "Map") \
                    or re.match(r":\s*(Readonly|Weak)?Map\b", ann):
                facts.maps.add(name)
        elif kind in ("required_parameter", "optional_parameter"):
            if re.match(r":\s*(Readonly|Weak)?Map\b", text(src, node.child_by_field_name("type"))):
                facts.maps.add(text(src, node.child_by_field_name("pattern")))
        elif kind in ("public_field_definition", "field_definition"):
            name = text(src, node.child_by_field_name("name") or node.child_by_field_name("property"))
            value = unwrap(node.child_by_field_name("value"))
            ann = text(src, node.child_by_field_name("type"))
            if (value is not None and value.type == "new_expression" and call_name(src, value) == "Map") \
                    or re.match(r":\s*(Readonly|Weak)?Map\b", ann):
                facts.maps.add(name)
    return facts


def _function_name(src: SourceFile, func: Node) -> str:
    name = func.child_by_field_name("name")
    if name is not None:
        return text(src, name)
    parent = func.parent
    if parent is not None and parent.type == "variable_declarator":
        return text(src, parent.child_by_field_name("name"))
    if parent is not None and parent.type in ("pair", "public_field_definition", "field_definition"):
        return text(src, parent.child_by_field_name("key") or parent.child_by_field_name("name"))
    return ""


def _function_facts(src: SourceFile, func: Node, facts: FileFacts) -> None:
    name = _function_name(src, func)
    if not name:
        return
    ret_node = func.child_by_field_name("return_type")
    ret = text(src, ret_node)
    if is_async(func) or re.match(r":\s*Promise\s*<", ret):
        facts.async_functions.add(name)
        if is_async(func) and _catches_everything(func):
            facts.never_rejects.add(name)
    if ret:
        if nullable_type(ret_node):
            facts.nullable_functions.add(name)
            facts.nullable_methods.add(name)
        return
    body = func.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return
    returns = [r for r in src.nodes_of("return_statement", under=body) if enclosing_function(r) == func]
    empty = [r for r in returns if not r.named_children or r.named_children[0].type in ("null", "undefined")]
    if empty and len(empty) < len(returns) and any(r.named_children for r in empty):
        facts.nullable_functions.add(name)


def _catches_everything(func: Node) -> bool:
    """The body is one `try` whose `catch` never throws (and no `finally` that could); any other
    statement (an `if (DISABLED) return;` guard) calls, awaits, constructs and throws nothing."""
    body = func.child_by_field_name("body")
    if body is None or body.type != "statement_block":
        return False
    stmts = [c for c in body.named_children if c.type != "comment"]
    tries = [c for c in stmts if c.type == "try_statement"]
    if len(tries) != 1:
        return False
    risky = ("call_expression", "await_expression", "throw_statement", "new_expression")
    if any(n.type in risky for stmt in stmts if stmt is not tries[0] for n in walk(stmt)):
        return False
    handler = tries[0].child_by_field_name("handler")
    if handler is None or tries[0].child_by_field_name("finalizer") is not None:
        return False
    return not any(n.type == "throw_statement" for n in walk(handler))


def nullable_type(node: Node | None) -> bool:
    """A type annotation whose top-level union (or `Promise<...>` argument) includes null/undefined."""
    while node is not None and node.type in ("type_annotation", "parenthesized_type") and node.named_children:
        node = node.named_children[0]
    if node is None:
        return False
    if node.type == "generic_type" and (node.child_by_field_name("name") or node).text == b"Promise":
        targs = node.child_by_field_name("type_arguments")
        return bool(targs and targs.named_children) and nullable_type(targs.named_children[0]) if targs else False
    if node.type == "union_type":
        return any(nullable_type(c) for c in node.named_children)
    if node.type == "literal_type" and node.named_children:
        return node.named_children[0].type in ("null", "undefined")
    return node.type in ("undefined", "null") or (node.type == "predefined_type" and node.text == b"undefined")


def _properties(src: SourceFile, body: Node) -> dict[str, bool]:
    props: dict[str, bool] = {}
    for prop in body.named_children:
        if prop.type != "property_signature":
            continue
        name = text(src, prop.child_by_field_name("name"))
        optional = any(c.type == "?" for c in prop.children)
        props[name] = optional or nullable_type(prop.child_by_field_name("type"))
    return props
