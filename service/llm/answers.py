"""From the model's answers to findings: validate each entry, anchor it to a changed line, merge
it into a static finding only when both describe the same issue, rank by consequence, keep the
first `max_findings`.

Severity mapping: critical and high become warnings (posted inline by the App), medium and low
notices. The model's stated confidence becomes the finding's confidence (medium when unstated).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..detector import FileContext, Rule
from ..models import Confidence, Finding, Severity
from .prompt import CONFIDENCES, KINDS, SEVERITIES, STATIC_CATEGORIES

RULE = Rule(
    id="llm.silent-assumption.assumption",
    category="silent-assumption",
    languages=("python", "javascript", "typescript", "tsx", "go", "java"),
    severity=Severity.NOTICE,
    summary="A defect, an assumption the change makes without saying so, or a description/code mismatch (LLM)",
    confidence="medium",
)
SEVERITY_MAP = {"critical": Severity.WARNING, "high": Severity.WARNING, "medium": Severity.NOTICE,
                "low": Severity.NOTICE}
_LABEL = {"defect": "Defect", "assumption": "Assumption", "inconsistency": "Description and code disagree"}
_MESSAGE_CAP = 1500


@dataclass(frozen=True)
class Entry:
    """One validated item of an answer."""

    path: str
    line: int
    end_line: int
    kind: str
    severity: str
    confidence: Confidence
    category: str  # a static category, or "other"
    text: str
    order: int  # position in the answers, for stable ranking


def _pick(value: Any, allowed: Sequence[str], default: str) -> str:
    text = str(value).strip().lower() if value is not None else ""
    return text if text in allowed else default


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _sentence(value: Any) -> str:
    text = str(value).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def entries(tool_input: dict[str, Any], start: int = 0) -> list[Entry]:
    """The well-formed items of one answer (items without a description are skipped)."""
    items = tool_input.get("assumptions")
    if not isinstance(items, list):
        return []
    out = []
    for n, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("assumption"), str) or not item["assumption"].strip():
            continue
        kind = _pick(item.get("kind"), KINDS, "assumption")
        text = _sentence(item["assumption"])
        if item.get("why_it_matters"):
            text += f" Why it matters: {_sentence(item['why_it_matters'])}"
        if item.get("question"):
            text += f" Question: {str(item['question']).strip()}"
        line = _int(item.get("line"))
        out.append(Entry(
            path=str(item.get("path", "")).strip().removeprefix("./").removeprefix("b/"),
            line=line, end_line=max(line, _int(item.get("end_line"))), kind=kind,
            severity=_pick(item.get("severity"), SEVERITIES, "medium"),
            confidence=_pick(item.get("confidence"), CONFIDENCES, "medium"),  # type: ignore[arg-type]
            category=_pick(item.get("category"), STATIC_CATEGORIES, "other"),
            text=text, order=start + n))
    return out


def same_issue(entry: Entry, line: int, static: Finding) -> bool:
    """A model finding and a static one describe the same issue: same file, same failure-mode
    category, overlapping lines."""
    last = max(line, entry.end_line if entry.line == line else line)
    return (static.path == entry.path and static.side == "RIGHT" and static.category == entry.category
            and static.line <= last and line <= static.last_line)


def rank_key(entry: Entry) -> tuple[int, int, int]:
    return (SEVERITIES.index(entry.severity), CONFIDENCES.index(entry.confidence), entry.order)


def to_findings(items: Sequence[Entry], files: Sequence[FileContext], static: Sequence[Finding],
                limit: int) -> list[Finding]:
    """Findings on changed lines, most consequential first, at most `limit`: re-anchored to the
    nearest added line of their file, dropped when their file has no added line, merged into a
    static finding of the same issue; one per line."""
    by_path = {f.path: f for f in files if f.diff.added}
    out: list[Finding] = []
    taken: set[tuple[str, int]] = set()
    for entry in sorted(items, key=rank_key):
        ctx = by_path.get(entry.path)
        if ctx is None:
            continue
        added = sorted(ctx.diff.added)
        line = entry.line if entry.line in ctx.diff.added else min(added, key=lambda n: (abs(n - entry.line), n))
        if (entry.path, line) in taken or any(same_issue(entry, line, s) for s in static):
            continue
        taken.add((entry.path, line))
        message = f"{_LABEL[entry.kind]} ({entry.severity}): {entry.text}"[:_MESSAGE_CAP]
        finding = ctx.finding(RULE, line, message, severity=SEVERITY_MAP[entry.severity],
                              confidence=entry.confidence)
        out.append(replace(finding, source="llm"))
        if len(out) >= limit:
            break
    return out
