"""A URL or host that the change switches to the developer's own machine.

## What it does
Flags an added line of source code that is a removed line of the same hunk with only a string
literal changed, where the new literal points at a loopback host (`localhost`, `127.0.0.1`,
`0.0.0.0`, `[::1]`) and the old one did not: `new HttpClient('/')` becoming
`new HttpClient('http://localhost:5300')`. Test files, examples, `.env*` files, docker-compose
files and documentation are left alone; so are lines the change adds without replacing anything.

## Why is this bad?
A local-debugging toggle committed by accident: every deployed client now talks to a machine
that does not exist, and nothing in the PR description tells the reviewer to look.

## Example
```ts
-export const httpClient = new HttpClient('/');
+export const httpClient = new HttpClient('http://localhost:5300');
```

## Use instead
Read the address from configuration (an environment variable with the production default) and
keep local overrides out of the commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.js.testing import is_test_path as is_js_test
from ...lang.python.testing import is_test_path as is_py_test
from ...models import Finding, Severity


def _rule(lang: str, languages: tuple[str, ...]) -> Rule:
    return Rule(id=f"{lang}.orthogonal-edit.loopback-url", category="orthogonal-edit", languages=languages,
                severity=Severity.WARNING, confidence="medium",
                summary="A URL or host switched to localhost, a committed local-debugging setting")


PYTHON = _rule("python", ("python",))
JS = _rule("js", ("javascript", "typescript", "tsx"))
STRING = re.compile(r"""(["'`])((?:\\.|(?!\1).)*)\1""")
LOOPBACK = re.compile(r"(^|[/@\s])(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\])(:\d+)?([/\s]|$)", re.IGNORECASE)
COMMENT = re.compile(r"^\s*(#|//|/\*|\*)")
LEFT_ALONE = re.compile(r"(^|/)(examples?|docs?|samples?|scripts?|e2e|fixtures?)/|(^|/)\.env|docker-compose|"
                        r"(^|/)(vite|vitest|jest|playwright|cypress|webpack|next|nuxt|astro)\.config\.|\.md$")


def _shape(line: str) -> tuple[str, list[str]]:
    """The line with its string literals blanked, and the literals."""
    literals = [m.group(2) for m in STRING.finditer(line)]
    return STRING.sub('""', line).strip(), literals


def _rule_for(path: str) -> Rule | None:
    suffix = PurePosixPath(path).suffix
    if suffix == ".py":
        return None if is_py_test(path) else PYTHON
    if suffix in (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs"):
        return None if is_js_test(path) else JS
    return None


class LoopbackUrl(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON, JS)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        for file in ctx.files:
            rule = _rule_for(file.path)
            if rule is not None and file.diff.status == "modified" and not LEFT_ALONE.search(file.path):
                yield from _switched(file, rule)


def _switched(ctx: FileContext, rule: Rule) -> Iterator[Finding]:
    for hunk in ctx.diff.hunks:
        before = [_shape(line) for line in hunk.removed if not COMMENT.match(line)]
        for offset, line in enumerate(hunk.added):
            if COMMENT.match(line):
                continue
            shape, literals = _shape(line)
            new = [lit for lit in literals if LOOPBACK.search(lit)]
            if not new:
                continue
            for old_shape, old_literals in before:
                if old_shape != shape or len(old_literals) != len(literals):
                    continue
                old = [o for o, n in zip(old_literals, literals, strict=True) if o != n and LOOPBACK.search(n)]
                if old and not any(LOOPBACK.search(o) for o in old):
                    yield ctx.finding(
                        rule, hunk.new_start + offset,
                        f"'{old[0]}' becomes '{new[0]}' here: the code now points at the developer's "
                        f"own machine. If this is a local-debugging setting, keep it out of the commit; "
                        f"otherwise read the address from configuration.",
                    )
                    break
