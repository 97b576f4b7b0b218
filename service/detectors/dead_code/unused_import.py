"""Imports a change adds that the module never uses, or whose last use the change removes.

## What it does
Flags a name an import statement binds that nothing else in the module refers to. An import
line the change adds is reported when its name is unused; an existing import when the change
removed its last use (anchored to the import line). An import line the change rewrote
(reformatted, reordered) whose name was unused before too is not the change's doing and is left
alone, as is every import the change did not touch whose last use was already gone.
One detector serves Python and JS/TS; each language says what an import binds, what counts as a
use and which imports are left alone (`python_imports.py`, `js_imports.py`):
- Python: code, f-strings, string annotations and `__all__` count as uses. Left alone:
  `__init__.py`, `conftest.py`, stubs, modules made only of imports, `from __future__`, star
  imports, `import x as x`, imports inside `try`, names a bare `# noqa` or `# noqa: F401` covers
  (on the name's line, or on the statement's first line for all its names, as flake8 and ruff
  read it), modules of this repository (imported for their side effects) and names another
  module imports from this one.
  One finding per import line (each carries its own mechanical fix).
- JS/TS: identifiers, types, JSX tags and `export { x }` lists count as uses (a property name or
  a string does not). Left alone: side-effect imports, declaration files, `React`/`h`/`Fragment`
  in a file with JSX (the list `js_jsx_runtime_names` of `rules/data/dead-code.yml`), names a
  JSDoc tag mentions and lines marked `eslint-disable`. One finding per file listing the names.

## Why is this bad?
An unused import is a leftover of code that was removed or never written: it keeps a dependency
alive, can pull a module's side effects in or create an import cycle, and often means a planned
use of the module was forgotten.

## Example
```python
import math

def upload(path):
    return put(path)
```

## Use instead
```python
def upload(path):
    return put(path)
```
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import ClassVar

from ...analysis.imports import Imported, ImportSyntax
from ...detector import Detector, FileContext, Rule
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of
from .js_imports import JS
from .python_imports import PYTHON

PYTHON_RULE = Rule(
    id="python.dead-code.unused-import",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="An import the change adds that the module never uses",
)
JS_RULE = Rule(
    id="js.dead-code.unused-import",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="An import the change adds that the module never uses, or whose last use it removes",
)


class UnusedImport(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON_RULE, JS_RULE)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not (ctx.diff.added or ctx.diff.removed):
            return
        syntax, rule = (PYTHON, PYTHON_RULE) if head.language == "python" else (JS, JS_RULE)
        if head.language not in rule.languages or not syntax.applies(ctx, head):
            return
        names = syntax.imports(head.root)
        if not names:
            return
        groups: dict[int, tuple[list[Imported], list[Imported]]] = {}
        for imp, last_use_removed in _unused(ctx, syntax, head, names):
            key = line_of(imp.node) if syntax.group == "line" else 0
            groups.setdefault(key, ([], []))[last_use_removed].append(imp)
        for unused, orphaned in groups.values():
            yield _finding(ctx, rule, syntax, unused, orphaned)


def _unused(ctx: FileContext, syntax: ImportSyntax, head: SourceFile,
            names: list[Imported]) -> Iterator[tuple[Imported, bool]]:
    """(import, whether the change removed its last use) for each import the change leaves unused."""
    uses = syntax.uses(head)
    base: tuple[set[str], Counter[str]] | None = None
    for imp in names:
        if uses[imp.name] > 0 or syntax.exempt(ctx, head, imp, uses):
            continue
        if base is None:
            base = _base_state(ctx, syntax)
        base_names, base_uses = base
        if line_of(imp.node) in ctx.diff.added:
            if imp.name in base_names and base_uses[imp.name] <= 0:
                continue  # an import line rewritten (reformatted, annotated), unused before too
            orphaned = False
        elif imp.name in base_names and base_uses[imp.name] > 0:
            orphaned = True
        else:
            continue  # unused before this change too: not this change's doing
        if not syntax.kept(ctx, imp):
            yield imp, orphaned


def _base_state(ctx: FileContext, syntax: ImportSyntax) -> tuple[set[str], Counter[str]]:
    """The names the base file imports and the uses of every name in it."""
    base = ctx.base
    if base is None or base.root is None:
        return set(), Counter()
    return {imp.name for imp in syntax.imports(base.root)}, syntax.uses(base)


def _listing(items: list[Imported], many: bool) -> str:
    return ", ".join(f"`{i.name}` (line {line_of(i.node)})" if many else f"`{i.name}`" for i in items)


def _finding(ctx: FileContext, rule: Rule, syntax: ImportSyntax, unused: list[Imported],
             orphaned: list[Imported]) -> Finding:
    """One finding for the unused imports of one line or file: one clean-up."""
    lines = [line_of(i.node) for i in unused + orphaned]
    many = len(lines) > 1
    spread = len(set(lines)) > 1
    parts = []
    if unused:
        verb = "are" if len(unused) > 1 else "is"
        parts.append(f"{_listing(unused, spread)} {verb} imported but never used in this module")
    if orphaned:
        parts.append(f"this change removed the last use of {_listing(orphaned, spread)}")
    message = "; ".join(parts)
    message = message[0].upper() + message[1:] + "; delete the import" + ("s." if many else ".")
    return ctx.finding(
        rule, min(lines), message, end=max(lines),
        anchor="line" if unused else "definition",
        confidence="high" if unused else syntax.orphan_confidence,
    )
