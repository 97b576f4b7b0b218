"""Constant Python classes: a class whose body only binds literal values (an enum-like holder of
settings), and the members it binds."""

from __future__ import annotations

from tree_sitter import Node

from ...parsing import SourceFile
from .shapes import ClassInfo, body_statements, decorator_names, last_name, text_of, unwrap

_LITERALS = frozenset({"string", "concatenated_string", "integer", "float", "true", "false", "none"})


_CONTAINERS = frozenset({"tuple", "list", "set", "parenthesized_expression", "unary_operator",
                         "binary_operator", "expression_list"})


_CONSTANT_DECORATORS = frozenset({"property", "cached_property", "staticmethod", "classmethod"})


def is_constant(src: SourceFile, node: Node) -> bool:
    """A literal, a container/arithmetic of constants, an UPPER_CASE name, `super().x`."""
    kind = node.type
    if kind in _LITERALS:
        return True
    if kind in _CONTAINERS:
        return all(is_constant(src, c) for c in node.named_children)
    if kind == "dictionary":
        return all(
            c.type == "pair" and all(is_constant(src, v) for v in c.named_children)
            for c in node.named_children
        )
    if kind == "identifier":
        name = src.node_text(node)
        return name.isupper() and any(ch.isalpha() for ch in name)
    if kind == "attribute":
        obj = node.child_by_field_name("object")
        if obj is not None and obj.type == "call" and src.node_text(obj).replace(" ", "") == "super()":
            return True
        return last_name(src, node).isupper()
    if kind == "call":
        args = node.child_by_field_name("arguments")
        if args is None or src.node_text(node).replace(" ", "").startswith("super("):
            return False
        return all(
            is_constant(src, a.child_by_field_name("value") or a) if a.type == "keyword_argument"
            else is_constant(src, a)
            for a in args.named_children
        )
    return False


def constant_members(cls: ClassInfo) -> list[str] | None:
    """The names a class body sets when it holds only constants; None otherwise (or if empty)."""
    src = cls.src
    names: list[str] = []
    for stmt in body_statements(cls.node):
        if stmt.type == "pass_statement":
            continue
        definition, decorators = unwrap(stmt)
        if stmt.type == "expression_statement" and stmt.named_child_count == 1:
            assign = stmt.named_children[0]
            left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
            if assign.type != "assignment" or left is None or left.type != "identifier":
                return None
            if right is not None and not is_constant(src, right):
                return None
            names.append(src.node_text(left))
        elif definition.type == "function_definition":
            if not set(decorator_names(src, decorators)) <= _CONSTANT_DECORATORS:
                return None
            body = body_statements(definition)
            if len(body) != 1 or body[0].type != "return_statement" or not body[0].named_child_count:
                return None
            if not is_constant(src, body[0].named_children[0]):
                return None
            names.append(text_of(src, definition.child_by_field_name("name")))
        else:
            return None
    return names or None
