"""Promises of the JavaScript/TypeScript error-handling detector: `.catch(() => {})` and
`.then(ok, () => null)` handlers that swallow a rejection, and promises neither awaited nor
handled. `PromiseScanner` holds what every check of one file shares; the catch-clause checks
of `js.py` extend it."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...detector import FileContext, Rule
from ...lang.js import syntax as js
from ...lang.js.loggers import logger_names
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of
from .rules import JS_FLOATING, JS_SWALLOWED_PROMISE

REASON = re.compile(
    r"(?i)\bE[A-Z]{3,}\b|\w+Error\b|because|expected|best[- ]effort|intentional|deliberate|on purpose|"
    r"not (critical|fatal|supported|available|found)|already|optional|fine\b|safe to|harmless|"
    r"fall ?back|non-?fatal|ok if|okay if|may not exist|does not exist|doesn't exist|missing"
)
QUIET_PROMISES = re.compile(
    r"(?i)(^|\.)(play|close|unlink|rm|rmdir|destroy|disconnect|quit|kill|end|release|prefetch\w*|stat|lstat|access)$"
)
SIDE_EFFECT_NAMES = re.compile(r"(?i)cache|metric|analytics|telemetry|track")
GENERIC_METHODS = frozenset({"set", "get", "add", "delete", "has", "load", "write", "update", "push", "reset", "clear",
                             "emit", "on", "send", "end", "close", "start", "init", "run", "call", "apply", "bind",
                             "next", "resolve", "then", "catch", "finally", "render", "destroy", "remove", "put",
                             "post", "patch", "json", "log", "info", "warn", "error", "debug", "save", "create"})
RESPONDER = re.compile(r"^(res|response|reply|ctx|c|h|resp)$")
HANDLER_REGISTRARS = frozenset({"get", "post", "put", "patch", "delete", "del", "all", "head", "options", "route",
                                "handle", "use"})
NEXT_VERBS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
KNOWN_ASYNC = re.compile(
    r"^(fetch|axios(\.\w+)?|got(\.\w+)?|fs\.promises\.\w+|fsp\.\w+|prisma\.\w+\.\w+|\w+\.\$transaction|"
    r"(tx|trx|db|prisma)\.\w+\.(create|update|upsert|delete|deleteMany|updateMany|createMany)\w*)$"
)
FS_PROMISES = re.compile(r"""from\s+['"](node:)?fs/promises['"]|require\(\s*['"](node:)?fs/promises['"]\s*\)""")
AWAITED = js.WRAPPERS | {"await_expression"}
FS_PROMISE_FUNCS = frozenset({"readFile", "writeFile", "appendFile", "unlink", "rm", "mkdir", "rename", "copyFile",
                              "readdir", "stat", "access"})


class PromiseScanner:
    def __init__(self, ctx: FileContext, src: SourceFile, facts: js.FileFacts) -> None:
        self.ctx = ctx
        self.src = src
        self.facts = facts
        self.fs_promises = FS_PROMISES.search(src.text) is not None
        self.own_async = js.facts_of(src).async_functions
        self.loggers = logger_names(src)

    def t(self, node: Node | None) -> str:
        return js.text(self.src, node)

    # ------------------------------------------------------------------ .catch(() => {})

    def _promise_handler(self, call: Node) -> Finding | None:
        fn = call.child_by_field_name("function")
        if fn is None or fn.type != "member_expression":
            return None
        method = self.t(fn.child_by_field_name("property"))
        args = js.call_args(call)
        if method == "catch" and len(args) == 1:
            handler = args[0]
        elif method == "then" and len(args) == 2:
            handler = args[1]
        else:
            return None
        what = self._swallows(handler)
        if what is None:
            return None
        receiver = js.unwrap(fn.child_by_field_name("object"))
        callee = self.t(receiver).split("(")[0] if receiver is not None else ""
        if QUIET_PROMISES.search(callee) or not self._result_dropped(call, what == "{}"):
            return None
        target = _clip(self.t(receiver)) if receiver is not None else "the promise"
        prop = fn.child_by_field_name("property")
        message = (f"`.{method}(() => {what})` on `{target}` swallows the rejection, so the failure is invisible to "
                   "the caller and the UI/state stays as if it succeeded; await it and handle the error (log, "
                   "report, roll back) or let it propagate.")
        line = self.src.line_text(line_of(handler))
        comment = line.split("//", 1)[1].strip() if "//" in line else ""
        named = SIDE_EFFECT_NAMES.search(callee)
        if (comment and REASON.search(comment)) or named:
            # words say the failure is tolerated on purpose; nothing in the code shows it: ask, at low confidence
            why = f"Its comment, \"{_clip(comment)}\"," if comment and REASON.search(comment) \
                else f"The name `{_clip(callee)}`"
            start = line_of(prop or call)
            return self.ctx.finding(JS_SWALLOWED_PROMISE, start, message + f" ({why} suggests this is intended; if "
                                    "so, mark it \"// slopguard: ignore[error-handling]\".)", end=start,
                                    severity=Severity.NOTICE, confidence="low")
        return self.ctx.finding(JS_SWALLOWED_PROMISE, line_of(prop or call), message)

    def _swallows(self, handler: Node) -> str | None:
        if handler.type == "identifier" and self.t(handler) in ("noop", "_noop", "NOOP"):
            return self.t(handler)
        if handler.type not in ("arrow_function", "function_expression", "function"):
            return None
        body = handler.child_by_field_name("body")
        if body is None:
            return None
        if body.type == "statement_block":
            comments = " ".join(self.t(c) for c in _inner_comments(body))
            if any(c.type != "comment" for c in body.named_children) or REASON.search(comments):
                return None
            return "{}"
        value = js.unwrap(body)
        if value is not None and value.type in ("null", "undefined", "false", "array", "object") \
                and not value.named_children:
            return self.t(body)
        return None

    def _result_dropped(self, call: Node, empty_block: bool) -> bool:
        """The swallowed promise's value is discarded (or, for a value fallback, returned by a handler)."""
        parent = js.value_parent(call, AWAITED)
        if parent is None:
            return False
        if parent.type == "expression_statement":
            return True
        func = js.enclosing_function(call)
        return parent.type == "return_statement" and not empty_block and func is not None and self._is_handler(func)

    # ------------------------------------------------------------------ floating promises

    def _floating(self, stmt: Node) -> Finding | None:
        expr = stmt.named_children[0] if stmt.named_children else None
        if expr is None or expr.type != "call_expression":
            return None
        func = js.enclosing_function(stmt)
        if func is None:
            return None
        handler = self._is_handler(func)
        if not (handler or js.is_async(func)):
            return None
        name = js.call_name(self.src, expr)
        if name and "(" not in name and js.last_name(name) in self.facts.never_rejects and _exits_next(self.src, stmt):
            return self.ctx.finding(JS_FLOATING, line_of(expr), (
                f"`{_clip(name)}()` is async and `process.exit()` follows at once, so the process ends before "
                "it finishes and its work is lost; `await` it before exiting."
            ))
        if not name or "(" in name or not self._is_async_call(name, handler):
            return None
        return self.ctx.finding(JS_FLOATING, line_of(expr), (
            f"`{_clip(name)}()` returns a promise that is neither awaited nor handled, so its failure is lost "
            "(an unhandled rejection) and the response/return does not wait for it; `await` it, return it, "
            "or mark a deliberate fire-and-forget with `void` and a `.catch` that reports."
        ))

    def _unhandled_then(self, stmt: Node) -> Finding | None:
        """`load().then(cb);` as a statement inside a function: nothing handles a rejection of the chain."""
        expr = stmt.named_children[0] if stmt.named_children else None
        if expr is None or expr.type != "call_expression" or js.enclosing_function(stmt) is None:
            return None
        node: Node | None = expr
        while node is not None and node.type == "call_expression":
            fn = node.child_by_field_name("function")
            method = self.t(fn.child_by_field_name("property")) if fn is not None and fn.type == "member_expression" \
                else ""
            if method == "catch" or (method == "then" and len(js.call_args(node)) >= 2):
                return None
            if method != "then":
                break  # the call that makes the promise
            if fn is None:
                return None
            node = js.unwrap(fn.child_by_field_name("object"))
        if node is None or node is expr or node.type != "call_expression":
            return None
        name = js.call_name(self.src, node)
        if name.startswith("Promise.resolve") or js.last_name(name) in self.facts.never_rejects:
            return None  # cannot reject: a resolved value, or a function that catches everything it does
        return self.ctx.finding(JS_FLOATING, line_of(expr), (
            f"`{_clip(self.t(node))}.then(...)` has no rejection handler and its promise is dropped: when it "
            "fails the rejection is unhandled and the callback never runs, so the state silently stays as it "
            "was; add a `.catch` that reports the failure, or `await` it inside a try."
        ))

    def _is_async_call(self, name: str, handler: bool) -> bool:
        """A call that returns a promise: known async APIs, functions of the repository declared async."""
        last = js.last_name(name)
        if last in ("then", "catch", "finally") or last in self.facts.never_rejects:
            return False  # a function that catches everything it does cannot reject
        if KNOWN_ASYNC.match(name) or (self.fs_promises and name in FS_PROMISE_FUNCS):
            return True
        if last not in self.facts.async_functions or name.startswith(("console.", "res.", "reply.")):
            return False
        if "." not in name:
            return True
        if name == f"this.{last}" and last in self.own_async:
            return True
        return handler and last not in GENERIC_METHODS

    def _is_handler(self, func: Node) -> bool:
        params = func.child_by_field_name("parameters")
        names = [re.split(r"[:?=]", self.t(p))[0].strip() for p in params.named_children] if params is not None else []
        if len(names) >= 2 and re.match(r"^(req|request|_req)$", names[0]) and RESPONDER.match(names[1]):
            return True
        name = self.t(func.child_by_field_name("name"))
        if name in NEXT_VERBS and re.search(r"(^|/)(route|\+server)\.[jt]sx?$|/api/", self.ctx.path):
            return True
        parent = func.parent
        call = parent.parent if parent is not None and parent.type == "arguments" else None
        if call is not None and call.type == "call_expression":
            callee = js.call_name(self.src, call)
            return js.last_name(callee) in HANDLER_REGISTRARS and "." in callee and len(names) >= 1 \
                and re.match(r"^(req|request|ctx|c|_req)$", names[0]) is not None
        return False

    def _in(self, func: Node | None) -> str:
        name = self.t(func.child_by_field_name("name")) if func is not None else ""
        return f" in `{name}`" if name else ""

    def _report(self, rule: Rule, clause: Node, message: str) -> Finding:
        start = line_of(clause)
        return self.ctx.finding(rule, start, message, end=start)


def _exits_next(src: SourceFile, stmt: Node) -> bool:
    """The next statement ends the process (`process.exit(...)`)."""
    following = stmt.next_named_sibling
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    call = following.named_children[0] if following is not None and following.named_children else None
    return call is not None and call.type == "call_expression" and js.call_name(src, call) == "process.exit"


def _clip(code: str, limit: int = 48) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."


def _inner_comments(block: Node) -> list[Node]:
    """Comments inside the braces of `block` (a trailing comment after `}` may hang off the block)."""
    closing = next((c for c in reversed(block.children) if c.type == "}"), None)
    end = closing.start_byte if closing is not None else block.end_byte
    return [c for c in block.named_children if c.type == "comment" and c.start_byte < end]
