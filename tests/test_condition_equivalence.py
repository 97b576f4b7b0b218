"""Boolean conditions compared by truth table (orthogonal-edit's meaning-changing rewrites)."""

from __future__ import annotations

import pytest
from slopguard.detectors.orthogonal_edit.conditions import _expr, equivalent
from slopguard.parsing import parse_source, walk


def _cond(code: str, path: str = "x.ts"):  # type: ignore[no-untyped-def]
    src = parse_source(path, code)
    assert src.root is not None
    node = next(n for n in walk(src.root) if n.type in ("parenthesized_expression", "expression_statement"))
    inner = node.named_children[0]
    return _expr(inner, src.node_text)


@pytest.mark.parametrize(("old", "new", "same"), [
    ("(!(a && b));", "(!a || !b);", True),  # De Morgan
    ("(!(a || b));", "(!a && !b);", True),
    ("(a !== b);", "(!(a === b));", True),
    ("(x >= 3);", "(!(x < 3));", True),
    ("(!FLAG);", "(FLAG);", False),
    ("(a && !b);", "(!a && b);", False),
    ("(a || b);", "(b || a);", True),
])
def test_js_conditions(old: str, new: str, same: bool) -> None:
    assert equivalent(_cond(old), _cond(new)) is same


@pytest.mark.parametrize(("old", "new", "same"), [
    ("(not (a and b))\n", "(not a or not b)\n", True),
    ("(x is not None)\n", "(not (x is None))\n", True),
    ("(k not in d)\n", "(not (k in d))\n", True),
    ("(user.is_admin or owner)\n", "(not user.is_admin and owner)\n", False),
])
def test_python_conditions(old: str, new: str, same: bool) -> None:
    assert equivalent(_cond(old, "x.py"), _cond(new, "x.py")) is same


def test_new_atoms_are_not_a_rewrite() -> None:
    assert equivalent(_cond("(a && b);"), _cond("(a && c);")) is None
