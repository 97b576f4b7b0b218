"""Mechanical fixes: the edit that removes a finding, for the rules where there is exactly one.

`suggest(finding, source)` looks at the syntax tree of the file the finding is in (head version)
and returns a `Fix` (whole lines replaced) or None. Fixes exist for
- an unused import that binds one name (the statement's lines are deleted), or one name of a
  parenthesised import written one name per line (that line is deleted);
- statements after `return`/`raise`/`continue`/`break`/`throw` in the same block (deleted);
- a focused JavaScript/TypeScript test (`it.only` -> `it`, `fit` -> `it`, `fdescribe` -> `describe`);
- `verify=False` / `verify_ssl=False` on an HTTP call, or `session.verify = False` (-> `True`).
A fix is offered only when the edit is certain: the code must sit on lines of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tree_sitter import Node

from .models import Finding, Fix
from .parsing import SourceFile, end_line_of, line_of, walk

_IMPORTS = ("import_statement", "import_from_statement")
_EXITS = {
    "python": ("return_statement", "raise_statement", "continue_statement", "break_statement"),
    "js": ("return_statement", "throw_statement", "continue_statement", "break_statement"),
}
_BLOCKS = {"python": ("block",), "js": ("statement_block", "switch_case", "switch_default")}
_FOCUSED = {"fit": "it", "fdescribe": "describe", "ftest": "test"}
_TLS_ARGUMENTS = ("verify", "verify_ssl")


def suggest(finding: Finding, source: SourceFile | None) -> Fix | None:
    """The mechanical fix of `finding`, or None when its rule has none or the edit is not certain."""
    if source is None or source.root is None or finding.side != "RIGHT":
        return None
    maker = _MAKERS.get(finding.rule)
    return maker(finding, source) if maker else None


# ---------------------------------------------------------------------- unused import


def _unused_import(finding: Finding, src: SourceFile) -> Fix | None:
    for stmt in _nodes(src, finding.line, _IMPORTS):
        names = _bound_name_nodes(stmt)
        at_line = [n for n in names if line_of(n) == finding.line]
        if len(at_line) != 1:
            continue
        if len(names) == 1 and _alone(src, stmt):
            return Fix("Delete the unused import", line_of(stmt), end_line_of(stmt))
        name = at_line[0]
        rest = src.line_text(finding.line).strip()
        if line_of(stmt) != finding.line and end_line_of(stmt) != finding.line \
                and rest.rstrip(",").strip() == src.node_text(name):
            return Fix("Delete the unused name from the import", finding.line, finding.line)
    return None


def _bound_name_nodes(stmt: Node) -> list[Node]:
    module = stmt.child_by_field_name("module_name")
    return [c for c in stmt.children_by_field_name("name") if c != module]


# ---------------------------------------------------------------------- unreachable code


def _unreachable(finding: Finding, src: SourceFile) -> Fix | None:
    family = "python" if src.language == "python" else "js"
    for stmt in _statements_at(src, finding.line, _BLOCKS[family]):
        block = stmt.parent
        assert block is not None
        siblings = [c for c in block.named_children if c.type != "comment"]
        index = siblings.index(stmt)
        if index == 0 or siblings[index - 1].type not in _EXITS[family]:
            continue
        if block.type in ("switch_case", "switch_default") and stmt == block.child_by_field_name("value"):
            continue
        last = siblings[-1]
        if not (_alone(src, stmt, before_only=True) and _alone(src, last, after_only=True)):
            continue
        if line_of(stmt) == end_line_of(siblings[index - 1]):
            continue  # shares a line with the exit
        return Fix("Delete the code that can never run", line_of(stmt), end_line_of(last))
    return None


def _statements_at(src: SourceFile, line: int, blocks: tuple[str, ...]) -> Iterator[Node]:
    assert src.root is not None
    for node in walk(src.root):
        if line_of(node) == line and node.parent is not None and node.parent.type in blocks and node.is_named \
                and node.type != "comment":
            yield node


# ---------------------------------------------------------------------- focused test


def _focused_test(finding: Finding, src: SourceFile) -> Fix | None:
    assert src.root is not None
    for call in walk(src.root):
        if call.type != "call_expression" or line_of(call) != finding.line:
            continue
        callee = call.child_by_field_name("function")
        if callee is None or line_of(callee) != end_line_of(callee):
            continue
        if callee.type == "member_expression":
            prop = callee.child_by_field_name("property")
            obj = callee.child_by_field_name("object")
            if prop is None or obj is None or src.node_text(prop) != "only":
                continue
            new = src.node_text(obj)
        elif callee.type == "identifier" and src.node_text(callee) in _FOCUSED:
            new = _FOCUSED[src.node_text(callee)]
        else:
            continue
        return Fix("Remove the focus so the whole suite runs", line_of(callee), line_of(callee),
                   (_splice(src, callee, new),))
    return None


# ---------------------------------------------------------------------- TLS verification off


def _tls_verify(finding: Finding, src: SourceFile) -> Fix | None:
    assert src.root is not None
    falses: list[Node] = []
    for node in walk(src.root):
        if not finding.line <= line_of(node) <= finding.last_line:
            continue
        if node.type == "keyword_argument":
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        elif node.type == "assignment":
            left, value = node.child_by_field_name("left"), node.child_by_field_name("right")
            name = left.child_by_field_name("attribute") if left is not None and left.type == "attribute" else None
        else:
            continue
        if name is not None and value is not None and value.type == "false" \
                and src.node_text(name) in _TLS_ARGUMENTS:
            falses.append(value)
    lines = {line_of(n) for n in falses}
    if len(falses) != 1 or len(lines) != 1:
        return None
    (value,) = falses
    return Fix("Turn certificate verification back on", line_of(value), line_of(value),
               (_splice(src, value, "True"),))


# ---------------------------------------------------------------------- helpers


def _nodes(src: SourceFile, line: int, types: tuple[str, ...]) -> Iterator[Node]:
    assert src.root is not None
    for node in walk(src.root):
        if node.type in types and line_of(node) <= line <= end_line_of(node):
            yield node


def _alone(src: SourceFile, node: Node, *, before_only: bool = False, after_only: bool = False) -> bool:
    """True when nothing but blanks (and, after it, a comment) shares `node`'s first and last lines."""
    first = src.line_text(line_of(node)).encode()
    last = src.line_text(end_line_of(node)).encode()
    before = first[: node.start_point[1]].strip()
    after = last[node.end_point[1]:].strip() if node.end_point[0] + 1 == end_line_of(node) else b""
    after = after.lstrip(b";").strip()
    ok_before = not before
    ok_after = not after or after.startswith((b"#", b"//"))
    if before_only:
        return ok_before
    if after_only:
        return ok_after
    return ok_before and ok_after


def _splice(src: SourceFile, node: Node, new: str) -> str:
    """The line of `node` (a one-line node) with the node's text replaced by `new`."""
    data = src.line_text(line_of(node)).encode()
    start, end = node.start_point[1], node.end_point[1]
    return (data[:start] + new.encode() + data[end:]).decode("utf-8", "replace")


_MAKERS: dict[str, Callable[[Finding, SourceFile], Fix | None]] = {
    "python.dead-code.unused-import": _unused_import,
    "python.dead-code.unreachable-code": _unreachable,
    "js.dead-code.unreachable-code": _unreachable,
    "js.test-tampering.focused-test": _focused_test,
    "python.insecure-auth.tls-verify-disabled": _tls_verify,
}
