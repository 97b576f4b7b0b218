"""Functions, classes, methods and module constants the change adds that nothing references.

## What it does
Flags a `def`, `class` or module-level UPPER_CASE constant added by the change whose name
appears nowhere else in the head tree: not in another module, not in `__all__`, not in a string
(`getattr(obj, "name")`, `"pkg.mod:main"` entry points), not in pyproject/setup.cfg/YAML/INI or
template text. Definitions used by convention are left alone: dunder methods, test functions and
unittest hooks, decorated definitions that a decorator may register (routes, CLI commands,
fixtures, tasks, signal handlers), public methods of classes deriving from a framework base class,
public names of `__init__.py` and modules re-exported with `import *`.

A second rule flags a function or method defined twice in the same scope with no import-time use
in between: the first body is dead (anchored to it when the change adds the second definition).
## Why is this bad?
AI agents often write a helper, then solve the problem another way and leave the helper behind.
Dead code misleads the next reader ("where is the jittered backoff used?"), must be maintained,
and usually signals that the intended behaviour was never wired up.

## Example
```python
def _compute_backoff(attempt: int) -> float:
    return random.uniform(0, 2 ** attempt)

def deliver(...):
    ...
    sleep(RETRY_DELAY * attempt)   # the helper above is never called
```

## Use instead
```python
def deliver(...):
    ...
    sleep(_compute_backoff(attempt))
```
or delete `_compute_backoff`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.python import symbols as sym
from ...models import Finding, Severity
from ...parsing import line_of

RULE = Rule(
    id="python.dead-code.unused-definition",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A function, class, method or module constant the change adds that nothing references",
    confidence="medium",
)

CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
ASSIGN_LINE = re.compile(rb"^([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::[^=\n]*)?=[^=]", re.M)
SETTINGS_HINTS = ("settings", "conf", "config")


SHADOWED = Rule(
    id="python.dead-code.shadowed-definition",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A function or method redefined later in the same scope: the first body never runs",
)


class UnusedDefinition(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE, SHADOWED)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or ctx.path.endswith(".pyi"):
            return
        index = sym.side_index(ctx.repo, "RIGHT")
        public_surface = PurePosixPath(ctx.path).name == "__init__.py" or index.is_star_imported(
            ctx.path
        )
        existing = _base_definitions(ctx)
        added = ctx.diff.added
        conv = sym.conventions(ctx.repo)
        for node in sym.functions_and_classes(head.root):
            name_node = node.child_by_field_name("name")
            name = sym.text(name_node)
            if name_node is None or not name or line_of(node) not in added:
                continue
            if name in existing or (public_surface and not name.startswith("_")):
                continue
            if sym.conventional(name, node, ctx.path, conv) or index.looked_up_dynamically(name):
                continue
            if index.count(name) - sym.own_refs(index, ctx.path, [node], name) > 0:
                continue
            kind = _kind(node)
            yield ctx.finding(
                RULE, line_of(node),
                f"{kind} `{name}` is added but nothing in the repository references it; "
                f"delete it or call it where it is needed.",
            )
        if not public_surface and not _settings_like(ctx.path):
            yield from self._constants(ctx, head.root, index, existing, added)
        yield from self._shadowed(ctx, head.root, index, added)

    def _shadowed(self, ctx: FileContext, root: Node, index: sym.SideIndex,
                  added: frozenset[int]) -> Iterator[Finding]:
        scopes = [root] + [
            body for node in sym.functions_and_classes(root)
            if node.type == "class_definition" and (body := node.child_by_field_name("body"))
        ]
        for scope in scopes:
            seen: dict[str, Node] = {}
            for i, stmt in enumerate(scope.named_children):
                if stmt.type != "function_definition":
                    continue
                name = sym.text(stmt.child_by_field_name("name"))
                first = seen.get(name)
                seen[name] = stmt
                if first is None or _used_between(ctx.path, index, scope.named_children[:i], first, name):
                    continue
                if line_of(first) in added:
                    anchor = "line"
                elif line_of(stmt) in added:
                    anchor = "definition"
                else:
                    continue
                yield ctx.finding(
                    SHADOWED, line_of(first),
                    f"`{name}` is defined again on line {line_of(stmt)}, so this definition is "
                    f"dead; delete one of them or rename it.",
                    anchor=anchor,
                )

    def _constants(self, ctx: FileContext, root: Node, index: sym.SideIndex,
                   existing: set[str], added: frozenset[int]) -> Iterator[Finding]:
        for stmt in root.named_children:
            assign = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
            if assign is None or assign.type != "assignment":
                continue
            target = assign.child_by_field_name("left")
            name = sym.text(target)
            if target is None or target.type != "identifier" or not CONSTANT.match(name) \
                    or name in existing:
                continue
            if line_of(assign) not in added:
                continue
            own = index.count_in(ctx.path, assign.start_byte, assign.end_byte, name)
            if index.count(name) - own > 0:
                continue
            yield ctx.finding(
                RULE, line_of(assign),
                f"Constant `{name}` is added but nothing in the repository reads it; "
                f"delete it or use it where the value is needed.",
            )


def _used_between(path: str, index: sym.SideIndex, before: list[Node], first: Node, name: str) -> bool:
    """True when code that runs at import time between two definitions uses the first one.
    (A call inside a function body runs later and reaches the second definition.)"""
    return any(
        stmt.start_byte > first.end_byte and stmt.type not in ("function_definition", "comment")
        and index.count_in(path, stmt.start_byte, stmt.end_byte, name) > 0
        for stmt in before
    )


def _base_definitions(ctx: FileContext) -> set[str]:
    """Names the base version of the file already defines: changed, not added, definitions."""
    base = ctx.base
    if base is None:
        return set()
    data = base.data or base.text.encode("utf-8", "replace")
    names = {m.group(1).decode() for m in sym.DEF_LINE.finditer(data)}
    names.update(m.group(1).decode() for m in ASSIGN_LINE.finditer(data))
    return names


def _kind(node: Node) -> str:
    if node.type == "class_definition":
        return "Class"
    return "Method" if sym.enclosing_class(node) is not None else "Function"


def _settings_like(path: str) -> bool:
    stem = PurePosixPath(path).stem.lower()
    return any(hint in stem for hint in SETTINGS_HINTS)
