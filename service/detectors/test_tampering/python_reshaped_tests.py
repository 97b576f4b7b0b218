"""Python tests restructured without asking less: where an assertion a changed test lost went.

For the removed-assertion rule (`python_assertion_changes.py`): a lost assertion is not a removal
when the test now runs the same check over the rows of a parametrize table, when the test's
parametrize axis changed and the assertion read the old parameter, when its expected string now
sits inside a new exact assertion of the test, or when the same assertion now stands in a test
the change adds to the file (a test split in two).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ...analysis.assertions import in_added_test
from ...lang.python.assertion_checks import Check, checks
from ...lang.python.testing import (
    TestFunc,
    call_args,
    dotted_name,
    string_value,
    test_functions,
)
from ...parsing import SourceFile, walk
from .python_assertion_sources import value_inputs

_TOKEN = re.compile(r"[A-Za-z_]\w*|\d[\w.]*|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|\S")
_MIN_FOLDED = 3  # a shorter expected string (`""`, `"ok"`) says too little to be recognised elsewhere


def param_rows(src: SourceFile, test: TestFunc) -> list[Node]:
    """The rows of the `pytest.mark.parametrize` table of `test` ([] when it has none)."""
    table = _table(src, test)
    return table[1] if table is not None else []


def _table(src: SourceFile, test: TestFunc) -> tuple[set[str], list[Node]] | None:
    """(argument names, rows) of the first `pytest.mark.parametrize` decorator of `test`."""
    for dec in test.decorators:
        call = dec.named_children[0] if dec.named_children else None
        if call is None or call.type != "call" or not dotted_name(src, call).endswith("parametrize"):
            continue
        positional, keywords = call_args(call)
        values = keywords.get("argvalues") or (positional[1] if len(positional) > 1 else None)
        if values is None or values.type not in ("list", "tuple"):
            continue
        names = keywords.get("argnames") or (positional[0] if positional else None)
        return _argnames(src, names), [c for c in values.named_children if c.type != "comment"]
    return None


def _argnames(src: SourceFile, node: Node | None) -> set[str]:
    """`"a, b"` or `("a", "b")` -> {a, b}."""
    if node is None:
        return set()
    text = string_value(src, node)
    if text is not None:
        return {n.strip() for n in text.split(",") if n.strip()}
    return {v.strip() for c in node.named_children if (v := string_value(src, c))}


def reparametrized(base: SourceFile, old: TestFunc, check: Check, head: SourceFile, new: TestFunc,
                   after: list[Check]) -> bool:
    """The test now runs over a parametrize table and either still makes the lost check, with
    table parameters where the base wrote values (`assert "bar" in str(err)` ->
    `assert key in str(err)`), the table having grown; or the lost check read a parameter of the
    base table that the test no longer takes (the table now varies something else)."""
    table = _table(head, new)
    if table is None:
        return False
    names, rows = table
    before = _table(base, old)
    old_names, old_rows = before if before is not None else (set(), [])
    if len(rows) > max(len(old_rows), 1) and any(
            _same_but_parameters(base.node_text(check.node), head.node_text(h.node), names) for h in after):
        return True
    dropped = old_names - names - _parameters(head, new)
    return bool(dropped & value_inputs(base, old, check))


def _same_but_parameters(lost: str, kept: str, names: set[str]) -> bool:
    """`kept` is `lost` with some of its values replaced by parameter names."""
    a, b = _TOKEN.findall(lost), _TOKEN.findall(kept)
    if len(a) != len(b):
        return False
    return all(x == y or y in names for x, y in zip(a, b, strict=True))


def _parameters(src: SourceFile, test: TestFunc) -> set[str]:
    params = test.node.child_by_field_name("parameters")
    return {src.node_text(n) for n in walk(params) if n.type == "identifier"} if params is not None else set()


def folded(base: SourceFile, check: Check, head: SourceFile, spare: list[Check]) -> bool:
    """A lost exact check whose expected strings all sit inside the expected value of a new exact
    check of the test (`multipart["file"] == [b"data"]` -> `response.content == b"".join([..., b"data\\r\\n"])`)."""
    if check.kind != "eq" or check.expected_node is None:
        return False
    wanted = [s for s in _strings(base, check.expected_node) if len(s) >= _MIN_FOLDED]
    if not wanted:
        return False
    for h in spare:
        if h.expected_node is None:
            continue
        theirs = _strings(head, h.expected_node)
        if all(any(w in t for t in theirs) for w in wanted):
            return True
    return False


def _strings(src: SourceFile, node: Node) -> list[str]:
    out = []
    for n in walk(node):
        if n.type == "string":
            value = string_value(src, n)
            if value:
                out.append(value)
    return out


def moved_to_new_test(base_names: set[str], check: Check, head: SourceFile) -> bool:
    """The same assertion now stands in a test the change adds to the file (a test split up)."""
    return in_added_test(check.text, base_names, ((t.qualname, checks(head, t.node)) for t in test_functions(head)))
