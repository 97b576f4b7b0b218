"""Whether a route handler is admin/staff-only, decided from what the repository shows rather than
from what it is called (python/js idor-missing-owner-check, `idor.py`).

A role check is an `if` whose condition reads the caller's role, staff flag or permissions
(`privilege_attributes` of rules/data/insecure-auth.yml: `user.is_admin`, `req.user.role`,
`user.has_perm(...)`) and which answers 401/403 (`raise HTTPException(403)`, `abort(403)`, `raise
PermissionDenied`, `res.status(403)`). A handler is privileged when it makes one itself before its
lookup, or when a decorator, dependency (`Depends(require_admin)`) or middleware
(`requireRole('admin')`) of it makes one in its definition, followed the way dropped-auth follows
auth (`python_auth_evidence.py`, `js_denial.py`), or is a library API known to check roles
(`python_library_privileged`). A handler that only a word of `privileged_words` calls admin-only
(in Python: in a decorator or dependency other than the route's own; in JS/TS: in its path or a
middleware) is `named`: its finding stays, at low confidence, and names the word.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from tree_sitter import Node

from ...detector import FileContext
from ...lang.js.flow import Route, call_name
from ...lang.js.syntax import last_name, text
from ...parsing import SourceFile, walk
from ...ruledata import data_lists
from .js_denial import answers_denied, denying_names
from .python_auth_evidence import AuthResolver, direct_auth
from .python_auth_syntax import Handler, auth_parameters, is_route_decorator, last_segment
from .python_auth_syntax import call_name as py_call_name
from .python_principal import INJECTORS

_LISTS = data_lists("insecure-auth")
_ATTRIBUTE = _LISTS.pattern("privilege_attributes", within="^(?:{})$")
_LIBRARY = _LISTS.get("python_library_privileged")


@dataclass(frozen=True)
class Privilege:
    """`shown`: a role check guards the handler (`where` says which); `named`: only `word` in
    `where` suggests the handler is admin/staff-only."""

    kind: Literal["shown", "named"]
    where: str
    word: str = ""

    def note(self) -> str:
        """The sentence a `named` finding adds ('' for `shown`)."""
        if self.kind == "shown":
            return ""
        return (f" Note: only the word `{self.word}` in `{self.where[:60]}` suggests the handler is admin/staff-only;"
                " no role check answering 401/403 is shown in it or in the definition of its decorators, "
                "dependencies or middleware, so this is low confidence.")


# ---------------------------------------------------------------------------- Python


def python_role_check(src: SourceFile, node: Node, before: int | None = None) -> str:
    """What role check `node` makes (an `if` reading a privilege attribute that answers 401/403,
    starting before byte `before` if given); '' for none."""
    for n in walk(node):
        if n.type != "if_statement" or (before is not None and n.start_byte >= before):
            continue
        condition = n.child_by_field_name("condition")
        attr = next((src.node_text(a) for a in walk(condition) if _py_privilege_attr(src, a)), "") \
            if condition is not None else ""
        denial = direct_auth(src, n, reads=False) if attr else ""
        if denial:
            return f"checks `{attr[:40]}` and {denial}"
    return ""


def _py_privilege_attr(src: SourceFile, node: Node) -> bool:
    if node.type == "attribute":
        name = node.child_by_field_name("attribute")
        return name is not None and _ATTRIBUTE.match(src.node_text(name)) is not None
    if node.type == "call":
        return _ATTRIBUTE.match(last_segment(py_call_name(node, src))) is not None
    return False


class PythonPrivilege:
    """The privilege of the handlers of one Python file (head side)."""

    def __init__(self, ctx: FileContext, src: SourceFile, words: re.Pattern[str]) -> None:
        self.src, self.words = src, words
        self.auth = AuthResolver(ctx.repo, "RIGHT", ctx.path, src)

    def of(self, handler: Handler, lookup: Node) -> Privilege | None:
        src = self.src
        body = handler.func.child_by_field_name("body")
        own = python_role_check(src, body, lookup.start_byte) if body is not None else ""
        if own:
            return Privilege("shown", f"`{handler.name}` {own}")
        for name in self._guards(handler):
            where = self.auth.shown_by(name, python_role_check, _LIBRARY)
            if where:
                return Privilege("shown", f"`{name}` {where}")
        marks = [d for d in handler.decorators if not is_route_decorator(d, src)] + auth_parameters(handler, src)
        for mark in marks:
            found = self.words.search(src.node_text(mark))
            if found:
                return Privilege("named", src.node_text(mark).strip(), found.group(0))
        return None

    def _guards(self, handler: Handler) -> list[str]:
        """The decorators (their callee) and injected dependencies (`Depends(x)` in the parameters
        or the route decorator) of the handler, as written."""
        src = self.src
        out: list[str] = []
        for dec in handler.decorators:
            expr = next(iter(dec.named_children), None)
            if expr is None:
                continue
            if not is_route_decorator(dec, src):
                callee = expr.child_by_field_name("function") if expr.type == "call" else expr
                out.append(src.node_text(callee) if callee is not None else "")
        params = handler.func.child_by_field_name("parameters")
        for holder in [*handler.decorators, *(params.named_children if params is not None else ())]:
            for call in walk(holder):
                if call.type == "call" and last_segment(py_call_name(call, src)) in INJECTORS:
                    args = call.child_by_field_name("arguments")
                    first = next((a for a in args.named_children if a.type != "keyword_argument"), None) \
                        if args is not None else None
                    if first is not None:
                        out.append(src.node_text(first))
        return [n for n in out if n]


# ---------------------------------------------------------------------------- JS/TS


def js_role_check(src: SourceFile, node: Node, before: int | None = None) -> bool:
    """`node` makes a role check (an `if` reading a privilege member that answers 401/403, starting
    before byte `before` if given)."""
    for n in walk(node):
        if n.type != "if_statement" or (before is not None and n.start_byte >= before):
            continue
        condition = n.child_by_field_name("condition")
        if condition is not None and any(_js_privilege_attr(src, a) for a in walk(condition)) \
                and answers_denied(src, n):
            return True
    return False


def _js_privilege_attr(src: SourceFile, node: Node) -> bool:
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return prop is not None and _ATTRIBUTE.match(text(src, prop)) is not None
    if node.type == "call_expression":
        return _ATTRIBUTE.match(last_name(call_name(src, node))) is not None
    return False


class JsPrivilege:
    """The privilege of the handlers of one JS/TS file (head side)."""

    def __init__(self, ctx: FileContext, src: SourceFile, words: re.Pattern[str]) -> None:
        self.ctx, self.src, self.words = ctx, src, words

    @functools.cached_property
    def guards(self) -> frozenset[str]:
        """The names usable as middleware that make a role check (read from the repository's files
        on first use)."""
        return denying_names(self.ctx.repo, "RIGHT", self.ctx.path, self.src, shows=js_role_check)

    def of(self, route: Route, lookup: Node) -> Privilege | None:
        src = self.src
        body = route.handler.child_by_field_name("body")
        if body is not None and js_role_check(src, body, lookup.start_byte):
            return Privilege("shown", "the handler checks the caller's role")
        for mark in route.middleware:
            if any(n.type == "identifier" and text(src, n) in self.guards for n in walk(mark)):
                return Privilege("shown", text(src, mark))
        for where in (route.path, *(text(src, m) for m in route.middleware)):
            found = self.words.search(where)
            if found:
                return Privilege("named", where, found.group(0))
        return None
