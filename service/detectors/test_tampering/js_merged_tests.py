"""JavaScript/TypeScript tests merged into another test of their file (for the deleted-test rule,
`js_deletions.py`): two tests folded into one table-driven test.

A deleted test is merged when every assertion it made now stands, token for token (punctuation,
braces and `return` aside, so `(x) => f(x)` and `(x) => { return f(x); }` compare equal), in a test
of the same file that exists on both sides, that the change edits, and that did not make that
assertion before: the check still runs, under the surviving test's title. What the surviving test
itself lost is the removed-assertion rule's question.
"""

from __future__ import annotations

from tree_sitter import Node

from ...detector import FileContext
from ...lang.js.assertion_checks import checks
from ...lang.js.testing import Block, blocks, tests_only
from ...parsing import SourceFile, walk

_IGNORED = frozenset({"(", ")", "{", "}", "[", "]", ";", ",", "return"})


def merged(f: FileContext, test: Block) -> bool:
    """The deleted base `test`'s assertions all reappear, new, in a surviving test the change edits."""
    base, head = f.base, f.head
    if base is None or head is None or test.body is None:
        return False
    mine = {_tokens(base, c.node) for c in checks(base, test.body)}
    if not mine:
        return False
    before = {b.qualname: b for b in tests_only(blocks(base))}
    for other in tests_only(blocks(head)):
        old = before.get(other.qualname)
        if old is None or other.body is None or not f.changed(other.node):
            continue
        had = {_tokens(base, c.node) for c in checks(base, old.body)} if old.body is not None else set()
        if mine <= {_tokens(head, c.node) for c in checks(head, other.body)} - had:
            return True
    return False


def _tokens(src: SourceFile, node: Node) -> tuple[str, ...]:
    return tuple(t for n in walk(node) if n.child_count == 0 and n.type != "comment"
                 and (t := src.node_text(n)) not in _IGNORED)
