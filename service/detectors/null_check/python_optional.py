"""Python values that may be None and their unguarded dereferences, for the unguarded-optional
detector (`unguarded_optional.py`).

Each function of a changed file (and its module top level) is a scope; `python_uses.py` collects
the values of a scope that may be None and finds their first unguarded use. A finding is
anchored on the dereference when the change touched it, else on the changed line that made the
value nullable, else (a check the change removed) on the removed check in the base version.
Test modules are left alone: a None there fails loudly.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator

from tree_sitter import Node

from ...detector import FileContext, Rule
from ...models import Finding
from ...parsing import SourceFile
from .python_callers import guarded_by_callers
from .python_index import RepoIndex, index_for
from .python_scope import Hit, Scope, _scope, _scope_definitions
from .python_syntax import text
from .python_uses import _check_scope, _sources


def python_findings(ctx: FileContext, rule: Rule) -> Iterator[tuple[Finding, str]]:
    """(finding, the value it is about) for every unguarded None the change is responsible for."""
    src = ctx.head
    assert src is not None
    index = index_for(ctx.repo)
    base = _base_state(ctx, index)
    every = bool(base and ctx.diff.removed)
    for node, body in _scope_definitions(src):
        if not every and not ctx.changed(node):
            continue
        scope = _scope(src, ctx.path, index, node, body)
        for hit in _check_scope(scope):
            finding = _report(ctx, rule, scope, hit, base)
            if finding is None or guarded_by_callers(ctx, scope, hit.source.path, index):
                continue  # nothing the change did, or every call of this method checks the attribute first
            if "type: ignore" in src.line_text(hit.use.start_point[0] + 1):
                # the type checker saw the same None and was told to be quiet: that hides it, not handles it
                finding = dataclasses.replace(finding, message=finding.message + (
                    " The \"# type: ignore\" on that line silences the type checker's warning about the same "
                    "None; it does not handle it."))
            yield finding, hit.source.path


class BaseState:
    """What the base version of the file already did: unguarded uses and tracked values, per
    scope name (worked out for the scopes a finding asks about only)."""

    def __init__(self, src: SourceFile, path: str, index: RepoIndex) -> None:
        self.src, self.path, self.index = src, path, index
        self._facts: dict[str, tuple[set[str], set[str]]] = {}

    @functools.cached_property
    def definitions(self) -> dict[str, list[tuple[Node, Node]]]:
        found: dict[str, list[tuple[Node, Node]]] = {}
        for node, body in _scope_definitions(self.src):
            found.setdefault(_scope_name(self.src, node), []).append((node, body))
        return found

    def _of(self, name: str) -> tuple[set[str], set[str]]:
        """(tracked paths, paths used unguarded) of the base scopes called `name`."""
        if name not in self._facts:
            sources: set[str] = set()
            hits: set[str] = set()
            for node, body in self.definitions.get(name, []):
                scope = _scope(self.src, self.path, self.index, node, body)
                found = list(_sources(scope))
                sources |= {source.path for source in found}
                hits |= {hit.source.path for hit in _check_scope(scope, found)}
            self._facts[name] = (sources, hits)
        return self._facts[name]

    def has_hit(self, name: str, path: str) -> bool:
        return path in self._of(name)[1]

    def has_source(self, name: str, path: str) -> bool:
        return path in self._of(name)[0]

    def scope(self, name: str) -> Node | None:
        found = self.definitions.get(name)
        return found[-1][0] if found else None


def _base_state(ctx: FileContext, index: RepoIndex) -> BaseState | None:
    src = ctx.base
    if src is None or src.root is None:
        return None
    return BaseState(src, ctx.diff.old_path or ctx.path, index)


def _scope_name(src: SourceFile, node: Node) -> str:
    names = []
    cur: Node | None = node
    while cur is not None:
        if cur.type in ("function_definition", "class_definition"):
            names.append(text(src, cur.child_by_field_name("name")))
        cur = cur.parent
    return ".".join(reversed(names))


def _report(ctx: FileContext, rule: Rule, scope: Scope, hit: Hit, base: BaseState | None) -> Finding | None:
    """Anchor the finding on the line a reviewer comments on (see `_anchor`)."""
    anchor = _anchor(ctx, hit)
    name = _scope_name(scope.src, scope.node)
    known = base is not None and base.has_hit(name, hit.source.path)
    if anchor is not None and (anchor == hit.use or not known):
        return ctx.finding(rule, anchor, hit.message, end=anchor.start_point[0] + 1,
                           confidence="low" if hit.source.documented else None)
    if anchor is not None or known or base is None or not base.has_source(name, hit.source.path):
        return None
    line = _removed_guard_line(ctx, base.scope(name), hit.source.path)
    if line is None:
        return None
    use_line = hit.use.start_point[0] + 1
    return ctx.finding(rule, line, f"This change removes the check of `{hit.source.path}`, so line "
                       f"{use_line} now dereferences it when it is None ({hit.source.why}); keep "
                       "the check.", side="LEFT")


def _removed_guard_line(ctx: FileContext, scope_node: Node | None, path: str) -> int | None:
    """The first removed base line of the function that tested `path`."""
    src = ctx.base
    if scope_node is None or src is None:
        return None
    first, last = scope_node.start_point[0] + 1, scope_node.end_point[0] + 1
    pattern = re.compile(rf"\b(?:if|elif|assert|while)\b.*{re.escape(path)}(?!\w)")
    for line in sorted(ctx.diff.removed):
        if first <= line <= last and pattern.search(src.line_text(line)):
            return line
    return None


def _anchor(ctx: FileContext, hit: Hit) -> Node | None:
    """The dereference when the change touches it, else the changed line that made it nullable
    (a default dropped from `.get()`, an Optional return now used unchecked)."""
    if ctx.changed(hit.use):
        return hit.use
    origin = hit.source.origin
    if origin is not None and ctx.changed(origin):
        return origin
    return None


def is_test(path: str) -> bool:
    """Tests fail loudly on None anyway; a None dereference there is not a production bug."""
    parts = path.split("/")
    name = parts[-1]
    return (any(p in ("tests", "test", "testing") for p in parts[:-1]) or name.startswith("test_")
            or name.endswith("_test.py") or name == "conftest.py")
