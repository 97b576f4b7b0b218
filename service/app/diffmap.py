"""Which lines of a pull request GitHub accepts review comments on.

Two sources: the engine's own zero-context diff (the lines the change touches, a subset of what
GitHub accepts), and GitHub's `patch` text from `GET /pulls/{n}/files` (added, removed and context
lines), used to sort out comments after GitHub rejected a review with 422.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..models import FileDiff, Finding

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Lines:
    """Commentable lines of one file: RIGHT = head lines, LEFT = base lines."""

    right: frozenset[int] = frozenset()
    left: frozenset[int] = frozenset()

    def side(self, side: str) -> frozenset[int]:
        return self.right if side == "RIGHT" else self.left


DiffMap = Mapping[str, Lines]


def from_engine(files: Iterable[FileDiff]) -> dict[str, Lines]:
    out: dict[str, Lines] = {}
    for diff in files:
        if diff.binary:
            continue
        out[diff.path] = Lines(right=diff.added, left=diff.removed if diff.old_path == diff.path else frozenset())
        if diff.old_path and diff.old_path != diff.path:
            out.setdefault(diff.old_path, Lines(left=diff.removed))
    return out


def from_patches(files: Iterable[Mapping[str, object]]) -> dict[str, Lines]:
    """Parse `GET /repos/{o}/{r}/pulls/{n}/files` entries (`filename`, `patch`)."""
    out: dict[str, Lines] = {}
    for entry in files:
        patch = entry.get("patch")
        if not isinstance(patch, str):
            continue
        right: set[int] = set()
        left: set[int] = set()
        old = new = 0
        for text in patch.split("\n"):
            match = _HUNK.match(text)
            if match:
                old, new = int(match.group(1)), int(match.group(3))
                continue
            if text.startswith("+"):
                right.add(new)
                new += 1
            elif text.startswith("-"):
                left.add(old)
                old += 1
            elif text.startswith(" "):
                right.add(new)
                left.add(old)
                new += 1
                old += 1
        out[str(entry.get("filename"))] = Lines(frozenset(right), frozenset(left))
    return out


def placement(finding: Finding, diffmap: DiffMap) -> tuple[int, int] | None:
    """(start_line, line) for an inline comment, or None when GitHub would not take one there."""
    lines = diffmap.get(finding.path)
    if lines is None:
        return None
    allowed = lines.side(finding.side)
    first, last = finding.line, finding.last_line
    if all(n in allowed for n in range(first, last + 1)):
        return first, last
    if first in allowed:
        return first, first
    if last in allowed:
        return last, last
    return None
