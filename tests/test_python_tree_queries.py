"""Detectors that looked at every node of a Python tree for one node type ask a query instead:
the same nodes in the same (source) order, broken code included."""

from __future__ import annotations

from slopguard.detectors.null_check.python_conditional_key import _function_definitions
from slopguard.lang.python.symbols import comments
from slopguard.parsing import parse_source, walk

TEXTS = [
    '''# top
import os  # why


def outer(a):  # outer
    def inner(b):
        # inside
        return lambda c: c

    class Local:
        @staticmethod
        def method():  # type: ignore
            pass
    return inner


@decorator
async def run():
    x = [  # open
        1,
    ]  # close
''',
    "def broken(:\n    # lost\n    def deeper(x)\n        return x  # noqa\nclass C(\n    def m(self): pass\n",
    "",
]


def test_queries_find_what_a_walk_finds() -> None:
    for text in TEXTS:
        root = parse_source("m.py", text).root
        assert root is not None
        nodes = list(walk(root))
        assert _function_definitions(root) == [n for n in nodes if n.type == "function_definition"]
        assert comments(root) == [n for n in nodes if n.type == "comment"]
    root = parse_source("m.py", TEXTS[0]).root
    assert root is not None and len(_function_definitions(root)) == 4 and len(comments(root)) == 7
