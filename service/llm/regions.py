"""Which head lines of a changed file a reviewer would open, at three levels of detail.

- `full`: each change inside its whole enclosing function when that function is short; for a long
  one, the outline below plus a few lines around the change.
- `outline`: the enclosing function's signature, the guards and early returns above the change,
  the control-flow headers around it, and the lines that define the names the change uses
  (locals, module constants, imports), plus the changed lines with one line of context.
- `hunks`: the changed lines with one line of context and the enclosing signature line.

Everything is decided from the syntax tree; files without a tree get plain line context.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

from tree_sitter import Node

from ..parsing import SourceFile, end_line_of, line_of, walk

Level = Literal["full", "outline", "hunks"]
LEVELS: tuple[Level, ...] = ("full", "outline", "hunks")
WHOLE_FUNCTION_LINES = 60  # a function this short is shown whole at the `full` level
_FUNCTIONS = {
    "function_definition", "function_declaration", "method_definition", "method_declaration",
    "constructor_declaration", "function_item", "generator_function_declaration",
}
_CALLBACKS = {"arrow_function", "function_expression", "function", "lambda", "func_literal"}
_CONTROL = {
    "if_statement", "for_statement", "for_in_statement", "while_statement", "try_statement",
    "with_statement", "switch_statement", "expression_switch_statement", "enhanced_for_statement",
    "elif_clause", "else_clause", "except_clause", "catch_clause", "case_clause",
}
_CLASSES = {"class_definition", "class_declaration", "interface_declaration", "impl_item"}
_EXITS = {"return_statement", "raise_statement", "throw_statement", "continue_statement", "break_statement"}
_ASSIGNMENTS = {
    "assignment", "augmented_assignment", "variable_declarator", "assignment_expression",
    "short_var_declaration", "var_spec", "const_spec",
}
_IMPORTS = {"import_statement", "import_from_statement", "import_declaration", "import_spec"}
_IDENTIFIERS = {"identifier", "shorthand_property_identifier", "type_identifier"}
_MAX_DEFINITIONS = 24
_MAX_GUARDS = 16


def enclosing_function(root: Node, line: int) -> Node | None:
    """The outermost named function or method around `line` (callbacks inside it do not count)."""
    node: Node | None = root.descendant_for_point_range((line - 1, 0), (line - 1, 0))
    best = None
    while node is not None:
        if node.type in _FUNCTIONS:
            best = node
        node = node.parent
    return best


def _signature(fn: Node) -> set[int]:
    """The lines from the definition (and its decorators) to the start of its body, at most 6."""
    start = line_of(fn.parent) if fn.parent is not None and fn.parent.type == "decorated_definition" else line_of(fn)
    body = fn.child_by_field_name("body")
    end = line_of(fn)
    if body is not None:
        braced = body.text is not None and body.text[:1] == b"{"
        end = line_of(body) if braced else line_of(body) - 1
    return set(range(start, max(line_of(fn), min(end, line_of(fn) + 5)) + 1))


def _guards(fn: Node, first: int) -> set[int]:
    """Early exits above `first`: a short `if` whose body leaves the function, loop or block."""
    found: list[set[int]] = []
    for node in walk(fn):
        if node.type != "if_statement" or line_of(node) >= first:
            continue
        if end_line_of(node) - line_of(node) > 6:
            continue
        if any(child.type in _EXITS for child in walk(node)):
            found.append(set(range(line_of(node), end_line_of(node) + 1)))
    return set().union(*found[-_MAX_GUARDS:]) if found else set()


def _headers(src: SourceFile, line: int, stop: Node | None) -> set[int]:
    """The first line of each block around `line` (control flow, callbacks, nested functions; at
    module level also the enclosing class), up to the enclosing function."""
    root = src.root
    if root is None:
        return set()
    out: set[int] = set()
    node: Node | None = root.descendant_for_point_range((line - 1, 0), (line - 1, 0))
    while node is not None and node != stop:
        if node.type in _CONTROL or node.type in _CALLBACKS or node.type in _FUNCTIONS or node.type in _CLASSES:
            out.add(line_of(node))
        node = node.parent
    return out


def _classes(fn: Node) -> set[int]:
    """The header lines of the classes around a function."""
    out: set[int] = set()
    node = fn.parent
    while node is not None:
        if node.type in _CLASSES:
            out.add(line_of(node))
        node = node.parent
    return out


def _on_lines(root: Node, lines: set[int]) -> Iterator[Node]:
    """The nodes that start on one of `lines`, visiting only subtrees that reach one of them."""
    ordered = sorted(lines)
    stack = [root]
    while stack:
        node = stack.pop()
        first, last = line_of(node), end_line_of(node)
        at = bisect.bisect_left(ordered, first)
        if at == len(ordered) or ordered[at] > last:
            continue
        if first in lines:
            yield node
        stack.extend(node.children)


def _names_on(src: SourceFile, lines: set[int]) -> set[str]:
    if src.root is None:
        return set()
    return {src.node_text(n) for n in _on_lines(src.root, lines) if n.type in _IDENTIFIERS}


def _targets(node: Node, src: SourceFile) -> set[str]:
    target = node.child_by_field_name("left") or node.child_by_field_name("name")
    if target is None:
        return set()
    return {src.node_text(n) for n in walk(target) if n.type in _IDENTIFIERS}


def _pruned(node: Node) -> list[Node]:
    """`node` and its descendants, not entering functions (module-level statements)."""
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(c for c in current.children if c.type not in _FUNCTIONS and c.type not in _CALLBACKS)
    return out


def _definitions(src: SourceFile, module: list[Node], scope: Node | None, names: set[str], before: int) -> set[int]:
    """First lines of assignments in `scope` and at module level, and of imports, that bind a
    name the change uses: the nearest ones above line `before`."""
    root = src.root
    if root is None or not names:
        return set()
    hits: set[int] = set()
    local = list(walk(scope)) if scope is not None else []
    for node in module + local:
        if node.type in _IMPORTS:
            if {src.node_text(n) for n in walk(node) if n.type in _IDENTIFIERS} & names:
                hits.add(line_of(node))
        elif node.type in _ASSIGNMENTS and _targets(node, src) & names and (
                scope is None or not scope.start_byte <= node.start_byte < scope.end_byte or line_of(node) < before):
            hits.add(line_of(node))
    return set(sorted(hits, key=lambda n: (abs(before - n), n))[:_MAX_DEFINITIONS])


def _around(lines: Iterable[int], radius: int, total: int) -> set[int]:
    return {n for line in lines for n in range(max(1, line - radius), min(total, line + radius) + 1)}


def _groups(src: SourceFile, changed: Sequence[int]) -> list[tuple[Node | None, list[int]]]:
    """Changed lines grouped by their enclosing function (None: module level or no tree)."""
    groups: dict[int, tuple[Node | None, list[int]]] = {}
    for line in changed:
        fn = enclosing_function(src.root, line) if src.root is not None else None
        key = fn.start_byte if fn is not None else -1
        groups.setdefault(key, (fn, []))[1].append(line)
    return list(groups.values())


def select(src: SourceFile, changed: Sequence[int], level: Level) -> set[int]:
    """The head lines to show for a file whose changed (added, or next to removed) lines are
    `changed`, at `level`."""
    total = max(1, len(src.lines))
    if src.root is None:
        return _around(changed, {"full": 3, "outline": 2, "hunks": 1}[level], total)
    shown: set[int] = set()
    module = [n for n in _pruned(src.root) if n.type in _ASSIGNMENTS or n.type in _IMPORTS]
    for fn, lines in _groups(src, changed):
        first = min(lines)
        if level == "full" and fn is not None and end_line_of(fn) - line_of(fn) < WHOLE_FUNCTION_LINES:
            shown |= set(range(line_of(fn), end_line_of(fn) + 1)) | _classes(fn)
            shown |= _definitions(src, module, None, _names_on(src, set(lines)), first)
            continue
        shown |= _around(lines, 3 if level == "full" else 1, total)
        if fn is not None:
            shown |= _signature(fn) if level != "hunks" else {line_of(fn)}
            shown |= _classes(fn)
        if level == "hunks":
            continue
        if fn is not None:
            shown |= _guards(fn, first)
        for line in lines:
            shown |= _headers(src, line, fn)
        shown |= _definitions(src, module, fn, _names_on(src, set(lines)), first)
    return {n for n in shown if 1 <= n <= total}


def spans(lines: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted lines as inclusive ranges."""
    out: list[tuple[int, int]] = []
    for n in sorted(set(lines)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out
