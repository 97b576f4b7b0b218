"""Imports the change adds that the module never uses, or whose last use the change removes.

## What it does
Flags an added `import x` / `from m import x` whose bound name is used nowhere else in the
module (code, f-strings, string annotations and `__all__` count as uses), and an existing import
whose last use the change deleted (anchored to the import line). Left alone: `__init__.py` and
`conftest.py`, modules made only of imports (re-export or entry-point modules), `from __future__`,
`import x as x` explicit re-exports, star imports, imports inside `try`, lines marked `# noqa`,
modules of this repository (imported for their side effects: routes, commands, models) and names
another module imports from this one.

## Why is this bad?
An unused import is a leftover of code that was removed or never written; it slows imports,
can create import cycles, and hints that a planned use of the module was forgotten.

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

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.python import symbols as sym
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of

RULE = Rule(
    id="python.dead-code.unused-import",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="An import the change adds that the module never uses",
)

NOQA = re.compile(r"#\s*noqa\b", re.I)
IMPORTS = ("import_statement", "import_from_statement")


def _bound_names(stmt: Node) -> Iterator[tuple[str, Node]]:
    """(bound name, node to report) for every name an import statement binds."""
    module = stmt.child_by_field_name("module_name") if stmt.type == "import_from_statement" else None
    for child in stmt.children_by_field_name("name"):
        if child == module:
            continue
        if child.type == "aliased_import":
            alias = sym.text(child.child_by_field_name("alias"))
            original = sym.text(child.child_by_field_name("name"))
            if alias and alias != original.rsplit(".", 1)[-1]:
                yield alias, child
        elif child.type == "dotted_name":
            yield sym.text(child).split(".", 1)[0], child


def _module_path(ctx: FileContext, stmt: Node, child: Node) -> str:
    """The repository-relative path stem (no `.py`) a bound name would be a module at."""
    original = child.child_by_field_name("name") if child.type == "aliased_import" else child
    dotted = sym.text(original).replace(".", "/")
    if stmt.type == "import_statement":
        return dotted
    module = sym.text(stmt.child_by_field_name("module_name"))
    dots = len(module) - len(module.lstrip("."))
    rest = module.lstrip(".").replace(".", "/")
    if not dots:
        return f"{rest}/{dotted}"
    parts = list(PurePosixPath(ctx.path).parent.parts)
    parts = parts[: len(parts) - (dots - 1)] if dots > 1 else parts
    return "/".join([*parts, *([rest] if rest else []), dotted])


def _is_local_module(ctx: FileContext, paths: set[str], stmt: Node, child: Node) -> bool:
    """True when the import binds a module of this repository: imported for its side effects
    (registering routes, commands, models, signal handlers)."""
    stem = _module_path(ctx, stmt, child)
    for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
        if candidate in paths or any(p.endswith("/" + candidate) for p in paths):
            return True
    return False


def _guarded(stmt: Node) -> bool:
    """Inside a `try` statement: an optional dependency or an availability check."""
    current = stmt.parent
    while current is not None and current.type not in ("function_definition", "module"):
        if current.type == "try_statement":
            return True
        current = current.parent
    return False


def _reexported(ctx: FileContext, name: str) -> bool:
    """True when another module imports `name` from this module."""
    module = re.escape(sym.module_name(ctx.path).encode())
    pattern = re.compile(
        rb"from[ \t]+[\w.]*\b" + module + rb"[ \t]+import[ \t]+\(?[^)]{0,600}?\b"
        + re.escape(name.encode()) + rb"\b"
    )
    index = sym.side_index(ctx.repo, "RIGHT")
    return any(
        path != ctx.path and pattern.search(data) is not None for path, data in index.masked.items()
    )


class UnusedImport(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not (ctx.diff.added or ctx.diff.removed):
            return
        if PurePosixPath(ctx.path).name in ("__init__.py", "conftest.py") or ctx.path.endswith(".pyi"):
            return  # re-export surfaces; conftest imports are fixtures pytest injects by name
        statements = [n for n in sym.statements(head.root) if n.type in IMPORTS]
        if not statements or _only_imports(head.root):
            return  # a module of nothing but imports is a re-export or entry-point module
        uses = _uses(head, statements)
        base_uses: Counter[bytes] | None = None
        added = ctx.diff.added
        for stmt in statements:
            if _skip(stmt):
                continue
            for name, node in _bound_names(stmt):
                if uses[name.encode()] > 0 or NOQA.search(head.line_text(line_of(node))):
                    continue
                if base_uses is None:
                    base_uses = _base_uses(ctx)
                if line_of(node) in added:
                    if name in _base_imported(ctx) and base_uses[name.encode()] <= 0:
                        continue  # an import line rewritten (reformatted, annotated), unused before too
                    message = (f"`{name}` is imported but never used in this module; delete the "
                               f"import or use it where it was meant to be used.")
                    anchor = "line"
                else:
                    if base_uses[name.encode()] <= 0:
                        continue  # unused before this change too: not this change's doing
                    message = (f"This change removed the last use of `{name}`; delete the import.")
                    anchor = "definition"
                if self._used_elsewhere(ctx, stmt, node, name):
                    continue
                yield ctx.finding(RULE, line_of(node), message, anchor=anchor)

    @staticmethod
    def _used_elsewhere(ctx: FileContext, stmt: Node, node: Node, name: str) -> bool:
        paths = set(sym.side_index(ctx.repo, "RIGHT").masked)
        return _is_local_module(ctx, paths, stmt, node) or _reexported(ctx, name)


def _only_imports(root: Node) -> bool:
    for stmt in root.named_children:
        if stmt.type in IMPORTS or stmt.type in ("comment", "future_import_statement"):
            continue
        if stmt.type == "expression_statement" and stmt.named_children[0].type == "string":
            continue
        return False
    return True


def _uses(src: SourceFile, statements: list[Node]) -> Counter[bytes]:
    """How often each word occurs in the module outside its import statements."""
    masked = sym.masked_bytes(src)
    uses = Counter(sym.WORD.findall(masked))
    for stmt in statements:
        uses.subtract(sym.WORD.findall(masked[stmt.start_byte : stmt.end_byte]))
    return uses


def _base_uses(ctx: FileContext) -> Counter[bytes]:
    base = ctx.base
    if base is None or base.root is None:
        return Counter()
    return _uses(base, [n for n in sym.statements(base.root) if n.type in IMPORTS])


def _base_imported(ctx: FileContext) -> set[str]:
    """The names the base version of the file imports."""
    base = ctx.base if ctx.diff.old_path else None
    if base is None or base.root is None:
        return set()
    return {name for stmt in sym.statements(base.root) if stmt.type in IMPORTS
            for name, _ in _bound_names(stmt)}


def _skip(stmt: Node) -> bool:
    if stmt.type == "import_from_statement":
        module = sym.text(stmt.child_by_field_name("module_name"))
        if module == "__future__" or any(c.type == "wildcard_import" for c in stmt.children):
            return True
    return _guarded(stmt)
