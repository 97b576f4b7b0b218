"""What JavaScript/TypeScript says about imports, for the unused-import detector (`unused_import.py`).

An `import` statement binds a default, named, aliased or namespace name (`import type` too). A
use is an identifier, type name, JSX tag or `export { x }` entry outside the import statements; a
property name (`lib.PDFDocument`) or a string is not, and a word of a comment counts only when the
comment carries a JSDoc tag. Left alone: side-effect imports (`import "./styles.css"`),
declaration files (`.d.ts`), the JSX runtime names (`React`, `h`, `Fragment`: the list
`js_jsx_runtime_names` of `rules/data/dead-code.yml`) in a file with JSX, and lines marked
`eslint-disable` / `@ts-ignore` / `biome-ignore`, or preceded by a comment line holding a directive
for the next line (`// @ts-ignore TS6133`, `// @ts-expect-error`, `// eslint-disable-next-line`,
`// biome-ignore ...`), as the compiler and the linters read it: the import is kept on purpose.
"""

from __future__ import annotations

import re
from collections import Counter

from tree_sitter import Node

from ...analysis.imports import Imported, ImportSyntax
from ...detector import FileContext
from ...lang.js import symbols as sym
from ...parsing import SourceFile, line_of
from ...ruledata import data_lists

USE_NODES = frozenset({"identifier", "type_identifier", "shorthand_property_identifier"})
JSX_NODES = frozenset({"jsx_element", "jsx_self_closing_element", "jsx_fragment"})
DISABLE = re.compile(r"eslint-disable|@ts-ignore|biome-ignore")
NEXT_LINE = re.compile(r"^\s*(?://|/\*)\s*(?:@ts-ignore|@ts-expect-error|eslint-disable-next-line|biome-ignore)\b")
JSDOC_TAG = re.compile(r"@\w+")
DECLARATION_FILE = re.compile(r"\.d\.[cm]?ts$")


def _imports(root: Node) -> list[Imported]:
    """Every name a top-level import binds, with the identifier that binds it."""
    found = []
    for stmt in root.named_children:
        if stmt.type != "import_statement":
            continue
        clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
        if clause is None:
            continue  # a side-effect import or `import x = require()`
        for part in clause.named_children:
            ident: Node | None = None
            if part.type == "identifier":
                ident = part
            elif part.type == "namespace_import":
                ident = next((c for c in part.named_children if c.type == "identifier"), None)
            elif part.type == "named_imports":
                for spec in part.named_children:
                    if spec.type != "import_specifier":
                        continue
                    named = spec.child_by_field_name("alias") or spec.child_by_field_name("name")
                    if named is not None and named.type == "identifier":
                        found.append(Imported(sym.text(named), named, stmt))
            if ident is not None:
                found.append(Imported(sym.text(ident), ident, stmt))
    return found


def _uses(src: SourceFile) -> Counter[str]:
    """How often each name is referred to outside import statements; `<jsx>` counts the JSX nodes."""
    uses: Counter[str] = Counter()
    root = src.root
    if root is None:
        return uses
    for node in src.nodes_of(*JSX_NODES, *USE_NODES):
        if node.type in JSX_NODES:
            uses["<jsx>"] += 1
        elif not _qualified(node) and not _in_import(node):
            uses[sym.text(node)] += 1
    for comment in sym.comments(src):
        body = sym.text(comment)
        if JSDOC_TAG.search(body):
            for word in sym.WORD.findall(body.encode()):
                uses[word.decode()] += 1
    return uses


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


def _applies(ctx: FileContext, head: SourceFile) -> bool:
    return sym.is_js_path(ctx.path) and not DECLARATION_FILE.search(ctx.path)


def _exempt(ctx: FileContext, head: SourceFile, imp: Imported, uses: Counter[str]) -> bool:
    if uses["<jsx>"] > 0 and imp.name in data_lists("dead-code", ctx.repo).get("js_jsx_runtime_names"):
        return True  # the classic JSX runtime needs it in scope
    first = line_of(imp.stmt)
    return bool(DISABLE.search(head.line_text(line_of(imp.node))) or DISABLE.search(head.line_text(first))
                or (first > 1 and NEXT_LINE.match(head.line_text(first - 1))))


def _kept(ctx: FileContext, imp: Imported) -> bool:
    return False  # a JS module's own imports are not reachable from other modules


JS = ImportSyntax(
    applies=_applies, imports=_imports, uses=_uses, exempt=_exempt, kept=_kept,
    group="file", orphan_confidence="medium",
)
