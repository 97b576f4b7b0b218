"""What surrounds a Python exception handler, for the error-handling detector: the calls its `try`
makes (I/O, commits, side effects), retry loops, fallbacks and defaults, request handlers and the
response status they return."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...lang.python import testing
from ...lang.python.handlers import (
    BUILTIN_EXCEPTIONS,
    Catch,
    call_name,
    caught_type,
    enclosing,
    enclosing_function,
    following_statements,
    has_success_marker,
    is_log_call,
    last_name,
    string_value,
    text,
    walk_same_scope,
)
from ...lang.python.memo import cached, node_key
from ...parsing import SourceFile
from ...ruledata import data_lists
from .python_fallbacks import has_fallback

SLEEP_CALLS = data_lists("error-handling").get("python_sleep_calls")


COMMIT_CALLS = frozenset({"commit", "flush"})


WRITE_CALLS = frozenset({"save", "bulk_save_objects", "bulk_create", "bulk_update"})


ROUTE_DECORATOR = re.compile(
    r"\.(route|get|post|put|patch|delete|api_route)\s*\(|api_view|require_(http_methods|GET|POST|safe)"
)


RESPONSE_CALLS = data_lists("error-handling").get("python_response_calls")


HTTP_STATUS_NAMES = {"OK": 200, "CREATED": 201, "ACCEPTED": 202, "NO_CONTENT": 204, "MULTI_STATUS": 207}


_LISTS = data_lists("error-handling")


# case-sensitive: exception class names
IO_ROOT_ERRORS = re.compile("|".join(_LISTS.ordered("python_io_root_errors")))


STATUS_KEYS = frozenset({"status", "status_code", "statusCode"})


SIDE_EFFECT_CALLS = re.compile("^(" + "|".join(_LISTS.ordered("python_side_effect_verbs")) + ")|"
                               + _LISTS.pattern("python_side_effect_nouns").pattern, re.IGNORECASE)


SIDE_EFFECT_RECEIVERS = _LISTS.pattern("python_side_effect_nouns")


BEST_EFFORT_WORDS = _LISTS.pattern("python_best_effort_words")


CLEANUP_FUNCTIONS = _LISTS.get("python_cleanup_functions")


CLEANUP_CALLS = _LISTS.get("python_cleanup_calls")


# ---------------------------------------------------------------------------- helpers


def is_test_path(path: str) -> bool:
    """The language layer's one answer (lang/python/testing.py)."""
    return testing.is_test_path(path)


def best_effort(src: SourceFile, clause: Node) -> bool:
    """A best-effort block by its structure: a fallback, cleanup, a daemon loop. (What its log message,
    a comment or the names of its calls say is `excuse`: it lowers a finding's confidence, never drops it.)"""
    if has_fallback(src, clause) or cleanup_only(src, clause):
        return True
    return enclosing(clause, ("while_statement",), ("function_definition", "lambda", "class_definition")) is not None


def side_effect(name: str) -> bool:
    """A call whose failure the main work can survive: notifications, metrics, tracing, caches."""
    receiver, _, method = name.rpartition(".")
    return bool(SIDE_EFFECT_CALLS.search(method) or SIDE_EFFECT_RECEIVERS.search(receiver))


def excuse(src: SourceFile, clause: Node) -> str:
    """What suggests, in words only, that the failure is tolerated on purpose: the handler's text (its
    log message or a comment: 'Its text, "will retry",') or the names of the calls it guards, all
    named like side effects (notifications, metrics, caches: 'The name of `send_email()`'); ''."""
    m = BEST_EFFORT_WORDS.search(text(src, clause))
    if m:
        return f"Its text, \"{m.group(0)}\","
    calls = try_calls(src, clause, full=True)
    if calls and all(side_effect(c) for c in calls):
        return f"The name of `{calls[0]}()`"
    return ""


