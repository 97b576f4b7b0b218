"""Tree-sitter parsing: language by file extension, one parse per file and side, shared trees.

Grammars come from the official per-language wheels (compiled, offline). Files with syntax
errors still parse: tree-sitter recovers and marks ERROR nodes, detectors work on the rest.
"""

from __future__ import annotations

import functools
from array import array
from bisect import bisect_left
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import PurePosixPath

from tree_sitter import Language, Node, Parser, Tree, TreeCursor

EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".js": "javascript",
    ".jsx": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".java": "java",
}

@functools.lru_cache(maxsize=1 << 16)  # asked for every file of a tree, several times a scan
def language_for_path(path: str) -> str | None:
    return EXTENSIONS.get(PurePosixPath(path).suffix.lower())


@functools.cache
def grammar(language: str) -> Language:
    """The compiled grammar of a language; imported on first use only."""
    if language == "python":
        import tree_sitter_python as mod

        return Language(mod.language())
    if language == "javascript":
        import tree_sitter_javascript as js

        return Language(js.language())
    if language in ("typescript", "tsx"):
        import tree_sitter_typescript as ts

        return Language(ts.language_tsx() if language == "tsx" else ts.language_typescript())
    if language == "go":
        import tree_sitter_go as go

        return Language(go.language())
    if language == "java":
        import tree_sitter_java as java

        return Language(java.language())
    raise KeyError(language)


@functools.cache
def _parser(language: str) -> Parser:
    return Parser(grammar(language))


@dataclass(frozen=True)
class SourceFile:
    """One version of one file: its text, its lines and (for known languages) its syntax tree,
    parsed on first use (a scan reads many files only as text: a search, a value kept by blob id)."""

    path: str
    text: str
    language: str | None = None
    data: bytes = field(default=b"", compare=False, repr=False)
    parse: bool = field(default=True, compare=False, repr=False)  # False: text only (bounds.unparsed)

    @functools.cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @functools.cached_property
    def tree(self) -> Tree | None:
        if self.language is None or not self.parse:
            return None
        return _parser(self.language).parse(self.data)

    @property
    def parsed(self) -> bool:
        """Whether this object holds its syntax tree (built by a first use of `tree`)."""
        return "tree" in self.__dict__

    @property
    def root(self) -> Node | None:
        return self.tree.root_node if self.tree is not None else None

    @functools.cached_property
    def _index(self) -> tuple[dict[str, array[int]], dict[str, array[int]], array[int]]:
        """By type, the positions in `walk(root)` order of the named nodes and of the anonymous ones
        (tokens), and each position's start byte: one pass per file and side. Positions only, no
        node objects: the index keeps no tree alive and costs a few bytes a node; `nodes_at` brings
        the nodes back through a cursor."""
        named: dict[str, array[int]] = {}
        anonymous: dict[str, array[int]] = {}
        starts = array("I")
        root = self.root
        if root is None:
            return named, anonymous, starts
        for node in walk(root):
            kinds = named if node.is_named else anonymous
            found = kinds.get(node.type)
            if found is None:
                found = kinds[node.type] = array("I")
            found.append(len(starts))
            starts.append(node.start_byte)
        return named, anonymous, starts

    def nodes_of(self, *types: str, under: Node | None = None, named_only: bool = False) -> list[Node]:
        """The nodes of `types` in `walk` order: of the whole tree, or of `walk(under)` (a node of
        this tree), found without walking the tree again; `named_only`: no token of such a type
        (the `yield` keyword inside a `yield` expression)."""
        return self.nodes_at(self.positions_of(*types, under=under, named_only=named_only))

    def positions_of(self, *types: str, under: Node | None = None, named_only: bool = False) -> Sequence[int]:
        """The positions in `walk(root)` order of what `nodes_of` finds (a node's descendants are the
        `descendant_count - 1` positions after its own)."""
        named, anonymous, _ = self._index
        lists = [kinds[kind] for kinds in ((named,) if named_only else (named, anonymous))
                 for kind in types if kind in kinds]
        if under is not None and lists:
            start = self.position(under)
            if start is None:
                raise ValueError(f"{under!r} is not a node of {self.path}")
            stop = start + under.descendant_count
            lists = [found[bisect_left(found, start):bisect_left(found, stop)] for found in lists]
        if len(lists) <= 1:
            return lists[0] if lists else ()
        return sorted(chain.from_iterable(lists))

    def nodes_at(self, positions: Iterable[int]) -> list[Node]:
        """The nodes at `positions` (of `positions_of`)."""
        root = self.root
        nodes: list[Node] = []
        cursor = root.walk() if root is not None else None
        for position in positions:
            assert cursor is not None  # positions come from a tree
            cursor.goto_descendant(position)
            nodes.append(_at(cursor))
        return nodes

    def position(self, node: Node) -> int | None:
        """The position of `node` in `walk(root)` order (None: not a node of this tree), found among
        the nodes starting where it starts (it and its ancestors and descendants of that start, in a
        row)."""
        root = self.root
        if root is None:
            return None
        starts = self._index[2]
        cursor = root.walk()
        position = bisect_left(starts, node.start_byte)
        while position < len(starts) and starts[position] == node.start_byte:
            cursor.goto_descendant(position)
            if _at(cursor) == node:
                return position
            position += 1
        return None

    def node_text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line_text(self, line: int) -> str:
        """The text of 1-based line `line`, or '' past the end."""
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


def parse_source(path: str, text: str) -> SourceFile:
    """`text` as a file of the language of `path` (parsed on first use); unknown languages get no tree."""
    return SourceFile(path=path, text=text, language=language_for_path(path),
                      data=text.encode("utf-8", "surrogatepass"))


def walk(node: Node) -> Iterator[Node]:
    """Every node below and including `node`, depth first, in source order."""
    cursor = node.walk()  # moves without building each node's list of children: about twice as fast
    while True:
        yield _at(cursor)
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():  # back at `node`: a cursor never leaves the node it starts on
                return


def walk_pruned(node: Node, skip: Collection[str], *, meet_skipped: bool = False) -> Iterator[Node]:
    """`walk(node)` leaving out the nodes of `skip` types below `node` and everything inside them
    (a scope without its nested functions); `meet_skipped`: the skipped nodes themselves are met."""
    cursor = node.walk()
    yield node
    enter = True
    while True:
        if not (enter and cursor.goto_first_child()):
            while not cursor.goto_next_sibling():
                if not cursor.goto_parent():
                    return
        current = _at(cursor)
        enter = current.type not in skip
        if enter or meet_skipped:
            yield current


def _at(cursor: TreeCursor) -> Node:
    node = cursor.node
    assert node is not None  # a cursor made from a node always stands on one
    return node


def ancestor(node: Node, types: Collection[str], stop: Node | None = None) -> Node | None:
    """The nearest ancestor of `node` of one of `types`, not looking at `stop` or above it."""
    current = node.parent
    while current is not None and current != stop:
        if current.type in types:
            return current
        current = current.parent
    return None


def line_of(node: Node) -> int:
    """The 1-based first line of a node."""
    return node.start_point[0] + 1


def end_line_of(node: Node) -> int:
    """The 1-based last line of a node (a node ending at column 0 ends on the line before)."""
    row, col = node.end_point
    if col == 0 and row > node.start_point[0]:
        return row
    return row + 1
