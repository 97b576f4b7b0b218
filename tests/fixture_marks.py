"""The markers of fixture lines, shared by the fixture and rule-unit tests.

A marker ends a line, after `#` or `//`: `ruleid: RULE[, RULE...]` (the rules must fire on this
line), `ok: RULE[, ...]` (a near miss: they must not; nor may any rule the line does not name) or,
in base files, `ruleid-removed: RULE` (a finding on this removed line). One line may carry several
groups separated by `;`, e.g. `# ok: python.bloat.config-hierarchy; ruleid: python.bloat.single-implementation`:
a near miss of one rule that is rightly a finding of another.
"""

from __future__ import annotations

import re

_GROUP = r"(?:ruleid|ok|ruleid-removed):\s*[\w.,\- ]+?"
MARKER = re.compile(rf"\s*(?:#|//)\s*({_GROUP}(?:\s*;\s*{_GROUP})*)\s*$")


def marks(line: str) -> tuple[int, list[tuple[str, str]]] | None:
    """Where the marker of `line` starts and its (kind, rule) pairs; None without a marker."""
    m = MARKER.search(line)
    if m is None:
        return None
    out = []
    for group in m.group(1).split(";"):
        kind, rules = group.split(":", 1)
        out += [(kind.strip(), rule.strip()) for rule in rules.split(",")]
    return m.start(), out
