"""Express/Fastify/Next.js routes that lose (or never get) the authentication their siblings have.

## What it does
Flags, in JavaScript and TypeScript route modules:
- a router-wide auth middleware (`router.use(requireAuth)`, `fastify.addHook('onRequest',
  authenticate)`) removed by the change while routes that it protected are left without their own
  auth (reported on the removed line, side LEFT);
- an auth middleware removed from a route (`router.get('/x', requireAuth, handler)` ->
  `router.get('/x', handler)`), or the session check removed from a Next.js route handler;
- a new route without any auth in a module where the other routes require it.
Routes marked public on purpose (a `skipAuth`/`allowAnonymous` middleware or option, the
`public_markers` of rules/data/insecure-auth.yml) and handlers that verify a signature themselves are
left alone. A route only whose path suggests it is public (login, signup, health, webhook...) is still
reported, at low confidence, naming the path; so is a route whose module requires auth only once
such named routes are left out of the count.

## Why is this bad?
The endpoint becomes reachable by anonymous callers: whatever it reads or changes is now open to
the internet, usually without anyone noticing because the happy-path tests still pass.

## Example
```js
const router = express.Router();
router.get('/payroll-summary', async (req, res) => res.json(await runReport('payroll')));
```

## Use instead
```js
const router = express.Router();
router.use(requireAuth, requireRole('admin', 'hr'));
router.get('/payroll-summary', async (req, res) => res.json(await runReport('payroll')));
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js.flow import Route, call_name, is_test_path, routes, unwrap
from ...lang.js.syntax import LANGUAGES, call_args, text, walk_scope
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from .auth_words import public_route
from .js_denial import denying_names
from .public_routes import Sibling, marked_public, module_norm, public_markers, public_word, wording_note
from .thresholds import DroppedAuthSettings

# per parsed file (by identity): the names that resolve to a middleware answering 401/403
Deny = dict[int, frozenset[str]]

RULE = Rule(
    id="js.insecure-auth.dropped-auth",
    category="insecure-auth",
    languages=LANGUAGES,
    severity=Severity.ERROR,
    summary="route loses the auth middleware/session check it had, or that its sibling routes have",
    settings=DroppedAuthSettings(),
    confidence="medium",
)

_AUTH = re.compile(
    r"(?i)(auth|login|logged|session|jwt|passport|guard|protect|require_?(user|role|admin|permission|scope|staff)|"
    r"role|permission|admin|ensure|signed_?in|current_?user|acl|scope|bearer|apikey|api_key)"
)
_NOT_AUTH = re.compile(r"(?i)^(express\.|cors|helmet|compression|morgan|bodyParser|json|urlencoded|rateLimit|limiter|"
                       r"cookieParser|multer|upload|validate|session$|cookieSession|expressSession|"
                       r"passport\.(initialize|session)$)|(router|routes|Router|Routes|Controller|controller)$")
_BODY_AUTH = re.compile(
    r"(?i)^(await\s+)?([\w.]*\.)?(get\w*session|getserversession|auth|currentuser|getcurrentuser|require\w*(user|auth|"
    r"session|admin|role)|verify\w*(token|jwt|session|auth)|authenticate\w*|get(user|viewer|caller)\w*|ensure\w*)$"
)
_REQ_USER = re.compile(r"\b(req|request|ctx)\.(user|auth|session\.user|state\.user)\b|res\.locals\.(user|caller)\b")
_SELF_VERIFIED = re.compile(r"(?i)(verify|signature|hmac|timingSafeEqual|constructEvent)")
_HOOKS = frozenset({"onRequest", "preHandler", "preValidation", "preParsing"})


class JsDroppedAuthDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or is_test_path(ctx.path):
            return
        head_routes = routes(head)
        if not head_routes:
            return
        base = ctx.base if ctx.base is not None and ctx.base.root is not None else None
        base_routes = {r.key: r for r in routes(base)} if base is not None else {}
        deny = {id(head): denying_names(ctx.repo, "RIGHT", ctx.path, head)}
        if base is not None:
            deny[id(base)] = denying_names(ctx.repo, "LEFT", ctx.diff.old_path or ctx.path, base)
        head_global = _router_auth(head, deny)
        reported = False
        if base is not None:
            for finding in _dropped_router_auth(ctx, base, head, head_routes, base_routes, head_global, deny):
                reported = True
                yield finding
        if reported:
            return
        for route in head_routes:
            if route.router in head_global or _route_auth(head, route, deny):
                continue
            old = base_routes.get(route.key)
            if old is not None and base is not None:
                yield from _dropped_route_auth(ctx, base, route, old, deny)
            elif old is None:
                new = _unprotected_new_route(ctx, head, route, head_routes, head_global, base_routes, deny)
                if new is not None:
                    yield new


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


def _route_auth(src: SourceFile, route: Route, deny: Deny) -> Node | None:
    """The node that authenticates this route itself: a middleware, a Fastify hook option, or a session
    check in the handler body."""
    for mark in route.middleware:
        if mark.type == "pair":
            key = text(src, mark.child_by_field_name("key"))
            value = mark.child_by_field_name("value")
            if (key in _HOOKS or key == "config") and value is not None and _AUTH.search(text(src, value)):
                return mark
            continue
        inner = unwrap(mark)
        if inner is not None and inner.type == "object":
            for pair in inner.named_children:
                key = text(src, pair.child_by_field_name("key"))
                if pair.type == "pair" and key in _HOOKS and _AUTH.search(text(src, pair.child_by_field_name("value"))):
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


def _dropped_router_auth(ctx: FileContext, base: SourceFile, head: SourceFile, head_routes: list[Route],
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
        message = (f"The change removes the router-wide auth `{text(base, use)[:60]}`, and {paths} did not get "
                   "their own, so anonymous callers can now reach them; restore the middleware or add it to "
                   "every route that still needs it.")
        if line_of(use) in ctx.diff.removed:
            yield ctx.finding(RULE, use, message, side="LEFT", end=line_of(use))
        else:
            yield ctx.finding(RULE, exposed[0].node, message, end=line_of(exposed[0].node))


def _dropped_route_auth(ctx: FileContext, base: SourceFile, route: Route, old: Route,
                        deny: Deny) -> Iterator[Finding]:
    mark = _route_auth(base, old, deny)
    if mark is None or (old.router and old.router in _router_auth(base, deny)):
        return
    message = (f"The change removes the authentication of route `{route.method.upper()} {route.path}` "
               f"(`{text(base, mark)[:60]}`), so anonymous callers can now reach it; restore the auth middleware "
               "or session check.")
    if line_of(mark) in ctx.diff.removed:
        yield ctx.finding(RULE, mark, message, side="LEFT", end=line_of(mark))
    else:
        yield ctx.finding(RULE, route.node, message, end=line_of(route.node))


def _unprotected_new_route(ctx: FileContext, src: SourceFile, route: Route, all_routes: list[Route],
                           global_auth: dict[str, Node],
                           base_routes: dict[tuple[str, str, str], Route], deny: Deny) -> Finding | None:
    public = public_route(ctx.repo)
    markers = public_markers(ctx.repo)
    if not ctx.changed(route.node) or global_auth or marked_public(src, route.middleware, markers):
        return None
    body = route.handler.child_by_field_name("body")
    if body is not None and _SELF_VERIFIED.search(text(src, body)):
        return None
    base = ctx.base

    def authed(r: Route) -> bool:
        return _route_auth(src, r, deny) is not None or (
            base is not None and r.key in base_routes and _route_auth(base, base_routes[r.key], deny) is not None)

    siblings = [Sibling(authed(r), marked_public(src, r.middleware, markers), public_word(public, r.path))
                for r in all_routes if r.node != route.node]
    settings = ctx.options.settings(RULE, DroppedAuthSettings)
    norm = module_norm(siblings, settings.min_siblings, settings.min_ratio)
    if norm is None:
        return None
    note = wording_note(norm, public_word(public, route.path))
    return ctx.finding(RULE, route.node, f"The new route `{route.method.upper()} {route.path}` has no "
                       f"authentication while {norm.with_auth} of the {norm.counted} other routes in this module "
                       f"require it; add the same auth middleware (or document why it is public).{note}",
                       end=line_of(route.node), confidence="low" if note else None,
                       severity=Severity.NOTICE if note else None)
