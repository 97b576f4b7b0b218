"""Objects loaded by a request-supplied id without an ownership check (IDOR), and ownership checks
removed by the change. One detector serves Python and JS/TS; each language says what its route
handlers, lookups and ownership checks are (`python_idor.py`, `js_idor.py`).

## What it does
`python.insecure-auth.idor-missing-owner-check` / `js.insecure-auth.idor-missing-owner-check`: in
a module whose other handlers tie the data to the current user (`invoice.account_id !=
user.account_id`, `filter_by(owner_id=current_user.id)`, `where: { id, accountId:
caller.accountId }`, an `assertOwner(...)` or `_get_owned_order` helper), flags a route handler
that loads an object by an id taken from the request (a route parameter, `request.args`, the JSON
body, `req.params.id`, Next.js `params.id`) and never relates it to the current user. It reports
the lookup line. Admin/staff-only handlers are left alone when the repository shows it: the handler
checks the caller's role (`user.is_admin`, `req.user.role`, `has_perm`) and answers 401/403 before
the lookup, or a decorator, dependency or middleware of it does so in its definition
(`privilege.py`). A handler that only a word (`privileged_words` of rules/data/insecure-auth.yml:
`admin`, `staff`; in Python in a decorator or dependency, in JS/TS in its path or a middleware)
calls admin-only keeps its finding at low confidence, and the message names the word. In Python,
handlers without auth are left alone (dropped-auth's business); auth is what the repository shows
(`python_auth_evidence.py`: a decorator or dependency whose definition reads credentials or answers
401/403) or what a name suggests.

`python.insecure-auth.owner-check-removed` / `js.insecure-auth.owner-check-removed`: flags a
function or handler whose base version related the object to the current user and whose head
version no longer does. It reports the removed check line (side LEFT).

## Why is this bad?
Ids are guessable; without the ownership check any signed-in user can read, download or modify
every other customer's records by iterating ids (insecure direct object reference, OWASP A01).

## Example
```python
@router.get("/{invoice_id}/pdf")
def download_invoice_pdf(invoice_id: int, user: User = Depends(get_current_user), db=Depends(get_db)):
    invoice = db.get(Invoice, invoice_id)
    return stream(invoice.pdf_key)
```

## Use instead
```python
    invoice = db.get(Invoice, invoice_id)
    if invoice is None or invoice.account_id != user.account_id:
        raise HTTPException(404, "invoice not found")
```
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator, Sequence
from typing import Any, ClassVar, Protocol

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js.syntax import LANGUAGES
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of
from .auth_words import privileged
from .js_idor import JsIdor
from .privilege import Privilege
from .python_idor import PythonIdor


class IdorLayer(Protocol):
    """What one language says about its route handlers (a handler is whatever `routes` returns)."""

    def routes(self, src: SourceFile) -> Sequence[Any]: ...
    def key(self, route: Any) -> Hashable: ...
    def is_test_path(self, path: str) -> bool: ...
    def checked(self, src: SourceFile, routes: Any) -> set[Any]: ...
    def exempt(self, ctx: FileContext, src: SourceFile, route: Any) -> bool: ...
    def privilege(self, ctx: FileContext, src: SourceFile, words: re.Pattern[str]) -> PrivilegeOf: ...
    def unchecked_lookup(self, src: SourceFile, route: Any) -> Node | None: ...
    def idor_message(self, route: Any) -> str: ...
    def removed_checks(self, ctx: FileContext, base: SourceFile, head: SourceFile,
                       routes: Any) -> Iterator[tuple[Node, Any, str]]: ...


class PrivilegeOf(Protocol):
    """Whether one handler of a file is admin/staff-only (`privilege.py`)."""

    def of(self, route: Any, lookup: Node) -> Privilege | None: ...


def _rules(prefix: str, languages: tuple[str, ...], handler: str, obj: str, who: str) -> tuple[Rule, Rule]:
    idor = Rule(id=f"{prefix}.insecure-auth.idor-missing-owner-check", category="insecure-auth",
                languages=languages, severity=Severity.ERROR, confidence="medium",
                summary=f"{handler} loads {obj} by a request-supplied id without the ownership check its siblings do")
    removed = Rule(id=f"{prefix}.insecure-auth.owner-check-removed", category="insecure-auth", languages=languages,
                   severity=Severity.ERROR, summary=f"the change removes the check that {obj} belongs to {who}")
    return idor, removed


PYTHON_IDOR, PYTHON_REMOVED = _rules("python", ("python",), "route", "an object", "the current user")
JS_IDOR, JS_REMOVED = _rules("js", LANGUAGES, "handler", "a record", "the caller")
_PYTHON, _JS = PythonIdor(), JsIdor()
LAYERS: dict[str, tuple[IdorLayer, Rule, Rule]] = {
    "python": (_PYTHON, PYTHON_IDOR, PYTHON_REMOVED),
    **{lang: (_JS, JS_IDOR, JS_REMOVED) for lang in LANGUAGES},
}


class IdorDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON_IDOR, PYTHON_REMOVED, JS_IDOR, JS_REMOVED)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or head.language not in LAYERS \
                or not (ctx.diff.added or ctx.diff.removed):
            return
        layer, idor, removed = LAYERS[head.language]
        if layer.is_test_path(ctx.path):
            return
        routes = layer.routes(head)
        removed_in: set[Any] = set()
        if ctx.base is not None and ctx.base.root is not None and ctx.diff.removed:
            for node, key, message in layer.removed_checks(ctx, ctx.base, head, routes):
                removed_in.add(key)
                yield ctx.finding(removed, node, message, side="LEFT", end=line_of(node))
        if not routes:
            return
        checked = layer.checked(head, routes)
        privilege: PrivilegeOf | None = None
        for route in routes:
            key = layer.key(route)
            if key in checked or key in removed_in:
                continue
            if not any(other != key for other in checked):
                continue  # no other handler of the module checks ownership: no norm to break
            lookup = layer.unchecked_lookup(head, route)
            if lookup is None or not ctx.changed(lookup) or layer.exempt(ctx, head, route):
                continue
            privilege = privilege or layer.privilege(ctx, head, privileged(ctx.repo))
            found = privilege.of(route, lookup)
            if found is not None and found.kind == "shown":
                continue  # admin/staff-only: it may load any object
            message = layer.idor_message(route) + (found.note() if found is not None else "")
            yield ctx.finding(idor, lookup, message, end=line_of(lookup),
                              confidence="low" if found is not None else None)
