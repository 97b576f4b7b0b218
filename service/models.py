"""The data that travels between stages: diff model, findings, scan results.

Every stage (git -> diff -> engine -> filter -> reporter) takes and returns these frozen
dataclasses; nothing else crosses a stage boundary.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

CATEGORIES: tuple[str, ...] = (
    "null-check",
    "error-handling",
    "excessive-io",
    "insecure-auth",
    "dead-code",
    "bloat",
    "orthogonal-edit",
    "test-tampering",
    "silent-assumption",
)

Side = Literal["RIGHT", "LEFT"]
Anchor = Literal["line", "definition"]
# How sure the rule is that the finding is a real problem (DESIGN.md, the JSON report).
Confidence = Literal["high", "medium", "low"]
CONFIDENCE_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3}
ChangeStatus = Literal["added", "deleted", "modified", "renamed", "copied", "mode", "binary"]


class Severity(StrEnum):
    NOTICE = "notice"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"notice": 1, "warning": 2, "error": 3}[self.value]


@dataclass(frozen=True)
class Hunk:
    """One hunk of a unified diff with zero context lines."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()

    @property
    def added_lines(self) -> range:
        return range(self.new_start, self.new_start + self.new_count)

    @property
    def removed_lines(self) -> range:
        return range(self.old_start, self.old_start + self.old_count)


@dataclass(frozen=True)
class FileDiff:
    """How one file differs between base and head."""

    path: str  # head path (base path for a deletion)
    old_path: str | None  # base path; None for a new file
    status: ChangeStatus
    hunks: tuple[Hunk, ...] = ()
    binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None

    @functools.cached_property
    def added(self) -> frozenset[int]:
        return frozenset(n for h in self.hunks for n in h.added_lines)

    @functools.cached_property
    def removed(self) -> frozenset[int]:
        return frozenset(n for h in self.hunks for n in h.removed_lines)

    @property
    def added_count(self) -> int:
        return sum(h.new_count for h in self.hunks)

    @property
    def removed_count(self) -> int:
        return sum(h.old_count for h in self.hunks)

    @property
    def first_changed_line(self) -> int:
        for h in self.hunks:
            if h.new_count:
                return h.new_start
        return max(1, self.hunks[0].new_start) if self.hunks else 1


@dataclass(frozen=True)
class Fix:
    """A mechanical fix: lines `start_line`..`end_line` (1-based, of the finding's side) become
    `replacement` (no lines: they are deleted)."""

    description: str
    start_line: int
    end_line: int
    replacement: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One problem at one place. `line`/`end_line` are 1-based lines of the `side` version."""

    rule: str
    category: str
    severity: Severity
    path: str
    line: int
    message: str
    end_line: int = 0
    side: Side = "RIGHT"
    source: Literal["detector", "semgrep", "llm"] = "detector"
    fingerprint: str = ""
    anchor: Anchor = "line"
    code: str = ""  # the source lines the finding points at, for excerpts and fingerprints
    confidence: Confidence = "high"
    evidence: str = ""  # the full supporting detail when the message is kept short (JSON only)
    fix: Fix | None = None  # a mechanical fix, when the rule has one (service/fixes.py)
    # a grouped finding (service/grouping.py): the first and last lines of its other members
    also: tuple[tuple[int, int], ...] = ()

    @property
    def last_line(self) -> int:
        return max(self.line, self.end_line or self.line)

    def covers(self, line: int) -> bool:
        """Whether `line` is one of the finding's lines, or of a member's of a grouped finding."""
        return any(start <= line <= end for start, end in ((self.line, self.last_line), *self.also))


@dataclass(frozen=True)
class Dropped:
    """A low- or medium-confidence static finding the LLM second opinion judged a false positive:
    listed in the JSON report with the model's reason, never posted."""

    finding: Finding
    reason: str


@dataclass(frozen=True)
class Notice:
    """Something the user should know about the scan itself (a skipped file, a crashed rule).
    `unreviewed`: a changed file was not (fully) analysed; the check never passes silently then."""

    message: str
    path: str | None = None
    unreviewed: bool = False


@dataclass(frozen=True)
class LLMUsage:
    model: str = ""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    status: Literal["ran", "skipped", "failed", "over-budget"] = "skipped"


@dataclass(frozen=True)
class Stats:
    files: int = 0
    added_lines: int = 0
    removed_lines: int = 0
    duration_s: float = 0.0


@dataclass(frozen=True)
class Risk:
    score: int = 0
    level: Literal["low", "medium", "high"] = "low"


@dataclass(frozen=True)
class ScanResult:
    base: str
    head: str
    findings: tuple[Finding, ...]
    stats: Stats
    risk: Risk
    llm: LLMUsage = field(default_factory=LLMUsage)
    notices: tuple[Notice, ...] = ()
    files: tuple[FileDiff, ...] = ()
    dropped: tuple[Dropped, ...] = ()  # findings the LLM second opinion dropped, with its reasons
