"""What the model sees of one changed file: a block at each level of detail (regions.py), with
head line numbers, added lines marked `+`, removed lines shown where they were, and the static
findings already made there. Secrets are redacted and the framing tags neutralised here, so
every level is safe to send."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..detector import FileContext
from ..models import FileDiff, Finding
from .pricing import estimate_tokens
from .redact import redact
from .regions import LEVELS, Level, select, spans
from .second_opinion import label

_TAG = re.compile(r"</?\s*(untrusted_[a-z_]*)", re.I)
_REMOVED_CAP = 60
_PLAIN = {"full": "changed lines with 3 lines of context", "outline": "changed lines with 2 lines of context",
          "hunks": "changed lines with 1 line of context"}
_SHOWN = {
    "full": "the changed functions, whole when short",
    "outline": "signatures, guards and the definitions the changed lines use; other lines omitted",
    "hunks": "changed lines only",
}
LOCKFILES = {"pnpm-lock.yaml", "package-lock.json", "yarn.lock", "poetry.lock", "uv.lock", "Pipfile.lock",
             "Cargo.lock", "go.sum", "composer.lock", "Gemfile.lock", "bun.lockb", "npm-shrinkwrap.json"}
_TEST_PARTS = ("test", "tests", "spec", "__tests__", "testing")
_PROSE = (".md", ".mdx", ".rst", ".txt", ".lock", ".json", ".svg", ".csv", ".snap")


def neutralise(text: str) -> str:
    """Untrusted text cannot close or open our data framing tags."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "&lt;"), text)


def clean(text: str) -> tuple[str, int]:
    """Neutralised and redacted text, and how many secrets were replaced."""
    return redact(neutralise(text))


@dataclass
class FileView:
    """One changed file, ready at every level of detail."""

    path: str
    diff: FileDiff
    risk: float
    texts: dict[str, str] = field(default_factory=dict)  # by level, and "cut"
    tokens: dict[str, int] = field(default_factory=dict)
    changed: set[int] = field(default_factory=set)  # head lines added or next to a removal
    shown: dict[str, set[int]] = field(default_factory=dict)  # head lines each level shows
    redactions: int = 0


def _removed_at(diff: FileDiff) -> dict[int, list[str]]:
    """Removed lines keyed by the head line they are shown before."""
    out: dict[int, list[str]] = {}
    left = _REMOVED_CAP
    for hunk in diff.hunks:
        if not hunk.removed or left <= 0:
            continue
        at = hunk.new_start if hunk.new_count else hunk.new_start + 1
        out.setdefault(at, []).extend(hunk.removed[:left])
        left -= len(hunk.removed[:left])
    return out


def is_test(path: str) -> bool:
    parts = path.lower().replace("\\", "/").split("/")
    stem = parts[-1].split(".")[0]
    return any(p in _TEST_PARTS for p in parts[:-1]) or stem.startswith("test_") or stem.endswith(
        ("_test", ".test", ".spec")) or ".test." in parts[-1] or ".spec." in parts[-1]


def risk(ctx: FileContext, findings: Sequence[Finding]) -> float:
    """How much a reviewer would want to read this file first. Tiers: source code, then other
    files (configuration, build), then tests, then prose and data; within a tier, static findings
    (by severity) and the size of the change."""
    mine = [f for f in findings if f.path == ctx.path]
    score = sum(2.0 * f.severity.rank for f in mine)
    score += 2.0 * math.log2(1 + len(ctx.diff.added)) + math.log2(1 + ctx.diff.removed_count)
    if ctx.path.lower().endswith(_PROSE):
        tier = 3
    elif is_test(ctx.path):
        tier = 2
    else:
        tier = 0 if ctx.head is not None and ctx.head.root is not None else 1
    return score - 1000.0 * tier


def _render(ctx: FileContext, lines: set[int], level: Level, findings: Sequence[Finding]) -> str:
    src = ctx.head
    assert src is not None
    added = ctx.diff.added
    removed = _removed_at(ctx.diff)
    shown = _SHOWN[level] if src.root is not None else _PLAIN[level]
    out = [f'<file path="{ctx.path}" status="{ctx.diff.status}" shown="{shown}">']
    for start, end in spans(lines | {n for n in removed if n <= len(src.lines)}):
        if start > 1:
            out.append("  ...")
        for n in range(start, end + 1):
            out += [f"      - {t}" for t in removed.get(n, ())]
            out.append(f"{n:>5}{'+' if n in added else ' '} {src.line_text(n)}")
    tail = [t for n, ts in removed.items() if n > len(src.lines) for t in ts]
    out += [f"      - {t}" for t in tail]
    mine = [f for f in findings if f.path == ctx.path]
    if mine:
        out.append("  static findings already reported (do not repeat them):")
        out += [f"    line {f.line}: {label(f)}[{f.category}] {f.message}" for f in mine]
    out.append("</file>")
    return "\n".join(out)


def file_view(ctx: FileContext, findings: Sequence[Finding]) -> FileView | None:
    """The file at every level, or None when there is no head text to show (a deletion, a binary
    or oversized file, a generated lockfile): such files are named in the request instead."""
    src = ctx.head
    if src is None or not ctx.diff.hunks or ctx.path.rsplit("/", 1)[-1] in LOCKFILES:
        return None
    changed = set(ctx.diff.added) | {min(max(1, n), max(1, len(src.lines))) for n in _removed_at(ctx.diff)}
    view = FileView(ctx.path, ctx.diff, risk(ctx, findings), changed=changed)
    ordered = sorted(changed)
    for level in LEVELS:
        view.shown[level] = select(src, ordered, level)
        text, hits = clean(_render(ctx, view.shown[level], level, findings))
        view.texts[level], view.tokens[level] = text, estimate_tokens(text)
        view.redactions = max(view.redactions, hits)
    return view


def truncated(view: FileView, tokens: int) -> str | None:
    """The `hunks` block cut to about `tokens`, closed properly; None when not even its header fits."""
    text = view.texts["hunks"]
    keep: list[str] = []
    size = 0
    lines = text.splitlines()
    for line in lines[:-1]:
        cost = estimate_tokens(line + "\n")
        if size + cost > tokens - 40:
            break
        keep.append(line)
        size += cost
    if len(keep) < 2:
        return None
    keep += [f"  ... (cut here: {len(lines) - 1 - len(keep)} more lines not shown)", "</file>"]
    return "\n".join(keep)
