"""`walk` (a tree cursor) gives every node of a subtree depth first in source order, as the nodes'
children lists do; `SourceFile.nodes_of` (one walk per file and side, positions grouped by type) gives
what a walk of the tree, or of a subtree, filtered by type gives: the same nodes in the same order,
broken code included; and nodes of a scope (`enclosing_function`) are those `walk_scope` finds."""

from __future__ import annotations

from itertools import combinations

import pytest
from slopguard.lang.js.syntax import FUNCTIONS, enclosing_function, walk_scope
from slopguard.lang.python import memo
from slopguard.parsing import parse_source, walk, walk_pruned
from tree_sitter import Node

TS = """import { a, b as c } from "./m";
export async function load(id: string): Promise<User | null> {
  const user = await db.find(id);
  if (!user) { return null; }
  const inner = () => { const user = 2; return user; };
  return (await fetch(`/u/${id}`)).json();
}
class Repo { get(k: string) { const m = new Map<string, number>(); return m.get(k)!; } }
router.get("/x", auth, async (req, res) => { res.send(await load(req.params.id)); });
function broken( { return
"""

PY = """import os


def outer(a, b=1):
    x = os.environ["K"]
    def inner():
        return [y for y in range(3) if y]
    return inner() or x
class C(:
    def m(self): pass
"""


def _by_children(node: Node) -> list[Node]:
    """Depth first in source order, from the nodes' children lists."""
    return [node] + [n for child in node.children for n in _by_children(child)]


def _check(path: str, text: str) -> int:
    src = parse_source(path, text)
    assert src.root is not None
    nodes = _by_children(src.root)
    assert list(walk(src.root)) == nodes
    assert all(list(walk(node)) == _by_children(node) for node in nodes)
    types = sorted({n.type for n in nodes})
    checked = 0
    for kinds in [*((t,) for t in types), *combinations(types[:12], 2), tuple(types[::3])]:
        assert src.nodes_of(*kinds) == [n for n in nodes if n.type in kinds]
        for node in nodes[::7]:
            assert src.nodes_of(*kinds, under=node) == [n for n in walk(node) if n.type in kinds]
            checked += 1
    assert src.nodes_of(*types) == nodes
    assert src.nodes_of("no_such_type") == [] and src.nodes_of() == []
    return checked


def test_nodes_of_gives_what_a_walk_gives() -> None:
    assert _check("a.ts", TS) > 100
    assert _check("a.tsx", TS) > 100
    assert _check("m.py", PY) > 100
    empty = parse_source("e.ts", "")
    assert empty.root is not None and empty.nodes_of("program") == [empty.root] == list(walk(empty.root))
    assert parse_source("notes.txt", "text").nodes_of("program") == []


def test_nodes_of_under_a_node_of_another_tree_is_an_error() -> None:
    src, other = parse_source("a.ts", TS), parse_source("b.ts", "let x = 1;\n")
    assert other.root is not None
    with pytest.raises(ValueError, match=r"not a node of a\.ts"):
        src.nodes_of("identifier", under=other.root.named_children[0])


def test_nodes_of_a_scope_are_those_walk_scope_finds() -> None:
    src = parse_source("a.ts", TS)
    scopes = src.nodes_of(*FUNCTIONS)
    assert len(scopes) >= 4
    for scope in scopes:
        body = scope.child_by_field_name("body")
        for kind in ("variable_declarator", "return_statement"):
            assert [n for n in walk_scope(scope) if n.type == kind] == \
                [n for n in src.nodes_of(kind, under=scope) if enclosing_function(n) == scope]
            if body is not None and body.type == "statement_block":
                assert [n for n in walk_scope(body) if n.type == kind] == \
                    [n for n in src.nodes_of(kind, under=body) if enclosing_function(n) == scope]


def _pruned_by_children(node: Node, skip: frozenset[str], meet: bool = False) -> list[Node]:
    return [node] + [n for child in node.children if meet or child.type not in skip
                     for n in ([child] if child.type in skip else _pruned_by_children(child, skip, meet))]


def test_walk_pruned_leaves_out_the_skipped_subtrees() -> None:
    nested = frozenset({"function_definition", "class_definition"})
    odd = frozenset({"identifier", "block"})
    for path, text, skip in (("a.ts", TS, FUNCTIONS), ("m.py", PY, nested), ("m.py", PY, odd)):
        src = parse_source(path, text)
        assert src.root is not None
        nodes = _by_children(src.root)
        assert any(n.type in skip for n in nodes)
        for node in nodes:
            assert list(walk_pruned(node, skip)) == _pruned_by_children(node, skip)
            assert list(walk_pruned(node, skip, meet_skipped=True)) == _pruned_by_children(node, skip, meet=True)
        assert list(walk_pruned(src.root, frozenset())) == nodes


GEN = """def gen(xs):
    yield 1
    total = yield from xs
    class Inner:
        def method(self):
            yield self
    handler = lambda v: (yield v)
    return [x for x in xs if (yield x)]
"""


def test_named_only_leaves_out_tokens_of_a_node_type() -> None:
    src = parse_source("g.py", GEN)
    assert src.root is not None
    nodes = _by_children(src.root)
    assert any(n.type == "yield" and not n.is_named for n in nodes)
    assert src.nodes_of("yield", "identifier", named_only=True) == \
        [n for n in nodes if n.type in ("yield", "identifier") and n.is_named]
    for node in nodes:
        assert src.nodes_at(src.positions_of("yield", under=node, named_only=True)) == \
            [n for n in _by_children(node) if n.type == "yield" and n.is_named]
        assert src.position(node) == nodes.index(node)
    assert parse_source("h.py", GEN).position(nodes[3]) is None


def test_python_memo_selections_are_those_of_a_walk() -> None:
    src = parse_source("g.py", GEN)
    assert src.root is not None
    nodes = _by_children(src.root)
    scopes = ("function_definition", "class_definition", "lambda")
    assert memo.nodes_of(src, "yield", "identifier") == \
        tuple(n for n in nodes if n.type in ("yield", "identifier") and n.is_named)
    for node in nodes:
        kinds = ("yield", "identifier")  # an anonymous node gets what a walk of it gives
        named = [n for n in _by_children(node) if n.type in kinds and (n.is_named or not node.is_named)]
        assert memo.descendants(src, node, *kinds) == named
        pruned = [n for n in _pruned_by_children(node, frozenset(scopes), meet=True)
                  if n.type in kinds and (n.is_named or not node.is_named)]
        assert memo.scope_descendants(src, node, scopes, *kinds) == pruned
    other = parse_source("h.py", GEN)
    assert other.root is not None
    assert memo.descendants(src, other.root, "yield") == [n for n in walk(other.root) if n.type == "yield"]
