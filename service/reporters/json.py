"""The JSON report: the contract in docs/design.md, nothing more, nothing less."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..models import Finding, ScanResult


def finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "category": f.category,
        "severity": f.severity.value,
        "path": f.path,
        "line": f.line,
        "end_line": f.last_line,
        "side": f.side,
        "message": f.message,
        "fingerprint": f.fingerprint,
        "source": f.source,
        "confidence": f.confidence,
        **({"evidence": f.evidence} if f.evidence else {}),
        **({"fix": {"description": f.fix.description, "start_line": f.fix.start_line, "end_line": f.fix.end_line,
                    "replacement": list(f.fix.replacement)}} if f.fix else {}),
    }


def as_dict(result: ScanResult) -> dict[str, Any]:
    return {
        "tool": {"name": "slopguard", "version": __version__},
        "base": result.base,
        "head": result.head,
        "stats": {
            "files": result.stats.files,
            "added_lines": result.stats.added_lines,
            "removed_lines": result.stats.removed_lines,
            "duration_s": result.stats.duration_s,
        },
        "risk": {"score": result.risk.score, "level": result.risk.level},
        "llm": {
            "model": result.llm.model,
            "input_tokens": result.llm.input_tokens,
            "output_tokens": result.llm.output_tokens,
            "cost_usd": result.llm.cost_usd,
            "status": result.llm.status,
        },
        "findings": [finding_dict(f) for f in result.findings],
        "notices": [{"message": n.message, "path": n.path} for n in result.notices],
    }


def render(result: ScanResult) -> str:
    return json.dumps(as_dict(result), indent=2) + "\n"
