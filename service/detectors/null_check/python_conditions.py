"""What a condition or a block proves about a value of the Python null-check detector.

`implies_not_none` decides whether a condition evaluating to True/False proves the value is not
None; `terminates`, `restores` and `catches_none_errors` decide whether a block leaves, sets the
value again or catches what dereferencing None raises.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ...parsing import SourceFile
from .python_syntax import _named, _walk, text, unwrap

PREDICATE = re.compile(r"^_?(?:is|has|check|valid|validate)(?:_|[A-Z]|$)")


NONE_ERRORS = ("AttributeError", "TypeError", "Exception", "BaseException")


def refers_to(src: SourceFile, node: Node | None, path: str) -> bool:
    """`node` is the tracked value itself (also `(path := ...)`)."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "named_expression":
        return text(src, node.child_by_field_name("name")) == path
    return text(src, node) == path


def implies_not_none(src: SourceFile, cond: Node | None, path: str, outcome: bool) -> bool:
    """Does `cond` evaluating to `outcome` prove that `path` is not None?"""
    cond = unwrap(cond)
    if cond is None:
        return False
    if refers_to(src, cond, path):
        return outcome
    kind = cond.type
    if kind == "not_operator":
        return implies_not_none(src, cond.child_by_field_name("argument"), path, not outcome)
    if kind == "boolean_operator":
        return _bool_implies(src, cond, path, outcome)
    if kind == "comparison_operator":
        return _comparison_implies(src, cond, path, outcome)
    if kind == "call":
        fn = text(src, cond.child_by_field_name("function"))
        args = _named(cond.child_by_field_name("arguments") or cond)
        if outcome and fn in ("isinstance", "bool", "len") and args:
            return refers_to(src, args[0], path)
        if PREDICATE.search(fn.rsplit(".", 1)[-1]) or fn in ("callable", "hasattr", "getattr"):
            # a type/shape check of the value: either way it was looked at on purpose
            return any(refers_to(src, a, path) or _mentions(src, a, path) for a in args)
    return False


def _mentions(src: SourceFile, node: Node, path: str) -> bool:
    return node.type == "call" and any(refers_to(src, a, path) for a in _named(
        node.child_by_field_name("arguments") or node))


def _bool_implies(src: SourceFile, cond: Node, path: str, outcome: bool) -> bool:
    op = text(src, cond.child_by_field_name("operator"))
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    left_t, right_t = (implies_not_none(src, n, path, outcome) for n in (left, right))
    if op == "and":
        return (left_t or right_t) if outcome else (left_t and right_t)
    return (left_t and right_t) if outcome else (left_t or right_t)


def comparison_parts(src: SourceFile, cond: Node) -> tuple[list[Node], list[str]]:
    """The operands and the normalised operators (`is not`, `<`...) of a comparison."""
    op_nodes = cond.children_by_field_name("operators")
    starts = {(o.start_byte, o.end_byte) for o in op_nodes}
    operands = [c for c in cond.named_children
                if c.type != "comment" and (c.start_byte, c.end_byte) not in starts]
    return operands, [" ".join(text(src, o).split()) for o in op_nodes]


def _comparison_implies(src: SourceFile, cond: Node, path: str, outcome: bool) -> bool:
    operands, ops = comparison_parts(src, cond)
    if len(operands) != 2 or len(ops) != 1:
        # a chained comparison such as `0 < x < 10` only holds for a real value
        plain = all(op not in ("is", "is not", "==", "!=") for op in ops)
        return outcome and plain and any(refers_to(src, o, path) for o in operands)
    op = ops[0]
    left, right = operands
    if refers_to(src, right, path):
        if op in ("in", "not in"):
            return False
        left, right = right, left
    if not refers_to(src, left, path):
        return False
    other = unwrap(right)
    if other is not None and other.type == "none":
        return outcome if op in ("is not", "!=") else (not outcome) if op in ("is", "==") else False
    literal = _non_none_literal(src, other)
    if op == "in":
        return outcome  # collections of real values rarely hold None
    if op in ("is", "=="):
        return outcome and literal
    if op in ("is not", "!=", "not in"):
        return (not outcome) and literal
    # ordering only succeeds on a real value
    return outcome


_LITERALS = ("string", "concatenated_string", "integer", "float", "true", "false")


def _non_none_literal(src: SourceFile, node: Node | None) -> bool:
    """A literal (or a literal collection without None) that None never equals or belongs to."""
    if node is None:
        return False
    if node.type in _LITERALS:
        return True
    if node.type in ("tuple", "list", "set"):
        return not any(c.type == "none" for c in node.named_children)
    if node.type in ("attribute", "identifier"):
        return text(src, node).rsplit(".", 1)[-1].isupper()
    return False


def terminates(src: SourceFile, block: Node | None, noreturn: frozenset[str]) -> bool:
    """Does the block always leave (return, raise, continue, break, abort(), sys.exit())?"""
    if block is None:
        return False
    for stmt in _named(block):
        if stmt.type in ("return_statement", "raise_statement", "continue_statement",
                         "break_statement"):
            return True
        if stmt.type == "expression_statement" and _is_noreturn_call(src, stmt, noreturn):
            return True
        if stmt.type == "if_statement" and _if_always_leaves(src, stmt, noreturn):
            return True
    return False


def _is_noreturn_call(src: SourceFile, stmt: Node, noreturn: frozenset[str]) -> bool:
    expr = unwrap(stmt.named_children[0]) if stmt.named_children else None
    if expr is None or expr.type != "call":
        return False
    fn = text(src, expr.child_by_field_name("function"))
    return fn.rsplit(".", 1)[-1] in noreturn


def _if_always_leaves(src: SourceFile, stmt: Node, noreturn: frozenset[str]) -> bool:
    if not terminates(src, stmt.child_by_field_name("consequence"), noreturn):
        return False
    has_else = False
    for alt in stmt.children_by_field_name("alternative"):
        body = alt.child_by_field_name("consequence") or alt.child_by_field_name("body")
        if not terminates(src, body, noreturn):
            return False
        has_else = has_else or alt.type == "else_clause"
    return has_else


def assigns(src: SourceFile, block: Node | None, path: str) -> bool:
    """Does the block (at any depth) assign `path`?"""
    if block is None:
        return False
    for node in _walk(block):
        if node.type in ("assignment", "augmented_assignment") \
                and text(src, node.child_by_field_name("left")) == path:
            return True
    return False


def restores(src: SourceFile, block: Node | None, path: str, noreturn: frozenset[str]) -> bool:
    """After this block the value is set again: it assigns it, asserts it, or (for `self.x`)
    calls a method of `self` that is expected to set it."""
    if block is None:
        return False
    if terminates(src, block, noreturn) or assigns(src, block, path):
        return True
    for node in _walk(block):
        if node.type == "assert_statement" and node.named_children \
                and implies_not_none(src, node.named_children[0], path, True):
            return True
        if path.startswith("self.") and node.type == "call" \
                and text(src, node.child_by_field_name("function")).startswith("self."):
            return True
    return False


def catches_none_errors(src: SourceFile, try_stmt: Node) -> bool:
    """Does one of the except clauses catch what dereferencing None raises?"""
    for clause in try_stmt.named_children:
        if clause.type not in ("except_clause", "except_group_clause"):
            continue
        caught = [c for c in clause.named_children if c.type != "block"]
        if not caught:
            return True  # bare except
        names = text(src, caught[0])
        if any(re.search(rf"\b{err}\b", names) for err in NONE_ERRORS):
            return True
    return False
