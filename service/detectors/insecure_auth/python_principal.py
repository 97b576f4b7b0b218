"""The caller's identity in Python route modules, recognised by structure rather than by its name.

A FastAPI handler receives the signed-in caller as an injected dependency (`x = Depends(f)` /
`Security(f)`). Which dependency is the caller is decided from how the module uses it: a dependency
whose value some function compares with (or filters a query by) an attribute of something else
(`obj.account_id != x.account_id`, `.where(Model.owner == x.id)`, `filter_by(owner_id=x.id)`) is the
principal, whatever the function and the parameter are called. A dependency used as the receiver of
calls (`db.get(...)`, `s3.get_object(...)`) is a resource (a session, a client), not a principal.
"""

from __future__ import annotations

from tree_sitter import Node

from ...lang.python.memo import cached, descendants, node_key
from ...parsing import SourceFile

INJECTORS = frozenset({"Depends", "Security"})  # the FastAPI calls that inject a dependency


def injected(param: Node, src: SourceFile) -> tuple[str, str] | None:
    """(parameter name, dependency callee text) for `name: T = Depends(callee)`, else None."""
    if param.type not in ("default_parameter", "typed_default_parameter"):
        return None
    name = param.child_by_field_name("name")
    value = param.child_by_field_name("value")
    if name is None or value is None or value.type != "call":
        return None
    fn = value.child_by_field_name("function")
    if fn is None or src.node_text(fn).rsplit(".", 1)[-1] not in INJECTORS:
        return None
    args = value.child_by_field_name("arguments")
    first = next((a for a in args.named_children if a.type != "comment"), None) if args is not None else None
    if first is None or first.type == "keyword_argument":
        return None
    return src.node_text(name), src.node_text(first)


def _injected_params(func: Node, src: SourceFile) -> list[tuple[str, str]]:
    params = func.child_by_field_name("parameters")
    found = []
    for p in params.named_children if params is not None else ():
        pair = injected(p, src)
        if pair is not None:
            found.append(pair)
    return found


def _receivers(func: Node, src: SourceFile) -> set[str]:
    """Names used as the receiver of a method call in the function (`db` in `db.get(...)`)."""
    body = func.child_by_field_name("body")
    found: set[str] = set()
    for call in descendants(src, body, "call") if body is not None else ():
        fn = call.child_by_field_name("function")
        if fn is not None and fn.type == "attribute":
            obj = fn.child_by_field_name("object")
            if obj is not None and obj.type == "identifier":
                found.add(src.node_text(obj))
    return found


def _attribute_of(node: Node, name: str, src: SourceFile) -> bool:
    """`name.attr` (or `name` itself)."""
    if node.type == "identifier":
        return src.node_text(node) == name
    if node.type == "attribute":
        obj = node.child_by_field_name("object")
        return obj is not None and obj.type == "identifier" and src.node_text(obj) == name
    return False


def _compared(func: Node, src: SourceFile, name: str) -> bool:
    """`name.attr` compared with another object's attribute, or passed as a keyword filter value."""
    body = func.child_by_field_name("body")
    if body is None:
        return False
    for node in descendants(src, body, "comparison_operator", "keyword_argument"):
        if node.type == "keyword_argument":
            value = node.child_by_field_name("value")
            if value is not None and value.type == "attribute" and _attribute_of(value, name, src):
                return True
            continue
        operands = node.named_children
        mine = [o for o in operands if _attribute_of(o, name, src) and o.type == "attribute"]
        other = [o for o in operands if o not in mine and o.type in ("attribute", "subscript")]
        if mine and other:
            return True
    return False


def principal_dependencies(src: SourceFile) -> frozenset[str]:
    """The dependency callees that inject the caller in this module."""

    def compute() -> frozenset[str]:
        found: set[str] = set()
        if src.root is None:
            return frozenset()
        for func in descendants(src, src.root, "function_definition"):
            receivers = _receivers(func, src)
            for name, callee in _injected_params(func, src):
                if name not in receivers and _compared(func, src, name):
                    found.add(callee)
        return frozenset(found)

    return cached(src, ("py_auth.principal_dependencies",), compute)


def principal_params(func: Node, src: SourceFile) -> frozenset[str]:
    """The parameters of `func` bound to the caller by a principal dependency."""

    def compute() -> frozenset[str]:
        deps = principal_dependencies(src)
        return frozenset(name for name, callee in _injected_params(func, src) if callee in deps)

    return cached(src, ("py_auth.principal_params", node_key(func)), compute)
