"""Python exception handlers that hide failures from the caller.

## What it does
Checks every `except` clause (and `contextlib.suppress`) of changed Python code and reports the
handlers that make a failure invisible:

- `python.error-handling.swallowed-exception`: `except: pass`, `except Exception: pass|continue`,
  a broad handler that silently returns an empty default, `contextlib.suppress(Exception)`.
- `python.error-handling.logged-and-ignored`: a broad handler (or one catching a whole library's
  root error such as `requests.RequestException`) that only logs and then returns a default
  (`None`, `[]`, `{}`, `0`, `True`), skips the loop item, or falls through with the result missing.
- `python.error-handling.failure-as-success`: a handler that turns a failure into success: a
  request handler answering 2xx (or a body without an error status), or a handler that falls
  through into code recording a "succeeded"/"ok" status.
- `python.error-handling.retry-swallows-error`: a retry loop catching every exception (retrying
  bugs and permanent errors) or dropping the last error when the attempts run out.
- `python.error-handling.ignored-commit-failure`: a failed `commit()`/`flush()` that is only
  logged: no rollback, no re-raise, the session is left broken and the caller sees success.

Handlers that re-raise, convert the exception, exit non-zero, return an error status or record the
failure where the caller sees it (a failure list, a status field, a counter) are not reported, nor
are narrow handlers (`KeyError`, `FileNotFoundError`, `IntegrityError`, ...) with a real fallback.

## Why is this bad?
The caller (a job runner, an HTTP client, the next line of the function) believes the operation
worked: rows are dropped, payments recorded as refunded, batches lost, and nobody is alerted
because the run "succeeded". The log line is read, if ever, long after the damage is done.

## Example
```python
try:
    ref = gateway.refund(charge_id, amount)
except GatewayError as exc:
    log.error("refund failed: %s", exc)
repo.record_refund(order_id, provider_ref=ref, status="succeeded")
```

## Use instead
```python
try:
    ref = gateway.refund(charge_id, amount)
except GatewayError as exc:
    raise RefundError(f"refund failed: {exc}") from exc
repo.record_refund(order_id, provider_ref=ref, status="succeeded")
```
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.python.handlers import (
    BUILTIN_EXCEPTIONS,
    Act,
    Catch,
    Handler,
    call_name,
    caught_label,
    caught_type,
    classify_catch,
    classify_name,
    enclosing,
    enclosing_function,
    following_statements,
    has_success_marker,
    is_default_value,
    is_log_call,
    last_name,
    string_value,
    summarize,
    text,
    walk_same_scope,
)
from ...lang.python.memo import cached, node_key, nodes_of
from ...models import Finding, Severity
from ...parsing import SourceFile, end_line_of, line_of

CATEGORY = "error-handling"
SWALLOWED = Rule(
    id="python.error-handling.swallowed-exception",
    category=CATEGORY,
    languages=("python",),
    severity=Severity.WARNING,
    summary="An exception is caught and silently discarded (except: pass, except Exception: continue).",
)
LOGGED = Rule(
    id="python.error-handling.logged-and-ignored",
    category=CATEGORY,
    languages=("python",),
    severity=Severity.WARNING,
    summary="A broad except only logs and then returns a default or skips the work as if it succeeded.",
)
AS_SUCCESS = Rule(
    id="python.error-handling.failure-as-success",
    category=CATEGORY,
    languages=("python",),
    severity=Severity.ERROR,
    summary="A failure is turned into a success: a 2xx response or a 'succeeded' status after an error.",
)
RETRY = Rule(
    id="python.error-handling.retry-swallows-error",
    category=CATEGORY,
    languages=("python",),
    severity=Severity.WARNING,
    summary="A retry loop retries every exception or drops the last error when the attempts run out.",
)
COMMIT = Rule(
    id="python.error-handling.ignored-commit-failure",
    category=CATEGORY,
    languages=("python",),
    severity=Severity.WARNING,
    summary="A failed commit/flush is only logged: no rollback, no re-raise, the caller sees success.",
)

RETRY_WORDS = frozenset({"attempt", "attempts", "retry", "retries", "tries", "try", "tried", "backoff"})
SLEEP_CALLS = frozenset({"sleep", "backoff", "wait", "_sleep"})
COMMIT_CALLS = frozenset({"commit", "flush"})
WRITE_CALLS = frozenset({"save", "bulk_save_objects", "bulk_create", "bulk_update"})
ROUTE_DECORATOR = re.compile(
    r"\.(route|get|post|put|patch|delete|api_route)\s*\(|api_view|require_(http_methods|GET|POST|safe)"
)
RESPONSE_CALLS = frozenset(
    {"jsonify", "JSONResponse", "JsonResponse", "HttpResponse", "Response", "make_response",
     "ORJSONResponse", "UJSONResponse", "PlainTextResponse", "HTMLResponse", "json_response"}
)
HTTP_STATUS_NAMES = {"OK": 200, "CREATED": 201, "ACCEPTED": 202, "NO_CONTENT": 204, "MULTI_STATUS": 207}
MAX_SPAN = 8
IO_ROOT_ERRORS = re.compile(
    r"^(RequestException|HTTPError|SQLAlchemyError|DatabaseError|DBAPIError|BotoCoreError|RedisError|"
    r"PyMongoError|KafkaError|SMTPException|ClientError|HTTPException|HttpError)$|(Api|API|Service|Client|Gateway)Error$"
)
DB_RECEIVER = re.compile(r"session|conn|db|transaction|txn|tx|cursor|uow|atomic|engine|database", re.IGNORECASE)
STATUS_KEYS = frozenset({"status", "status_code", "statusCode"})
SIDE_EFFECT_NOUNS = r"notif|e?mail|metric|analytics|telemetry|cache|audit|webhook|slack|trac(e|ing)|span|statsd|sentry"
SIDE_EFFECT_CALLS = re.compile(
    r"^(send|notify|publish|emit|track|incr|increment|gauge|timing|invalidate|warm|prefetch|audit|ping)|"
    + SIDE_EFFECT_NOUNS,
    re.IGNORECASE,
)
SIDE_EFFECT_RECEIVERS = re.compile(SIDE_EFFECT_NOUNS, re.IGNORECASE)
BEST_EFFORT_WORDS = re.compile(
    r"best[- ]effort|ignor|non-?fatal|not critical|harmless|will (be )?retr|fall(ing)? ?back|bypass|cache|optional",
    re.IGNORECASE,
)
CLEANUP_FUNCTIONS = frozenset({"__exit__", "__aexit__", "close", "aclose", "shutdown", "stop", "cleanup",
                               "teardown", "tearDown", "dispose", "terminate"})
CLEANUP_CALLS = frozenset({"close", "aclose", "unlink", "remove", "rmtree", "shutdown", "terminate", "kill",
                           "release", "stop", "disconnect", "cancel", "join", "rmdir", "delete_file"})


class PythonErrorHandling(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (SWALLOWED, LOGGED, AS_SUCCESS, RETRY, COMMIT)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        src = ctx.head
        if src is None or src.root is None or src.language != "python" or is_test_path(ctx.path):
            return
        for node in nodes_of(src, "except_clause", "with_item"):
            if node.type == "except_clause" and node.parent is not None:
                found = self._check_except(ctx, src, node)
                if found is not None:
                    yield found
            elif node.type == "with_item":
                found = self._check_suppress(ctx, src, node)
                if found is not None:
                    yield found

    # ------------------------------------------------------------------ contextlib.suppress

    def _check_suppress(self, ctx: FileContext, src: SourceFile, item: Node) -> Finding | None:
        value = item.child_by_field_name("value")
        if value is None or value.type != "call" or last_name(call_name(src, value)) != "suppress":
            return None
        args = value.child_by_field_name("arguments")
        names = [text(src, a) for a in (args.named_children if args is not None else [])]
        broad = [n for n in names if classify_name(n) is Catch.BROAD]
        if not broad:
            return None
        return ctx.finding(
            SWALLOWED, line_of(item),
            f"`suppress({broad[0]})` silently discards every error of the block; suppress only the "
            "specific exception you expect, or handle and report the failure.",
        )

    # ------------------------------------------------------------------ except clauses

    def _check_except(self, ctx: FileContext, src: SourceFile, clause: Node) -> Finding | None:
        try_stmt = clause.parent
        if try_stmt is None or try_stmt.type != "try_statement":
            return None
        func = enclosing_function(clause)
        if func is not None and text(src, func.child_by_field_name("name")) == "__del__":
            return None
        catch = classify_catch(src, clause)
        handler = summarize(src, clause)
        if any(a in (Act.RAISE, Act.EXIT) for a in handler.acts):
            return None
        loop = retry_loop(src, try_stmt)
        if loop is not None:
            return self._retry(ctx, src, clause, catch, loop)
        if not handler.passive or handler.terminal is Act.BREAK:
            return None
        commit = commit_call(src, try_stmt, catch)
        if commit is not None and not handler.rollback and not builtin_only(src, clause):
            return self._report(ctx, COMMIT, clause, (
                f"`{caught_label(src, clause)}` after `{call_name(src, commit)}()` only logs: the transaction is "
                "neither rolled back nor re-raised, so the write is lost while the caller sees success; "
                "roll back and raise (or return a failure the caller checks)."
            ))
        if catch is Catch.SPECIFIC:
            return None
        return self._passive(ctx, src, clause, catch, handler, func)

    def _passive(self, ctx: FileContext, src: SourceFile, clause: Node, catch: Catch, handler: Handler,
                 func: Node | None) -> Finding | None:
        label = caught_label(src, clause)
        success = self._as_success(ctx, src, clause, handler, func, label)
        if success is not None:
            return success
        broad = catch in (Catch.BARE, Catch.BROAD)
        if handler.silent and not handler.logs:
            feature_probe = func is None and Act.DEFAULT in handler.acts
            io_root = catch is Catch.UMBRELLA and handler.terminal is None and catches_io_root(src, clause)
            if catch is Catch.BARE or ((broad or io_root) and not feature_probe and not cleanup_only(src, clause)):
                return self._swallowed(ctx, src, clause, catch, handler)
            return None
        if not handler.logs:
            if broad and handler.terminal is Act.RETURN and is_default_value(src, handler.returned):
                return self._swallowed(ctx, src, clause, catch, handler)
            return None
        return self._logged(ctx, src, clause, catch, handler, label)

    def _swallowed(self, ctx: FileContext, src: SourceFile, clause: Node, catch: Catch,
                   handler: Handler) -> Finding:
        label = caught_label(src, clause)
        bare_pass = catch is Catch.BARE and handler.terminal is None
        if handler.terminal is Act.CONTINUE:
            what = "skips the item without a trace"
        elif handler.terminal is Act.RETURN:
            what = f"returns `{text(src, handler.returned) or 'None'}` without a trace"
        else:
            what = "discards the error without a trace"
        extra = " (a bare except also catches KeyboardInterrupt and SystemExit)" if catch is Catch.BARE else ""
        return self._report(ctx, SWALLOWED, clause, (
            f"`{label}` {what}{extra}; catch the specific exception you expect and handle it, or let it "
            "propagate."
        ), severity=Severity.ERROR if bare_pass else None)

    def _logged(self, ctx: FileContext, src: SourceFile, clause: Node, catch: Catch, handler: Handler,
                label: str) -> Finding | None:
        broad = catch in (Catch.BARE, Catch.BROAD)
        terminal = handler.terminal
        if terminal is Act.RETURN:
            if not is_default_value(src, handler.returned) or explained(src, clause):
                return None
            value = text(src, handler.returned) or "None"
            return self._report(ctx, LOGGED, clause, (
                f"`{label}` only logs and returns `{value}`, so the caller cannot tell the failure from an "
                "empty result; re-raise (or raise a domain error) and let the caller decide."
            ))
        item_loop = for_loop(clause)
        if broad and item_loop is not None and not best_effort(src, clause):
            target = text(src, item_loop.child_by_field_name("left")) or "item"
            return self._report(ctx, LOGGED, clause, (
                f"`{label}` logs and moves on to the next `{target}`: failed items are silently dropped while "
                "the run reports success; collect the failures and report or raise them at the end."
            ))
        if terminal is None:
            lost = lost_result(src, clause)
            if lost is not None:
                return self._report(ctx, LOGGED, clause, (
                    f"`{label}` only logs and falls through, so `{lost}` is missing but used as if the call "
                    "succeeded; re-raise, or return early with a failure the caller checks."
                ))
            if broad and not best_effort(src, clause):
                return self._report(ctx, LOGGED, clause, (
                    f"`{label}` only logs and carries on, so the function reports success after a failure; "
                    "catch the specific errors you can handle and let the rest propagate."
                ))
        return None

    def _as_success(self, ctx: FileContext, src: SourceFile, clause: Node, handler: Handler,
                    func: Node | None, label: str) -> Finding | None:
        in_handler = func is not None and is_request_handler(src, func)
        if handler.terminal is Act.RETURN and handler.returned is not None:
            status = response_status(src, handler.returned, in_handler)
            if status is not None and 200 <= status < 300:
                name = text(src, func.child_by_field_name("name")) if func is not None else "handler"
                return self._report(ctx, AS_SUCCESS, clause, (
                    f"`{label}` in `{name}` answers HTTP {status} on failure, so clients treat the error as "
                    "success; return a 4xx/5xx status or let the framework's error handlers respond."
                ))
            marker = has_success_marker(src, handler.returned)
            if marker is not None:
                return self._report(ctx, AS_SUCCESS, clause, (
                    f"`{label}` returns a success result (`{text(src, marker)}`) after the operation failed; "
                    "report the failure to the caller instead."
                ))
            return None
        if handler.terminal is None and not best_effort(src, clause):
            marker = success_after(src, clause, in_handler)
            if marker is not None:
                return self._report(ctx, AS_SUCCESS, clause, (
                    f"`{label}` only logs and falls through to code that reports success "
                    f"(`{text(src, marker)}`), so a failure is recorded as a success; re-raise or return "
                    "a failure instead."
                ))
        return None

    def _retry(self, ctx: FileContext, src: SourceFile, clause: Node, catch: Catch, loop: Node) -> Finding | None:
        label = caught_label(src, clause)
        kept = raises_after(loop)
        if catch in (Catch.BARE, Catch.BROAD):
            if kept:
                message = (
                    f"`{label}` in a retry loop retries every error, including permanent ones (4xx "
                    "responses, bad data, programming errors), and then reports them as a generic failure; "
                    "retry only transient errors and let the others propagate at once."
                )
            else:
                message = (
                    f"`{label}` in a retry loop retries every error and drops the last one when the "
                    "attempts run out; retry only transient errors and raise the final error."
                )
            return self._report(ctx, RETRY, clause, message)
        if catch is Catch.UMBRELLA and not kept:
            return self._report(ctx, RETRY, clause, (
                f"`{label}` in a retry loop drops the last error when the attempts run out, so the caller "
                "gets a default instead of the failure; raise the final error after the loop."
            ))
        return None

    def _report(self, ctx: FileContext, rule: Rule, clause: Node, message: str,
                severity: Severity | None = None) -> Finding:
        start = line_of(clause)
        end = min(end_line_of(clause), start + MAX_SPAN)
        return ctx.finding(rule, start, message, end=end, severity=severity)


# ---------------------------------------------------------------------------- helpers


def is_test_path(path: str) -> bool:
    p = PurePosixPath(path)
    return (
        p.name.startswith("test_") or p.name.endswith("_test.py") or p.name == "conftest.py"
        or any(part in ("tests", "test", "testing") for part in p.parts[:-1])
    )


def best_effort(src: SourceFile, clause: Node) -> bool:
    """A deliberately best-effort block: explained as such, a fallback, cleanup, side effects, a daemon loop."""
    if explained(src, clause) or has_fallback(src, clause) or cleanup_only(src, clause):
        return True
    if enclosing(clause, ("while_statement",), ("function_definition", "lambda", "class_definition")):
        return True
    calls = try_calls(src, clause, full=True)
    return bool(calls) and all(side_effect(c) for c in calls)


def side_effect(name: str) -> bool:
    """A call whose failure the main work can survive: notifications, metrics, tracing, caches."""
    receiver, _, method = name.rpartition(".")
    return bool(SIDE_EFFECT_CALLS.search(method) or SIDE_EFFECT_RECEIVERS.search(receiver))


def explained(src: SourceFile, clause: Node) -> bool:
    """The handler (or a comment in it) says the failure is tolerated on purpose."""
    return BEST_EFFORT_WORDS.search(text(src, clause)) is not None


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
    return [n if full else last_name(n) for n in names if not is_log_call(n)]


def retry_loop(src: SourceFile, try_stmt: Node) -> Node | None:
    """The loop around `try_stmt` when it is a retry loop (attempt counter, or exit-on-success + sleep)."""
    loop = enclosing(try_stmt, ("for_statement", "while_statement"), ("function_definition", "lambda",
                                                                      "class_definition"))
    if loop is None:
        return None
    if loop.type == "for_statement":
        header = text(src, loop.child_by_field_name("left")) + " " + text(src, loop.child_by_field_name("right"))
    else:
        header = text(src, loop.child_by_field_name("condition"))
    if RETRY_WORDS.intersection(re.split(r"[^a-z0-9]+", header.lower())):
        return loop
    body = try_stmt.child_by_field_name("body")
    exits = body is not None and any(n.type in ("return_statement", "break_statement")
                                     for n in walk_same_scope(body))
    return loop if exits and _sleeps(src, loop) else None


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
        if method in COMMIT_CALLS and DB_RECEIVER.search(receiver):
            return node
        if method in WRITE_CALLS and receiver and catch is not Catch.SPECIFIC:
            return node
    return None


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
