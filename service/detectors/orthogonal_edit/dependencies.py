"""Dependency version bumps in package.json that the rest of the change does not need.

A package whose version range changes in `dependencies`, `devDependencies`, `peerDependencies` or
`optionalDependencies` (present on both sides) is linked to the change when an added or removed
line of a changed source file names it (an import, a require, a config entry) or the description
names it. Unlinked bumps of one manifest are one finding, when the change also changes source
code (a change that only bumps dependencies is what it says it is).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import PurePosixPath

from ...analysis.intent import Intent
from ...detector import FileContext
from ...models import Finding, Severity
from .languages import SPECS
from .rules import RULES_OF_FAMILY

SECTIONS = ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies")
MANIFEST = "package.json"
MAX_SHOWN = 3


def _ranges(ctx: FileContext, side: str) -> dict[str, str] | None:
    src = ctx.repo.source("RIGHT" if side == "head" else "LEFT",
                          ctx.path if side == "head" else (ctx.diff.old_path or ctx.path))
    if src is None:
        return None
    try:
        data = json.loads(src.text)
    except ValueError:
        return None  # not JSON (a template, a merge conflict): nothing to compare
    if not isinstance(data, dict):
        return None
    out: dict[str, str] = {}
    for section in SECTIONS:
        deps = data.get(section)
        if isinstance(deps, dict):
            out |= {k: v for k, v in deps.items() if isinstance(v, str)}
    return out


def dependency_findings(files: tuple[FileContext, ...], intent: Intent) -> Iterator[Finding]:
    code = [f for f in files if f.language in SPECS]
    if not code:
        return
    code_lines = [line for f in code for h in f.diff.hunks for line in (*h.added, *h.removed)]
    text = "\n".join(code_lines)
    for f in files:
        if PurePosixPath(f.path).name != MANIFEST or f.diff.status != "modified":
            continue
        before, after = _ranges(f, "base"), _ranges(f, "head")
        if before is None or after is None:
            continue
        bumped = sorted(k for k in after if k in before and after[k] != before[k])
        lone = [k for k in bumped if not _named(k, text, intent)]
        if lone:
            # the description's words cover every name (`@ai-sdk/react` in "update the AI SDK"):
            # still reported, at low confidence
            worded = all(intent.mentions(_scope(k)) for k in lone)
            yield _finding(f, lone, before, after, worded)


def _named(package: str, code_text: str, intent: Intent) -> bool:
    """The package is named on a changed source line (`from 'pkg'`, `require("pkg/sub")`) or in
    the description (its full name, or its last segment for a scoped `@types/node`)."""
    if f"'{package}" in code_text or f'"{package}' in code_text or f"`{package}" in code_text:
        return True
    short = package.rsplit("/", 1)[-1]
    return package.lower() in intent.text.lower() or short.lower() in intent.tokens


def _scope(package: str) -> str:
    """The scope of a scoped package (`@ai-sdk/react` -> `ai-sdk`), else the package name."""
    return package[1:].split("/", 1)[0] if package.startswith("@") and "/" in package else package


def _finding(f: FileContext, lone: list[str], before: dict[str, str], after: dict[str, str],
             worded: bool) -> Finding:
    lines = [n for h in f.diff.hunks for n, text in zip(h.added_lines, h.added, strict=True)
             if any(f'"{k}"' in text for k in lone)]
    shown = ", ".join(f"{k} {before[k]} -> {after[k]}" for k in lone[:MAX_SHOWN])
    more = f" and {len(lone) - MAX_SHOWN} more" if len(lone) > MAX_SHOWN else ""
    rule = RULES_OF_FAMILY["js"]["dependency"]
    return f.finding(
        rule, lines[0] if lines else 1,
        f"{f.path} bumps {shown}{more}; no changed source line of this PR imports "
        f"{'it' if len(lone) == 1 else 'them'} and the description does not name "
        f"{'it' if len(lone) == 1 else 'them'}{' (only its words)' if worded else ''}. Move the "
        f"upgrade to its own PR or say why this change needs it.",
        end=lines[-1] if lines else None, severity=Severity.NOTICE, confidence="low" if worded else None,
    )
