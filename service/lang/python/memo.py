"""Memo tables of the Python detectors: per parsed file, and per node of one parsed file.

A `SourceFile` is parsed once per scan and shared by every detector; what a detector derives
from its tree (the nodes of a kind, the names a loop binds, ...) is a pure function of that
tree, so it is computed once and kept for as long as the `SourceFile` lives. The table is keyed
by the identity of the `SourceFile` (two versions with equal text are different trees) and
dropped when the file is collected. Values must not hold the `SourceFile` itself (nodes and
strings are fine): a value referring back to its key would keep it alive for ever.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from tree_sitter import Node

from ...parsing import SourceFile, walk, walk_pruned

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


def nodes_of(src: SourceFile, *types: str) -> tuple[Node, ...]:
    """The named nodes of the given types in the order `parsing.walk` visits them (source
    order, a node before the nodes inside it); from the file's node index, kept per types."""
    return cached(src, ("py_memo.nodes_of", types), lambda: tuple(src.nodes_of(*types, named_only=True)))


def descendants(src: SourceFile, node: Node, *types: str) -> list[Node]:
    """`[n for n in walk(node) if n.type in types]` for a named node of `src`'s tree, without
    walking: a slice of the file's index. `types` are named node types (an anonymous token of
    the same spelling, the `yield` keyword inside a `yield` expression, is not included)."""
    if not node.is_named or src.position(node) is None:  # not a named node of this tree
        return [n for n in walk(node) if n.type in types]
    return src.nodes_of(*types, under=node, named_only=True)


def scope_descendants(src: SourceFile, node: Node, scopes: tuple[str, ...], *types: str) -> list[Node]:
    """The nodes of `types` that a walk of `node` meets when it does not enter nested nodes of
    `scopes` (a nested scope node itself is met, what is inside it is not)."""
    seq = src.position(node) if node.is_named else None
    if seq is None:  # not a named node of this tree
        return [n for n in _walk_scope(node, scopes) if n.type in types]
    found = src.positions_of(*types, under=node, named_only=True)
    inner = [p for p in src.positions_of(*scopes, under=node, named_only=True) if p > seq]
    if not inner:
        return src.nodes_at(found)
    skip = [(start, start + scope.descendant_count) for start, scope in zip(inner, src.nodes_at(inner), strict=True)]
    kept = []
    i = 0
    limit = -1  # the end of the nested scope being skipped
    for pos in found:
        while i < len(skip) and skip[i][0] < pos:
            limit = max(limit, skip[i][1])
            i += 1
        if pos >= limit:
            kept.append(pos)
    return src.nodes_at(kept)


def _walk_scope(node: Node, scopes: tuple[str, ...]) -> Iterator[Node]:
    return walk_pruned(node, scopes, meet_skipped=True)
