"""Python definitions are found on their own lines after multi-line strings: masking blanks a
docstring's text but keeps its line breaks, so orphaned-code matches the definitions it finds by line
on both sides of the change (`lang/python/symbols.py`, `detectors/dead_code/python_orphaned_code.py`)."""

from __future__ import annotations

from pathlib import Path

from slopguard.changes import Trees
from slopguard.engine import Target, scan
from slopguard.gitrepo import Git
from slopguard.lang.python.symbols import SideIndex

from .gitrepos import make_repo

_ORPHAN = "python.dead-code.orphaned-code"

_PRICING = '''"""Pricing rules.

Totals are computed in Decimal and rounded once, at the end.
"""

from decimal import Decimal


class Cart:
    """A shopping cart.

    Holds items with a price and a quantity.
    """

    def __init__(self, items):
        self.items = items


def _legacy_total(cart):
    return sum(Decimal(i.price) * i.qty for i in cart.items)


def compute_total(cart):
    return sum(i.price * i.qty for i in cart.items)
'''


def _orphans(repo: Path) -> list[tuple[str, int, str]]:
    found = scan(Target(repo, "main", "feature")).findings
    return [(f.path, f.line, f.message) for f in found if f.rule == _ORPHAN]


def test_definitions_are_on_their_lines_after_multi_line_strings(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"shop/pricing.py": _PRICING, "shop/__init__.py": ""}, {})
    index = SideIndex(Trees(Git(repo), "main", "main"), "LEFT")
    line = _PRICING.splitlines().index("def _legacy_total(cart):") + 1
    assert index.definitions("_legacy_total") == [("shop/pricing.py", line)]
    assert index.definitions("__init__") == [("shop/pricing.py", _PRICING.splitlines().index(
        "    def __init__(self, items):") + 1)]
    masked = index.masked_of("shop/pricing.py") or b""
    assert masked.count(b"\n") == _PRICING.count("\n") and len(masked) == len(_PRICING.encode())


def test_an_orphan_below_a_docstring_is_reported_on_its_definition(tmp_path: Path) -> None:
    base = {
        "shop/__init__.py": "",
        "shop/pricing.py": _PRICING,
        "shop/checkout.py": "from .pricing import _legacy_total\n\n\ndef checkout(cart):\n"
                            "    return _legacy_total(cart)\n",
    }
    head = {"shop/checkout.py": "from .pricing import compute_total\n\n\ndef checkout(cart):\n"
                                "    return compute_total(cart)\n"}
    repo = make_repo(tmp_path, base, head)
    line = _PRICING.splitlines().index("def _legacy_total(cart):") + 1
    found = _orphans(repo)
    assert [(path, at) for path, at, _ in found] == [("shop/pricing.py", line)]
    assert "`_legacy_total` lost its last caller" in found[0][2]


def test_a_definition_unused_in_the_base_is_no_orphan(tmp_path: Path) -> None:
    # the change removes the docstring that named `_spare`, which nothing called before either
    base = {"shop/__init__.py": "",
            "shop/rates.py": '"""Rates.\n\n_spare is kept for the old importer.\n"""\n\n\n'
                             "def _spare(x):\n    return x\n"}
    head = {"shop/rates.py": "def _spare(x):\n    return x\n"}
    assert _orphans(make_repo(tmp_path, base, head)) == []
