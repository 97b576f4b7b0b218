"""The Python side of the hard-coded secret rule: which nodes are string literals, their values,
and the name each literal is bound to (assignment target, keyword, dict key, parameter, the
variable of an `os.environ.get(NAME, <literal>)` fallback)."""

from __future__ import annotations

from tree_sitter import Node

from ...parsing import SourceFile
from .python_auth_syntax import call_name, last_segment, string_value

_BASIC_AUTH_CALLS = frozenset({"HTTPBasicAuth", "HTTPDigestAuth", "BasicAuth", "login", "DigestAuth"})
_MAPPING_GETTERS = frozenset({"get", "getenv", "setdefault", "environ.get", "os.getenv"})
_ENV_CALLS = frozenset({"os.getenv", "getenv", "os.environ.get", "environ.get", "os.environ.setdefault"})


class PythonSecretBinding:
    string_types = frozenset({"string"})

    @staticmethod
    def value(src: SourceFile, node: Node) -> str | None:
        return string_value(node, src)

    @staticmethod
    def env_name(src: SourceFile, node: Node) -> str:
        """For the fallback of `os.environ.get("X", <lit>)` / `os.getenv("X", default=<lit>)`: "X"."""
        args = _fallback_arguments(node, src)
        if args is None or args.parent is None or call_name(args.parent, src) not in _ENV_CALLS:
            return ""
        first = next(iter(args.named_children), None)
        return string_value(first, src) or ""

    @staticmethod
    def is_env_fallback(src: SourceFile, node: Node) -> bool:
        args = _fallback_arguments(node, src)
        return args is not None and args.parent is not None and call_name(args.parent, src) in _ENV_CALLS

    @staticmethod
    def bound_name(src: SourceFile, node: Node) -> str:
        return _name_for(node, src)


def _fallback_arguments(node: Node, src: SourceFile) -> Node | None:
    """The argument list of which the literal is the second argument or `default=`."""
    parent = node.parent
    if parent is not None and parent.type == "keyword_argument" and parent.child_by_field_name("value") == node:
        name = parent.child_by_field_name("name")
        if name is None or src.node_text(name) != "default":
            return None
        parent = parent.parent
    elif parent is not None and parent.type == "argument_list":
        args = [a for a in parent.named_children if a.type != "comment"]
        if len(args) < 2 or args[1] != node:
            return None
    else:
        return None
    return parent if parent is not None and parent.type == "argument_list" else None


def _name_for(node: Node, src: SourceFile) -> str:
    parent = node.parent
    if parent is None:
        return ""
    if parent.type == "assignment" and parent.child_by_field_name("right") == node:
        return _target_name(parent.child_by_field_name("left"), src)
    if parent.type in ("keyword_argument", "default_parameter", "typed_default_parameter"):
        if parent.child_by_field_name("value") != node:
            return ""
        name = parent.child_by_field_name("name")
        if parent.type == "keyword_argument" and name is not None and src.node_text(name) == "default":
            return _mapping_key(parent.parent, src)
        return src.node_text(name) if name is not None else ""
    if parent.type == "pair" and parent.child_by_field_name("value") == node:
        return string_value(parent.child_by_field_name("key"), src) or ""
    if parent.type == "argument_list":
        args = [a for a in parent.named_children if a.type != "comment"]
        if len(args) >= 2 and args[1] == node:
            if parent.parent is not None and last_segment(call_name(parent.parent, src)) in _BASIC_AUTH_CALLS:
                return "password"
            return _mapping_key(parent, src)
    if parent.type == "tuple" and parent.parent is not None and parent.parent.type == "keyword_argument":
        items = [a for a in parent.named_children if a.type != "comment"]
        key = parent.parent.child_by_field_name("name")
        if len(items) == 2 and items[1] == node and key is not None and src.node_text(key) == "auth":
            return "password"
    return ""


def _target_name(left: Node | None, src: SourceFile) -> str:
    if left is None:
        return ""
    if left.type == "identifier":
        return src.node_text(left)
    if left.type == "attribute":
        attr = left.child_by_field_name("attribute")
        return src.node_text(attr) if attr is not None else ""
    if left.type == "subscript":
        return string_value(left.child_by_field_name("subscript"), src) or ""
    return ""


def _mapping_key(args: Node | None, src: SourceFile) -> str:
    """For `os.environ.get("X", ...)`, `os.getenv("X", ...)`, `settings.get("X", ...)`: "X"."""
    if args is None or args.type != "argument_list" or args.parent is None:
        return ""
    callee = call_name(args.parent, src)
    if last_segment(callee) not in _MAPPING_GETTERS and callee not in _MAPPING_GETTERS:
        return ""
    first = next(iter(args.named_children), None)
    return string_value(first, src) or ""
