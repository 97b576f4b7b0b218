"""Messages a reviewer reads: a few sentences and a few quoted lines.

Every finding passes through `shorten` in the engine's finish step, whatever produced it
(detectors, semgrep rules, the LLM pass): long inline code is clipped, at most `MAX_LINES` lines
are kept and the text is cut at a sentence end within `MAX_CHARS`. When anything is cut, the
full original message goes to `Finding.evidence` (shown in the JSON report only), ahead of any
evidence the finding already carried.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .models import Finding

MAX_CHARS = 480
MAX_LINES = 4
MAX_CODE = 80  # characters of one inline code span
MORE = " (full detail in the JSON report's evidence)"
# Spans pair backticks left to right (as markdown does), so prose between two short spans is never
# taken for code; only spans longer than MAX_CODE are clipped.
_CODE_SPAN = re.compile(r"`([^`\n]*)`")
_SENTENCE_END = re.compile(r"[.;:!?](?=\s)")


def _clip_code(match: re.Match[str]) -> str:
    if len(match.group(1)) <= MAX_CODE:
        return match.group(0)
    code = " ".join(match.group(1).split())
    return f"`{code[: MAX_CODE - 3]}...`" if len(code) > MAX_CODE else f"`{code}`"


def short_message(message: str, max_chars: int = MAX_CHARS) -> str:
    """The message within the caps (unchanged when it already fits); `max_chars` below MAX_CHARS
    leaves room for text a later stage puts in front of it."""
    text = _CODE_SPAN.sub(_clip_code, message)
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        text = "\n".join(lines[:MAX_LINES]).rstrip() + "\n..."
    if len(text) <= max_chars:
        return text
    room = max_chars - len(MORE)
    cut = max((m.end() for m in _SENTENCE_END.finditer(text, 0, room)), default=0)
    if cut < room // 2:  # no sentence end early enough: cut at a word
        cut = text.rfind(" ", 0, room - 3)
        cut = cut if cut > 0 else room - 3
        return text[:cut].rstrip() + "..." + MORE
    return text[:cut].rstrip() + MORE


def shorten(finding: Finding) -> Finding:
    message = short_message(finding.message)
    if message == finding.message:
        return finding
    evidence = finding.message if not finding.evidence else f"{finding.message}\n\n{finding.evidence}"
    return replace(finding, message=message, evidence=evidence)
