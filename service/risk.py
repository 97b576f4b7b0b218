"""A 0-100 risk score for a change from its findings and its size."""

from __future__ import annotations

import math
from collections.abc import Iterable

from .models import Finding, Risk, Severity

_WEIGHT = {Severity.ERROR: 18.0, Severity.WARNING: 7.0, Severity.NOTICE: 2.0}
_CATEGORY = {"insecure-auth": 1.5, "test-tampering": 1.3, "null-check": 1.2, "error-handling": 1.1}


def score(findings: Iterable[Finding], added_lines: int) -> Risk:
    raw = sum(_WEIGHT[f.severity] * _CATEGORY.get(f.category, 1.0) for f in findings)
    # large changes are riskier to review, with diminishing returns
    raw += min(15.0, 3.0 * math.log10(1 + added_lines))
    value = round(100 * (1 - math.exp(-raw / 45.0)))
    level = "low" if value < 30 else "medium" if value < 60 else "high"
    return Risk(score=value, level=level)  # type: ignore[arg-type]


def explain() -> str:
    """How the score is made, in one line (the text report and the README say it)."""
    weights = ", ".join(f"{s.value} {w:g}" for s, w in _WEIGHT.items())
    factors = ", ".join(f"{c} x{f:g}" for c, f in _CATEGORY.items())
    return (f"risk = 100 x (1 - e^(-points/45)); points: per finding {weights} ({factors}), "
            f"plus 3 x log10(1 + added lines), at most 15, for its size; 30+ is medium, 60+ high")
