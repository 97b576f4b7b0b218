"""Stable finding fingerprints: rule + path + normalised code, never the line number."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from .models import Finding

_SPACE = re.compile(r"\s+")


def normalise(code: str) -> str:
    return _SPACE.sub(" ", code).strip()


def assign(findings: Iterable[Finding]) -> list[Finding]:
    """Give each finding a fingerprint; identical code twice in a file gets #1, #2, ..."""
    seen: Counter[str] = Counter()
    out = []
    ordered = sorted(findings, key=lambda f: (f.path, f.side, f.line, f.rule))
    for finding in ordered:
        key = "\0".join((finding.rule, finding.path, finding.side, normalise(finding.code)))
        seen[key] += 1
        digest = hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest()[:20]
        out.append(replace(finding, fingerprint=digest))
    return out
