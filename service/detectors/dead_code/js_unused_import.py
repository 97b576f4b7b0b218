"""Imports a JS/TS change adds that the module never uses, or whose last use the change removes.

## What it does
Flags a name bound by an `import` statement (default, named, aliased, namespace, `import type`)
that no identifier of the module refers to: code, types, JSX tags and `export { x }` lists
count as uses; a property name (`lib.PDFDocument`) or a string does not. An import line the
change adds is reported when its name is unused; an existing import when the change removed its
last use. Left alone: side-effect imports (`import "./styles.css"`), declaration files
(`.d.ts`), `React` / `h` in a file with JSX (the classic JSX runtime needs them in scope),
names a JSDoc tag in a comment mentions, and lines marked `eslint-disable`.

## Why is this bad?
An unused import is a leftover: the code that used it was removed or never written. It keeps a
dependency alive, can pull a module's side effects into the bundle, and often means a planned
use was forgotten.

## Example
```tsx
import { GiftIcon, HomeIcon } from "lucide-react";
export const Nav = () => <HomeIcon />;
```

## Use instead
```tsx
import { HomeIcon } from "lucide-react";
export const Nav = () => <HomeIcon />;
```
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk

RULE = Rule(
    id="js.dead-code.unused-import",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="An import the change adds that the module never uses, or whose last use it removes",
)

USE_NODES = frozenset({"identifier", "type_identifier", "shorthand_property_identifier"})
JSX_NODES = frozenset({"jsx_element", "jsx_self_closing_element", "jsx_fragment"})
JSX_RUNTIME_NAMES = frozenset({"React", "h", "Fragment"})
DISABLE = re.compile(r"eslint-disable|@ts-ignore|biome-ignore")
JSDOC_TAG = re.compile(r"@\w+")


def imported_names(root: Node) -> Iterator[tuple[str, Node, Node]]:
    """(bound name, identifier node, import statement) for every name a top-level import binds."""
    for stmt in root.named_children:
        if stmt.type != "import_statement":
            continue
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if clause is None:
            continue  # a side-effect import or `import x = require()`
        for part in clause.named_children:
            if part.type == "identifier":
                yield sym.text(part), part, stmt
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
                if ident is not None:
                    yield sym.text(ident), ident, stmt
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    ident = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                    if ident is not None and ident.type == "identifier":
                        yield sym.text(ident), ident, stmt


def _uses(src: SourceFile) -> tuple[Counter[str], bool]:
    """How often each name is referred to outside import statements, and whether the file has JSX."""
    uses: Counter[str] = Counter()
    jsx = False
    root = src.root
    if root is None:
        return uses, jsx
    for node in walk(root):
        if node.type in JSX_NODES:
            jsx = True
        elif node.type in USE_NODES and not _qualified(node) and not _in_import(node):
            uses[sym.text(node)] += 1
    for comment in sym.comments(src):
        body = sym.text(comment)
        if JSDOC_TAG.search(body):
            for word in sym.WORD.findall(body.encode()):
                uses[word.decode()] += 1
    return uses, jsx


def _qualified(node: Node) -> bool:
    """The `FC` of `React.FC`: a member of a namespace, not the imported name."""
    parent = node.parent
    return (parent is not None and parent.type in ("nested_type_identifier", "nested_identifier")
            and parent.named_children[-1] == node)


def _in_import(node: Node) -> bool:
    current = node.parent
    while current is not None:
        if current.type == "import_statement":
            return True
        if current.type == "program":
            return False
        current = current.parent
    return False


def _base_state(ctx: FileContext) -> tuple[set[str], Counter[str]]:
    """The names the base file imports and the uses of every name in it."""
    base = ctx.base
    if base is None or base.root is None:
        return set(), Counter()
    uses, _ = _uses(base)
    return {name for name, _, _ in imported_names(base.root)}, uses


class UnusedImport(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not (ctx.diff.added or ctx.diff.removed):
            return
        if not sym.is_js_path(ctx.path) or re.search(r"\.d\.[cm]?ts$", ctx.path):
            return
        names = list(imported_names(head.root))
        if not names:
            return
        uses, jsx = _uses(head)
        base_state: tuple[set[str], Counter[str]] | None = None
        added = ctx.diff.added
        unused: list[tuple[str, int]] = []  # imports the change adds and nothing uses
        orphaned: list[tuple[str, int]] = []  # imports whose last use the change removed
        for name, ident, stmt in names:
            if uses[name] > 0 or (jsx and name in JSX_RUNTIME_NAMES):
                continue
            line = line_of(ident)
            if DISABLE.search(head.line_text(line)) or DISABLE.search(head.line_text(line_of(stmt))):
                continue
            if base_state is None:
                base_state = _base_state(ctx)
            base_names, base_uses = base_state
            if line in added:
                if not (name in base_names and base_uses[name] <= 0):  # else a rewritten import line
                    unused.append((name, line))
            elif name in base_names and base_uses[name] > 0:
                orphaned.append((name, line))
        if unused or orphaned:
            yield _finding(ctx, unused, orphaned)


def _listing(items: list[tuple[str, int]], many: bool) -> str:
    return ", ".join(f"`{name}` (line {line})" if many else f"`{name}`" for name, line in items)


def _finding(ctx: FileContext, unused: list[tuple[str, int]], orphaned: list[tuple[str, int]]) -> Finding:
    """One finding per file: the unused imports of one module are one clean-up."""
    lines = [line for _, line in unused + orphaned]
    many = len(lines) > 1
    parts = []
    if unused:
        verb = "are" if len(unused) > 1 else "is"
        parts.append(f"{_listing(unused, many)} {verb} imported but never used in this module")
    if orphaned:
        parts.append(f"this change removed the last use of {_listing(orphaned, many)}")
    message = "; ".join(parts)
    message = message[0].upper() + message[1:] + "; delete the import" + ("s." if many else ".")
    return ctx.finding(
        RULE, min(lines), message, end=max(lines),
        anchor="line" if unused else "definition",
        confidence="high" if unused else "medium",
    )
