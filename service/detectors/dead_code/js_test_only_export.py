"""An export the change adds that only tests use.

## What it does
Flags an exported function or class the change adds when every mention of its name outside its
own declaration is in test files: no production module imports or calls it, no re-export lists
it, and no documentation or configuration names it. Left alone: files a package or framework
loads as an entry point, files re-exported with `export * from`, and test files themselves.
This is the test-only case that `js.dead-code.unused-export` (which counts tests as users)
leaves out.

## Why is this bad?
A helper with tests but no caller is dead code with a safety net: the tests keep it compiling
and green while the production path does the job another way (often with a second, untested
copy of the same logic).

## Example
```ts
export function generateReferralCode() { ... }   // only referral.test.ts calls it
export async function getOrCreateReferralCode(user) {
  return generateRandomString(8);                 // production code does it differently
}
```

## Use instead
Call the helper from the production path it was written for, or delete it and its tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from ...detector import Detector, FileContext, Rule
from ...lang.js import repo_index
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import SourceFile
from ...ruledata import data_lists

RULE = Rule(
    id="js.dead-code.test-only-export",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="An export the change adds that only test files use",
    confidence="medium",
)

STAR = re.compile(rb"""export\s*\*\s*(?:as\s+[\w$]+\s*)?from\s*['"]([^'"\n]+)['"]""")
# A STAR match in the text without comments is, in the file itself, `export` and then blanks or a
# comment (which starts with `/`) before the `*`: a file without this holds no match (no parse).
MAY_STAR = re.compile(rb"export\s*[*/]")
_STARS = "js.star-exports"


def _stars(src: SourceFile) -> list[bytes]:
    """The specifiers of a file's `export * from` statements (comments left out)."""
    if MAY_STAR.search(src.data or src.text.encode("utf-8", "surrogatepass")) is None:
        return []
    return [m.group(1) for m in STAR.finditer(sym.masked_bytes(src))]


def _star_exported(index: repo_index.SideIndex, path: str) -> bool:
    """Some file re-exports all of `path` (`export * from`); each file's specifiers are kept by
    blob id, so a later scan reads none of them."""
    repo, side, importers = index.repo, index.side, index.readable_paths()
    known = repo.cached_paths(side, importers, _STARS)
    repo.prefetch(side, [p for p in importers if p not in known])
    for importer in importers:
        for spec in repo.derived(side, importer, _STARS, _stars) or ():
            if index.resolve(importer, spec.decode("utf-8", "replace")) == path:
                return True
    return False


class TestOnlyExport(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or not sym.is_js_path(ctx.path):
            return
        if sym.is_test_path(ctx.path) or sym.is_convention_file(ctx.path):
            return
        index = repo_index.side_index(ctx.repo, "RIGHT")
        if ctx.path in index.entries:
            return
        existing = {d.name for d in sym.declarations(ctx.base.root)} if ctx.base and ctx.base.root else set()
        spans = sym.export_list_spans(head.root)
        star: bool | None = None
        conventions = data_lists("dead-code", ctx.repo).get("js_convention_exports")
        for decl in sym.declarations(head.root):
            if not decl.exported or decl.default or decl.line not in ctx.diff.added or decl.name in existing:
                continue
            if decl.kind not in ("function", "class", "const") or decl.name in conventions:
                continue
            outside = repo_index.external_mentions(index, ctx.path, decl, spans)
            in_tests = sum(index.count_file(p, decl.name) for p in index.files_mentioning(decl.name)
                           if p != ctx.path and sym.is_test_path(p))
            if in_tests == 0 or outside != in_tests:
                continue  # unused (another rule's case) or used by production code or docs
            if star is None:
                star = _star_exported(index, ctx.path)
            if star:
                return
            yield ctx.finding(
                RULE, decl.line,
                f"`{decl.name}` is exported, but only test files use it ({in_tests} mention(s)); no "
                f"production code calls it. Call it where it was meant to be used, or delete it "
                f"and its tests.",
            )
