"""Keep only the findings a change is responsible for. Pure: no I/O, separately tested.

A finding survives when one of its lines is a line the change touches: an added line of the
head (side RIGHT) or a removed line of the base (side LEFT). A finding anchored to a definition
(code the change leaves dead) survives wherever it is, as long as its file exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .models import FileDiff, Finding


def touches(finding: Finding, diff: FileDiff) -> bool:
    lines = range(finding.line, finding.last_line + 1)
    changed = diff.added if finding.side == "RIGHT" else diff.removed
    return any(n in changed for n in lines)


def filter_to_diff(findings: Iterable[Finding], diffs: Mapping[str, FileDiff],
                   head_paths: frozenset[str] = frozenset()) -> list[Finding]:
    """The findings on changed lines; `diffs` is keyed by head path (base path when deleted)."""
    kept = []
    by_old = {d.old_path: d for d in diffs.values() if d.old_path}
    for finding in findings:
        if finding.anchor == "definition":
            if finding.path in diffs or finding.path in head_paths:
                kept.append(finding)
            continue
        diff = diffs.get(finding.path)
        if diff is None and finding.side == "LEFT":
            diff = by_old.get(finding.path)
        if diff is not None and touches(finding, diff):
            kept.append(finding)
    return kept
