"""The values around a Python exception handler, for the error-handling detector: what the try body
assigns and whether later code checks it (a fallback) or uses it as if the call succeeded (a lost
result), and what a handler's returned name stands for (a module constant, the unchanged input)."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ...lang.python.handlers import enclosing_function, following_statements, text, walk_same_scope
from ...parsing import SourceFile

CONSTANT_VALUES = ("dictionary", "list", "tuple", "set", "string", "integer", "float", "true", "false", "none")


def lost_result(src: SourceFile, clause: Node) -> str | None:
    """A name the try body assigns that later code uses unchecked while the handler left it unset/None."""
    try_stmt = clause.parent
    body = try_stmt.child_by_field_name("body") if try_stmt is not None else None
    if try_stmt is None or body is None:
        return None
    later = list(following_statements(try_stmt))
    for name in assigned_names(src, body):
        if has_real_default(src, try_stmt, name):
            continue
        uses = uses_of(src, name, later)
        if uses and not any(is_checked(n) for n in uses):
            return name
    return None


def has_fallback(src: SourceFile, clause: Node) -> bool:
    """The try body sets a value that keeps a real default or is checked afterwards: a fallback."""
    try_stmt = clause.parent
    body = try_stmt.child_by_field_name("body") if try_stmt is not None else None
    if try_stmt is None or body is None:
        return False
    later = list(following_statements(try_stmt))
    return any(
        has_real_default(src, try_stmt, name) or any(is_checked(n) for n in uses_of(src, name, later))
        for name in assigned_names(src, body)
    )


def uses_of(src: SourceFile, name: str, stmts: list[Node]) -> list[Node]:
    return [n for s in stmts for n in walk_same_scope(s) if n.type == "identifier" and text(src, n) == name]


def assigned_names(src: SourceFile, body: Node) -> Iterator[str]:
    for stmt in body.named_children:
        expr = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
        if expr is not None and expr.type == "assignment":
            left = expr.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                yield text(src, left)


def has_real_default(src: SourceFile, try_stmt: Node, name: str) -> bool:
    """True when `name` was given a meaningful (non-None, non-empty) value before the try."""
    sibling = try_stmt.prev_named_sibling
    while sibling is not None:
        expr = sibling.named_children[0] if sibling.type == "expression_statement" and sibling.named_children \
            else None
        if expr is not None and expr.type == "assignment":
            left = expr.child_by_field_name("left")
            if left is not None and text(src, left) == name:
                right = expr.child_by_field_name("right")
                return right is not None and right.type != "none"
        sibling = sibling.prev_named_sibling
    return False


def is_checked(ident: Node) -> bool:
    parent = ident.parent
    if parent is None:
        return False
    if parent.type in ("comparison_operator", "not_operator", "boolean_operator", "conditional_expression"):
        return True
    return parent.type in ("if_statement", "while_statement", "elif_clause") and \
        parent.child_by_field_name("condition") == ident


def stand_in(src: SourceFile, clause: Node, value: Node | None) -> str:
    """How a handler's returned name stands in for the failed result: "a constant default" (a module
    constant bound to a literal) or "its input unchanged" (a parameter of the function never
    reassigned); '' otherwise."""
    if value is None or value.type != "identifier":
        return ""
    name = text(src, value)
    root = src.root
    for stmt in root.named_children if root is not None else []:
        expr = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
        if expr is not None and expr.type == "assignment" and text(src, expr.child_by_field_name("left")) == name:
            right = expr.child_by_field_name("right")
            if right is not None and right.type in CONSTANT_VALUES:
                return "a constant default"
    func = enclosing_function(clause)
    params = func.child_by_field_name("parameters") if func is not None else None
    if func is None or params is None:
        return ""
    names = {text(src, p if p.type == "identifier" else p.named_children[0] if p.named_children else None)
             for p in params.named_children}
    if name not in names or name in ("self", "cls"):
        return ""
    reassigned = any(n.type in ("assignment", "augmented_assignment")
                     and text(src, n.child_by_field_name("left")) == name for n in walk_same_scope(func))
    return "" if reassigned else "its input unchanged"
