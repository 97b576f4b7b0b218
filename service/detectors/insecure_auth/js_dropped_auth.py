"""The JavaScript/TypeScript layer of the dropped-auth rule (`dropped_auth.py`): Express, Fastify and
Next.js routes keyed by (router, method, path), auth middleware (by name, or by a definition that
answers 401/403: `js_denial.py`), router-wide auth (`router.use(requireAuth)`, an `onRequest` hook)
and auth a change removes."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ...detector import FileContext, Rule
from ...lang.js.flow import Route, call_name, is_inside, routes, unwrap
from ...lang.js.syntax import call_args, last_name, text, walk_scope
from ...models import Confidence, Finding
from ...parsing import SourceFile, line_of, walk
from ...ruledata import data_lists
from .auth_words import public_route
from .js_denial import answers_denied, denying_names
from .public_routes import Norm, Sibling, marked_public, public_markers, public_word

# per parsed file (by identity): the names that resolve to a middleware answering 401/403
Deny = dict[int, frozenset[str]]

_LISTS = data_lists("insecure-auth")
_AUTH = _LISTS.pattern("js_auth_middleware_names")
_NOT_AUTH = _LISTS.pattern("js_not_auth_middleware")
_BODY_AUTH = _LISTS.pattern("js_body_auth_calls", within=r"^(?:await\s+)?(?:[\w.]*\.)?(?:{})$")
_REQ_USER = _LISTS.pattern("js_request_user", ignore_case=False)
_SELF_VERIFIED = _LISTS.pattern("js_signature_checks")
_HOOKS = _LISTS.get("js_auth_hooks")


def _is_auth_arg(src: SourceFile, node: Node, deny: Deny) -> bool:
    """A middleware argument that authenticates or authorises (`requireAuth`, `passport.authenticate(...)`,
    `...adminOnly` where `const adminOnly = [requireAuth, ...]`)."""
    node = unwrap(node) or node
    if node.type == "spread_element" and node.named_children:
        node = node.named_children[0]
    value = text(src, node)
    if node.type == "call_expression":
        value = call_name(src, node)
    if _NOT_AUTH.search(value):
        return False
    if _AUTH.search(value) or value in deny.get(id(src), ()):
        return True
    if node.type == "identifier":
        bound = _const_value(src, value)
        return bound is not None and _AUTH.search(text(src, bound)) is not None
    return False


def _const_value(src: SourceFile, name: str) -> Node | None:
    if src.root is None:
        return None
    for node in walk(src.root):
        if node.type == "variable_declarator" and text(src, node.child_by_field_name("name")) == name:
            return node.child_by_field_name("value")
    return None


def _hook_auth(src: SourceFile, value: Node, deny: Deny) -> bool:
    return _AUTH.search(text(src, value)) is not None or _shown(src, value, deny)


def _shown(src: SourceFile, mark: Node, deny: Deny) -> bool:
    """The repository shows this middleware, hook or router-wide `use` authenticates: a name in it
    resolves to a definition that answers 401/403 or reads credentials (`js_denial.py`)."""
    names = deny.get(id(src), frozenset())
    return any(n.type == "identifier" and text(src, n) in names for n in walk(mark))


def _name_only_note(src: SourceFile, mark: Node, deny: Deny, handler: Node | None = None) -> str:
    """'' when the repository shows `mark` authenticates (for a session check in a handler body: the
    handler answers 401/403), else the sentence that says only its name suggests it."""
    if _shown(src, mark, deny) or (handler is not None and is_inside(mark, handler) and answers_denied(src, handler)):
        return ""
    return (f" Note: only the name of `{text(src, mark)[:40]}` suggests it authenticates; its definition is not in "
            "the repository or does not show it reading credentials or answering 401/403.")


def _route_auth(src: SourceFile, route: Route, deny: Deny) -> Node | None:
    """The node that authenticates this route itself: a middleware, a Fastify hook option, or a session
    check in the handler body."""
    for mark in route.middleware:
        if mark.type == "pair":
            key = text(src, mark.child_by_field_name("key"))
            value = mark.child_by_field_name("value")
            if (key in _HOOKS or key == "config") and value is not None and _hook_auth(src, value, deny):
                return mark
            continue
        inner = unwrap(mark)
        if inner is not None and inner.type == "object":
            for pair in inner.named_children:
                key = text(src, pair.child_by_field_name("key"))
                value = pair.child_by_field_name("value")
                if pair.type == "pair" and key in _HOOKS and value is not None and _hook_auth(src, value, deny):
                    return pair
            continue
        if _is_auth_arg(src, mark, deny):
            return mark
    body = route.handler.child_by_field_name("body")
    for node in walk_scope(body) if body is not None else ():
        if node.type == "call_expression" and _BODY_AUTH.match(call_name(src, node)):
            return node
        if node.type == "member_expression" and _REQ_USER.search(text(src, node)) \
                and node.parent is not None and node.parent.type in ("unary_expression", "binary_expression"):
            return node
    return None


def _router_auth(src: SourceFile, deny: Deny) -> dict[str, Node]:
    """Router-wide auth: `router.use(requireAuth)`, `app.all('*', requireAuth)`,
    `fastify.addHook('onRequest', auth)`."""
    found: dict[str, Node] = {}
    if src.root is None:
        return found
    for node in walk(src.root):
        if node.type != "call_expression":
            continue
        receiver, _, method = call_name(src, node).rpartition(".")
        args = call_args(node)
        if not receiver or not args:
            continue
        if method == "use" or (method == "all" and text(src, args[0]).strip("'\"") in ("*", "/*")):
            marks = [a for a in args if a.type not in ("string", "template_string")]
            if any(_is_auth_arg(src, a, deny) for a in marks):
                found.setdefault(receiver, node)
        elif method == "addHook" and len(args) >= 2 and text(src, args[0]).strip("'\"") in _HOOKS \
                and _is_auth_arg(src, args[1], deny):
            found.setdefault(receiver, node)
    return found


def _dropped_router_auth(ctx: FileContext, rule: Rule, base: SourceFile, head: SourceFile, head_routes: list[Route],
                         base_routes: dict[tuple[str, str, str], Route],
                         head_global: dict[str, Node], deny: Deny) -> Iterator[Finding]:
    for receiver, use in _router_auth(base, deny).items():
        if receiver in head_global:
            continue
        exposed = [r for r in head_routes if r.router == receiver and r.key in base_routes
                   and _route_auth(head, r, deny) is None and _route_auth(base, base_routes[r.key], deny) is None]
        if not exposed:
            continue
        paths = ", ".join(f"`{r.path}`" for r in exposed[:3])
        note = _name_only_note(base, use, deny)
        message = (f"The change removes the router-wide auth `{text(base, use)[:60]}`, and {paths} did not get "
                   "their own, so anonymous callers can now reach them; restore the middleware or add it to "
                   "every route that still needs it." + note)
        confidence: Confidence | None = "low" if note else None
        if line_of(use) in ctx.diff.removed:
            yield ctx.finding(rule, use, message, side="LEFT", end=line_of(use), confidence=confidence)
        else:
            yield ctx.finding(rule, exposed[0].node, message, end=line_of(exposed[0].node), confidence=confidence)


def _dropped_route_auth(ctx: FileContext, rule: Rule, base: SourceFile, route: Route, old: Route,
                        deny: Deny) -> Iterator[Finding]:
    mark = _route_auth(base, old, deny)
    if mark is None or (old.router and old.router in _router_auth(base, deny)):
        return
    note = _name_only_note(base, mark, deny, old.handler)
    message = (f"The change removes the authentication of route `{route.method.upper()} {route.path}` "
               f"(`{text(base, mark)[:60]}`), so anonymous callers can now reach it; restore the auth middleware "
               "or session check." + note)
    confidence: Confidence | None = "low" if note else None
    if line_of(mark) in ctx.diff.removed:
        yield ctx.finding(rule, mark, message, side="LEFT", end=line_of(mark), confidence=confidence)
    else:
        yield ctx.finding(rule, route.node, message, end=line_of(route.node), confidence=confidence)


class JsRoutes:
    """One changed JS/TS file's routes as dropped-auth reads them."""

    def __init__(self, ctx: FileContext, head: SourceFile, rule: Rule) -> None:
        self.ctx, self.head, self.rule = ctx, head, rule
        self.routes = routes(head)
        base = ctx.base if ctx.base is not None and ctx.base.root is not None else None
        self.base = base
        self.base_routes = {r.key: r for r in routes(base)} if base is not None else {}
        self.deny: Deny = {id(head): denying_names(ctx.repo, "RIGHT", ctx.path, head)} if self.routes else {}
        if base is not None and self.routes:
            self.deny[id(base)] = denying_names(ctx.repo, "LEFT", ctx.diff.old_path or ctx.path, base)
        self.global_auth = _router_auth(head, self.deny) if self.routes else {}
        self.public = public_route(ctx.repo)
        self.markers = public_markers(ctx.repo)

    def module_findings(self) -> Iterator[Finding]:
        """Router-wide auth the change removes while routes it protected got none of their own."""
        if self.base is not None:
            yield from _dropped_router_auth(self.ctx, self.rule, self.base, self.head, self.routes, self.base_routes,
                                            self.global_auth, self.deny)

    def protected(self, route: Route) -> bool:
        return route.router in self.global_auth or _route_auth(self.head, route, self.deny) is not None

    def base_route(self, route: Route) -> Route | None:
        return self.base_routes.get(route.key)

    def dropped(self, route: Route, old: Route) -> Iterator[Finding]:
        if self.base is not None:
            yield from _dropped_route_auth(self.ctx, self.rule, self.base, route, old, self.deny)

    def may_report_new(self, route: Route) -> bool:
        """A changed route, in a module without router-wide auth, not marked public, that does not verify a
        signature itself."""
        if not self.ctx.changed(route.node) or self.global_auth \
                or marked_public(self.head, route.middleware, self.markers):
            return False
        body = route.handler.child_by_field_name("body")
        calls = (n for n in walk_scope(body) if n.type == "call_expression") if body is not None else ()
        return not any(_SELF_VERIFIED.search(last_name(call_name(self.head, c))) for c in calls)

    def self_note(self, route: Route) -> str:
        """A body that only mentions a signature check (a name, a comment) without making a verification call."""
        body = route.handler.child_by_field_name("body")
        found = _SELF_VERIFIED.search(text(self.head, body)) if body is not None else None
        return (f" Note: its body mentions `{found.group(0)}`, which may mean it checks a request signature itself; "
                "it makes no verification call.") if found else ""

    def named_protection(self, route: Route) -> str:
        """The middleware that alone protects the route, when only its name suggests it authenticates."""
        if route.router in self.global_auth:
            use = self.global_auth[route.router]
            return text(self.head, use)[:40] if _name_only_note(self.head, use, self.deny) else ""
        mark = _route_auth(self.head, route, self.deny)
        return text(self.head, mark)[:40] if mark is not None and _name_only_note(
            self.head, mark, self.deny, route.handler) else ""

    def label(self, route: Route) -> str:
        return f"{route.method.upper()} {route.path}"

    def others(self, route: Route) -> list[Route]:
        return [r for r in self.routes if r.node != route.node]

    def sibling(self, route: Route) -> Sibling:
        old = self.base_routes.get(route.key)
        src, mark, handler = self.head, _route_auth(self.head, route, self.deny), route.handler
        if mark is None and self.base is not None and old is not None:
            src, mark, handler = self.base, _route_auth(self.base, old, self.deny), old.handler
        named = text(src, mark)[:40] if mark is not None and _name_only_note(src, mark, self.deny, handler) else ""
        return Sibling(mark is not None, marked_public(self.head, route.middleware, self.markers), self.word(route),
                       named)

    def word(self, route: Route) -> str:
        return public_word(self.public, route.path)

    def new_span(self, route: Route) -> tuple[Node, int]:
        return route.node, line_of(route.node)

    def new_message(self, route: Route, norm: Norm) -> str:
        return (f"The new route `{route.method.upper()} {route.path}` has no authentication while {norm.with_auth} "
                f"of the {norm.counted} other routes in this module require it; add the same auth middleware (or "
                "document why it is public).")
