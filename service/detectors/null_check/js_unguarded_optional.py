"""JavaScript/TypeScript values that may be null or undefined, dereferenced without a check.

## What it does
Tracks values that can be missing: `array.find()`, `map.get(key)` on a `Map`,
`document.querySelector()`/`getElementById()`, `str.match(re)`/`re.exec(str)`, ORM lookups
(`findUnique`, `findFirst`, `findOne`, `findByPk`, `findById`), `process.env.X` used as a string,
dictionary lookups `lookup[key]`, calls to functions of the repository declared to return
`T | null`/`T | undefined`, and properties a TypeScript type declares optional (`x?: T`) or
nullable. It reports the first dereference (`.prop`, `[i]`, a method call, destructuring, a
non-null assertion `x!.prop`) that nothing guards: no `?.`, no `??`/`||` default, no `if (x)` block
or early `return`/`throw`, no ternary, no `assert(x)`/`invariant(x)`, no `map.has(key)` check and no
try/catch with a fallback around the use. `findUniqueOrThrow`/`findOrFail` never return null.

## Why is this bad?
The missing case is the one the happy-path test never hits: an unknown id in the URL, a
`<meta>` tag absent in the dev server's HTML, an unset environment variable, a string the pattern
does not match. It then fails as a `TypeError: Cannot read properties of undefined` far from its
cause, usually as a 500 instead of a 404. A non-null assertion `!` only silences the compiler.

## Example
```ts
const item = order.items.find((i) => i.sku === req.params.sku);
res.json({ shipment: item.shipmentId });
```

## Use instead
```ts
const item = order.items.find((i) => i.sku === req.params.sku);
if (!item) {
  return res.status(404).json({ error: "item_not_found" });
}
res.json({ shipment: item.shipmentId });
```
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js import syntax as js
from ...models import Finding, Severity
from ...parsing import SourceFile, walk

RULE = Rule(
    id="js.null-check.unguarded-optional",
    category="null-check",
    languages=js.LANGUAGES,
    severity=Severity.WARNING,
    summary="A value that may be null/undefined is dereferenced without a check.",
)

ORM_LOOKUPS = frozenset({"findUnique", "findFirst", "findOne", "findOneBy", "findByPk", "findById",
                         "findByIdAndUpdate", "findOneAndUpdate", "findOneAndDelete", "findByIdAndDelete"})
DOM_LOOKUPS = frozenset({"querySelector", "getElementById", "closest"})
NULL_GETTERS = re.compile(r"(?:^|\.)(searchParams|headers|formData|params|localStorage|sessionStorage)$")
STRING_METHODS = frozenset({
    "split", "trim", "trimStart", "trimEnd", "toLowerCase", "toUpperCase", "replace", "replaceAll",
    "startsWith", "endsWith", "includes", "slice", "substring", "padStart", "padEnd", "length",
    "charAt", "indexOf", "match", "localeCompare", "normalize", "repeat", "at",
})
REGEX_NAME = re.compile(r"(?i)(re|regex|regexp|pattern|pat)$")
ID_NAME = re.compile(r"^(id|key|sku|slug|code|name)$|(Id|ID|Key|Sku|Slug|Code)$")
ASSERT_CALL = re.compile(r"(?i)(^|\.)(assert\w*|invariant|ok|ensure\w*|must\w*|expect|strictEqual|notEqual)$")
STRING_ARG_CTORS = frozenset({"URL", "Date"})
PATTERN_ARGS = frozenset({"regex", "identifier", "new_expression", "member_expression"})

GuardTest = Callable[[Node], bool]


@dataclass(frozen=True)
class Source:
    """Why an expression may be missing, and whether only string use proves a bug."""

    why: str
    string_only: bool = False
    has_check: str = ""  # a `recv.has(key)` text that guards a Map lookup


class JsNullCheck(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        src = ctx.head
        if src is None or src.root is None or src.language not in js.LANGUAGES or not ctx.diff.added \
                or js.is_test_path(ctx.path):
            return
        checker = _Checker(src, js.related_facts(ctx.repo, src, ctx.path))
        seen: set[int] = set()
        for node, message in checker.run():
            line = node.start_point[0]
            if line in seen or not ctx.changed(node):
                continue
            seen.add(line)
            yield ctx.finding(RULE, node.start_point[0] + 1, message)


class _Checker:
    def __init__(self, src: SourceFile, facts: js.FileFacts) -> None:
        self.src = src
        self.facts = facts

    def t(self, node: Node | None) -> str:
        return js.text(self.src, node)

    def run(self) -> Iterator[tuple[Node, str]]:
        root = self.src.root
        assert root is not None
        for node in walk(root):
            kind = node.type
            if kind == "variable_declarator":
                yield from self._declaration(node, node.child_by_field_name("name"), node.child_by_field_name("value"))
            elif kind == "assignment_expression":
                left = node.child_by_field_name("left")
                if left is not None and left.type == "identifier":
                    yield from self._declaration(node, left, node.child_by_field_name("right"))
            elif kind in ("member_expression", "subscript_expression", "call_expression", "new_expression"):
                found = self._inline(node)
                if found is not None:
                    yield found

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
            if NULL_GETTERS.search(recv_text) and recv_text not in ("req.params", "request.params"):
                return Source(f"`{short}` returns null when the entry is absent")
        if method == "getItem" and recv_text in ("localStorage", "sessionStorage", "window.localStorage"):
            return Source(f"`{short}` returns null when the key is absent")
        if method in DOM_LOOKUPS and len(args) == 1:
            return Source(f"`{short}` returns null when no element matches")
        if method == "match" and len(args) == 1 and args[0].type in PATTERN_ARGS:
            return Source(f"`{short}` returns null when the pattern does not match")
        if method == "exec" and len(args) == 1 and recv is not None \
                and (recv.type == "regex" or REGEX_NAME.search(js.last_name(recv_text))):
            return Source(f"`{short}` returns null when the pattern does not match")
        if method in ORM_LOOKUPS:
            return Source(f"`{short}` returns null when no row matches")
        if method == "first" and "(" in recv_text and not args:
            return Source(f"`{short}` returns undefined when no row matches")
        if method in self.facts.nullable_methods:
            return Source(f"`{short}` is declared to return null/undefined")
        return None

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
        elif key.type != "identifier" or not ID_NAME.search(self.t(key)):
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

    # ------------------------------------------------------------------ variables

    def _declaration(self, decl: Node, name: Node | None, value: Node | None) -> Iterator[tuple[Node, str]]:
        if name is None or value is None:
            return
        source = self.source(value, declared=True)
        if source is None:
            return
        if name.type in ("object_pattern", "array_pattern"):
            if not source.string_only and not self._try_guarded(decl):
                yield name, (f"Destructuring `{_clip(self.t(value))}` throws when it is missing ({source.why}); "
                             "check the result before destructuring or destructure with a default.")
            return
        if name.type != "identifier":
            return
        var = self.t(name)
        scope = js.enclosing_function(decl) or self.src.root
        if scope is None:
            return
        if source.has_check and self._guarded(decl, None, lambda cond: source.has_check in _squash(self.t(cond))):
            return
        for use in self._uses(scope, var, decl.end_byte):
            if self._reassigned(scope, var, decl.end_byte, use.start_byte):
                return
            deref = self._deref(use, source)
            if deref is None:
                continue
            if self._guarded(use, decl, lambda cond: self._tests_var(cond, var, source)):
                continue
            yield deref, (f"`{var}` may be missing ({source.why}) and `{_clip(self.t(deref))}` uses it "
                          f"unchecked; handle the missing case first (early return, 404, default) or use `?.`.")
            return

    def _uses(self, scope: Node, var: str, after: int) -> Iterator[Node]:
        for node in walk(scope):
            if node.type == "identifier" and node.start_byte > after and self.t(node) == var \
                    and not self._shadowed(node, scope, var):
                yield node

    def _shadowed(self, use: Node, scope: Node, var: str) -> bool:
        cur = use.parent
        while cur is not None and cur != scope:
            if cur.type in js.FUNCTIONS:
                params = cur.child_by_field_name("parameters") or cur.child_by_field_name("parameter")
                if params is not None and re.search(rf"\b{re.escape(var)}\b", self.t(params)):
                    return True
            cur = cur.parent
        return False

    def _reassigned(self, scope: Node, var: str, start: int, end: int) -> bool:
        for node in walk(scope):
            if node.start_byte > end:
                break
            if node.start_byte > start and node.type in ("assignment_expression", "augmented_assignment_expression") \
                    and self.t(node.child_by_field_name("left")) == var:
                return True
        return False

    def _deref(self, use: Node, source: Source) -> Node | None:
        """The node that dereferences `use` (member access, index, call, destructuring), if any."""
        node = use
        parent = node.parent
        while parent is not None and parent.type in ("non_null_expression", *js.WRAPPERS):
            node, parent = parent, parent.parent
        if parent is None:
            return None
        if source.string_only:
            if parent.type == "member_expression" and parent.child_by_field_name("object") == node \
                    and not _optional(parent) and self.t(parent.child_by_field_name("property")) in STRING_METHODS:
                return parent
            if parent.type == "arguments" and parent.parent is not None and parent.parent.type == "new_expression" \
                    and js.call_name(self.src, parent.parent) in STRING_ARG_CTORS and node == parent.named_children[0]:
                return parent.parent
            return None
        if parent.type in ("member_expression", "subscript_expression") \
                and parent.child_by_field_name("object") == node and not _optional(parent):
            return parent
        if parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
            target = parent.child_by_field_name("name")
            if target is not None and target.type in ("object_pattern", "array_pattern"):
                return parent
        if parent.type == "for_in_statement" and parent.child_by_field_name("right") == node \
                and any(c.type == "of" for c in parent.children):
            return node
        return None

    # ------------------------------------------------------------------ inline dereferences

    def _inline(self, node: Node) -> tuple[Node, str] | None:
        if node.type == "new_expression":
            if js.call_name(self.src, node) not in STRING_ARG_CTORS:
                return None
            args = js.call_args(node)
            source = self.source(args[0]) if args else None
            if source is None or not source.string_only or self._guarded(node, None, self._same_text(args[0], source)):
                return None
            return node, (f"`new {js.call_name(self.src, node)}({_clip(self.t(args[0]))})` throws when the value is "
                          f"missing ({source.why}); validate it at start-up or give it a default.")
        if node.type == "call_expression":
            return None
        if _optional(node):
            return None
        obj = node.child_by_field_name("object")
        inner = js.unwrap(obj)
        if inner is None:
            return None
        typed = self._nullable_property(inner)
        if typed is not None:
            return self._typed(node, inner, typed)
        source = self.source(inner)
        if source is None:
            return None
        if source.string_only and (node.type != "member_expression"
                                   or self.t(node.child_by_field_name("property")) not in STRING_METHODS):
            return None
        if self._guarded(node, None, self._same_text(inner, source)):
            return None
        core = js.unwrap_await(inner)
        if core is not None and core.type == "non_null_expression":
            return node, (f"The non-null assertion on `{_clip(self.t(core))}` hides that it may be missing "
                          f"({source.why}); check it and handle the missing case instead of asserting.")
        return node, (f"`{_clip(self.t(inner))}` may be missing ({source.why}) and is dereferenced unchecked; "
                      "check the result first or use `?.` with a fallback.")

    def _typed(self, node: Node, inner: Node, prop: Node) -> tuple[Node, str] | None:
        target = inner.named_children[0] if inner.type == "non_null_expression" and inner.named_children else inner
        if self._guarded(node, None, lambda cond: self._mentions(cond, self.t(target))):
            return None
        if inner.type == "non_null_expression":
            return node, (f"The non-null assertion on `{_clip(self.t(target))}` hides that `{self.t(prop)}` is "
                          "declared optional/nullable; check it and handle the missing value instead of asserting.")
        return node, (f"`{_clip(self.t(target))}` is declared optional/nullable and is dereferenced unchecked; "
                      "check it first or use `?.` with a fallback.")

    def _nullable_property(self, inner: Node) -> Node | None:
        """`obj.prop!` with `prop` declared nullable in a type in scope, or `obj.prop` with obj of a known
        type declaring it optional; returns the property node."""
        asserted = inner.type == "non_null_expression"
        member = js.unwrap(inner.named_children[0]) if asserted and inner.named_children else inner
        if member is None or member.type != "member_expression" or _optional(member):
            return None
        prop = member.child_by_field_name("property")
        name = self.t(prop)
        if asserted:
            return prop if any(props.get(name) for props in self.facts.types.values()) else None
        obj = js.unwrap(member.child_by_field_name("object"))
        if obj is None or obj.type != "identifier":
            return None
        kind = self._declared_type(obj)
        props = self.facts.types.get(kind) if kind else None
        return prop if props and props.get(name) else None

    def _declared_type(self, ident: Node) -> str | None:
        name = self.t(ident)
        scope: Node | None = js.enclosing_function(ident)
        while scope is not None:
            params = scope.child_by_field_name("parameters")
            for param in params.named_children if params is not None else []:
                if param.type == "required_parameter" and self.t(param.child_by_field_name("pattern")) == name:
                    return _type_name(self.t(param.child_by_field_name("type")))
            for node in js.walk_scope(scope):
                if node.type == "variable_declarator" and self.t(node.child_by_field_name("name")) == name:
                    ann = _type_name(self.t(node.child_by_field_name("type")))
                    value = js.unwrap_await(node.child_by_field_name("value"))
                    cast = node.child_by_field_name("value")
                    if ann:
                        return ann
                    if cast is not None and cast.type == "as_expression" and len(cast.named_children) > 1:
                        return _type_name(": " + self.t(cast.named_children[1]))
                    if value is not None and value.type == "call_expression":
                        targs = value.child_by_field_name("type_arguments")
                        return _type_name(": " + self.t(targs).strip("<>")) if targs is not None else None
                    return None
            scope = js.enclosing_function(scope)
        return None

    # ------------------------------------------------------------------ guards

    def _same_text(self, expr: Node, source: Source) -> GuardTest:
        core = js.unwrap_await(expr)
        if core is not None and core.type == "non_null_expression" and core.named_children:
            core = js.unwrap_await(core.named_children[0])
        wanted = self.t(core)

        def test(cond: Node) -> bool:
            has = bool(source.has_check) and source.has_check in _squash(self.t(cond))
            return has or self._mentions(cond, wanted)
        return test

    def _mentions(self, cond: Node, wanted: str) -> bool:
        """`cond` tests `wanted` itself (not only one of its properties)."""
        squashed = _squash(wanted)
        for node in walk(cond):
            if _squash(self.t(node)) != squashed:
                continue
            parent = node.parent
            if parent is not None and parent.type in ("member_expression", "subscript_expression") \
                    and parent.child_by_field_name("object") == node and not _optional(parent):
                continue
            return True
        return False

    def _tests_var(self, cond: Node, var: str, source: Source) -> bool:
        if source.has_check and source.has_check in _squash(self.t(cond)):
            return True
        return self._mentions(cond, var)

    def _guarded(self, use: Node, decl: Node | None, tests: GuardTest) -> bool:
        child = use
        cur = use.parent
        while cur is not None:
            if self._branch_guard(cur, child, tests):
                return True
            if cur.type == "try_statement" and cur.child_by_field_name("body") == child \
                    and _catch_recovers(self.src, cur):
                return True
            if cur.parent is not None and cur.parent.type in js.BLOCKS and self._earlier_guard(cur, decl, tests):
                return True
            child, cur = cur, cur.parent
        return False

    def _branch_guard(self, cur: Node, child: Node, tests: GuardTest) -> bool:
        kind = cur.type
        if kind in ("if_statement", "while_statement", "ternary_expression"):
            cond = cur.child_by_field_name("condition")
            return cond is not None and child != cond and tests(cond)
        if kind == "else_clause":
            return False
        if kind == "binary_expression":
            op = self.t(cur.child_by_field_name("operator"))
            left = cur.child_by_field_name("left")
            return op in ("&&", "||", "??") and left is not None and child != left and tests(left)
        return False

    def _earlier_guard(self, stmt: Node, decl: Node | None, tests: GuardTest) -> bool:
        sib = stmt.prev_named_sibling
        while sib is not None:
            if decl is not None and sib.start_byte <= decl.start_byte <= sib.end_byte:
                return False
            if sib.type == "if_statement":
                cond = sib.child_by_field_name("condition")
                if cond is not None and tests(cond):
                    return True
            elif sib.type == "expression_statement" and sib.named_children:
                expr = sib.named_children[0]
                if expr.type == "call_expression" and ASSERT_CALL.search(js.call_name(self.src, expr)):
                    args = js.call_args(expr)
                    if args and tests(args[0]):
                        return True
            sib = sib.prev_named_sibling
        return False

    def _try_guarded(self, node: Node) -> bool:
        cur = node.parent
        while cur is not None and cur.type not in js.FUNCTIONS:
            if cur.type == "try_statement" and _catch_recovers(self.src, cur):
                return True
            cur = cur.parent
        return False


def _optional(node: Node) -> bool:
    return any(c.type == "optional_chain" for c in node.children)


def _squash(code: str) -> str:
    return re.sub(r"\s+|!$", "", code)


def _clip(code: str, limit: int = 48) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."


def _type_name(annotation: str) -> str | None:
    m = re.match(r"\s*:\s*([A-Z]\w*)\s*$", annotation)
    return m.group(1) if m else None


def _catch_recovers(src: SourceFile, try_stmt: Node) -> bool:
    """The try's catch provides a fallback rather than forwarding the error (`next(err)`, rethrow)."""
    handler = try_stmt.child_by_field_name("handler")
    body = handler.child_by_field_name("body") if handler is not None else None
    if body is None:
        return try_stmt.child_by_field_name("finalizer") is None
    for node in js.walk_scope(body):
        if node.type == "throw_statement":
            return False
        if node.type == "call_expression":
            name = js.call_name(src, node)
            if js.last_name(name) in ("next", "reject") or re.search(r"\bstatus\(\s*5\d\d", src.node_text(node)):
                return False
    return True
