"""Dependency requirement strings (`"charset_normalizer>=2,<4"`) changed in code.

A string literal that reads as a requirement specifier on both sides (a distribution name followed
by version clauses, PEP 440 operators) for the same distribution is a dependency range, not a
setting. Its change names the distribution (so a description or changelog naming it covers it, and
a hunk that imports it uses it) and records the version numbers it moves (`<3` -> `<4` moves
`3` to `4`): a literal elsewhere in the change that makes exactly those moves, such as the
`(3, 0, 0)` -> `(4, 0, 0)` bound of a runtime compatibility check, is the same edit.
"""

from __future__ import annotations

import re

REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*"
    r"(?P<specs>(?:~=|===|==|!=|<=|>=|<|>)\s*[\w.*+!-]+(?:\s*,\s*(?:~=|===|==|!=|<=|>=|<|>)\s*[\w.*+!-]+)*)"
    r"\s*(?:;.*)?$")
CLAUSE = re.compile(r"(~=|===|==|!=|<=|>=|<|>)\s*([\w.*+!-]+)")
QUOTED = re.compile(r"^[A-Za-z]{0,2}(['\"])(.*)\1$", re.DOTALL)


def requirement(literal: str) -> tuple[str, list[tuple[str, str]]] | None:
    """The normalised distribution name and the (operator, version) clauses of a quoted
    requirement specifier, or None when the literal is not one."""
    quoted = QUOTED.match(literal.strip())
    m = REQUIREMENT.match(quoted.group(2) if quoted else literal)
    if m is None:
        return None
    name = re.sub(r"[-_.]+", "_", m.group("name")).lower()
    return name, CLAUSE.findall(m.group("specs"))


def bound_moves(old: str, new: str) -> tuple[str, set[tuple[str, str]]] | None:
    """For two literals that specify the same distribution: its name and the version moves
    (whole versions and their differing dotted components) of clauses with the same operator."""
    before, after = requirement(old), requirement(new)
    if before is None or after is None or before[0] != after[0]:
        return None
    old_by_op = dict(before[1])
    moves: set[tuple[str, str]] = set()
    for op, version in after[1]:
        was = old_by_op.get(op)
        if was is None or was == version:
            continue
        moves.add((was, version))
        moves |= {(a, b) for a, b in zip(was.split("."), version.split("."), strict=False) if a != b}
    return before[0], moves
