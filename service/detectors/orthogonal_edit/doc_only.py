"""Code changes hidden in a change that otherwise only edits documentation.

When nearly every unit the change touches only gains, loses or rewrites docstrings and comments
(the code tokens stay the same), the few units whose code changes stand apart from the rest: a
reviewer who sees a documentation pass does not read them as behaviour changes. Each is reported
at its first changed code line, whatever the description says (a docstring pass is no reason to
change a path computation).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...models import Finding, Side
from ...parsing import line_of
from .changes import Change
from .clusters import _is_test, resolves_conflict
from .rules import RULES_OF_FAMILY

MIN_DOC_UNITS = 4  # documentation edits before the change reads as a documentation pass
MAX_CODE_SHARE = 5  # at most one code-changing unit per this many documentation edits


def _code_keys(tokens_of: Change, head: bool) -> list[tuple[str, str]]:
    unit = tokens_of.head if head else tokens_of.base
    return [t.key for t in unit.tokens if not t.doc] if unit is not None else []


def doc_only(c: Change) -> bool:
    """The change adds, deletes or edits docstrings or comments and leaves the code tokens alone."""
    if c.base is None and c.head is not None:
        return c.head.kind in ("doc", "comment")
    if c.head is None and c.base is not None:
        return c.base.kind in ("doc", "comment")
    if c.base is None or c.head is None:
        return False
    if c.base.kind in ("doc", "comment") and c.head.kind == c.base.kind:
        return True
    if _code_keys(c, False) != _code_keys(c, True):
        return False
    return c.base.keys != c.head.keys or c.base.comments != c.head.comments


def _code_change(c: Change) -> bool:
    if c.kind in ("noop", "formatting", "rename-follow") or c.base is None or c.head is None:
        return False
    return c.base.kind in ("def", "assign", "stmt") and _code_keys(c, False) != _code_keys(c, True)


def doc_pass_findings(changes: list[Change]) -> Iterator[Finding]:
    """Units whose code changes, in a change whose other touched units only edit documentation."""
    source = [c for c in changes if not _is_test(c.path) and c.kind != "noop"
              and not resolves_conflict(c)]
    docs = [c for c in source if doc_only(c)]
    code = [c for c in source if _code_change(c)]
    others = [c for c in source if not doc_only(c) and not _code_change(c)
              and c.kind not in ("formatting", "rename-follow")]
    if len(docs) < MIN_DOC_UNITS or not code or others or len(code) * MAX_CODE_SHARE > len(docs):
        return
    for c in code:
        side, line = _first_code_line(c)
        rule = RULES_OF_FAMILY[c.spec.family]["operator"]
        unit = c.head or c.base
        key = unit.key if unit is not None else "a block"
        yield c.ctx.finding(
            rule, line,
            f"`{key}` changes code in {c.path}, while the other {len(docs)} edits of this change "
            f"only touch docstrings and comments; a reviewer reading a documentation pass will not "
            f"look for a behaviour change here. Move it to its own PR or describe it.",
            side=side,
        )


def _first_code_line(c: Change) -> tuple[Side, int]:
    """The first added line that holds code (not docstring, not comment), else the first removed."""
    if c.head is not None:
        added = set(c.added)
        lines = sorted({line_of(t.node) for t in c.head.tokens if not t.doc} & added)
        if lines:
            return "RIGHT", lines[0]
    if c.base is not None:
        removed = set(c.removed)
        lines = sorted({line_of(t.node) for t in c.base.tokens if not t.doc} & removed)
        if lines:
            return "LEFT", lines[0]
    return ("RIGHT", c.added[0]) if c.added else ("LEFT", c.removed[0] if c.removed else 1)
