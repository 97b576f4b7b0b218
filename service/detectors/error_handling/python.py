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

from collections.abc import Iterable
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.python.handlers import (
    Act,
    Catch,
    Handler,
    call_name,
    caught_label,
    classify_catch,
    classify_name,
    enclosing_function,
    has_success_marker,
    is_default_value,
    last_name,
    summarize,
    text,
)
from ...lang.python.memo import nodes_of
from ...models import Finding, Severity
from ...parsing import SourceFile, end_line_of, line_of
from .python_fallbacks import lost_result, stand_in
from .python_handler_context import (
    best_effort,
    builtin_only,
    catches_io_root,
    cleanup_only,
    commit_call,
    excuse,
    for_loop,
    is_request_handler,
    is_test_path,
    raises_after,
    response_status,
    retry_loop,
    success_after,
)
from .rules import AS_SUCCESS, COMMIT, LOGGED, RETRY, SWALLOWED

MAX_SPAN = 8


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
            kind = "" if is_default_value(src, handler.returned) else stand_in(src, clause, handler.returned)
            if not kind and not is_default_value(src, handler.returned):
                return None
            value = text(src, handler.returned) or "None"
            shown = f"`{value}`, {kind}," if kind else f"`{value}`"
            return self._report(ctx, LOGGED, clause, (
                f"`{label}` only logs and returns {shown} so the caller cannot tell the failure from a "
                "real result; re-raise (or raise a domain error) and let the caller decide."
            ), excuse=excuse(src, clause))
        item_loop = for_loop(clause)
        if broad and item_loop is not None and not best_effort(src, clause):
            target = text(src, item_loop.child_by_field_name("left")) or "item"
            return self._report(ctx, LOGGED, clause, (
                f"`{label}` logs and moves on to the next `{target}`: failed items are silently dropped while "
                "the run reports success; collect the failures and report or raise them at the end."
            ), excuse=excuse(src, clause))
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
                ), excuse=excuse(src, clause))
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
                ), excuse=excuse(src, clause))
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
                severity: Severity | None = None, excuse: str = "") -> Finding:
        start = line_of(clause)
        end = min(end_line_of(clause), start + MAX_SPAN)
        if excuse:
            # the wording says "tolerated on purpose" but no code shows it: a question, not a verdict
            message += (f" ({excuse} suggests the failure is tolerated on purpose, but nothing in the code "
                        f"handles it; if that is intended, mark it \"# slopguard: ignore[{rule.id}]\".)")
            return ctx.finding(rule, start, message, end=end, severity=Severity.NOTICE, confidence="low")
        return ctx.finding(rule, start, message, end=end, severity=severity)


