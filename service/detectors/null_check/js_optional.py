"""JavaScript/TypeScript values that may be null or undefined and their unguarded dereferences,
for the unguarded-optional detector (`unguarded_optional.py`).

`_Checker` walks a changed file: declarations whose value may be missing (then their first
unguarded use), inline dereferences of such a value, and properties a type in scope declares
optional or nullable; `js_guards.py` decides what guards a use and `js_sources.py` what may be
missing. Only dereferences on lines the change added are reported. Test files are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...detector import FileContext, Rule
from ...lang.js import syntax as js
from ...lang.js.linked import related_facts
from ...models import Finding
from ...parsing import walk
from ...ruledata import data_lists
from .js_guards import GuardReader, _optional, _squash
from .js_sources import (
    Source,
    _clip,
)


def js_findings(ctx: FileContext, rule: Rule) -> Iterator[tuple[Finding, str]]:
    """(finding, "") for every unguarded dereference on a line the change added."""
    src = ctx.head
    assert src is not None
    checker = _Checker(src, related_facts(ctx.repo, src, ctx.path), data_lists("null-check", ctx.repo))
    for node, message in checker.run():
        if ctx.changed(node):
            yield ctx.finding(rule, node.start_point[0] + 1, message), ""


class _Checker(GuardReader):
    @property
    def _strings(self) -> frozenset[str]:
        return self.lists.get("js_string_methods")

    @property
    def _string_ctors(self) -> frozenset[str]:
        return self.lists.get("js_string_arg_constructors")


    def run(self) -> Iterator[tuple[Node, str]]:
        root = self.src.root
        assert root is not None
        for node in self.src.nodes_of("variable_declarator", "assignment_expression", "member_expression",
                                      "subscript_expression", "call_expression", "new_expression"):
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


    # ------------------------------------------------------------------ variables

    def _declaration(self, decl: Node, name: Node | None, value: Node | None) -> Iterator[tuple[Node, str]]:
        if name is None or value is None:
            return
        if name.type == "array_pattern":
            yield from self._elements(decl, name, value)
            return
        source = self.source(value, declared=True)
        if source is None or (source.query and value.type == "call_expression"):
            return  # an un-awaited query builder: never null, its row comes when it is awaited
        if name.type == "object_pattern":
            if not source.string_only and not self._try_guarded(decl):
                yield name, (f"Destructuring `{_clip(self.t(value))}` throws when it is missing ({source.why}); "
                             "check the result before destructuring or destructure with a default.")
            return
        if name.type != "identifier":
            return
        if source.has_check and self._guarded(decl, None, lambda cond: source.has_check in _squash(self.t(cond))):
            return
        yield from self._unchecked_uses(decl, self.t(name), source)

    def _elements(self, decl: Node, pattern: Node, value: Node) -> Iterator[tuple[Node, str]]:
        """`const [first] = list ?? []`: each element is undefined when the array is empty."""
        array = self.empty_fallback(value)
        if array is None:
            source = self.source(value, declared=True)
            if source is not None and not source.string_only and not self._try_guarded(decl):
                yield pattern, (f"Destructuring `{_clip(self.t(value))}` throws when it is missing ({source.why}); "
                                "check the result before destructuring or destructure with a default.")
            return
        for element in pattern.named_children:
            if element.type == "identifier":
                why = f"`{_clip(array)}` may be empty: the `[]` fallback says so"
                yield from self._unchecked_uses(decl, self.t(element), Source(why))

    def _unchecked_uses(self, decl: Node, var: str, source: Source) -> Iterator[tuple[Node, str]]:
        scope = js.enclosing_function(decl) or self.src.root
        if scope is None:
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
                    and not _optional(parent) and self.t(parent.child_by_field_name("property")) in self._strings:
                return parent
            if parent.type == "arguments" and parent.parent is not None and parent.parent.type == "new_expression" \
                    and js.call_name(self.src, parent.parent) in self._string_ctors \
                    and node == parent.named_children[0]:
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
            if js.call_name(self.src, node) not in self._string_ctors:
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
        if source is None or (source.query and inner.type == "call_expression"):
            return None  # a member of an un-awaited query builder, not of the row it resolves to
        if source.string_only and (node.type != "member_expression"
                                   or self.t(node.child_by_field_name("property")) not in self._strings):
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
            for node in self.src.nodes_of("variable_declarator", under=scope):  # walk_scope(scope)
                if js.enclosing_function(node) == scope and self.t(node.child_by_field_name("name")) == name:
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


def _type_name(annotation: str) -> str | None:
    m = re.match(r"\s*:\s*([A-Z]\w*)\s*$", annotation)
    return m.group(1) if m else None


