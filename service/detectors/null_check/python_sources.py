"""What makes a value possibly None, for the Python null-check detector: `dict.get()` and
`os.getenv()` without a default, regex matches, ORM lookups, `next(..., None)`, repository
functions annotated Optional, nullable class fields."""

from __future__ import annotations

import re

from tree_sitter import Node

from .python_guards import _guarded
from .python_scope import Scope, Source, _type_of
from .python_syntax import text, unwrap

AGGREGATE = re.compile(r"(?i)\b(?:count|sum|max|min|avg|total|exists)\s*\(")


GROUP_BY = re.compile(r"(?i)\bgroup\s+by\b")


def _args(call: Node) -> tuple[list[Node], dict[str, Node]]:
    args = call.child_by_field_name("arguments")
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    for arg in args.named_children if args is not None else []:
        if arg.type == "keyword_argument":
            name = arg.child_by_field_name("name")
            value = arg.child_by_field_name("value")
            if name is not None and value is not None:
                keywords[name.text.decode() if name.text else ""] = value
        elif arg.type not in ("comment", "list_splat", "dictionary_splat"):
            positional.append(arg)
    return positional, keywords


def _is_none(node: Node | None) -> bool:
    node = unwrap(node)
    return node is not None and node.type == "none"


def _short(scope: Scope, call: Node) -> str:
    """`Coupon.query.filter_by(...).first()` -> `Coupon.query...first()`."""
    fn = call.child_by_field_name("function")
    whole = text(scope.src, fn)
    if fn is not None and fn.type == "attribute":
        obj = text(scope.src, fn.child_by_field_name("object"))
        method = text(scope.src, fn.child_by_field_name("attribute"))
        if "(" in obj or len(obj) > 30:
            head = re.match(r"[\w.]+", obj)
            stem = head.group(0).rstrip(".") if head else obj[:20]
            return f"{stem}...{method}()"
        return f"{obj}.{method}()"
    return f"{whole}()"


def nullable(scope: Scope, expr: Node | None) -> tuple[str, bool] | None:
    """Why `expr` may evaluate to None (and whether only attribute access proves a bug)."""
    expr = unwrap(expr)
    if expr is not None and expr.type == "conditional_expression":
        return _nullable_conditional(scope, expr)
    if expr is not None and expr.type == "attribute":
        field = _nullable_field(scope, expr)
        if field is None or _guarded(scope, expr, Source(text(scope.src, expr), scope.body.start_byte, field)):
            return None  # `if self.x is not None: y = self.x` - narrowed before the copy
        return field, False
    if expr is None or expr.type != "call":
        return None
    fn = expr.child_by_field_name("function")
    if fn is None:
        return None
    positional, keywords = _args(expr)
    if fn.type == "identifier":
        return _nullable_plain_call(scope, expr, text(scope.src, fn), positional, keywords)
    if fn.type != "attribute":
        return None
    obj = fn.child_by_field_name("object")
    method = text(scope.src, fn.child_by_field_name("attribute"))
    if obj is None:
        return None
    return _nullable_method_call(scope, expr, obj, method, positional, keywords)


def _nullable_conditional(scope: Scope, expr: Node) -> tuple[str, bool] | None:
    """`a if cond else None`: None whenever `cond` is false."""
    parts = [c for c in expr.named_children if c.type != "comment"]
    if len(parts) != 3:
        return None
    value, cond, other = parts
    if _is_none(other) and not _is_none(value):
        return f"it is None unless `{_clip(text(scope.src, cond))}`", False
    if _is_none(value) and not _is_none(other):
        return f"it is None when `{_clip(text(scope.src, cond))}`", False
    return None


def _clip(code: str, limit: int = 40) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."


def _nullable_plain_call(scope: Scope, call: Node, name: str, positional: list[Node],
                         keywords: dict[str, Node]) -> tuple[str, bool] | None:
    if name == "next" and len(positional) == 2 and _is_none(positional[1]):
        return "`next(..., None)` returns None when nothing is left", False
    if name == "getattr" and len(positional) == 3 and _is_none(positional[2]):
        return "`getattr(..., None)` returns None when the attribute is missing", False
    if name in ("min", "max") and _is_none(keywords.get("default")):
        return f"`{name}(..., default=None)` returns None for an empty input", False
    if name == "getenv" and _env_default_missing(positional, keywords):
        return "`getenv()` returns None when the variable is unset", False
    if scope.index.function_is_optional(scope.file_path, name):
        return f"`{name}()` is annotated to return None", False
    return None


def _env_default_missing(positional: list[Node], keywords: dict[str, Node]) -> bool:
    if "default" in keywords:
        return _is_none(keywords["default"])
    return len(positional) == 1 or (len(positional) == 2 and _is_none(positional[1]))


