"""Exports nobody imports, module-private definitions nobody uses, and code the change orphans.

## What it does
Three rules for JavaScript and TypeScript modules, all built on one repository-wide index of
identifier mentions (comments excluded; strings, JSON/YAML config and templates included):
- `js.dead-code.unused-export`: an exported function, class, enum or constant the change adds
  whose name nothing else in the repository mentions (a default export: whose module nothing
  imports). Entry points declared in package.json (main/module/exports/bin/scripts), files that
  frameworks and tools load by convention (Next.js/Remix `pages/`, `app/**/page.tsx`,
  `route.ts`, `layout.tsx`, `middleware.ts`, `*.config.ts`, stories, declaration files), the
  exports frameworks look up by name (`getServerSideProps`, `generateMetadata`, `GET`, `loader`...)
  and test files are left alone. Barrel re-exports (`export { x } from`) count as uses.
- `js.dead-code.unused-definition`: a top-level function, class or constant the change adds that
  is neither exported nor mentioned anywhere in its module.
- `js.dead-code.orphaned-code`: a function or class whose last use the change removed; reported
  on its (unchanged) declaration.

## Why is this bad?
AI agents write helpers, then solve the problem another way and leave the helper behind, or
rewrite a caller and never delete what it used. Dead code misleads the next reader, must be kept
compiling and tested, and often means the intended behaviour was never wired up.

## Example
```ts
export function formatCurrencyLegacy(cents: number): string { ... }  // nothing imports it
function computeBackoff(attempt: number) { ... }                      // nothing calls it
```

## Use instead
Delete the unused code, or call it where it was meant to be used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.js import repo_index
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import SourceFile
from ...ruledata import data_lists

LANGUAGES = ("javascript", "typescript", "tsx")

UNUSED_EXPORT = Rule(
    id="js.dead-code.unused-export",
    category="dead-code",
    languages=LANGUAGES,
    severity=Severity.WARNING,
    summary="An export the change adds that nothing in the repository imports",
    confidence="medium",
)
UNUSED_DEFINITION = Rule(
    id="js.dead-code.unused-definition",
    category="dead-code",
    languages=LANGUAGES,
    severity=Severity.WARNING,
    summary="A module-private function, class or constant the change adds that nothing uses",
)
ORPHANED = Rule(
    id="js.dead-code.orphaned-code",
    category="dead-code",
    languages=LANGUAGES,
    severity=Severity.WARNING,
    summary="A function or class whose last use the change removed",
    confidence="medium",
)

CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Values whose evaluation may matter even when the name is unused (side effects).
PURE_VALUES = frozenset({
    "arrow_function", "function_expression", "function", "class", "string", "number", "template_string",
    "object", "array", "true", "false", "regex", "null", "generator_function",
})
KEYWORDS = frozenset({
    "const", "let", "var", "function", "return", "if", "else", "for", "while", "import", "export",
    "from", "new", "this", "class", "extends", "await", "async", "default", "true", "false", "null",
    "undefined", "typeof", "type", "interface",
})


def _skip_file(path: str, index: repo_index.SideIndex) -> bool:
    return sym.is_test_path(path) or sym.is_convention_file(path) or path in index.entries


def _kind(decl: sym.Declaration) -> str:
    if decl.kind == "const":
        value = decl.node.child_by_field_name("value")
        if value is not None and value.type in ("arrow_function", "function_expression", "function"):
            return "Function"
        return "Constant"
    return decl.kind.capitalize()


def _definition_candidate(decl: sym.Declaration) -> bool:
    """Functions, classes and (UPPER_CASE or function-valued) constants with side-effect-free values."""
    if decl.kind in ("function", "class", "enum"):
        return True
    if decl.kind != "const":
        return False
    value = decl.node.child_by_field_name("value")
    while value is not None and value.type in ("as_expression", "satisfies_expression", "parenthesized_expression"):
        value = value.named_children[0] if value.named_children else None
    if value is None or value.type not in PURE_VALUES:
        return False
    functional = value.type in ("arrow_function", "function_expression", "function", "class")
    return functional or bool(CONSTANT.match(decl.name))


class UnusedExport(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (UNUSED_EXPORT, UNUSED_DEFINITION, ORPHANED)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or not sym.is_js_path(ctx.path):
            return
        index = repo_index.side_index(ctx.repo, "RIGHT")
        if _skip_file(ctx.path, index):
            return
        existing = _base_names(ctx.base)
        spans = sym.export_list_spans(head.root)
        cjs = sym.commonjs_exports(head.root)
        added = ctx.diff.added
        conventions = data_lists("dead-code", ctx.repo).get("js_convention_exports")
        for decl in sym.declarations(head.root):
            if decl.line not in added or decl.name in existing or decl.kind == "type":
                continue
            if decl.default:
                # an import the resolver cannot follow may be this module's: abstain
                if not index.is_default_imported(ctx.path) and not index.might_import(ctx.path):
                    yield self._unused_default(ctx, decl)
                continue
            if decl.name in conventions or (decl.name.startswith("_") and decl.exported):
                continue
            if repo_index.external_mentions(index, ctx.path, decl, spans) > 0:
                continue
            exported = decl.exported or decl.name in cjs or _listed(head, spans, decl.name)
            if exported and _mounted_component(ctx.path, decl, index):
                continue
            if exported:
                yield ctx.finding(
                    UNUSED_EXPORT, decl.line,
                    f"{_kind(decl)} `{decl.name}` is exported but nothing in the repository imports "
                    f"it; delete it or use it where it is needed.",
                )
            elif _definition_candidate(decl):
                yield ctx.finding(
                    UNUSED_DEFINITION, decl.line,
                    f"{_kind(decl)} `{decl.name}` is added but never used in this module nor "
                    f"exported; delete it or call it where it is needed.",
                )

    def _unused_default(self, ctx: FileContext, decl: sym.Declaration) -> Finding:
        what = f"`{decl.name}`" if decl.name else "the default export"
        return ctx.finding(
            UNUSED_EXPORT, decl.line,
            f"The default export {what} is imported nowhere in the repository; "
            f"delete it or import it where it is needed.",
        )

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        files = [f for f in ctx.files if sym.is_js_path(f.path) and f.base is not None and f.diff.removed]
        if not files:
            return
        removed = _removed_words(files)
        head = repo_index.side_index(ctx.repo, "RIGHT")
        candidates = sorted(n for n in removed if n in head.defs and len(head.defs[n]) == 1)
        if not candidates:
            return
        base = repo_index.side_index(ctx.repo, "LEFT")
        added = {f.diff.path: f.diff.added for f in ctx.files if f.head is not None}
        for name in candidates:
            path, line = head.defs[name][0]
            if name not in base.defs or line in added.get(path, frozenset()) or _skip_file(path, head):
                continue
            found = _orphan(ctx, name, path, line, head, base)
            if found is not None:
                yield found


def _orphan(ctx: ChangeContext, name: str, path: str, line: int, head: repo_index.SideIndex,
            base: repo_index.SideIndex) -> Finding | None:
    decl = _declaration(head, path, name)
    conventions = data_lists("dead-code", ctx.repo).get("js_convention_exports")
    if decl is None or decl.kind not in ("function", "class", "const") or name in conventions:
        return None
    if decl.kind == "const" and not _definition_candidate(decl):
        return None
    src = head.sources[path]
    assert src.root is not None
    if repo_index.external_mentions(head, path, decl, sym.export_list_spans(src.root)) > 0:
        return None
    base_path = next((p for p, _ in base.defs[name] if p == path), None) or base.defs[name][0][0]
    base_decl = _declaration(base, base_path, name)
    base_src = base.sources.get(base_path)
    if base_decl is None or base_src is None or base_src.root is None:
        return None
    if repo_index.external_mentions(base, base_path, base_decl, sym.export_list_spans(base_src.root)) <= 0:
        return None
    return Finding(
        rule=ORPHANED.id, category=ORPHANED.category, severity=ORPHANED.severity, path=path,
        line=line, end_line=line, anchor="definition",
        message=f"{_kind(decl)} `{name}` lost its last use in this change and is now dead; "
                f"delete it or restore the call.",
    )


def _declaration(index: repo_index.SideIndex, path: str, name: str) -> sym.Declaration | None:
    src = index.sources.get(path)
    if src is None or src.root is None:
        return None
    return next((d for d in sym.declarations(src.root) if d.name == name), None)


def _removed_words(files: list[FileContext]) -> set[str]:
    words: set[str] = set()
    for ctx in files:
        base = ctx.base
        assert base is not None
        for n in ctx.diff.removed:
            words.update(w.decode() for w in sym.WORD.findall(base.line_text(n).encode("utf-8", "replace")))
    return words - KEYWORDS


def _mounted_component(path: str, decl: sym.Declaration, index: repo_index.SideIndex) -> bool:
    """A React component of a module nothing imports: routers, MDX or generated code mount those."""
    return path.endswith((".tsx", ".jsx")) and decl.name[:1].isupper() and not index.is_imported(path)


def _listed(src: SourceFile, spans: list[tuple[int, int]], name: str) -> bool:
    key = name.encode()
    return any(key in sym.WORD.findall(src.data[a:b]) for a, b in spans)


def _base_names(base: SourceFile | None) -> set[str]:
    """Names the base version of the file already declares (changed, not added, code)."""
    if base is None or base.root is None:
        return set()
    return {d.name for d in sym.declarations(base.root)}
