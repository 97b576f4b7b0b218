"""Route handlers that lose (or never get) the authentication their siblings have. One detector serves
Python and JS/TS; each language says what its routes, their auth and module-wide auth are
(`python_dropped_auth.py`, `js_dropped_auth.py`).

## What it does
Flags a route whose auth the change removes: a Python auth decorator or dependency
(`@login_required`, `@jwt_required()`, `Depends(get_current_user)`), a JS/TS auth middleware
(`router.get('/x', requireAuth, handler)` -> `router.get('/x', handler)`), the session check of a
Next.js route handler, or a router-wide auth middleware (`router.use(requireAuth)`, an `onRequest`
hook) while routes it protected are left without their own (reported on the removed line, side
LEFT). Flags a new route without any auth in a module where at least `min_siblings` other routes,
and a `min_ratio` share of them, require it.

What counts as auth is decided from the repository: a decorator, dependency or middleware whose
definition (in the module, or a repository module it is imported from, followed through its calls
and dependencies) reads the caller's credentials (the `Authorization` header, cookies, the
session, a credential scheme, a token verification) or answers 401/403 is auth whatever it is
called; so is a library API known to authenticate (`flask_login.login_required`). One that only its
name suggests is auth (its definition is elsewhere, or shows neither) still counts, but a finding
resting on it is reported at low confidence and says so, and a new route protected only by such a
name, next to siblings whose auth the repository shows, is reported as a low-confidence notice.

Routes marked public on purpose (an allow-list decorator, middleware or option: `public_markers`
in rules/data/insecure-auth.yml) are left alone and not counted, as are JS handlers that call a
signature verification themselves (`createHmac`, `timingSafeEqual`, `constructEvent`). A route only
whose name or path suggests it is public (login, signup, health, webhook...), or whose body only
mentions a signature, is still reported, at low confidence, naming it (`public_routes.py`); so is
one whose module requires auth only when such named routes are left out of the count.

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

from collections.abc import Callable, Iterator
from typing import Any, ClassVar, Protocol

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js import flow as js_flow
from ...lang.js.syntax import LANGUAGES
from ...models import Finding, Severity
from ...parsing import SourceFile
from .js_dropped_auth import JsRoutes
from .public_routes import Norm, Sibling, module_norm, wording_note
from .python_auth_syntax import is_test_path as python_test_path
from .python_dropped_auth import PythonRoutes
from .thresholds import DroppedAuthSettings


class RouteView(Protocol):
    """One changed file's routes as one language sees them (a route is whatever `routes` holds)."""

    routes: list[Any]

    def module_findings(self) -> Iterator[Finding]: ...
    def protected(self, route: Any) -> bool: ...
    def base_route(self, route: Any) -> Any | None: ...
    def dropped(self, route: Any, old: Any) -> Iterator[Finding]: ...
    def may_report_new(self, route: Any) -> bool: ...
    def others(self, route: Any) -> list[Any]: ...
    def sibling(self, route: Any) -> Sibling: ...
    def word(self, route: Any) -> str: ...
    def self_note(self, route: Any) -> str: ...
    def named_protection(self, route: Any) -> str: ...
    def label(self, route: Any) -> str: ...
    def new_span(self, route: Any) -> tuple[Node, int]: ...
    def new_message(self, route: Any, norm: Norm) -> str: ...


PYTHON_RULE = Rule(
    id="python.insecure-auth.dropped-auth",
    category="insecure-auth",
    languages=("python",),
    severity=Severity.WARNING,
    summary="route handler loses the auth decorator/dependency it had, or that its sibling routes have",
    settings=DroppedAuthSettings(),
    confidence="medium",
)
JS_RULE = Rule(
    id="js.insecure-auth.dropped-auth",
    category="insecure-auth",
    languages=LANGUAGES,
    severity=Severity.ERROR,
    summary="route loses the auth middleware/session check it had, or that its sibling routes have",
    settings=DroppedAuthSettings(),
    confidence="medium",
)
View = Callable[[FileContext, SourceFile, Rule], RouteView]
LAYERS: dict[str, tuple[View, Rule, Callable[[str], bool]]] = {
    "python": (PythonRoutes, PYTHON_RULE, python_test_path),
    **{lang: (JsRoutes, JS_RULE, js_flow.is_test_path) for lang in LANGUAGES},
}


class DroppedAuthDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON_RULE, JS_RULE)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or head.language not in LAYERS:
            return
        make, rule, test_path = LAYERS[head.language]
        if test_path(ctx.path):
            return
        view = make(ctx, head, rule)
        if not view.routes:
            return
        reported = False
        for finding in view.module_findings():
            reported = True
            yield finding
        if reported:
            return
        settings = ctx.options.settings(rule, DroppedAuthSettings)
        for route in view.routes:
            protected = view.protected(route)
            named = view.named_protection(route) if protected else ""  # protected by a name only
            if protected and not named:
                continue
            old = view.base_route(route)
            if old is not None:
                if not named:
                    yield from view.dropped(route, old)
                continue
            if not view.may_report_new(route):
                continue
            norm = module_norm([view.sibling(r) for r in view.others(route)], settings.min_siblings,
                               settings.min_ratio)
            if norm is None or (named and (norm.named_auth or norm.named)):
                continue
            anchor, end = view.new_span(route)
            if named:
                yield ctx.finding(rule, anchor, _named_message(view.label(route), named, norm), end=end,
                                  confidence="low", severity=Severity.NOTICE)
                continue
            note = wording_note(norm, view.word(route)) + view.self_note(route)
            yield ctx.finding(rule, anchor, view.new_message(route, norm) + note, end=end,
                              confidence="low" if note else None, severity=Severity.NOTICE if note else None)


def _named_message(label: str, named: str, norm: Norm) -> str:
    return (f"The new route `{label}` relies on `{named[:40]}` for authentication, but only its name suggests it "
            "authenticates (its definition is not in the repository or does not show it reading credentials or "
            f"answering 401/403), while {norm.shown} of the {norm.counted} other routes in this module use auth "
            "the repository shows; check that it does, or use the same auth as they do.")
