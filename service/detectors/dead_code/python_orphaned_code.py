"""Functions, methods and classes the change leaves dead by removing their last use.

## What it does
For every name the change removes a mention of, checks whether a function, method or class of
that name still exists in the head tree, was referenced outside its own definition in the base
tree, and is referenced nowhere in the head tree. Such a definition is reported on its `def` /
`class` line (anchored to the definition, even when that line is unchanged). Definitions used by
convention (dunder methods, hooks, registering decorators, framework overrides, public names of
`__init__.py`) are left alone.

## Why is this bad?
When an AI agent rewrites a caller it rarely cleans up what the old code used. The orphan stays
behind looking alive, is kept compiling and tested for nothing, and misleads the next reader about
which code path is real.

## Example
```python
# base: checkout() called _legacy_total(cart); the PR replaced that call with compute_total(cart)
def _legacy_total(cart):   # no caller left
    ...
```

## Use instead
Delete `_legacy_total` in the same change, or keep calling it if it is still the right code.
"""

from __future__ import annotations

import keyword
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from tree_sitter import Node

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.python import symbols as sym
from ...models import Finding, Severity, Side
from ...parsing import line_of

RULE = Rule(
    id="python.dead-code.orphaned-code",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A function, method or class whose last use the change removed",
    confidence="medium",
)


def _removed_words(files: tuple[FileContext, ...]) -> set[str]:
    words: set[str] = set()
    for ctx in files:
        base = ctx.base
        if base is None or not ctx.diff.removed:
            continue
        for n in ctx.diff.removed:
            for word in sym.WORD.findall(base.line_text(n).encode("utf-8", "replace")):
                words.add(word.decode())
    return {w for w in words if not keyword.iskeyword(w)}


def _definition(defs: list[Node], line: int, name: str) -> Node | None:
    for node in defs:
        if line_of(node) == line and sym.text(node.child_by_field_name("name")) == name:
            return node
    return None


class OrphanedCode(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def __init__(self) -> None:
        self._cache: dict[tuple[Side, str], list[Node]] = {}

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        self._cache = {}
        if not any(f.language == "python" for f in ctx.files):
            return
        removed = _removed_words(ctx.files)
        if not removed:
            return
        head = sym.side_index(ctx.repo, "RIGHT")
        candidates = sorted(n for n in removed if n in head.defs)
        if not candidates:
            return
        base = sym.side_index(ctx.repo, "LEFT")
        added = {f.diff.path: f.diff.added for f in ctx.files if f.head is not None}
        for name in candidates:
            if name not in base.defs:
                continue
            found = self._orphan(ctx, name, head, base, added)
            if found is not None:
                yield found

    def _orphan(self, ctx: ChangeContext, name: str, head: sym.SideIndex, base: sym.SideIndex,
                added: dict[str, frozenset[int]]) -> Finding | None:
        head_defs = self._nodes(ctx, "RIGHT", head.defs[name], name)
        if not head_defs or len(head_defs) != len(head.defs[name]):
            return None
        if head.count(name) - sum(sym.own_refs(head, p, [n], name) for p, n in head_defs) > 0:
            return None
        base_defs = self._nodes(ctx, "LEFT", base.defs[name], name)
        if base.count(name) - sum(sym.own_refs(base, p, [n], name) for p, n in base_defs) <= 0:
            return None
        path, node = head_defs[0]
        if line_of(node) in added.get(path, frozenset()):
            return None  # a new or rewritten definition: python.dead-code.unused-definition
        if sym.conventional(name, node, path, sym.conventions(ctx.repo)) or _public_surface(head, path, name) \
                or head.looked_up_dynamically(name):
            return None
        kind = "Class" if node.type == "class_definition" else (
            "Method" if sym.enclosing_class(node) is not None else "Function")
        return Finding(
            rule=RULE.id, category=RULE.category, severity=RULE.severity, path=path,
            line=line_of(node), end_line=line_of(node), anchor="definition",
            message=f"{kind} `{name}` lost its last caller in this change and is now unused; "
                    f"delete it or restore the call.",
        )

    def _nodes(self, ctx: ChangeContext, side: Side, places: list[tuple[str, int]],
               name: str) -> list[tuple[str, Node]]:
        nodes = []
        for path, line in places:
            node = _definition(self._defs(ctx, side, path), line, name)
            if node is not None:
                nodes.append((path, node))
        return nodes

    def _defs(self, ctx: ChangeContext, side: Side, path: str) -> list[Node]:
        key = (side, path)
        if key not in self._cache:
            src = ctx.repo.source(side, path)
            root = src.root if src is not None else None
            self._cache[key] = list(sym.functions_and_classes(root)) if root is not None else []
        return self._cache[key]


def _public_surface(index: sym.SideIndex, path: str, name: str) -> bool:
    if name.startswith("_"):
        return False
    return PurePosixPath(path).name == "__init__.py" or index.is_star_imported(path)
