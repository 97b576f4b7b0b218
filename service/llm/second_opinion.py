"""The LLM as a second opinion on uncertain static findings.

With the LLM pass on, every static finding of low or medium confidence is shown to the model in
the same request as its file, marked with a review id (`[R:<fingerprint prefix>]`); the model
answers keep or drop with a reason in the `reviews` list of its tool call. A finding it drops is
taken out of the findings and listed in the JSON report's `dropped` list with the reason; it is
never posted. Findings of high confidence, findings without a review, and reviews without a
reason or naming no shown finding are left as they are: the second opinion can only remove
findings the request showed it, and only with a stated reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..models import Dropped, Finding

REVIEWED = frozenset({"low", "medium"})
VERDICTS = ("keep", "drop")
REASON_CAP = 500

SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "one verdict per static finding marked with a review id [R:...]",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "the review id exactly as shown, e.g. R:1a2b3c4d"},
            "verdict": {"type": "string", "enum": list(VERDICTS)},
            "reason": {"type": "string", "description": "one sentence: why it is real, or why it is not"},
        },
        "required": ["id", "verdict", "reason"],
    },
}
INSTRUCTION = (
    "Static findings marked with a review id [R:...] come from rules that are not sure. For each "
    "of them, say in `reviews` whether a careful reviewer should see it (keep) or whether the code "
    "shown proves it wrong or not worth a comment (drop), with a one-sentence reason."
)


def review_id(finding: Finding) -> str:
    return f"R:{finding.fingerprint[:8]}"


def needs_review(finding: Finding) -> bool:
    return finding.confidence in REVIEWED and finding.source != "llm" and bool(finding.fingerprint)


def label(finding: Finding) -> str:
    """The prefix a static finding gets in a request: its review id when it needs a verdict."""
    return f"[{review_id(finding)}] (confidence {finding.confidence}) " if needs_review(finding) else ""


def verdicts(tool_input: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """review id -> (verdict, reason) of one answer's well-formed reviews."""
    items = tool_input.get("reviews")
    out: dict[str, tuple[str, str]] = {}
    if not isinstance(items, list):
        return out
    for item in items:
        if not isinstance(item, dict):
            continue
        verdict = str(item.get("verdict", "")).strip().lower()
        reason = str(item.get("reason", "") or "").strip()
        rid = str(item.get("id", "")).strip().strip("[]")
        if verdict in VERDICTS and reason and rid:
            out[rid] = (verdict, reason[:REASON_CAP])
    return out


def dropped(static: Sequence[Finding], shown: Iterable[str], answers: dict[str, tuple[str, str]]) -> list[Dropped]:
    """The static findings the model dropped: only findings needing review whose file a request
    showed (`shown` paths), with a reason."""
    paths = set(shown)
    out = []
    for finding in static:
        if not needs_review(finding) or finding.path not in paths:
            continue
        verdict = answers.get(review_id(finding))
        if verdict is not None and verdict[0] == "drop":
            out.append(Dropped(finding=finding, reason=verdict[1]))
    return out
