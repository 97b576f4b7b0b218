"""The JavaScript/TypeScript layer of the IDOR rules (`idor.py`): Express, Fastify and Next.js
handlers, the lookups that load a record by a request-supplied id, the ownership checks of a module
and the checks a change removes."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ...detector import FileContext
from ...lang.js.flow import Route, call_name, direct_sink, is_test_path, routes
from ...lang.js.syntax import last_name, text
from ...parsing import SourceFile, line_of, walk
from ...ruledata import data_lists
from .privilege import JsPrivilege

_LISTS = data_lists("insecure-auth")
_CALLER = _LISTS.pattern("js_caller", ignore_case=False)
_OWNER_FIELD = _LISTS.pattern("js_owner_fields", within=r"\b\w*(?:{})_?id\b")
_OWNER_HELPER = _LISTS.pattern("js_owner_helpers")
_REQUEST_ID = _LISTS.pattern("js_request_ids", ignore_case=False)
_COMPARE = frozenset({"===", "!==", "==", "!="})
_ID_NAME = _LISTS.pattern("js_id_names", ignore_case=False)
_LOOKUP = _LISTS.pattern("js_lookup_calls", ignore_case=False)


@dataclass(frozen=True)
class _Request:
    """What refers to the request in one handler: the conventional names, and whatever its first
    parameter is called (`(req, res)`, `(request, reply)`, `(ctx)`)."""

    caller: re.Pattern[str]
    ids: re.Pattern[str]
    params: re.Pattern[str]


@functools.lru_cache(maxsize=64)
def _request_patterns(name: str) -> _Request:
    if not name:
        return _Request(_CALLER, _REQUEST_ID, re.compile(r"\b(req|request)\.params$"))
    n = re.escape(name)
    return _Request(re.compile(_CALLER.pattern + rf"|\b{n}\.(user|auth|session|state\.user)\b"),
                    re.compile(_REQUEST_ID.pattern + rf"|\b{n}\.params\b|\b{n}\.query\.\w*(id|Id|ID)\b"),
                    re.compile(rf"\b(req|request|{n})\.params$"))


def _request(src: SourceFile, route: Route) -> _Request:
    params = route.handler.child_by_field_name("parameters")
    first = next((p for p in params.named_children if p.type != "comment"), None) if params is not None else None
    if first is not None and first.type in ("required_parameter", "optional_parameter"):
        first = first.child_by_field_name("pattern")
    name = text(src, first) if first is not None and first.type == "identifier" else ""
    return _request_patterns(name)


def _caller_compared(src: SourceFile, node: Node, req: _Request) -> bool:
    """Whatever the fields are called: a value of the caller (`req.user.x`) as a `where` filter
    (`where: { ..., k: req.user.x }`) or compared with another object's field (`o.k !== req.user.x`)."""
    if node.type == "binary_expression" and text(src, node.child_by_field_name("operator")) in _COMPARE:
        sides = [node.child_by_field_name("left"), node.child_by_field_name("right")]
        mine = [s for s in sides if s is not None and s.type == "member_expression" and req.caller.search(text(src, s))]
        other = [s for s in sides if s is not None and s not in mine and s.type == "member_expression"]
        return bool(mine and other)
    if node.type == "pair" and req.caller.search(text(src, node.child_by_field_name("value"))):
        outer = node.parent.parent if node.parent is not None else None
        return outer is not None and outer.type == "pair" and text(src, outer.child_by_field_name("key")) == "where"
    return False


def _checks_ownership(src: SourceFile, route: Route) -> bool:
    """The handler relates the record to the caller: an owner field next to a caller reference, a
    caller value as a query filter or compared with a record's field, or an ownership
    helper/middleware."""
    if any(_OWNER_HELPER.search(text(src, m)) for m in route.middleware):
        return True
    body = route.handler.child_by_field_name("body")
    if body is None:
        return False
    req = _request(src, route)
    for node in walk(body):
        if node.type == "call_expression" and _OWNER_HELPER.search(last_name(call_name(src, node))):
            return True
        if _caller_compared(src, node, req):
            return True
        if node.type in ("pair", "binary_expression", "shorthand_property_identifier"):
            snippet = text(src, node)
            if not _OWNER_FIELD.search(snippet):
                continue
            shorthand = node.type == "shorthand_property_identifier"
            if req.caller.search(snippet) or (shorthand and _caller_bound(src, body, snippet, req)):
                return True
    return False


