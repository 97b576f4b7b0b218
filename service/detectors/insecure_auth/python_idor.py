"""The Python layer of the IDOR rules (`idor.py`): route handlers (Flask, FastAPI, Django), the
lookups that load an object by a request-supplied id, the ownership checks of a module and the
checks a change removes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...detector import FileContext
from ...parsing import SourceFile, line_of, walk
from ...ruledata import data_lists
from .privilege import PythonPrivilege
from .python_auth_evidence import AuthResolver
from .python_auth_syntax import (
    Handler,
    call_name,
    checks_ownership,
    comparison_checks,
    functions,
    is_test_path,
    last_segment,
    route_auth,
    route_path,
    user_names,
)

_LISTS = data_lists("insecure-auth")
_LOOKUPS = _LISTS.get("python_lookup_methods")
_STORE_OBJECT = _LISTS.pattern("python_store_objects", within=r"(?:^|\.)(?:{})$")
_NOT_STORE = _LISTS.pattern("python_not_store", within="^(?:{})")
_ID_NAME = _LISTS.pattern("python_id_names")
_REQUEST_ID = _LISTS.pattern("python_request_id_sources", ignore_case=False, within=r"request\.(?:{})\b")
_PATH_PARAM = re.compile(r"[{<](?:\w+:)?(\w+)[}>]")
_NON_REQUEST_PARAMS = _LISTS.get("python_non_request_params")


class PythonIdor:
    """Python route handlers, keyed by function name."""

    def routes(self, src: SourceFile) -> list[Handler]:
        return [h for h in functions(src.root, src) if h.is_route] if src.root is not None else []

    is_test_path = staticmethod(is_test_path)

    def key(self, route: Handler) -> str:
        return route.name

    def checked(self, src: SourceFile, routes: list[Handler]) -> set[str]:
        """Every function of the module (route or helper) that ties an object to the current user."""
        funcs = list(functions(src.root, src)) if src.root is not None else []
        helpers = {h.name: h for h in funcs}
        return {h.name for h in funcs if checks_ownership(h, src, helpers)}

    def exempt(self, ctx: FileContext, src: SourceFile, route: Handler) -> bool:
        """An anonymous handler is dropped-auth's business: one with no auth that the repository shows
        (`python_auth_evidence.py`) or that a name suggests."""
        return route_auth(route, src, AuthResolver(ctx.repo, "RIGHT", ctx.path, src)) is None

    def privilege(self, ctx: FileContext, src: SourceFile, words: re.Pattern[str]) -> PythonPrivilege:
        return PythonPrivilege(ctx, src, words)

    def unchecked_lookup(self, src: SourceFile, route: Handler) -> Node | None:
        """The first call that loads a stored object by a request-supplied id."""
        return _unchecked_lookup(route, src)

    def idor_message(self, route: Handler) -> str:
        return (f"`{route.name}` loads an object by the request's id here and never checks that it belongs to the "
                "current user (other handlers in this module do); compare its owner/account id with the user or "
                "filter the query by it, and answer 404 otherwise.")

    def removed_checks(self, ctx: FileContext, base: SourceFile, head: SourceFile,
                       routes: list[Handler]) -> Iterator[tuple[Node, str, str]]:
        """Functions whose base version compared an owner field with the current user and whose head
        version no longer ties the object to the user: (removed check, function name, message)."""
        if base.root is None or head.root is None:
            return
        helpers = {h.name: h for h in functions(head.root, head)}
        removed = ctx.diff.removed
        for old in functions(base.root, base):
            checks = comparison_checks(old.func, base, user_names(old.func, base), strict=True)
            gone = [c for c in checks if line_of(c) in removed]
            if not gone:
                continue
            new = helpers.get(old.name)
            if new is None or checks_ownership(new, head, helpers):
                continue
            yield gone[0], old.name, (
                f"The change removes the check that ties the object to the current user from `{old.name}`; without "
                "it any signed-in user can reach other users' records by id, so restore the owner comparison (or "
                "filter the lookup by the user).")


def _request_params(handler: Handler, src: SourceFile) -> set[str]:
    """Parameters that carry an id from the request: named in the route's path (`{invoice_id}`,
    `<int:order_id>`) or id-shaped (`order_id`, `pk`)."""
    params = handler.func.child_by_field_name("parameters")
    in_path = set(_PATH_PARAM.findall(route_path(handler, src)))
    names: set[str] = set()
    for p in params.named_children if params is not None else ():
        ident = p if p.type == "identifier" else p.child_by_field_name("name") or next(
            (c for c in p.named_children if c.type == "identifier"), None)
        if ident is None:
            continue
        name = src.node_text(ident)
        if name not in _NON_REQUEST_PARAMS and (_ID_NAME.search(name) or name in in_path):
            names.add(name)
    return names


def _unchecked_lookup(handler: Handler, src: SourceFile) -> Node | None:
    """The first call that loads a stored object by a request-supplied id."""
    params = _request_params(handler, src)
    body = handler.func.child_by_field_name("body")
    if body is None:
        return None
    tainted = set(params)
    for node in walk(body):
        if node.type == "assignment":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and left.type == "identifier" \
                    and _ID_NAME.search(src.node_text(left)) and _REQUEST_ID.search(src.node_text(right)):
                tainted.add(src.node_text(left))
    if not tainted:
        return None
    for node in walk(body):
        if node.type == "call" and _is_store_lookup(node, src) and _uses_any(node, src, tainted):
            return node
    return None


def _is_store_lookup(call: Node, src: SourceFile) -> bool:
    callee = call_name(call, src)
    method = last_segment(callee)
    if method not in _LOOKUPS:
        return False
    if method in ("get_object_or_404", "get_or_404") and "." not in callee:
        return True
    obj = callee.rsplit(".", 1)[0] if "." in callee else ""
    if not obj or _NOT_STORE.match(obj):
        return False
    args = call.child_by_field_name("arguments")
    first = next(iter(args.named_children), None) if args is not None else None
    model_arg = first is not None and first.type in ("identifier", "attribute") \
        and last_segment(src.node_text(first))[:1].isupper()
    model_obj = any(seg[:1].isupper() for seg in obj.split("."))
    return model_arg or model_obj or bool(_STORE_OBJECT.search(obj))


def _uses_any(call: Node, src: SourceFile, names: set[str]) -> bool:
    args = call.child_by_field_name("arguments")
    if args is None:
        return False
    return any(n.type == "identifier" and src.node_text(n) in names for n in walk(args))
