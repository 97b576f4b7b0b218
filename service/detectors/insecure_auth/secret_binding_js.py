"""The JS/TS side of the hard-coded secret rule: which nodes are string literals, their values,
and the name each literal is bound to (a variable, an assigned property, an object key, a class
field, or the variable of a `process.env.X || <literal>` / `?? <literal>` fallback)."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...lang.js.flow import string_value, unwrap
from ...lang.js.syntax import text
from ...parsing import SourceFile

_ENV_OBJECT = re.compile(r"^(process\.env|import\.meta\.env|Bun\.env)$")


class JsSecretBinding:
    string_types = frozenset({"string", "template_string"})

    @staticmethod
    def value(src: SourceFile, node: Node) -> str | None:
        return string_value(src, node)

    @staticmethod
    def env_name(src: SourceFile, node: Node) -> str:
        left = _env_left(src, node)
        if left is None:
            return ""
        if left.type == "member_expression":
            return text(src, left.child_by_field_name("property"))
        return string_value(src, left.child_by_field_name("index")) or ""

    @staticmethod
    def is_env_fallback(src: SourceFile, node: Node) -> bool:
        return _env_left(src, node) is not None

    @staticmethod
    def bound_name(src: SourceFile, node: Node) -> str:
        return _bound_name(src, node)


def _env_left(src: SourceFile, node: Node) -> Node | None:
    """For `process.env.X || "lit"` / `?? "lit"`: the `process.env.X` node."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None or parent.type != "binary_expression":
        return None
    operator = parent.child_by_field_name("operator")
    if text(src, operator) not in ("||", "??") or unwrap(parent.child_by_field_name("right")) != node:
        return None
    left = unwrap(parent.child_by_field_name("left"))
    if left is None or left.type not in ("member_expression", "subscript_expression"):
        return None
    return left if _ENV_OBJECT.match(text(src, left.child_by_field_name("object"))) else None


def _bound_name(src: SourceFile, node: Node) -> str:
    parent = node.parent
    while parent is not None and parent.type in ("as_expression", "satisfies_expression", "parenthesized_expression"):
        node, parent = parent, parent.parent
    if parent is None:
        return ""
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
        return _target_name(src, parent.child_by_field_name("name"))
    if parent.type in ("assignment_expression", "assignment_pattern") and parent.child_by_field_name("right") == node:
        return _target_name(src, parent.child_by_field_name("left"))
    if parent.type == "pair" and parent.child_by_field_name("value") == node:
        key = parent.child_by_field_name("key")
        return string_value(src, key) or text(src, key)
    if parent.type in ("public_field_definition", "property_signature") and parent.child_by_field_name("value") == node:
        return text(src, parent.child_by_field_name("name"))
    return ""


def _target_name(src: SourceFile, target: Node | None) -> str:
    if target is None:
        return ""
    if target.type in ("identifier", "shorthand_property_identifier_pattern"):
        return text(src, target)
    if target.type == "member_expression":
        return text(src, target.child_by_field_name("property"))
    if target.type == "subscript_expression":
        return string_value(src, target.child_by_field_name("index")) or ""
    return ""
