"""Values that may be None, dereferenced without a check.

## What it does
Tracks values that can be None inside one function: `dict.get(key)` without a default,
`os.environ.get()`/`os.getenv()` without a default, `re.match/search/fullmatch` (also on a compiled
pattern), ORM lookups (`.first()`, `.one_or_none()`, `session.get(Model, id)`, `.fetchone()`),
`next(iterator, None)`, calls to functions of the repository annotated `-> Optional[...]` /
`-> X | None`, parameters declared Optional or defaulting to None, class fields declared Optional
or nullable (`Optional` annotations, `nullable=True` columns, relationships over a nullable
foreign key) and payload keys a module documents as null. It reports the first dereference of
such a value (attribute access, method call, subscript, arithmetic, iteration, `len()`) that no
check guards: no `if x:` / `if x is not None:` around it, no early `return`/`raise`/`continue`
when it is None, no `assert x`, no `try/except (AttributeError, TypeError)`; a method whose
every call (`self.m()` in its file, no other source file naming it) checks the attribute first.

## Why is this bad?
The None case is the one the happy-path test never hits: an unknown id, an unset environment
variable, a line the pattern does not match. It then fails as an `AttributeError` or `TypeError`
far from its cause (a 500 instead of a 404, a crash at start-up instead of a default).

## Example
```python
coupon = Coupon.query.filter_by(code=code).first()
if coupon.is_expired(now):
    abort(422)
```

## Use instead
```python
coupon = Coupon.query.filter_by(code=code).first()
if coupon is None:
    abort(422, description="unknown coupon")
if coupon.is_expired(now):
    abort(422)
```
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...models import Finding, Severity
from ...parsing import SourceFile
from .python_callers import guarded_by_callers
from .python_index import RepoIndex, index_for
from .python_scope import Hit, Scope, _scope, _scope_definitions
from .python_syntax import text
from .python_uses import _check_scope, _sources

RULE = Rule(
    id="python.null-check.unguarded-optional",
    category="null-check",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A value that may be None is dereferenced without a check.",
)


class PythonNullCheck(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        src = ctx.head
        if src is None or src.root is None or _is_test(ctx.path) or not (ctx.diff.added or ctx.diff.removed):
            return
        index = index_for(ctx.repo)
        reported: set[tuple[int, str]] = set()
        base = _base_state(ctx, index)
        every = bool(base and ctx.diff.removed)
        for node, body in _scope_definitions(src):
            if not every and not ctx.changed(node):
                continue
            scope = _scope(src, ctx.path, index, node, body)
            for hit in _check_scope(scope):
                finding = _report(ctx, scope, hit, base)
                if finding is None or (finding.line, hit.source.path) in reported:
                    continue
                if guarded_by_callers(ctx, scope, hit.source.path, index):
                    continue  # every call of this method checks the attribute first
                if "type: ignore" in src.line_text(hit.use.start_point[0] + 1):
                    # the type checker saw the same None and was told to be quiet: that hides it, not handles it
                    finding = dataclasses.replace(finding, message=finding.message + (
                        " The \"# type: ignore\" on that line silences the type checker's warning about the same "
                        "None; it does not handle it."))
                reported.add((finding.line, hit.source.path))
                yield finding


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


def _report(ctx: FileContext, scope: Scope, hit: Hit, base: BaseState | None) -> Finding | None:
    """Anchor the finding on the line a reviewer comments on (see `_anchor`)."""
    anchor = _anchor(ctx, hit)
    name = _scope_name(scope.src, scope.node)
    known = base is not None and base.has_hit(name, hit.source.path)
    if anchor is not None and (anchor == hit.use or not known):
        return ctx.finding(RULE, anchor, hit.message, end=anchor.start_point[0] + 1,
                           confidence="low" if hit.source.documented else None)
    if anchor is not None or known or base is None or not base.has_source(name, hit.source.path):
        return None
    line = _removed_guard_line(ctx, base.scope(name), hit.source.path)
    if line is None:
        return None
    use_line = hit.use.start_point[0] + 1
    return ctx.finding(RULE, line, f"This change removes the check of `{hit.source.path}`, so line "
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


def _is_test(path: str) -> bool:
    """Tests fail loudly on None anyway; a None dereference there is not a production bug."""
    parts = path.split("/")
    name = parts[-1]
    return (any(p in ("tests", "test", "testing") for p in parts[:-1]) or name.startswith("test_")
            or name.endswith("_test.py") or name == "conftest.py")