def cleanup_only(src: SourceFile, clause: Node) -> bool:
    """The try guards teardown only (close, unlink, terminate...), or sits in a teardown method."""
    func = enclosing_function(clause)
    if func is not None and text(src, func.child_by_field_name("name")) in CLEANUP_FUNCTIONS:
        return True
    calls = try_calls(src, clause)
    return bool(calls) and all(c in CLEANUP_CALLS for c in calls)


def try_calls(src: SourceFile, clause: Node, full: bool = False) -> list[str]:
    """The (short, unless `full`) names of the calls made in the try body of `clause`, logging excluded."""
    try_stmt = clause.parent
    body = try_stmt.child_by_field_name("body") if try_stmt is not None else None
    names = [call_name(src, n) for n in walk_same_scope(body) if n.type == "call"] if body is not None else []
    return [n if full else last_name(n) for n in names if not is_log_call(src, n)]


def retry_loop(src: SourceFile, try_stmt: Node) -> Node | None:
    """The loop around `try_stmt` when it is a retry loop, from structure: the `try` leaves the loop on
    success (`return`/`break`) and the loop goes round again otherwise: it sleeps between attempts, counts
    them (`for _ in range(...)`) or is a `while` loop (the loop's names play no part)."""
    loop = enclosing(try_stmt, ("for_statement", "while_statement"), ("function_definition", "lambda",
                                                                      "class_definition"))
    if loop is None:
        return None
    body = try_stmt.child_by_field_name("body")
    exits = body is not None and any(n.type in ("return_statement", "break_statement")
                                     for n in walk_same_scope(body))
    if not exits:
        return None
    source = loop.child_by_field_name("right") if loop.type == "for_statement" else None
    counts = source is not None and source.type == "call" and \
        last_name(call_name(src, source)) in ("range", "count")
    return loop if loop.type == "while_statement" or counts or _sleeps(src, loop) else None


def _sleeps(src: SourceFile, loop: Node) -> bool:
    """The loop body sleeps (or backs off) between attempts."""
    return cached(src, ("error_handling.sleeps", node_key(loop)), lambda: any(
        n.type == "call" and last_name(call_name(src, n)) in SLEEP_CALLS for n in walk_same_scope(loop)))


def raises_after(loop: Node) -> bool:
    return any(n.type == "raise_statement" for s in following_statements(loop) for n in walk_same_scope(s))


def commit_call(src: SourceFile, try_stmt: Node, catch: Catch) -> Node | None:
    """A database commit/flush (or an ORM save) made in the try body."""
    body = try_stmt.child_by_field_name("body")
    if body is None:
        return None
    for node in walk_same_scope(body):
        if node.type != "call":
            continue
        receiver, _, method = call_name(src, node).rpartition(".")
        if method in COMMIT_CALLS and receiver and _database_receiver(src, try_stmt, receiver):
            return node
        if method in WRITE_CALLS and receiver and catch is not Catch.SPECIFIC:
            return node
    return None


def _database_receiver(src: SourceFile, try_stmt: Node, receiver: str) -> bool:
    """`receiver` is a database session/connection by structure: the try catches a database library's
    error, the receiver is annotated with a database type, or the function also calls a DB-API/ORM
    method on it (`execute`, `cursor`, `add`, `rollback`...). What the variable is called does not count."""
    lists = data_lists("error-handling")
    if any(last_name(n) in lists.get("python_db_errors") for c in try_stmt.named_children
           if c.type == "except_clause" for n in caught_names(src, c)):
        return True
    func = enclosing_function(try_stmt)
    if func is None:
        return False
    db_methods, db_types = lists.get("python_db_methods"), lists.get("python_db_types")
    for node in walk_same_scope(func):
        if node.type == "call":
            other, _, method = call_name(src, node).rpartition(".")
            if other == receiver and method in db_methods:
                return True
        elif node.type == "typed_parameter" and node.named_children \
                and text(src, node.named_children[0]) == receiver:
            annotation = text(src, node.child_by_field_name("type"))
            if any(last_name(part) in db_types for part in re.split(r"[\[\]|, ]+", annotation) if part):
                return True
    return False