def _caller_bound(src: SourceFile, body: Node, name: str, req: _Request) -> bool:
    """`const userId = req.user.id` ... `{ userId }`: the shorthand name is bound from the caller."""
    for node in walk(body):
        if node.type == "variable_declarator":
            target = text(src, node.child_by_field_name("name"))
            value = text(src, node.child_by_field_name("value"))
            if re.search(rf"\b{re.escape(name)}\b", target) and req.caller.search(value):
                return True
    return False


def _request_ids(src: SourceFile, body: Node, req: _Request) -> set[str]:
    """Local names bound from the request's id parameters (`const { id } = req.params`)."""
    names: set[str] = set()
    for node in walk(body):
        if node.type != "variable_declarator":
            continue
        value = text(src, node.child_by_field_name("value"))
        target = node.child_by_field_name("name")
        if target is None or (not req.ids.search(value) and not req.params.search(value)):
            continue
        for ident in walk(target):
            if ident.type in ("identifier", "shorthand_property_identifier_pattern") \
                    and _ID_NAME.search(text(src, ident)):
                names.add(text(src, ident))
    return names


def _unchecked_lookup(src: SourceFile, route: Route) -> Node | None:
    """The first storage call whose arguments carry the request's id."""
    body = route.handler.child_by_field_name("body")
    if body is None:
        return None
    req = _request(src, route)
    names = _request_ids(src, body, req)
    for node in walk(body):
        if node.type != "call_expression":
            continue
        name = call_name(src, node)
        sink = direct_sink(name)
        if (sink is None or sink.name != "db") and not _LOOKUP.match(last_name(name)):
            continue
        args = node.child_by_field_name("arguments")
        if args is None:
            continue
        idents = (n for n in walk(args) if n.type in ("identifier", "shorthand_property_identifier"))
        if req.ids.search(text(src, args)) or any(text(src, n) in names for n in idents):
            return _outer_await(node)
    return None


def _ownership_node(src: SourceFile, node: Node, req: _Request) -> bool:
    """An owner condition (`accountId: caller.accountId`, `order.userId !== req.user.id`) or an
    ownership helper call."""
    if node.type == "call_expression":
        return _OWNER_HELPER.search(last_name(call_name(src, node))) is not None
    if _caller_compared(src, node, req):
        return True
    if node.type in ("pair", "binary_expression"):
        snippet = text(src, node)
        return bool(_OWNER_FIELD.search(snippet) and req.caller.search(snippet))
    return False


def _outer_await(call: Node) -> Node:
    parent = call.parent
    return parent if parent is not None and parent.type == "await_expression" else call


class JsIdor:
    """JS/TS route handlers, keyed by (router, method, path)."""

    routes = staticmethod(routes)
    is_test_path = staticmethod(is_test_path)
    unchecked_lookup = staticmethod(_unchecked_lookup)

    def key(self, route: Route) -> tuple[str, str, str]:
        return route.key

    def checked(self, src: SourceFile, head_routes: list[Route]) -> set[tuple[str, str, str]]:
        return {r.key for r in head_routes if _checks_ownership(src, r)}

    def exempt(self, ctx: FileContext, src: SourceFile, route: Route) -> bool:
        return False

    def privilege(self, ctx: FileContext, src: SourceFile, words: re.Pattern[str]) -> JsPrivilege:
        return JsPrivilege(ctx, src, words)

    def idor_message(self, route: Route) -> str:
        return (f"`{route.method.upper()} {route.path}` loads a record by the request's id here and never checks "
                "that it belongs to the caller (other handlers in this module do); filter the query by the caller's "
                "owner/account id or compare it, and answer 404 otherwise.")

    def removed_checks(self, ctx: FileContext, base: SourceFile, head: SourceFile,
                       head_routes: list[Route]) -> Iterator[tuple[Node, tuple[str, str, str], str]]:
        """Handlers whose base version related the record to the caller and whose head version no longer
        does: (removed check, route key, message)."""
        by_key = {r.key: r for r in head_routes}
        removed = ctx.diff.removed
        for old in routes(base):
            new = by_key.get(old.key)
            if new is None or not _checks_ownership(base, old) or _checks_ownership(head, new):
                continue
            body = old.handler.child_by_field_name("body")
            req = _request(base, old)
            gone = [n for n in walk(body) if line_of(n) in removed and _ownership_node(base, n, req)] \
                if body is not None else []
            if gone:
                yield gone[0], old.key, (
                    f"The change removes the check that ties the record to the caller from `{old.method.upper()} "
                    f"{old.path}`; without it any signed-in user can reach other users' records by id, so restore "
                    "the owner condition.")
