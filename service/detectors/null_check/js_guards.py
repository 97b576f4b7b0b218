"""Guards of the JavaScript/TypeScript null-check detector: whether a check around or before a use
(an `if`, an early return, a ternary, an assertion call, a surrounding `try`) proves the value
present."""

from __future__ import annotations

import re
from collections.abc import Callable

from tree_sitter import Node

from ...lang.js import syntax as js
from ...parsing import SourceFile, walk
from .js_sources import (
    Source,
    SourceReader,
)

GuardTest = Callable[[Node], bool]


def _optional(node: Node) -> bool:
    return any(c.type == "optional_chain" for c in node.children)


def _squash(code: str) -> str:
    return re.sub(r"\s+|!$", "", code)


def _catch_recovers(src: SourceFile, try_stmt: Node) -> bool:
    """The try's catch provides a fallback rather than forwarding the error (`next(err)`, rethrow)."""
    handler = try_stmt.child_by_field_name("handler")
    body = handler.child_by_field_name("body") if handler is not None else None
    if body is None:
        return try_stmt.child_by_field_name("finalizer") is None
    for node in js.walk_scope(body):
        if node.type == "throw_statement":
            return False
        if node.type == "call_expression":
            name = js.call_name(src, node)
            if js.last_name(name) in ("next", "reject") or re.search(r"\bstatus\(\s*5\d\d", src.node_text(node)):
                return False
    return True


class GuardReader(SourceReader):
    # ------------------------------------------------------------------ guards

    def _same_text(self, expr: Node, source: Source) -> GuardTest:
        core = js.unwrap_await(expr)
        if core is not None and core.type == "non_null_expression" and core.named_children:
            core = js.unwrap_await(core.named_children[0])
        wanted = self.t(core)

        def test(cond: Node) -> bool:
            has = bool(source.has_check) and source.has_check in _squash(self.t(cond))
            return has or self._mentions(cond, wanted)
        return test

    def _mentions(self, cond: Node, wanted: str) -> bool:
        """`cond` tests `wanted` itself (not only one of its properties)."""
        squashed = _squash(wanted)
        for node in walk(cond):
            if _squash(self.t(node)) != squashed:
                continue
            parent = node.parent
            if parent is not None and parent.type in ("member_expression", "subscript_expression") \
                    and parent.child_by_field_name("object") == node and not _optional(parent):
                continue
            return True
        return False

    def _tests_var(self, cond: Node, var: str, source: Source) -> bool:
        if source.has_check and source.has_check in _squash(self.t(cond)):
            return True
        return self._mentions(cond, var)

    def _guarded(self, use: Node, decl: Node | None, tests: GuardTest) -> bool:
        child = use
        cur = use.parent
        while cur is not None:
            if self._branch_guard(cur, child, tests):
                return True
            if cur.type == "try_statement" and cur.child_by_field_name("body") == child \
                    and _catch_recovers(self.src, cur):
                return True
            if cur.parent is not None and cur.parent.type in js.BLOCKS and self._earlier_guard(cur, decl, tests):
                return True
            child, cur = cur, cur.parent
        return False

    def _branch_guard(self, cur: Node, child: Node, tests: GuardTest) -> bool:
        kind = cur.type
        if kind in ("if_statement", "while_statement", "ternary_expression"):
            cond = cur.child_by_field_name("condition")
            return cond is not None and child != cond and tests(cond)
        if kind == "else_clause":
            return False
        if kind == "binary_expression":
            op = self.t(cur.child_by_field_name("operator"))
            left = cur.child_by_field_name("left")
            return op in ("&&", "||", "??") and left is not None and child != left and tests(left)
        return False

    def _earlier_guard(self, stmt: Node, decl: Node | None, tests: GuardTest) -> bool:
        sib = stmt.prev_named_sibling
        while sib is not None:
            if decl is not None and sib.start_byte <= decl.start_byte <= sib.end_byte:
                return False
            if sib.type == "if_statement":
                cond = sib.child_by_field_name("condition")
                if cond is not None and tests(cond):
                    return True
            elif sib.type == "expression_statement" and sib.named_children:
                expr = sib.named_children[0]
                if expr.type == "call_expression" and self._asserts(expr):
                    args = js.call_args(expr)
                    if args and tests(args[0]):
                        return True
            sib = sib.prev_named_sibling
        return False

    def _try_guarded(self, node: Node) -> bool:
        cur = node.parent
        while cur is not None and cur.type not in js.FUNCTIONS:
            if cur.type == "try_statement" and _catch_recovers(self.src, cur):
                return True
            cur = cur.parent
        return False

    def _asserts(self, call: Node) -> bool:
        """`assert(x)`, `invariant(x)`: a call that throws when its first argument is falsy."""
        name = js.last_name(js.call_name(self.src, call))
        return self.lists.pattern("js_assert_calls").fullmatch(name) is not None
