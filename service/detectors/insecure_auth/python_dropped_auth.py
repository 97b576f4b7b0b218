"""Route handlers that lose (or never get) the authentication their siblings have.

## What it does
Flags a route handler whose auth decorator or dependency (`@login_required`,
`@permission_required(...)`, `@jwt_required()`, `Depends(get_current_user)`...) is removed by the
change (reported on the removed line, side LEFT), and a new route handler without any auth in a
module where the other routes all require it (reported on the route's decorator/def lines).
Routes marked public on purpose (`@permission_classes([AllowAny])`, `@login_not_required`, the
`public_markers` of rules/data/insecure-auth.yml) are left alone and not counted. A route only whose
name or path suggests it is public (login, signup, health, webhook...) is still reported, at low
confidence, and the message names it; so is a route whose module requires auth only once such
named routes are left out of the count.

## Why is this bad?
The endpoint becomes reachable by anonymous callers: whatever it reads or changes is now open to
the internet, usually without anyone noticing because the happy-path tests still pass.

## Example
```python
@bp.post("/<int:order_id>/refund")
def refund_order(order_id):
    ...
```

## Use instead
```python
@bp.post("/<int:order_id>/refund")
@login_required
def refund_order(order_id):
    ...
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from .auth_words import public_route
from .public_routes import Sibling, marked_public, module_norm, public_markers, public_word, wording_note
from .python_auth_syntax import (
    Handler,
    auth_decorators,
    auth_parameters,
    call_name,
    functions,
    is_authenticated,
    is_test_path,
    last_segment,
    route_path,
)
from .thresholds import DroppedAuthSettings

RULE = Rule(
    id="python.insecure-auth.dropped-auth",
    category="insecure-auth",
    languages=("python",),
    severity=Severity.WARNING,
    summary="route handler loses the auth decorator/dependency it had, or that its sibling routes have",
    settings=DroppedAuthSettings(),
    confidence="medium",
)

_GLOBAL_AUTH = re.compile(r"(?i)(login|auth|user|token|jwt|session|permission)")


class DroppedAuthDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or is_test_path(ctx.path):
            return
        routes = [h for h in functions(head.root, head) if h.is_route]
        if not routes:
            return
        base_routes: dict[str, Handler] = {}
        if ctx.base is not None and ctx.base.root is not None:
            base_routes = {h.name: h for h in functions(ctx.base.root, ctx.base) if h.is_route}
        authed = {h.name for h in routes if is_authenticated(h, head)}
        min_siblings = ctx.options.settings(RULE, DroppedAuthSettings).min_siblings
        min_ratio = ctx.options.settings(RULE, DroppedAuthSettings).min_ratio
        global_auth = _module_level_auth(head)
        public = public_route(ctx.repo)
        markers = public_markers(ctx.repo)
        for handler in routes:
            if handler.name in authed or global_auth:
                continue
            old = base_routes.get(handler.name)
            if old is not None and ctx.base is not None:
                yield from _dropped(ctx, handler, old, ctx.base)
                continue
            if marked_public(head, handler.decorators, markers):
                continue
            siblings = [Sibling(h.name in authed, marked_public(head, h.decorators, markers),
                                public_word(public, route_path(h, head), h.name))
                        for h in routes if h.name != handler.name]
            norm = module_norm(siblings, min_siblings, min_ratio)
            if norm is None:
                continue
            note = wording_note(norm, public_word(public, route_path(handler, head), handler.name))
            first = handler.decorators[0] if handler.decorators else handler.func
            yield ctx.finding(RULE, first, f"The new route `{handler.name}` has no authentication while "
                              f"{norm.with_auth} of the {norm.counted} other routes in this module require a "
                              "signed-in user; add the same auth decorator/dependency (or document why it is "
                              f"public).{note}", end=line_of(handler.func),
                              confidence="low" if note else None, severity=Severity.NOTICE if note else None)


def _dropped(ctx: FileContext, handler: Handler, old: Handler, base: SourceFile) -> Iterator[Finding]:
    marks = auth_decorators(old, base) + auth_parameters(old, base)
    removed = [m for m in marks if line_of(m) in ctx.diff.removed]
    if not marks:
        return
    message = (f"The change removes the authentication of route `{handler.name}` "
               f"(`{base.node_text(marks[0]).lstrip('@').strip()[:60]}`), so anonymous callers can now reach it; "
               "restore the auth decorator/dependency.")
    if removed:
        yield ctx.finding(RULE, removed[0], message, side="LEFT", end=line_of(removed[0]))
    else:
        first = handler.decorators[0] if handler.decorators else handler.func
        yield ctx.finding(RULE, first, message, end=line_of(handler.func))


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
