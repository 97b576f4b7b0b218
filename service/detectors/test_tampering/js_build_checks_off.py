"""Lint or type errors switched off for the production build.

## What it does
Flags a build configuration the change edits (`next.config.*`) that now sets
`eslint.ignoreDuringBuilds: true` or `typescript.ignoreBuildErrors: true`: the build succeeds
whatever the linter and the type checker find.

## Why is this bad?
The quickest way to get a failing build green is to stop the build from checking. Every lint
and type error, the ones this change introduces included, ships silently from then on.

## Example
```js
const nextConfig = {
  eslint: { ignoreDuringBuilds: true },
};
```

## Use instead
Fix the lint and type errors; if a rule is wrong for the project, turn that rule off in the
linter configuration, where it is visible and scoped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from ...detector import ChangeContext, Detector, FileContext, Rule
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import line_of, walk

RULE = Rule(
    id="js.test-tampering.build-checks-disabled",
    category="test-tampering",
    languages=("javascript", "typescript"),
    severity=Severity.WARNING,
    summary="Lint or type errors no longer fail the build (ignoreDuringBuilds / ignoreBuildErrors)",
)

BUILD_CONFIG = re.compile(r"(^|/)next\.config\.[cm]?[jt]s$")
SWITCHES = {"ignoreDuringBuilds": "eslint", "ignoreBuildErrors": "typescript"}


def _switches(ctx: FileContext) -> Iterator[tuple[str, int]]:
    """(setting, line) of every `ignoreDuringBuilds: true` / `ignoreBuildErrors: true` pair."""
    head = ctx.head
    if head is None or head.root is None:
        return
    for node in walk(head.root):
        if node.type != "pair":
            continue
        key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
        name = sym.text(key).strip("\"'")
        if name in SWITCHES and value is not None and value.type == "true":
            yield name, line_of(node)


class BuildChecksDisabled(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_change(self, ctx: ChangeContext) -> Iterator[Finding]:
        for file in ctx.files:
            if not BUILD_CONFIG.search(file.path):
                continue
            for name, line in _switches(file):
                if line in file.diff.added:
                    yield file.finding(
                        RULE, line,
                        f"`{SWITCHES[name]}.{name}: true` lets the build pass whatever "
                        f"{'the linter' if name == 'ignoreDuringBuilds' else 'the type checker'} "
                        f"finds; this change's errors included. Fix the errors instead.",
                    )
