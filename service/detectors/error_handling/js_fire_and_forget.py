"""Fire-and-forget async in JavaScript/TypeScript callbacks, reported under
`js.error-handling.floating-promise`:
- `items.forEach(async (x) => ...)`: `forEach` drops every promise the callback returns;
- `items.map(async (x) => ...)` whose array of promises is dropped, or kept in a variable nothing
  reads (never given to `Promise.all`, awaited or returned);
- a call to a function the resolver finds declared async (in this file, or across files and
  packages through imports and re-exports), dropped inside a callback (`forEach`, `then`,
  timers, event listeners...).
React effect hooks are left alone: their callbacks cannot be async, and the dropped promise
there is the documented pattern.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ...detector import FileContext
from ...lang.js import syntax as js
from ...models import Finding
from ...parsing import SourceFile, line_of, walk
from .rules import JS_FLOATING

EFFECT_HOOKS = re.compile(r"^(React\.)?use(Layout|Insertion)?Effect$|^useFocusEffect$")
CONSUMERS = frozenset({"forEach"})  # iteration methods that discard the callback's result


def _callback_of(func: Node) -> Node | None:
    """The call `func` is passed to as an argument, if it is a callback."""
    parent = func.parent
    if parent is None or parent.type != "arguments":
        return None
    call = parent.parent
    return call if call is not None and call.type == "call_expression" else None


def _method(src: SourceFile, call: Node) -> str:
    fn = call.child_by_field_name("function")
    if fn is None or fn.type != "member_expression":
        return ""
    return js.text(src, fn.child_by_field_name("property"))


def async_callback(ctx: FileContext, src: SourceFile, call: Node) -> Finding | None:
    """`forEach(async ...)` and a dropped `map(async ...)`."""
    method = _method(src, call)
    if method not in ("forEach", "map"):
        return None
    args = js.call_args(call)
    if not args or args[0].type not in ("arrow_function", "function_expression", "function") \
            or not js.is_async(args[0]):
        return None
    receiver = js.text(src, call.child_by_field_name("function"))
    if method == "forEach":
        return ctx.finding(JS_FLOATING, line_of(call), (
            f"`{_clip(receiver)}(async ...)` starts one promise per item and drops them all: nothing waits for "
            "them, their failures are lost and the code after the loop runs before they finish; use "
            "`for (const x of items) await ...` or `await Promise.all(items.map(async ...))`."
        ))
    if not _promises_dropped(src, call):
        return None
    return ctx.finding(JS_FLOATING, line_of(call), (
        f"The promises of `{_clip(receiver)}(async ...)` are never awaited: nothing waits for them and their "
        "failures are lost; wrap the call in `await Promise.all(...)`."
    ))


def _promises_dropped(src: SourceFile, call: Node) -> bool:
    parent = js.value_parent(call)
    if parent is None:
        return False
    if parent.type == "expression_statement":
        return True
    if parent.type != "variable_declarator":
        return False
    name = parent.child_by_field_name("name")
    if name is None or name.type != "identifier":
        return False
    scope = js.enclosing_function(call) or src.root
    if scope is None:
        return False
    key = js.text(src, name)
    return not any(n.type in ("identifier", "shorthand_property_identifier") and n.start_byte > name.end_byte
                   and js.text(src, n) == key for n in walk(scope))


def dropped_in_callback(src: SourceFile, stmt_or_body: Node, facts: js.FileFacts) -> tuple[str, Node] | None:
    """A call of a resolved async function whose promise a (non-async) callback drops: the call as
    a statement of the callback's body, or the expression body of a `forEach` arrow callback."""
    if stmt_or_body.type == "expression_statement":
        expr = stmt_or_body.named_children[0] if stmt_or_body.named_children else None
        func = js.enclosing_function(stmt_or_body)
    else:
        expr, func = stmt_or_body, stmt_or_body.parent
        if func is None or func.type != "arrow_function":
            return None
    if expr is None or expr.type != "call_expression" or func is None or js.is_async(func):
        return None
    call = _callback_of(func)
    if call is None:
        return None
    callee = js.call_name(src, call)
    if EFFECT_HOOKS.match(callee):
        return None
    if stmt_or_body.type != "expression_statement" and _method(src, call) not in CONSUMERS:
        return None
    name = js.call_name(src, expr)
    if not name or "." in name or "(" in name or name not in facts.async_functions or name in facts.never_rejects:
        return None
    return name, expr


def dropped_finding(ctx: FileContext, name: str, expr: Node) -> Finding:
    return ctx.finding(JS_FLOATING, line_of(expr), (
        f"`{_clip(name)}()` is async, but this callback drops its promise: nothing waits for it and its "
        "failure is lost (an unhandled rejection); make the caller await it (`for...of` with `await`, "
        "`Promise.all`), or handle it with `.catch` that reports."
    ))


def _clip(code: str, limit: int = 48) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."
