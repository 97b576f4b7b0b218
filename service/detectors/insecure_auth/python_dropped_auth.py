"""The Python layer of the dropped-auth rule (`dropped_auth.py`): route handlers (Flask, FastAPI,
Django) keyed by function name, their auth decorators and dependencies, module-wide auth
(`@bp.before_request`, a router created with auth dependencies) and auth a change removes."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ...detector import FileContext, Rule
from ...models import Finding
from ...parsing import SourceFile, line_of, walk
from ...ruledata import data_lists
from .auth_words import public_route
from .public_routes import Norm, Sibling, marked_public, public_markers, public_word
from .python_auth_syntax import (
    Handler,
    auth_decorators,
    auth_parameters,
    call_name,
    functions,
    is_authenticated,
    last_segment,
    route_path,
)

_GLOBAL_AUTH = data_lists("insecure-auth").pattern("python_router_auth_words")


class PythonRoutes:
    """One changed Python file's route handlers as dropped-auth reads them."""

    def __init__(self, ctx: FileContext, head: SourceFile, rule: Rule) -> None:
        self.ctx, self.head, self.rule = ctx, head, rule
        self.routes = [h for h in functions(head.root, head) if h.is_route] if head.root is not None else []
        base = ctx.base
        self.base_routes = {h.name: h for h in functions(base.root, base) if h.is_route} \
            if base is not None and base.root is not None else {}
        self.authed = {h.name for h in self.routes if is_authenticated(h, head)}
        self.global_auth = _module_level_auth(head)
        self.public = public_route(ctx.repo)
        self.markers = public_markers(ctx.repo)

    def module_findings(self) -> Iterator[Finding]:
        return iter(())  # module-wide auth is checked per route (`protected`)

    def protected(self, route: Handler) -> bool:
        return route.name in self.authed or self.global_auth

    def base_route(self, route: Handler) -> Handler | None:
        return self.base_routes.get(route.name)

    def dropped(self, route: Handler, old: Handler) -> Iterator[Finding]:
        if self.ctx.base is not None:
            yield from _dropped(self.ctx, self.rule, route, old, self.ctx.base)

    def may_report_new(self, route: Handler) -> bool:
        return not marked_public(self.head, route.decorators, self.markers)

    def others(self, route: Handler) -> list[Handler]:
        return [h for h in self.routes if h.name != route.name]

    def sibling(self, route: Handler) -> Sibling:
        return Sibling(route.name in self.authed, marked_public(self.head, route.decorators, self.markers),
                       self.word(route))

    def word(self, route: Handler) -> str:
        return public_word(self.public, route_path(route, self.head), route.name)

    def new_span(self, route: Handler) -> tuple[Node, int]:
        return (route.decorators[0] if route.decorators else route.func), line_of(route.func)

    def new_message(self, route: Handler, norm: Norm) -> str:
        return (f"The new route `{route.name}` has no authentication while {norm.with_auth} of the {norm.counted} "
                "other routes in this module require a signed-in user; add the same auth decorator/dependency (or "
                "document why it is public).")


def _dropped(ctx: FileContext, rule: Rule, handler: Handler, old: Handler, base: SourceFile) -> Iterator[Finding]:
    marks = auth_decorators(old, base) + auth_parameters(old, base)
    removed = [m for m in marks if line_of(m) in ctx.diff.removed]
    if not marks:
        return
    message = (f"The change removes the authentication of route `{handler.name}` "
               f"(`{base.node_text(marks[0]).lstrip('@').strip()[:60]}`), so anonymous callers can now reach it; "
               "restore the auth decorator/dependency.")
    if removed:
        yield ctx.finding(rule, removed[0], message, side="LEFT", end=line_of(removed[0]))
    else:
        first = handler.decorators[0] if handler.decorators else handler.func
        yield ctx.finding(rule, first, message, end=line_of(handler.func))


def _module_level_auth(src: SourceFile) -> bool:
    """`@bp.before_request` hooks and routers created with auth dependencies protect every route."""
    if src.root is None:
        return False
    for node in walk(src.root):
        if node.type == "decorator" and "before_request" in src.node_text(node):
            return True
        if node.type == "call" and last_segment(call_name(node, src)) in ("APIRouter", "FastAPI", "include_router"):
            args = node.child_by_field_name("arguments")
            if args is not None and _has_dependencies(args, src):
                return True
    return False


def _has_dependencies(args: Node, src: SourceFile) -> bool:
    for kw in args.named_children:
        if kw.type != "keyword_argument":
            continue
        name = kw.child_by_field_name("name")
        value = kw.child_by_field_name("value")
        if name is not None and value is not None and src.node_text(name) == "dependencies" \
                and _GLOBAL_AUTH.search(src.node_text(value)):
            return True
    return False