def caught_names(src: SourceFile, clause: Node) -> list[str]:
    node = caught_type(clause)
    if node is None:
        return []
    return [text(src, n) for n in node.named_children] if node.type == "tuple" else [text(src, node)]


def catches_io_root(src: SourceFile, clause: Node) -> bool:
    """The clause catches the root error of an I/O library (HTTP client, database, cloud SDK)."""
    node = caught_type(clause)
    if node is None:
        return False
    names = [text(src, n) for n in node.named_children] if node.type == "tuple" else [text(src, node)]
    return any(IO_ROOT_ERRORS.search(last_name(n)) for n in names)


def builtin_only(src: SourceFile, clause: Node) -> bool:
    """The clause catches only builtin exceptions (KeyboardInterrupt, OSError...), not a database error."""
    node = caught_type(clause)
    if node is None:
        return False
    names = [text(src, n) for n in node.named_children] if node.type == "tuple" else [text(src, node)]
    return all(last_name(n) in BUILTIN_EXCEPTIONS for n in names)


def for_loop(clause: Node) -> Node | None:
    return enclosing(clause, ("for_statement",), ("function_definition", "lambda", "class_definition",
                                                  "while_statement"))


def success_after(src: SourceFile, clause: Node, in_handler: bool) -> Node | None:
    """A success marker ("succeeded", ok=True, `return True`, a 2xx response) after the try statement."""
    try_stmt = clause.parent
    if try_stmt is None:
        return None
    for stmt in following_statements(try_stmt):
        value = stmt.named_children[0] if stmt.type == "return_statement" and stmt.named_children else None
        if value is not None and value.type == "true":
            return stmt
        status = response_status(src, value, in_handler) if value is not None else None
        if status is not None and 200 <= status < 300:
            return stmt
        marker = has_success_marker(src, stmt)
        if marker is not None:
            return marker
    return None


def is_request_handler(src: SourceFile, func: Node) -> bool:
    parent = func.parent
    if parent is not None and parent.type == "decorated_definition":
        for dec in parent.named_children:
            if dec.type == "decorator" and ROUTE_DECORATOR.search(text(src, dec)):
                return True
    for node in walk_same_scope(func):
        if node.type == "return_statement" and node.named_children:
            value = node.named_children[0]
            first = value.named_children[0] if value.type in ("expression_list", "tuple") and value.named_children \
                else value
            if first.type == "call" and last_name(call_name(src, first)) in RESPONSE_CALLS:
                return True
    return False


def response_status(src: SourceFile, value: Node, in_handler: bool) -> int | None:
    """The HTTP status a returned value produces (Flask tuples, Response(status=...), status dicts)."""
    if value.type in ("expression_list", "tuple") and in_handler:
        parts = value.named_children
        if len(parts) >= 2:
            return status_code(src, parts[1])
        return response_status(src, parts[0], in_handler) if parts else None
    if value.type == "dictionary":
        for pair in value.named_children:
            key = pair.child_by_field_name("key") if pair.type == "pair" else None
            if key is not None and key.type == "string" and string_value(src, key) in STATUS_KEYS:
                return status_code(src, pair.child_by_field_name("value"))
        return 200 if in_handler else None
    if value.type == "call" and last_name(call_name(src, value)) in RESPONSE_CALLS:
        args = value.child_by_field_name("arguments")
        for arg in args.named_children if args is not None else []:
            if arg.type == "keyword_argument" and text(src, arg.child_by_field_name("name")) in STATUS_KEYS:
                return status_code(src, arg.child_by_field_name("value"))
        return 200
    return None


def status_code(src: SourceFile, node: Node | None) -> int | None:
    raw = text(src, node).strip()
    if raw.isdigit():
        return int(raw)
    digits = re.search(r"\b[A-Z_]*?(\d{3})", raw)
    if digits:
        return int(digits.group(1))
    return HTTP_STATUS_NAMES.get(last_name(raw))
