"""Inline suppressions: `# slopguard: ignore[rule-or-category, ...]` (or `//`), on the line or
the line above. A bare `slopguard: ignore` silences every rule on that line."""

from __future__ import annotations

import re

from .models import Finding
from .parsing import SourceFile

_MARK = re.compile(r"(?:#|//|/\*|--)\s*slopguard:\s*ignore(?:\[([^\]]*)\])?")


def suppressed(finding: Finding, source: SourceFile | None) -> bool:
    if source is None:
        return False
    for line in (finding.line, finding.line - 1):
        match = _MARK.search(source.line_text(line))
        if not match:
            continue
        if match.group(1) is None:
            return True
        names = {n.strip() for n in match.group(1).split(",") if n.strip()}
        if finding.rule in names or finding.category in names or "all" in names:
            return True
        if any(finding.rule.startswith(n + ".") for n in names):
            return True
    return False
