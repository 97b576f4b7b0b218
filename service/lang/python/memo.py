"""Memo tables of the Python detectors: per parsed file, and per node of one parsed file.

A `SourceFile` is parsed once per scan and shared by every detector; what a detector derives
from its tree (the nodes of a kind, the names a loop binds, ...) is a pure function of that
tree, so it is computed once and kept for as long as the `SourceFile` lives. The table is keyed
by the identity of the `SourceFile` (two versions with equal text are different trees) and
dropped when the file is collected. Values must not hold the `SourceFile` itself (nodes and
strings are fine): a value referring back to its key would keep it alive for ever.
"""

from __future__ import annotations

import bisect
import heapq
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from tree_sitter import Node

from ...parsing import SourceFile, walk

T = TypeVar("T")

_LOCK = threading.Lock()
_TABLES: dict[int, tuple[weakref.ref[SourceFile], dict[Any, Any]]] = {}


def table(src: SourceFile) -> dict[Any, Any]:
    """The memo table of one parsed file (created on first use)."""
    key = id(src)
    entry = _TABLES.get(key)
    if entry is not None and entry[0]() is src:
        return entry[1]
    with _LOCK:
        entry = _TABLES.get(key)
        if entry is not None and entry[0]() is src:
            return entry[1]

        def drop(ref: weakref.ref[SourceFile], key: int = key) -> None:
            current = _TABLES.get(key)
            if current is not None and current[0] is ref:
                del _TABLES[key]

        memo: dict[Any, Any] = {}
        _TABLES[key] = (weakref.ref(src, drop), memo)
        return memo


def cached(src: SourceFile, key: Any, compute: Callable[[], T]) -> T:
    """`compute()` once per file and key."""
    memo = table(src)
    try:
        return memo[key]
    except KeyError:
        value = memo[key] = compute()
        return value


def node_key(node: Node) -> tuple[int, int]:
    """A node's identity within its tree (stable across the Python wrappers of one node)."""
    return node.id, node.start_byte


def _position_key(node: Node) -> int:
    return node.id * 4294967296 + node.start_byte


class _Index:
    """The named nodes of one tree by type, in `parsing.walk` order, with their positions in
    that order (a node's descendants are the `descendant_count - 1` positions after it).
    Tuples and int-keyed dicts: the garbage collector need not traverse them (nodes are not
    containers), which matters with a few hundred trees alive."""

    def __init__(self, root: Node | None) -> None:
        self.groups: dict[str, tuple[Node, ...]] = {}
        self.seqs: dict[str, tuple[int, ...]] = {}
        self.position: dict[int, int] = {}
        if root is not None:
            groups: dict[str, list[Node]] = {}
            seqs: dict[str, list[int]] = {}
            self._build(root, groups, seqs)
            self.groups = {kind: tuple(nodes) for kind, nodes in groups.items()}
            self.seqs = {kind: tuple(found) for kind, found in seqs.items()}

    def _build(self, root: Node, groups: dict[str, list[Node]], seqs: dict[str, list[int]]) -> None:
        position = self.position
        cursor = root.walk()  # the order of parsing.walk, without a list of children per node
        seq = 0
        while True:
            node = cursor.node
            if node is not None and node.is_named:
                kind = node.type
                group = groups.get(kind)
                if group is None:
                    groups[kind] = [node]
                    seqs[kind] = [seq]
                else:
                    group.append(node)
                    seqs[kind].append(seq)
                position[node.id * 4294967296 + node.start_byte] = seq
            seq += 1
            if cursor.goto_first_child():
                continue
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return

    def select(self, types: tuple[str, ...], lo: int = 0, hi: int | None = None) -> list[Node]:
        return [node for _, node in self.pairs(types, lo, hi)]

    def pairs(self, types: tuple[str, ...], lo: int = 0, hi: int | None = None) -> list[tuple[int, Node]]:
        """(position, node) of the nodes of `types` at positions lo..hi-1, in walk order."""
        parts = []
        for kind in types:
            seqs = self.seqs.get(kind)
            if not seqs:
                continue
            first = bisect.bisect_left(seqs, lo) if lo else 0
            last = bisect.bisect_left(seqs, hi) if hi is not None else len(seqs)
            if first < last:
                parts.append(list(zip(seqs[first:last], self.groups[kind][first:last], strict=True)))
        if len(parts) == 1:
            return parts[0]
        return list(heapq.merge(*parts, key=lambda pair: pair[0]))


def _index(src: SourceFile) -> _Index:
    return cached(src, "py_memo.index", lambda: _Index(src.root))


def nodes_of(src: SourceFile, *types: str) -> tuple[Node, ...]:
    """The named nodes of the given types in the order `parsing.walk` visits them (source
    order, a node before the nodes inside it)."""
    index = _index(src)
    if len(types) == 1:
        return index.groups.get(types[0], ())
    return cached(src, ("py_memo.nodes_of", types), lambda: tuple(index.select(types)))


def descendants(src: SourceFile, node: Node, *types: str) -> list[Node]:
    """`[n for n in walk(node) if n.type in types]` for a named node of `src`'s tree, without
    walking: a slice of the file's index. `types` are named node types (an anonymous token of
    the same spelling, the `yield` keyword inside a `yield` expression, is not included)."""
    index = _index(src)
    seq = index.position.get(_position_key(node))
    if seq is None:  # not a named node of this tree
        return [n for n in walk(node) if n.type in types]
    return index.select(types, seq, seq + node.descendant_count)


def scope_descendants(src: SourceFile, node: Node, scopes: tuple[str, ...], *types: str) -> list[Node]:
    """The nodes of `types` that a walk of `node` meets when it does not enter nested nodes of
    `scopes` (a nested scope node itself is met, what is inside it is not)."""
    index = _index(src)
    seq = index.position.get(_position_key(node))
    if seq is None:  # not a named node of this tree
        return [n for n in _walk_scope(node, scopes) if n.type in types]
    end = seq + node.descendant_count
    found = index.pairs(types, seq, end)
    nested = index.pairs(scopes, seq + 1, end)
    if not nested:
        return [n for _, n in found]
    skip = [(start, start + inner.descendant_count) for start, inner in nested]
    kept = []
    i = 0
    limit = -1  # the end of the nested scope being skipped
    for pos, n in found:
        while i < len(skip) and skip[i][0] < pos:
            limit = max(limit, skip[i][1])
            i += 1
        if pos >= limit:
            kept.append(n)
    return kept


def _walk_scope(node: Node, scopes: tuple[str, ...]) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and current.type in scopes:
            continue
        stack.extend(reversed(current.children))
