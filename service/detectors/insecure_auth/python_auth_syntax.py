"""Shared helpers of the Python insecure-auth detectors: literals, names, route handlers, auth
markers and ownership checks, all read from tree-sitter nodes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ...lang.python.memo import cached, descendants, node_key
from ...parsing import SourceFile
from ...ruledata import data_lists
from .python_auth_evidence import AuthResolver, Evidence, direct_auth
from .python_principal import INJECTORS, principal_params

# Route decorators: `@app.get(...)`, `@router.post(...)`, `@bp.route(...)`, `@api_view([...])`.
_ROUTE_ATTRS = frozenset({"get", "post", "put", "patch", "delete", "route", "api_route", "head", "options",
                          "websocket"})
_ROUTE_FUNCS = frozenset({"api_view", "route", "action"})
_LISTS = data_lists("insecure-auth")
# Names of decorators, dependencies and helpers that may authenticate or authorise the caller.
AUTH_NAME = _LISTS.pattern("python_auth_names")


def string_value(node: Node | None, src: SourceFile) -> str | None:
    """The value of a plain (non f-string, non concatenated) string literal, else None."""
    if node is None or node.type != "string":
        return None
    parts: list[str] = []
    for child in node.children:
        if child.type == "interpolation":
            return None
        if child.type == "string_content":
            parts.append(src.node_text(child))
    return "".join(parts)


def call_name(call: Node, src: SourceFile) -> str:
    """The dotted text of a call's callee (`db.session.get`), '' when it is not a call."""
    if call.type != "call":
        return ""
    fn = call.child_by_field_name("function")
    return src.node_text(fn) if fn is not None else ""


