"""The changes of one file for the orthogonal-edit detector: touched units paired base to head.

`Change` holds one unit's base and head versions with its added and removed lines and the display
hunk they show in (`display_groups` groups zero-context hunks the way a reviewer sees them in a
unified diff with three lines of context). `_summarise` records what a change defines and uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ...detector import FileContext
from ...models import Hunk
from ...parsing import line_of
from .languages import LangSpec
from .units import Unit, extract, fill


@dataclass
class Change:
    """One unit of one file as the change leaves it: base and head versions, changed lines."""

    ctx: FileContext
    spec: LangSpec
    base: Unit | None
    head: Unit | None
    added: list[int]
    removed: list[int]
    group: int
    kind: str = "other"
    what: str = ""  # for messages: what the hunk does
    mentions: list[str] = field(default_factory=list)  # identifiers the description may name
    values: list[str] = field(default_factory=list)  # literal values the description may quote
    uses: set[str] = field(default_factory=set)
    defines: set[str] = field(default_factory=set)
    new_refs: set[str] = field(default_factory=set)
    swaps: dict[str, str] = field(default_factory=dict)  # identifiers replaced one-to-one
    moves: set[tuple[str, str]] = field(default_factory=set)  # literal texts replaced (old, new)
    bounds: set[tuple[str, str]] = field(default_factory=set)  # dependency version bounds moved
    followers: int = 0  # hunks that only update references to what this change renames
    announced: str = ""  # the description's word that announces this kind of edit ("cleanup")

    @property
    def path(self) -> str:
        return self.ctx.path

    @property
    def name(self) -> str:
        unit = self.head or self.base
        return unit.key if unit is not None else ""


# How far apart (in unchanged lines) two zero-context hunks may be and still show as one hunk
# of a unified diff with three lines of context.
CONTEXT_GAP = 6


def display_groups(hunks: Sequence[Hunk], gap: int = CONTEXT_GAP) -> list[int]:
    """For each zero-context hunk, the index of the context-3 hunk it would be shown in."""
    groups: list[int] = []
    group = -1
    prev_end: int | None = None
    for hunk in hunks:
        start = hunk.old_start if hunk.old_count else hunk.old_start + 1
        if prev_end is None or start - prev_end - 1 > gap:
            group += 1
        groups.append(group)
        prev_end = hunk.old_start + hunk.old_count - 1 if hunk.old_count else hunk.old_start
    return groups


def _changes(ctx: FileContext, spec: LangSpec) -> list[Change]:
    head_units = extract(ctx.head, spec, filled=False) if ctx.head is not None else []
    base_units = extract(ctx.base, spec, filled=False) if ctx.base is not None else []
    added, removed = ctx.diff.added, ctx.diff.removed
    line_group = _line_groups(ctx)
    touched_head = [u for u in head_units if u.lines & added]
    touched_base = [u for u in base_units if u.lines & removed]
    head_by_key = {u.key: u for u in head_units}
    base_by_key = {u.key: u for u in base_units}
    pairs: list[tuple[Unit | None, Unit | None]] = []
    done_head: set[str] = set()
    done_base: set[str] = set()
    for unit in touched_head:
        other = base_by_key.get(unit.key)
        pairs.append((other, unit))
        done_head.add(unit.key)
        if other is not None:
            done_base.add(other.key)
    for unit in touched_base:
        if unit.key in done_base:
            continue
        other = head_by_key.get(unit.key)
        if other is not None and other.key in done_head:
            continue
        pairs.append((unit, other))
    pairs = _pair_leftovers(pairs, line_group, added, removed)
    out = []
    for base, head in pairs:
        for part in (base, head):
            if part is not None:
                fill(part, spec)  # only the units of a change are read token by token
        add = sorted(head.lines & added) if head is not None else []
        rem = sorted(base.lines & removed) if base is not None else []
        first = add[0] if add else rem[0] if rem else 0
        group = line_group.get(("R" if add else "L", first), -1)
        out.append(Change(ctx, spec, base, head, add, rem, group))
    return out


def _line_groups(ctx: FileContext) -> dict[tuple[str, int], int]:
    """The display hunk of every added (R) and removed (L) line."""
    groups = display_groups(ctx.diff.hunks)
    out: dict[tuple[str, int], int] = {}
    for hunk, group in zip(ctx.diff.hunks, groups, strict=True):
        for n in hunk.added_lines:
            out[("R", n)] = group
        for n in hunk.removed_lines:
            out[("L", n)] = group
    return out


def _pair_leftovers(pairs: list[tuple[Unit | None, Unit | None]],
                    line_group: dict[tuple[str, int], int], added: frozenset[int],
                    removed: frozenset[int]) -> list[tuple[Unit | None, Unit | None]]:
    """Pair a unit only in base with one only in head when they sit in the same display hunk
    and are of the same kind (a renamed function, a rewritten statement)."""
    only_base = [b for b, h in pairs if h is None and b is not None]
    only_head = [h for b, h in pairs if b is None and h is not None]

    def group_of(unit: Unit, side: str, lines: frozenset[int]) -> int:
        changed = sorted(unit.lines & lines)
        return line_group.get((side, changed[0]), -1) if changed else -2

    matched: dict[int, Unit] = {}
    for old in only_base:
        options = [new for new in only_head if new.kind == old.kind and new.prefix == old.prefix
                   and new.node.type == old.node.type
                   and group_of(new, "R", added) == group_of(old, "L", removed)
                   and id(new) not in {id(x) for x in matched.values()}]
        if len(options) == 1:
            matched[id(old)] = options[0]
    used = {id(h) for h in matched.values()}
    out: list[tuple[Unit | None, Unit | None]] = []
    for b, h in pairs:
        if h is None and b is not None and id(b) in matched:
            out.append((b, matched[id(b)]))
        elif b is None and h is not None and id(h) in used:
            continue
        else:
            out.append((b, h))
    return out


def _summarise(change: Change) -> None:
    units = [u for u in (change.base, change.head) if u is not None]
    for unit in units:
        if unit.name:
            change.defines.add(unit.name)
    if change.base is not None and change.head is not None:
        # a modified unit uses what its changed lines name (the hunk, not the whole function)
        change.uses |= _names_on(change.head, set(change.added))
        change.uses |= _names_on(change.base, set(change.removed))
        change.new_refs |= change.head.identifiers() - change.base.identifiers()
    else:
        for unit in units:
            change.uses |= unit.identifiers() | unit.strings()
    if not change.what:
        change.what = _default_what(change)
    if not change.mentions:
        change.mentions = [u.name for u in units if u.name]


def _names_on(unit: Unit, lines: set[int]) -> set[str]:
    return {t.text for t in unit.tokens
            if t.cls in ("id", "str") and line_of(t.node) in lines}


def _default_what(change: Change) -> str:
    unit = change.head or change.base
    label = f"`{unit.key}`" if unit is not None and unit.name else "a block"
    return {
        "formatting": f"{label} is only reformatted (same tokens)",
        "deleted-function": f"deletes {label}",
        "deleted-docstring": _docstring_label(unit),
        "deleted-comment": "deletes a comment" + (f" in {label}" if unit and unit.name else ""),
    }.get(change.kind, f"changes {label}")


def _docstring_label(unit: Unit | None) -> str:
    if unit is None:
        return "deletes a docstring"
    owner = unit.key.removesuffix("__doc__").rstrip(".")
    return f"deletes the docstring of `{owner}`" if owner else "deletes the module docstring"
