"""The Python layer of the dropped-auth rule (`dropped_auth.py`): route handlers (Flask, FastAPI,
Django) keyed by function name, their auth decorators and dependencies, module-wide auth
(`@bp.before_request`, a router created with auth dependencies) and auth a change removes."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ...detector import FileContext, Rule
from ...models import Confidence, Finding
from ...parsing import SourceFile, line_of, walk
from ...ruledata import data_lists
from .auth_words import public_route
from .public_routes import Norm, Sibling, marked_public, public_markers, public_word
from .python_auth_evidence import AuthResolver, Evidence, direct_auth
from .python_auth_syntax import (
    Handler,
    auth_marks,
    call_name,
    decorator_expr,
    functions,
    last_segment,
    route_auth,
    route_path,
)
from .python_principal import INJECTORS

_GLOBAL_AUTH = data_lists("insecure-auth").pattern("python_router_auth_words")


class PythonRoutes:
    """One changed Python file's route handlers as dropped-auth reads them."""

    def __init__(self, ctx: FileContext, head: SourceFile, rule: Rule) -> None:
        self.ctx, self.head, self.rule = ctx, head, rule
        self.routes = [h for h in functions(head.root, head) if h.is_route] if head.root is not None else []
        base = ctx.base
        self.base_routes = {h.name: h for h in functions(base.root, base) if h.is_route} \
            if base is not None and base.root is not None else {}
        self.auth = AuthResolver(ctx.repo, "RIGHT", ctx.path, head)
        self.evidence = {h.name: route_auth(h, head, self.auth) for h in self.routes}
        self.authed = {name for name, evidence in self.evidence.items() if evidence is not None}
        self.global_auth = _module_level_auth(head, self.auth) if self.routes else None
        self.public = public_route(ctx.repo)
        self.markers = public_markers(ctx.repo)

    def module_findings(self) -> Iterator[Finding]:
        return iter(())  # module-wide auth is checked per route (`protected`)

    def protected(self, route: Handler) -> bool:
        return route.name in self.authed or self.global_auth is not None

    def base_route(self, route: Handler) -> Handler | None:
        return self.base_routes.get(route.name)

    def dropped(self, route: Handler, old: Handler) -> Iterator[Finding]:
        base = self.ctx.base
        if base is not None:
            auth = AuthResolver(self.ctx.repo, "LEFT", self.ctx.diff.old_path or self.ctx.path, base)
            yield from _dropped(self.ctx, self.rule, route, old, base, auth)

    def may_report_new(self, route: Handler) -> bool:
        return not marked_public(self.head, route.decorators, self.markers)

    def others(self, route: Handler) -> list[Handler]:
        return [h for h in self.routes if h.name != route.name]

    def sibling(self, route: Handler) -> Sibling:
        evidence = self.evidence.get(route.name)
        return Sibling(evidence is not None, marked_public(self.head, route.decorators, self.markers),
                       self.word(route), evidence.name if evidence is not None and evidence.kind == "named" else "")

    def word(self, route: Handler) -> str:
        return public_word(self.public, route_path(route, self.head), route.name)

    def self_note(self, route: Handler) -> str:
        return ""

    def named_protection(self, route: Handler) -> str:
        """The name of the auth that alone protects the route, when only that name suggests it does."""
        evidence = self.evidence.get(route.name)
        if evidence is not None:
            return evidence.name if evidence.kind == "named" else ""
        return self.global_auth.name if self.global_auth is not None and self.global_auth.kind == "named" else ""

    def label(self, route: Handler) -> str:
        return route.name

    def new_span(self, route: Handler) -> tuple[Node, int]:
        return (route.decorators[0] if route.decorators else route.func), line_of(route.func)

    def new_message(self, route: Handler, norm: Norm) -> str:
        return (f"The new route `{route.name}` has no authentication while {norm.with_auth} of the {norm.counted} "
                "other routes in this module require a signed-in user; add the same auth decorator/dependency (or "
                "document why it is public).")


def _dropped(ctx: FileContext, rule: Rule, handler: Handler, old: Handler, base: SourceFile,
             auth: AuthResolver) -> Iterator[Finding]:
    marks = auth_marks(old, base, auth)
    if not marks:
        return
    removed = [(m, e) for m, e in marks if line_of(m) in ctx.diff.removed]
    first, evidence = (removed or marks)[0]
    best = next((e for _, e in (removed or marks) if e.kind == "shown"), evidence)
    message = (f"The change removes the authentication of route `{handler.name}` "
               f"(`{base.node_text(first).lstrip('@').strip()[:60]}`), so anonymous callers can now reach it; "
               "restore the auth decorator/dependency." + best.note())
    confidence: Confidence | None = "low" if best.kind == "named" else None
    if removed:
        yield ctx.finding(rule, first, message, side="LEFT", end=line_of(first), confidence=confidence)
    else:
        anchor = handler.decorators[0] if handler.decorators else handler.func
        yield ctx.finding(rule, anchor, message, end=line_of(handler.func), confidence=confidence)


def _module_level_auth(src: SourceFile, auth: AuthResolver) -> Evidence | None:
    """A `@bp.before_request` hook that authenticates, or a router/app created (or included) with auth
    dependencies, protects every route of the module."""
    if src.root is None:
        return None
    for node in walk(src.root):
        if node.type == "decorator" and last_segment(_callee(node, src)) == "before_request":
            hook = node.parent.child_by_field_name("definition") if node.parent is not None else None
            where = direct_auth(src, hook) if hook is not None else ""
            name_node = hook.child_by_field_name("name") if hook is not None else None
            name = src.node_text(name_node) if name_node is not None else ""
            evidence = Evidence("shown", name, where) if where else auth.evidence(name) if name else None
            if evidence is not None:
                return evidence
        if node.type == "call" and last_segment(call_name(node, src)) in ("APIRouter", "FastAPI", "include_router"):
            args = node.child_by_field_name("arguments")
            evidence = _dependencies(args, src, auth) if args is not None else None
            if evidence is not None:
                return evidence
    return None


def _callee(decorator: Node, src: SourceFile) -> str:
    expr = decorator_expr(decorator)
    callee = expr.child_by_field_name("function") if expr is not None and expr.type == "call" else expr
    return src.node_text(callee) if callee is not None else ""


def _dependencies(args: Node, src: SourceFile, auth: AuthResolver) -> Evidence | None:
    """`dependencies=[Depends(x), ...]`: the evidence that one of them authenticates."""
    for kw in args.named_children:
        name, value = kw.child_by_field_name("name"), kw.child_by_field_name("value")
        if kw.type != "keyword_argument" or name is None or value is None or src.node_text(name) != "dependencies":
            continue
        for call in walk(value):
            inner = call.child_by_field_name("arguments") if call.type == "call" else None
            first = next(iter(inner.named_children), None) if inner is not None else None
            if first is None or last_segment(call_name(call, src)) not in INJECTORS:
                continue
            evidence = auth.evidence(src.node_text(first))
            if evidence is not None:
                return evidence
        if _GLOBAL_AUTH.search(src.node_text(value)):
            return Evidence("named", src.node_text(value)[:60])
    return None