def last_segment(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Handler:
    """One function definition with its decorators (route handlers and helpers alike)."""

    name: str
    func: Node  # function_definition
    outer: Node  # decorated_definition, or the function itself
    decorators: tuple[Node, ...]
    is_route: bool


def functions(root: Node, src: SourceFile) -> Iterator[Handler]:
    """Every module-level or class-level function definition of a file."""
    return iter(cached(src, ("py_auth.functions", node_key(root)), lambda: list(_functions(root, src))))


def _functions(root: Node, src: SourceFile) -> Iterator[Handler]:
    for node in descendants(src, root, "function_definition"):
        parent = node.parent
        decorators: tuple[Node, ...] = ()
        outer = node
        if parent is not None and parent.type == "decorated_definition":
            decorators = tuple(c for c in parent.children if c.type == "decorator")
            outer = parent
        name_node = node.child_by_field_name("name")
        name = src.node_text(name_node) if name_node is not None else ""
        route = any(is_route_decorator(d, src) for d in decorators) or _is_django_view(node, src)
        yield Handler(name, node, outer, decorators, route)


def _is_django_view(func: Node, src: SourceFile) -> bool:
    """`def invoice_detail(request, pk)` / `def get(self, request, pk)`: a view taking the request."""
    params = func.child_by_field_name("parameters")
    names = [src.node_text(p) for p in params.named_children if p.type == "identifier"] if params else []
    if names[:1] == ["self"]:
        names = names[1:]
    return names[:1] == ["request"]


def decorator_expr(decorator: Node) -> Node | None:
    return next((c for c in decorator.children if c.is_named), None)


def is_route_decorator(decorator: Node, src: SourceFile) -> bool:
    expr = decorator_expr(decorator)
    if expr is None:
        return False
    callee = expr.child_by_field_name("function") if expr.type == "call" else expr
    if callee is None:
        return False
    text = src.node_text(callee)
    if callee.type == "attribute":
        return last_segment(text) in _ROUTE_ATTRS and expr.type == "call"
    return text in _ROUTE_FUNCS and expr.type == "call"


def route_path(handler: Handler, src: SourceFile) -> str:
    """The first string argument of the route decorator ('' when none)."""
    for dec in handler.decorators:
        expr = decorator_expr(dec)
        if expr is None or expr.type != "call" or not is_route_decorator(dec, src):
            continue
        args = expr.child_by_field_name("arguments")
        first = next((a for a in args.named_children), None) if args is not None else None
        value = string_value(first, src)
        if value is not None:
            return value
    return ""


def _named(text: str) -> Evidence | None:
    return Evidence("named", text.split("(", 1)[0].strip()[:60]) if AUTH_NAME.search(text) else None


def _better(a: Evidence | None, b: Evidence | None) -> Evidence | None:
    """The stronger evidence: shown over named over none."""
    return b if a is None or (b is not None and b.kind == "shown" and a.kind != "shown") else a


def auth_marks(handler: Handler, src: SourceFile, auth: AuthResolver | None = None) -> list[tuple[Node, Evidence]]:
    """The decorators and parameters that authenticate/authorise, each with its evidence: decorators
    (`@login_required`, `@permission_required(...)`), route decorators carrying
    `dependencies=[Depends(verify_token)]`, parameters whose default or annotation is an auth dependency
    (`Depends(get_current_user)`, `user: CurrentUser`) or that the module compares with objects' owners.
    Without a resolver (`auth`), a mark's name alone decides (`named`)."""
    found: list[tuple[Node, Evidence]] = []
    for dec in handler.decorators:
        expr = decorator_expr(dec)
        if expr is None:
            continue
        callee = expr.child_by_field_name("function") if expr.type == "call" else expr
        if is_route_decorator(dec, src):
            evidence = _dependency_evidence(expr, src, auth)
        elif callee is None:
            continue
        else:
            text = src.node_text(callee)
            evidence = auth.evidence(text) if auth is not None else _named(text)
        if evidence is not None:
            found.append((dec, evidence))
    params = handler.func.child_by_field_name("parameters")
    principals = principal_params(handler.func, src)
    for p in params.named_children if params is not None else ():
        annotation = p.child_by_field_name("type")
        name = p.child_by_field_name("name")
        evidence = _dependency_evidence(p, src, auth)
        if annotation is not None:
            text = src.node_text(annotation)
            alias = Evidence("named", text[:60]) if _AUTH_TYPE_ALIAS.match(text) else None
            resolved = auth.evidence(text) if auth is not None and _AUTH_TYPE_ALIAS.match(text) else None
            evidence = _better(evidence, _better(alias, resolved))
        if name is not None and src.node_text(name) in principals:
            evidence = _better(evidence, Evidence("shown", src.node_text(name),
                                                  "is the caller this module compares with objects' owners"))
        if evidence is not None:
            found.append((p, evidence))
    return found


def auth_decorators(handler: Handler, src: SourceFile) -> list[Node]:
    """Decorators that authenticate/authorise, by name (`auth_marks` without a resolver)."""
    return [m for m, _ in auth_marks(handler, src) if m.type == "decorator"]


def auth_parameters(handler: Handler, src: SourceFile) -> list[Node]:
    """Parameters that inject the caller, by name (`auth_marks` without a resolver)."""
    return [m for m, _ in auth_marks(handler, src) if m.type != "decorator"]


def _dependency_evidence(node: Node, src: SourceFile, auth: AuthResolver | None) -> Evidence | None:
    """The strongest evidence of the `Depends(...)` / `Security(...)` calls in `node`."""
    best: Evidence | None = None
    for call in descendants(src, node, "call"):
        if last_segment(call_name(call, src)) not in INJECTORS:
            continue
        args = call.child_by_field_name("arguments")
        if args is None:
            continue
        first = next((a for a in args.named_children if a.type != "keyword_argument"), None)
        if auth is None:
            text = src.node_text(args)
            shown = src.node_text(first) if first is not None else text
            evidence = Evidence("named", shown.split("(", 1)[0][:60]) if AUTH_NAME.search(text) else None
        else:
            evidence = auth.evidence(src.node_text(first)) if first is not None else None
        best = _better(best, evidence)
    return best


_AUTH_TYPE_ALIAS = _LISTS.pattern("python_auth_type_aliases", ignore_case=False, within="^(?:{})$")
_BODY_AUTH = _LISTS.pattern("python_body_auth")


def body_auth(handler: Handler, src: SourceFile) -> Evidence | None:
    """The handler checks the caller itself: its body reads credentials or answers 401/403 (shown), or
    calls something whose name suggests a check (`python_body_auth`, named)."""
    body = handler.func.child_by_field_name("body")
    if body is None:
        return None
    where = direct_auth(src, body, reads=False)
    if where:
        return Evidence("shown", handler.name, f"{where} in its body")
    match = _BODY_AUTH.search(src.node_text(body))
    return Evidence("named", match.group(0)) if match else None


def has_body_auth(handler: Handler, src: SourceFile) -> bool:
    return body_auth(handler, src) is not None


def route_auth(handler: Handler, src: SourceFile, auth: AuthResolver | None = None) -> Evidence | None:
    """The strongest evidence that the route authenticates its caller, None when nothing does."""
    best = body_auth(handler, src)
    for _, evidence in auth_marks(handler, src, auth):
        best = _better(best, evidence)
    return best


def is_test_path(path: str) -> bool:
    parts = path.lower().split("/")
    name = parts[-1]
    return (
        any(p in ("tests", "test", "testing", "fixtures", "examples", "example", "docs") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith(("_test.py", "_tests.py"))
        or name == "conftest.py"
    )


# --- ownership checks -------------------------------------------------------------------------

_CURRENT_USER = _LISTS.pattern("python_current_user", ignore_case=False)
_USER_SOURCE = _LISTS.pattern("python_user_sources")
_CHECKER_CALL = _LISTS.pattern("python_owner_checker_calls")
_CHECKER_WITH_USER = _LISTS.pattern("python_checker_with_user")
OWNER_ATTR = _LISTS.pattern("python_owner_attributes", within=r"\.(?:{})\b")


def user_names(func: Node, src: SourceFile) -> frozenset[str]:
    """Names bound to the current user in a function: auth-dependency parameters and locals
    assigned from `current_user` / `get_current_user(...)` / `request.user`."""
    return cached(src, ("py_auth.user_names", node_key(func)), lambda: _user_names(func, src))


def _user_names(func: Node, src: SourceFile) -> frozenset[str]:
    names: set[str] = set(principal_params(func, src))
    params = func.child_by_field_name("parameters")
    if params is not None:
        for p in params.named_children:
            annotation = p.child_by_field_name("type")
            alias = annotation is not None and bool(_AUTH_TYPE_ALIAS.match(src.node_text(annotation)))
            if alias or _dependency_evidence(p, src, None) is not None:
                ident = p.child_by_field_name("name") or next((c for c in p.named_children
                                                               if c.type == "identifier"), None)
                if ident is not None:
                    names.add(src.node_text(ident))
    body = func.child_by_field_name("body")
    for node in descendants(src, body, "assignment") if body is not None else ():
        if node.type == "assignment":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and left.type == "identifier" \
                    and _USER_SOURCE.search(src.node_text(right)):
                names.add(src.node_text(left))
    return frozenset(names)


def refs_user(text: str, names: frozenset[str]) -> bool:
    if _CURRENT_USER.search(text):
        return True
    return any(re.search(rf"(?<![\w.]){re.escape(n)}\b", text) for n in names)


def comparison_checks(func: Node, src: SourceFile, names: frozenset[str], strict: bool) -> list[Node]:
    """Comparisons of an object's attribute with the current user (`inv.account_id != user.account_id`).
    `strict` also requires the other side to be an ownership attribute (owner_id, customer_id...)."""
    found = []
    body = func.child_by_field_name("body")
    for node in descendants(src, body, "comparison_operator") if body is not None else ():
        operands = [c for c in node.named_children]
        user_side = [o for o in operands if refs_user(src.node_text(o), names)]
        other = [o for o in operands if o not in user_side and o.type in ("attribute", "subscript", "call")]
        if not user_side or not other:
            continue
        if strict and not any(OWNER_ATTR.search(src.node_text(o)) or OWNER_ATTR.search(src.node_text(u))
                              for o in other for u in user_side):
            continue
        found.append(node)
    return found


def scoped_by_user(func: Node, src: SourceFile, names: frozenset[str]) -> bool:
    """A keyword filter on the current user (`filter_by(owner_id=current_user.id)`, `owner=request.user`)
    or a call that passes the current user to an access-checking helper."""
    body = func.child_by_field_name("body")
    for node in descendants(src, body, "keyword_argument", "call") if body is not None else ():
        if node.type == "keyword_argument":
            value = node.child_by_field_name("value")
            if value is not None and refs_user(src.node_text(value), names):
                return True
        elif node.type == "call":
            callee = call_name(node, src)
            args = node.child_by_field_name("arguments")
            if _CHECKER_CALL.search(callee):
                return True
            if args is not None and _CHECKER_WITH_USER.search(last_segment(callee)) \
                    and refs_user(src.node_text(args), names):
                return True
            if refs_user(callee, names) and "." in callee:
                return True
    return False


def _checks_directly(func: Node, src: SourceFile) -> bool:
    """The function itself compares with or filters by the current user."""

    def compute() -> bool:
        names = user_names(func, src)
        return bool(comparison_checks(func, src, names, strict=False)) or scoped_by_user(func, src, names)

    return cached(src, ("py_auth.checks_directly", node_key(func)), compute)


def _callees(func: Node, src: SourceFile) -> list[str]:
    """The last segment of the callee of every call in the function body, in order."""

    def compute() -> list[str]:
        body = func.child_by_field_name("body")
        calls = descendants(src, body, "call") if body is not None else []
        return [last_segment(call_name(node, src)) for node in calls]

    return cached(src, ("py_auth.callees", node_key(func)), compute)


def checks_ownership(handler: Handler, src: SourceFile, helpers: dict[str, Handler],
                     _seen: frozenset[str] = frozenset()) -> bool:
    """Does the function (or a module-level helper it calls) tie the data to the current user?"""
    if _checks_directly(handler.func, src):
        return True
    for callee in _callees(handler.func, src):
        helper = helpers.get(callee)
        if helper is not None and callee not in _seen and callee != handler.name \
                and checks_ownership(helper, src, helpers, _seen | {handler.name}):
            return True
    return False
