"""Where a JavaScript/TypeScript value may be missing, for the null-check detector: calls and
lookups that return null or undefined (`find()`, `Map.get()`, ORM and DOM lookups, nullable
getters). `SourceReader` holds what every check of one file shares."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from ...lang.js import syntax as js
from ...parsing import SourceFile
from ...ruledata import DataLists

PATTERN_ARGS = frozenset({"regex", "identifier", "new_expression", "member_expression"})


@dataclass(frozen=True)
class Source:
    """Why an expression may be missing, and whether only string use proves a bug."""

    why: str
    string_only: bool = False
    has_check: str = ""  # a `recv.has(key)` text that guards a Map lookup
    query: bool = False  # an ORM lookup: a query builder (never null) until it is awaited


def _clip(code: str, limit: int = 48) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."


class SourceReader:
    def __init__(self, src: SourceFile, facts: js.FileFacts, lists: DataLists) -> None:
        self.src = src
        self.facts = facts
        self.lists = lists  # rules/data/null-check.yml with the repository's additions

    def t(self, node: Node | None) -> str:
        return js.text(self.src, node)

    # ------------------------------------------------------------------ sources

    def source(self, expr: Node | None, declared: bool = False) -> Source | None:
        expr = js.unwrap_await(expr)
        if expr is not None and expr.type == "non_null_expression" and expr.named_children:
            expr = js.unwrap_await(expr.named_children[0])
        if expr is None:
            return None
        if expr.type == "member_expression" and self.t(expr.child_by_field_name("object")) == "process.env":
            return Source(f"`{self.t(expr)}` is undefined when the variable is unset", string_only=True)
        if expr.type == "subscript_expression" and declared:
            return self._lookup(expr)
        if expr.type != "call_expression":
            return None
        return self._call_source(expr)

    def _call_source(self, call: Node) -> Source | None:
        fn = js.unwrap(call.child_by_field_name("function"))
        if fn is None:
            return None
        args = js.call_args(call)
        awaited = call.parent is not None and call.parent.type == "await_expression"
        row = self._query_row(fn, awaited)
        if row is not None:
            return row
        if fn.type == "identifier":
            name = self.t(fn)
            if name in self.facts.nullable_functions:
                return Source(f"`{name}()` is declared to return null/undefined")
            return None
        if fn.type != "member_expression":
            return None
        recv = fn.child_by_field_name("object")
        recv_text = re.sub(r"\s+|\?", "", self.t(recv))
        method = self.t(fn.child_by_field_name("property"))
        short = f"{_clip(recv_text)}.{method}()"
        if method in ("find", "findLast") and not awaited and args \
                and args[0].type in ("arrow_function", "function_expression", "function", "identifier") \
                and not recv_text[:1].isupper():
            return Source(f"`{short}` returns undefined when no element matches")
        if method == "get" and len(args) == 1 and not awaited:
            last = js.last_name(recv_text)
            if last in self.facts.maps or (recv is not None and recv.type == "new_expression"):
                key = self.t(args[0])
                return Source(f"`{short}` returns undefined for a missing key", has_check=f"{recv_text}.has({key})")
            if js.last_name(recv_text) in self.lists.get("js_nullable_getters") \
                    and recv_text not in ("req.params", "request.params"):
                return Source(f"`{short}` returns null when the entry is absent")
        if method == "at" and len(args) == 1 and not awaited and not recv_text[:1].isupper():
            return Source(f"`{short}` returns undefined when the index is out of range (an empty array)")
        if method == "getItem" and recv_text in ("localStorage", "sessionStorage", "window.localStorage"):
            return Source(f"`{short}` returns null when the key is absent")
        if method in self.lists.get("js_dom_lookups") and len(args) == 1:
            return Source(f"`{short}` returns null when no element matches")
        if method == "match" and len(args) == 1 and args[0].type in PATTERN_ARGS:
            return Source(f"`{short}` returns null when the pattern does not match")
        if method == "exec" and len(args) == 1 and recv is not None \
                and (recv.type == "regex" or self.lists.pattern("js_regex_names").search(js.last_name(recv_text))):
            return Source(f"`{short}` returns null when the pattern does not match")
        if method in self.lists.get("js_orm_lookups"):
            return Source(f"`{short}` returns null when no row matches", query=True)
        if method == "first" and "(" in recv_text and not args:
            return Source(f"`{short}` returns undefined when no row matches", query=True)
        if method in self.facts.nullable_methods:
            return Source(f"`{short}` is declared to return null/undefined")
        return None

    def _query_row(self, fn: Node, awaited: bool) -> Source | None:
        """`await Doc.findById(id).populate('tags')`: a row-keeping method on an un-awaited ORM
        lookup; awaited, the chain resolves to the lookup's row or null."""
        if fn.type != "member_expression" or self.t(fn.child_by_field_name("property")) \
                not in self.lists.get("js_query_row_methods"):
            return None
        recv = js.unwrap(fn.child_by_field_name("object"))
        if recv is None or recv.type != "call_expression":
            return None
        inner = self._call_source(recv)
        if inner is None or not inner.query:
            return None
        return Source(inner.why, query=not awaited)

    def empty_fallback(self, value: Node) -> str | None:
        """`list ?? []` / `list || []`: the array that may be empty, for destructuring its elements."""
        inner = js.unwrap(value)
        if inner is None or inner.type != "binary_expression" \
                or self.t(inner.child_by_field_name("operator")) not in ("??", "||"):
            return None
        right = js.unwrap(inner.child_by_field_name("right"))
        left = inner.child_by_field_name("left")
        if right is None or right.type != "array" or right.named_children or left is None:
            return None
        return self.t(left)

    def _names_entry(self, key: str) -> bool:
        """`id`, `userId`: a key that names one entry (case matters: `valid` is no id)."""
        suffixes = tuple(self.lists.ordered("js_entry_key_suffixes"))
        return key in self.lists.get("js_entry_keys") or key.endswith(suffixes)

    def _lookup(self, expr: Node) -> Source | None:
        """`lookup[key]` with a key that names an entry (an id, a field of another object)."""
        obj = js.unwrap(expr.child_by_field_name("object"))
        key = js.unwrap(expr.child_by_field_name("index"))
        if obj is None or key is None or obj.type not in ("identifier", "member_expression"):
            return None
        if "process.env" in self.t(obj) or any(c.type == "optional_chain" for c in expr.children):
            return None
        if key.type == "member_expression":
            if self.t(key.child_by_field_name("property")) == "length" or "." in self.t(obj):
                return None
        elif key.type != "identifier" or not self._names_entry(self.t(key)):
            return None
        if self._filled_or_iterated(expr, obj, key):
            return None
        return Source(f"`{_clip(self.t(expr))}` is undefined when `{_clip(self.t(key))}` is not a key of "
                      f"`{_clip(self.t(obj))}`")

    def _filled_or_iterated(self, expr: Node, obj: Node, key: Node) -> bool:
        """The lookup is over the object's own keys, or the entry was set before."""
        scope = js.enclosing_function(expr) or self.src.root
        if scope is None:
            return True
        obj_text, key_text = self.t(obj), self.t(key)
        root_key = key_text.split(".")[0]
        for node in js.walk_scope(scope):
            if node.type == "for_in_statement" and root_key in self.t(node.child_by_field_name("left")) \
                    and obj_text in self.t(node.child_by_field_name("right")):
                return True
            if node.type in ("assignment_expression", "augmented_assignment_expression") \
                    and self.t(node.child_by_field_name("left")) == self.t(expr):
                return True
            if node.type == "binary_expression" and self.t(node.child_by_field_name("operator")) == "in" \
                    and obj_text in self.t(node.child_by_field_name("right")):
                return True
            if node.type == "call_expression" and key_text in self.t(node) \
                    and js.last_name(js.call_name(self.src, node)) in ("hasOwn", "hasOwnProperty", "has"):
                return True
        return False
