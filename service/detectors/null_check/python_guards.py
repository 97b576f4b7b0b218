"""Dereferences and guards of the Python null-check detector: how a use dereferences a value
(`.attr`, `[...]`, arithmetic, iteration...) and whether a check around or before the use guards
it against None."""

from __future__ import annotations

from tree_sitter import Node

from ...parsing import SourceFile, walk
from .python_conditions import (
    catches_none_errors,
    comparison_parts,
    implies_not_none,
    refers_to,
    restores,
    terminates,
)
from .python_scope import Scope, Source
from .python_syntax import text

ORDERING = frozenset({"<", ">", "<=", ">="})


def _outer(node: Node) -> tuple[Node, Node | None]:
    """Skip the parentheses around `node`."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    return node, parent


def _deref_kind(scope: Scope, occurrence: Node) -> str | None:
    """How the use dereferences the value (`.attr`, `[...]`, arithmetic...), or None."""
    node, parent = _outer(occurrence)
    if parent is None:
        return None
    src = scope.src
    kind = parent.type
    if kind == "attribute" and parent.child_by_field_name("object") == node:
        attr = text(src, parent.child_by_field_name("attribute"))
        grand = parent.parent
        called = grand is not None and grand.type == "call" and grand.child_by_field_name("function") == parent
        return f"`.{attr}()`" if called else f"`.{attr}`"
    if kind == "subscript" and parent.child_by_field_name("value") == node:
        return "subscripting it"
    if kind == "call" and parent.child_by_field_name("function") == node:
        return "calling it"
    if kind == "binary_operator":
        op = text(src, parent.child_by_field_name("operator"))
        if op == "%" and parent.child_by_field_name("right") == node:
            return None
        return f"`{op}`"
    if kind == "unary_operator":
        return f"`{text(src, parent.child_by_field_name('operator'))}`"
    if kind == "augmented_assignment" and parent.child_by_field_name("left") == node:
        return f"`{text(src, parent.child_by_field_name('operator'))}`"
    if kind == "comparison_operator":
        return _comparison_deref(src, parent, node)
    if kind in ("for_statement", "for_in_clause") and parent.child_by_field_name("right") == node:
        return "iterating over it"
    if kind in ("list_splat", "dictionary_splat"):
        return "unpacking it"
    if kind == "argument_list":
        return _argument_deref(src, parent, node, scope.index.lists.get("python_deref_calls"))
    return None


def _comparison_deref(src: SourceFile, parent: Node, node: Node) -> str | None:
    operands, ops = comparison_parts(src, parent)
    ordering = [op for op in ops if op in ORDERING]
    if ordering:
        return f"comparing it with `{ordering[0]}`"
    if any(op in ("in", "not in") for op in ops) and operands and operands[0] != node:
        return "testing membership in it"
    return None


def _argument_deref(src: SourceFile, args: Node, node: Node, deref_calls: frozenset[str]) -> str | None:
    call = args.parent
    if call is None or call.type != "call":
        return None
    positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
    fn = text(src, call.child_by_field_name("function"))
    if fn in deref_calls and positional and positional[0] == node:
        return f"`{fn}()`"
    if fn.endswith(".join") and len(positional) == 1 and positional[0] == node and fn != "os.path.join":
        return "`.join()`"
    return None


def _guarded(scope: Scope, use: Node, source: Source) -> bool:
    """Is the use protected by a check between the source and the use?"""
    src, path, start = scope.src, source.path, source.start
    noreturn = scope.index.lists.get("python_noreturn_calls")
    node = use
    while node.parent is not None and node != scope.body:
        parent = node.parent
        if _structural_guard(src, parent, node, path, start):
            return True
        if parent.type in ("block", "module"):
            for sibling in parent.named_children:
                if sibling.start_byte >= node.start_byte:
                    break
                if sibling.end_byte > start and _sequential_guard(src, sibling, path, noreturn):
                    return True
        node = parent
    return False


def _condition_after(cond: Node | None, start: int) -> bool:
    return cond is not None and cond.end_byte >= start


def _structural_guard(src: SourceFile, parent: Node, child: Node, path: str, start: int) -> bool:
    kind = parent.type
    if kind in ("if_statement", "elif_clause", "while_statement"):
        cond = parent.child_by_field_name("condition")
        if child == parent.child_by_field_name("consequence") or (
                kind == "while_statement" and child == parent.child_by_field_name("body")):
            return _condition_after(cond, start) and implies_not_none(src, cond, path, True)
        if kind == "if_statement" and child.type in ("elif_clause", "else_clause"):
            conds = [cond] + [alt.child_by_field_name("condition")
                              for alt in parent.children_by_field_name("alternative")
                              if alt.type == "elif_clause" and alt.start_byte < child.start_byte]
            return any(_condition_after(c, start) and implies_not_none(src, c, path, False)
                       for c in conds)
        return False
    if kind == "conditional_expression":
        parts = [c for c in parent.named_children if c.type != "comment"]
        if len(parts) == 3 and _condition_after(parts[1], start):
            if child == parts[0]:
                return implies_not_none(src, parts[1], path, True)
            if child == parts[2]:
                return implies_not_none(src, parts[1], path, False)
        return False
    if kind == "boolean_operator" and child == parent.child_by_field_name("right"):
        left = parent.child_by_field_name("left")
        op = text(src, parent.child_by_field_name("operator"))
        return _condition_after(left, start) and implies_not_none(src, left, path, op == "and")
    if kind in ("list_comprehension", "generator_expression", "set_comprehension",
                "dictionary_comprehension"):
        return any(implies_not_none(src, c.named_children[0] if c.named_children else None, path, True)
                   for c in parent.named_children if c.type == "if_clause")
    if kind == "try_statement" and child == parent.child_by_field_name("body"):
        return catches_none_errors(src, parent)
    if kind == "case_clause":
        return _case_guards(src, parent, path)
    return False


def _breaks_only_when_set(src: SourceFile, loop: Node, path: str) -> bool:
    """`while True: ...; if x is not None: break` - after the loop `x` is set."""
    breaks = [n for n in walk(loop) if n.type == "break_statement"]
    if not breaks:
        return False
    for brk in breaks:
        block = brk.parent
        owner = block.parent if block is not None else None
        if owner is None or owner.type != "if_statement" or \
                not implies_not_none(src, owner.child_by_field_name("condition"), path, True):
            return False
    return True


def _case_guards(src: SourceFile, case: Node, path: str) -> bool:
    """`match x: case str(): x.lower()` - a case other than `None`/`_` excludes None."""
    match = case.parent.parent if case.parent is not None else None
    if match is None or match.type != "match_statement":
        return False
    subject = match.child_by_field_name("subject")
    if not refers_to(src, subject, path):
        return False
    pattern = " ".join(text(src, c) for c in case.named_children if c.type == "case_pattern")
    return bool(pattern) and "None" not in pattern and pattern.strip() != "_"


def _sequential_guard(src: SourceFile, stmt: Node, path: str, noreturn: frozenset[str]) -> bool:
    """A statement before the use after which the value cannot be None."""
    if stmt.type == "with_statement":
        body = stmt.child_by_field_name("body")
        return body is not None and any(_sequential_guard(src, s, path, noreturn) for s in body.named_children)
    if stmt.type == "while_statement" and text(src, stmt.child_by_field_name("condition")) == "True":
        return _breaks_only_when_set(src, stmt, path)
    if stmt.type == "assert_statement":
        cond = stmt.named_children[0] if stmt.named_children else None
        return implies_not_none(src, cond, path, True)
    if stmt.type != "if_statement":
        return False
    branches = [(stmt.child_by_field_name("condition"), stmt.child_by_field_name("consequence"))]
    else_body = None
    for alt in stmt.children_by_field_name("alternative"):
        if alt.type == "elif_clause":
            branches.append((alt.child_by_field_name("condition"), alt.child_by_field_name("consequence")))
        else:
            else_body = alt.child_by_field_name("body")
    for i, (cond, body) in enumerate(branches):
        earlier_leave = all(terminates(src, b, noreturn) for _, b in branches[:i])
        if not earlier_leave:
            break
        if implies_not_none(src, cond, path, False) and restores(src, body, path, noreturn):
            return True
    if else_body is not None and restores(src, else_body, path, noreturn):
        others_leave = all(terminates(src, b, noreturn) for _, b in branches[1:])
        return others_leave and implies_not_none(src, branches[0][0], path, True)
    return False
