"""JavaScript/TypeScript error handling that hides failures from the caller.

## What it does
Checks the `catch` clauses, `.catch()` handlers and un-awaited async calls of changed JS/TS code:

- `js.error-handling.empty-catch`: `catch {}` / `catch (e) {}`; a comment-only body counts as empty
  unless it gives a reason (`// ENOENT: no cache yet, start empty`).
- `js.error-handling.swallowed-promise`: `.catch(() => {})`, `.catch(() => null)` on a promise whose
  result is dropped, `.then(ok, () => {})`.
- `js.error-handling.logged-and-ignored`: a catch around asynchronous work that only logs
  (`console.*`, `logger.*`, `opts.log`) and returns a default (`[]`, `null`, a zero-filled result).
- `js.error-handling.failure-as-success`: a catch that answers the request with a success
  (`res.json({ ok: true })`, `res.status(200)`, `reply.send(...)` without an error status), or that
  only logs and falls through to the success response.
- `js.error-handling.floating-promise`: in a request handler or an `async` function, a call to an
  async function (declared `async`/returning a Promise in the repository, `fetch`, Prisma, `fs.promises`)
  whose promise is neither awaited, returned, chained with `.then`/`.catch`, nor marked `void`;
  and fire-and-forget async in callbacks (`forEach(async ...)`, a dropped `map(async ...)`, a
  function resolved as async across files and packages dropped inside a callback; see
  `js_fire_and_forget.py`).

Catches that rethrow or wrap the error, forward it (`next(err)`, `reject(err)`), answer 4xx/5xx,
record it where the caller sees it (`setError(...)`, `failures.push(...)`) or narrow it
(`if (err.code === 'ENOENT')`) are not reported.

## Why is this bad?
The caller (the HTTP client, the job runner, the UI) believes the operation worked: a webhook is
acknowledged and never retried, a failed supplier shows as a normal row, a rejected DELETE leaves
the UI out of sync, and an unhandled rejection may crash the process later, far from its cause.

## Example
```ts
try {
  await subscriptions.markPastDue(id);
} catch {}
return reply.send({ received: true });
```

## Use instead
```ts
try {
  await subscriptions.markPastDue(id);
} catch (err) {
  request.log.error({ err }, "failed to mark subscription past due");
  return reply.code(500).send({ error: "processing_failed" });
}
return reply.send({ received: true });
```
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js import syntax as js
from ...lang.js.linked import related_facts
from ...lang.js.loggers import is_log_call
from ...models import Finding, Severity
from ...parsing import line_of
from ...ruledata import data_lists
from .js_callers import awaited_caller, function_name
from .js_fallbacks import ERROR_KEY, Fallback, fallback, probe_fallback, usual_result, zeroed_copy
from .js_fire_and_forget import async_callback, dropped_finding, dropped_in_callback
from .js_promises import (
    REASON,
    RESPONDER,
    PromiseScanner,
    _clip,
    _inner_comments,
)
from .rules import JS_AS_SUCCESS, JS_EMPTY, JS_FLOATING, JS_LOGGED, JS_SWALLOWED_PROMISE

CLEANUP_CALLS = data_lists("error-handling").get("js_cleanup_calls")
PROBE_CALLS = data_lists("error-handling").pattern("js_probe_calls")
NARROW = re.compile(r"\.(code|name|status|statusCode|errno|response)\b|\binstanceof\b|\bis\w*Error\(")
RESPONSE_SEND = data_lists("error-handling").get("js_response_send")
VERIFY_CALLS = data_lists("error-handling").get("js_verify_calls")


class JsErrorHandling(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (JS_EMPTY, JS_SWALLOWED_PROMISE, JS_LOGGED, JS_AS_SUCCESS, JS_FLOATING)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        src = ctx.head
        if src is None or src.root is None or src.language not in js.LANGUAGES or js.is_test_path(ctx.path) \
                or not ctx.diff.added:
            return
        scanner = _Scanner(ctx, src, related_facts(ctx.repo, src, ctx.path))
        yield from scanner.run()


class _Scanner(PromiseScanner):

    def run(self) -> Iterator[Finding]:
        root = self.src.root
        assert root is not None
        for node in self.src.nodes_of("catch_clause", "call_expression", "expression_statement", "arrow_function"):
            if node.type == "catch_clause":
                found = self._catch(node)
            elif node.type == "call_expression":
                found = self._promise_handler(node) or async_callback(self.ctx, self.src, node)
            elif node.type == "expression_statement":
                found = self._floating(node) or self._dropped(node) or self._unhandled_then(node)
            elif node.type == "arrow_function" and node.child_by_field_name("body") is not None:
                found = self._dropped(node.child_by_field_name("body"))
            else:
                continue
            if found is not None:
                yield found

    def _dropped(self, node: Node | None) -> Finding | None:
        dropped = dropped_in_callback(self.src, node, self.facts) if node is not None else None
        return dropped_finding(self.ctx, *dropped) if dropped is not None else None

    # ------------------------------------------------------------------ catch clauses

    def _catch(self, clause: Node) -> Finding | None:
        body = clause.child_by_field_name("body")
        try_stmt = clause.parent
        if body is None or try_stmt is None or try_stmt.type != "try_statement":
            return None
        stmts = [c for c in body.named_children if c.type != "comment"]
        label = self._label(clause)
        if not stmts:
            return self._empty(clause, body, try_stmt, label)
        if self._narrow(body) or self._escalates(body):
            return None
        success = self._success_response(body)
        if success is not None:
            func = js.enclosing_function(clause)
            return self._report(JS_AS_SUCCESS, clause, (
                f"`{label}` answers `{_clip(self.t(success))}` after the operation failed, so the client treats "
                f"the error as success{self._in(func)}; respond with a 4xx/5xx status or pass the error on "
                "(`next(err)` / rethrow)."
            ))
        logs, returned, passive = self._summary(stmts)
        if not passive:
            return self._zeroed(clause, try_stmt, label, stmts)
        if returned is not None:
            return self._default_return(clause, try_stmt, label, logs, returned)
        if logs and stmts[-1].type == "expression_statement":
            after = self._success_after(try_stmt)
            if after is not None:
                return self._report(JS_AS_SUCCESS, clause, (
                    f"`{label}` only logs and falls through to `{_clip(self.t(after))}`, so a failure is answered "
                    "as a success; return an error status (or rethrow) from the catch."
                ))
            return self._resolves_anyway(clause, try_stmt, label)
        return None

    def _resolves_anyway(self, clause: Node, try_stmt: Node, label: str) -> Finding | None:
        """A log-only catch ends an async function that a caller awaits and then carries on after."""
        func = js.enclosing_function(try_stmt)
        body = try_stmt.child_by_field_name("body")
        if func is None or not js.is_async(func) or body is None or next(js.following_statements(try_stmt), None) \
                or not any(n.type == "await_expression" for n in js.walk_scope(body)) or self._cleanup_only(try_stmt):
            return None
        name = function_name(self.src, func)
        caller = awaited_caller(self.ctx, name) if name else None
        if caller is None:
            return None
        return self._report(JS_LOGGED, clause, (
            f"`{label}` only logs, so `{name}()` resolves normally after a failure and its caller "
            f"({caller[0]}:{caller[1]}) carries on as if it succeeded; rethrow, or return a result the caller checks."
        ))

    def _empty(self, clause: Node, body: Node, try_stmt: Node, label: str) -> Finding | None:
        if self._cleanup_only(try_stmt) or probe_fallback(self.src, try_stmt):
            return None
        message = (f"`{label} {{}}` silently discards every error of the try block; handle the failure (log it "
                   "and return an error, or rethrow), or catch only the specific error you expect.")
        comments = " ".join(self.t(c) for c in _inner_comments(body))
        if comments and (REASON.search(comments) or len(re.findall(r"[A-Za-z]{3,}", comments)) >= 5):
            # a comment says the error is expected; nothing in the code shows it: ask, at low confidence
            start = line_of(clause)
            return self.ctx.finding(JS_EMPTY, start, message + f" (Its comment, \"{_clip(comments)}\", says this is "
                                    "intended; if so, mark it \"// slopguard: ignore[error-handling]\".)",
                                    end=start, severity=Severity.NOTICE, confidence="low")
        return self._report(JS_EMPTY, clause, message)

    def _default_return(self, clause: Node, try_stmt: Node, label: str, logs: bool, returned: Node) -> Finding | None:
        value = js.unwrap(returned.named_children[0]) if returned.named_children else None
        kind = fallback(self.src, value, try_stmt)
        body = try_stmt.child_by_field_name("body")
        if kind is None or body is None:
            return None
        awaits = any(n.type == "await_expression" for n in js.walk_scope(body))
        if not logs and (not awaits or kind is Fallback.INPUT):
            return None  # a silent parse-or-default / pass-through: the usual idiom of synchronous code
        calls = [js.call_name(self.src, n) for n in js.walk_scope(body) if n.type == "call_expression"]
        if any(c in VERIFY_CALLS for c in calls):
            return None  # a library call whose contract is "invalid input -> no value"
        contract = usual_result(self.src, clause, value)
        if contract and not logs:
            return None
        shown = _clip(self.t(value)) if value is not None else "undefined"
        awaited = [js.call_name(self.src, n.named_children[0]) for n in js.walk_scope(body)
                   if n.type == "await_expression" and n.named_children
                   and n.named_children[0].type == "call_expression"]
        if not logs and (not awaited or all(PROBE_CALLS.search(js.last_name(a)) for a in awaited)):
            return None
        what = f"`{shown}`" if kind in (Fallback.DEFAULT, Fallback.CONSTANT) else f"`{shown}`, {kind.value}"
        if logs:
            message = (f"`{label}` only logs and returns {what}, so the caller cannot tell the failure from a "
                       "real result; rethrow (or return an explicit failure the caller checks).")
        else:
            message = (f"`{label}` returns {what} without a trace, hiding the failure from the caller; "
                       "rethrow, or return an explicit failure the caller checks.")
        if contract:
            start = line_of(clause)
            return self.ctx.finding(JS_LOGGED, start, message + f" (The function also returns `{shown}` on a normal "
                                    "path, so this may be its documented empty result.)", end=start,
                                    severity=Severity.NOTICE, confidence="low")
        return self._report(JS_LOGGED, clause, message)

    def _zeroed(self, clause: Node, try_stmt: Node, label: str, stmts: list[Node]) -> Finding | None:
        """The catch makes calls and then returns the success result's record with its fields zeroed."""
        last = stmts[-1]
        value = js.unwrap(last.named_children[0]) if last.type == "return_statement" and last.named_children else None
        if value is None or value.type != "object" or any(
                s.type != "expression_statement" or not s.named_children
                or s.named_children[0].type != "call_expression" for s in stmts[:-1]):
            return None
        if not zeroed_copy(self.src, value, try_stmt):
            return None
        return self._report(JS_AS_SUCCESS, clause, (
            f"`{label}` returns `{_clip(self.t(value))}`, the success result's fields with zeroed values, so the "
            "caller counts the failure as an empty success; rethrow, or return a result that says it failed."
        ))

    def _narrow(self, body: Node) -> bool:
        """The catch branches on the kind of error (`if (err.code === 'ENOENT')`, `instanceof`)."""
        for node in js.walk_scope(body):
            if node.type in ("if_statement", "switch_statement"):
                cond = node.child_by_field_name("condition") or node.child_by_field_name("value")
                if NARROW.search(self.t(cond)):
                    return True
        return False

    def _label(self, clause: Node) -> str:
        param = clause.child_by_field_name("parameter")
        return f"catch ({self.t(param)})" if param is not None else "catch"

    def _escalates(self, body: Node) -> bool:
        for node in js.walk_scope(body):
            if node.type == "throw_statement":
                return True
            if node.type == "call_expression":
                name = js.call_name(self.src, node)
                last = js.last_name(name)
                if last in ("next", "reject", "fail", "exit", "setError", "onError") or name == "process.exit":
                    return True
                if last in ("status", "code", "sendStatus", "writeHead") and _error_status(self.t(node)):
                    return True
            if node.type in ("pair", "assignment_expression") and re.search(r"(?i)status(Code)?\s*[:=]\s*[45]\d\d",
                                                                            self.t(node)):
                return True
            if node.type == "new_expression" and re.search(r"status\s*:\s*[45]\d\d", self.t(node)):
                return True
            if node.type == "assignment_expression" and "exitCode" in self.t(node.child_by_field_name("left")):
                return True
        return False

    def _summary(self, stmts: list[Node]) -> tuple[bool, Node | None, bool]:
        """(logs, the return statement, passive): a passive handler only logs and/or returns."""
        logs = False
        for stmt in stmts:
            if stmt.type == "return_statement":
                return logs, stmt, True
            if stmt.type != "expression_statement" or not stmt.named_children:
                return logs, None, False
            expr = stmt.named_children[0]
            if expr.type != "call_expression" or not is_log_call(js.call_name(self.src, expr), self.loggers):
                return logs, None, False
            logs = True
        return logs, None, True

    def _success_response(self, body: Node) -> Node | None:
        """A response sent from `body` that is a success (no 4xx/5xx status in its chain)."""
        for node in js.walk_scope(body):
            if node.type != "call_expression":
                continue
            name = js.call_name(self.src, node)
            root = name.split(".")[0]
            last = js.last_name(name)
            if RESPONDER.match(root) and last in RESPONSE_SEND and "(" not in name:
                chain = self.t(node)
                if last == "sendStatus" or re.search(r"\.(status|code)\(", chain):
                    status = re.search(r"(?:status|code|sendStatus)\(\s*(\d{3})", chain)
                    if status is None or not status.group(1).startswith("2"):
                        continue
                if last in ("redirect", "end", "render", "sendFile"):
                    continue
                return node
            if RESPONDER.match(root) and last in RESPONSE_SEND:
                status = re.search(r"(?:status|code)\(\s*(\d{3})\s*\)", self.t(node))
                if status is not None and status.group(1).startswith("2"):
                    return node
            if name in ("NextResponse.json", "Response.json", "json") and len(js.call_args(node)) < 2:
                args = js.call_args(node)
                if args and args[0].type == "object" and not ERROR_KEY.search(self.t(args[0])):
                    return node
        return None

    def _success_after(self, try_stmt: Node) -> Node | None:
        func = js.enclosing_function(try_stmt)
        if func is None or not self._is_handler(func):
            return None
        for stmt in js.following_statements(try_stmt):
            found = self._success_response(stmt)
            if found is not None:
                return found
            if stmt.type in ("return_statement", "throw_statement") or _has_exit(stmt):
                return None
        return None

    def _cleanup_only(self, try_stmt: Node) -> bool:
        body = try_stmt.child_by_field_name("body")
        if body is None:
            return False
        calls = [js.last_name(js.call_name(self.src, n)) for n in js.walk_scope(body)
                 if n.type == "call_expression"]
        calls = [c for c in calls if c not in ("then", "catch")]
        if calls and all(c in CLEANUP_CALLS for c in calls):
            return True
        func = js.enclosing_function(try_stmt)
        name = self.t(func.child_by_field_name("name")) if func is not None else ""
        return bool(re.search(r"(?i)close|cleanup|teardown|dispose|shutdown|destroy|stop", name))


def _error_status(code: str) -> bool:
    return re.search(r"\(\s*[45]\d\d\b", code) is not None or re.search(r"(?i)\(\s*\w*(ERROR|BAD|NOT_FOUND|FORBIDDEN|"
                                                                         r"UNAUTHORIZED|CONFLICT|UNAVAILABLE)",
                                                                         code) is not None


def _has_exit(stmt: Node) -> bool:
    return any(n.type in ("return_statement", "throw_statement") for n in js.walk_scope(stmt))