def _nullable_method_call(scope: Scope, call: Node, obj: Node, method: str, positional: list[Node],
                          keywords: dict[str, Node]) -> tuple[str, bool] | None:
    src = scope.src
    obj_text = text(src, obj)
    short = _short(scope, call)
    verdict = _repo_method_verdict(scope, obj, method)
    if verdict is not None:
        return (f"`{short}` is annotated to return None", False) if verdict else None
    if method == "get":
        return _nullable_get(scope, call, obj_text, positional, keywords)
    if method == "getenv" and obj_text == "os" and _env_default_missing(positional, keywords):
        return f"`{short}` returns None when the variable is unset", False
    if method in ("match", "search", "fullmatch") and positional and _is_regex(scope, obj_text):
        return f"`{short}` returns None when the text does not match", False
    lists = scope.index.lists
    if method in lists.get("python_orm_lookups") and not positional and not keywords:
        return f"`{short}` returns None when nothing matches", False
    if method in lists.get("python_cursor_fetches") and not positional and not keywords:
        if AGGREGATE.search(obj_text) and not GROUP_BY.search(obj_text):
            return None  # an aggregate without GROUP BY always yields one row
        return f"`{short}` returns None when the query has no rows", False
    if method == "scalar" and positional and "select(" in text(src, positional[0]) \
            and "count(" not in text(src, positional[0]):
        return f"`{short}` returns None when nothing matches", False
    if method == "get_json" and text(src, keywords.get("silent")) == "True":
        return f"`{short}` returns None when the body is not JSON", False
    if method == "pop" and len(positional) == 2 and _is_none(positional[1]):
        return f"`{short}` returns None when the key is missing", False
    if method == "which" and obj_text == "shutil":
        return "`shutil.which()` returns None when the program is not installed", False
    if method in ("find", "select_one") and positional and obj.type != "string":
        # Element/soup lookups; `str.find` returns an int, which nobody reads attributes from
        return f"`{short}` returns None when nothing matches", True
    return None


def _last_word(name: str) -> str:
    """`session` of `self.http_session`: the last `_`-separated word of the last attribute, lower case."""
    return name.rsplit(".", 1)[-1].rsplit("_", 1)[-1].lower()


def _is_regex(scope: Scope, obj_text: str) -> bool:
    if obj_text in ("re", "regex") or obj_text.startswith(("re.compile(", "regex.compile(")) \
            or obj_text in scope.index.regex_names(scope.file_path):
        return True
    return _last_word(obj_text) in scope.index.lists.get("python_regex_receivers")


def _nullable_get(scope: Scope, call: Node, obj_text: str, positional: list[Node],
                  keywords: dict[str, Node]) -> tuple[str, bool] | None:
    short = _short(scope, call)
    last = obj_text.rsplit(".", 1)[-1]
    if "default" in keywords and not _is_none(keywords["default"]):
        return None
    if obj_text.endswith("environ"):
        if _env_default_missing(positional, keywords):
            return f"`{short}` returns None when the variable is unset", False
        return None
    if len(positional) == 2 and scope.index.lists.pattern("python_session_receivers").search(obj_text) and \
            re.fullmatch(r"(?:\w+\.)*[A-Z]\w*", text(scope.src, positional[0])):
        return f"`{short}` returns None for an unknown id", False
    if len(positional) == 2 and _is_none(positional[1]):
        return f"`{short}` returns None when the key is missing", False
    if len(positional) != 1 or _last_word(last) in scope.index.lists.get("python_http_receivers") \
            or last[:1].isupper():
        return None
    own = scope.index.module(scope.file_path)
    if own is not None and obj_text in own.module_aliases:
        return None  # a module's own get(), not a mapping
    key = positional[0]
    key_text = text(scope.src, key)
    if (key.type == "string" and re.search(r"/|https?:", key_text)) or re.search(r"(?i)(?:url|uri)$", key_text):
        return None
    return f"`{short}` returns None when the key is missing", False


def _repo_method_verdict(scope: Scope, obj: Node, method: str) -> bool | None:
    """Is the repository's own definition of this method annotated Optional (None: not found)?"""
    obj_text = text(scope.src, obj)
    index, path = scope.index, scope.file_path
    own = index.module(path)
    if obj.type == "identifier" and own is not None and own.imports.get(obj_text, ("", ""))[1] is None:
        return index.module_function_is_optional(path, obj_text, method)
    if obj_text in ("self", "cls"):
        return index.method_is_optional(path, scope.cls, method) if scope.cls else None
    return index.method_is_optional(path, _type_of(scope, obj), method)


def _nullable_field(scope: Scope, node: Node) -> str | None:
    """`obj.field` where the class of `obj` declares `field` Optional/nullable."""
    obj = node.child_by_field_name("object")
    if obj is None or obj.type not in ("identifier", "attribute"):
        return None
    cls = _type_of(scope, obj)
    if cls is None:
        return None
    name = text(scope.src, node.child_by_field_name("attribute"))
    return scope.index.nullable_field(scope.file_path, cls, name)
