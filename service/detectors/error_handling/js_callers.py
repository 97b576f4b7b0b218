"""Who waits for a JavaScript/TypeScript function, for the error-handling detector: a caller in the
repository that `await`s it and then carries on (the next statement runs as if it succeeded).

A catch that only logs at the end of such a function turns every failure into a normal return, and
that caller (a "Saved!" toast, the next step of a job) cannot tell. Found from the syntax trees of
the files that mention the function's name (a text search narrows them first)."""

from __future__ import annotations

from tree_sitter import Node

from ...detector import FileContext
from ...lang.js import syntax as js
from ...parsing import SourceFile, line_of, walk
from .js_promises import GENERIC_METHODS

MAX_FILES = 25
STATEMENTS = ("expression_statement", "lexical_declaration", "variable_declaration")


def function_name(src: SourceFile, func: Node) -> str:
    """The name a caller uses: a declared function, a method, or `const name = async () => ...`."""
    name = func.child_by_field_name("name")
    if name is not None:
        return js.text(src, name)
    parent = func.parent
    if parent is not None and parent.type in ("variable_declarator", "pair", "public_field_definition"):
        key = parent.child_by_field_name("name") or parent.child_by_field_name("key")
        if key is not None:
            return js.text(src, key)
    return ""


def awaited_caller(ctx: FileContext, name: str) -> tuple[str, int] | None:
    """(path, line) of a call `await ….name(...)` in the head tree followed by another statement of the
    same block, outside test files; None when there is none (or the name is too common to search)."""
    if len(name) < 4 or name in GENERIC_METHODS:
        return None
    paths = sorted(p for p in ctx.repo.files_containing("RIGHT", [name], word_chars="A-Za-z0-9_$")
                   if p.endswith(js.EXTENSIONS) and not js.is_test_path(p))
    if len(paths) > MAX_FILES:
        return None
    for path in paths:
        src = ctx.repo.source("RIGHT", path)
        if src is None or src.root is None:
            continue
        for node in walk(src.root):
            if node.type != "await_expression" or not node.named_children:
                continue
            call = js.unwrap(node.named_children[0])
            if call is None or call.type != "call_expression" or js.last_name(js.call_name(src, call)) != name:
                continue
            if _carries_on(node):
                return path, line_of(node)
    return None


def _carries_on(awaited: Node) -> bool:
    """The statement holding `awaited` is followed by another statement in its block."""
    stmt: Node | None = awaited
    while stmt is not None and stmt.type not in STATEMENTS:
        if stmt.type in ("arrow_function", "function_declaration", "function_expression", "method_definition"):
            return False
        stmt = stmt.parent
    if stmt is None:
        return False
    following = stmt.next_named_sibling
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    return following is not None
