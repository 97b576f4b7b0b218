"""Syntax helpers of the Python null-check detector: node text, parentheses, tree walks and
reading type annotations (is it Optional, which class does it name)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...parsing import SourceFile


def text(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


def unwrap(node: Node | None) -> Node | None:
    """The expression inside parentheses (and `await`)."""
    while node is not None and node.type in ("parenthesized_expression", "await"):
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) != 1:
            return node
        node = inner[0]
    return node


def split_top(annotation: str, sep: str) -> list[str]:
    """Split a type expression on `sep` outside brackets."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in annotation:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


_OPTIONAL_PREFIX = re.compile(r"^(?:typing\.|t\.)?Optional\[")


_UNION_PREFIX = re.compile(r"^(?:typing\.|t\.)?Union\[(.*)\]$", re.S)


_MAPPED = re.compile(r"^(?:\w+\.)?Mapped\[(.*)\]$", re.S)


def is_optional_type(annotation: str) -> bool:
    """True for `Optional[X]`, `X | None`, `Union[X, None]` (also quoted, also inside Mapped[])."""
    ann = annotation.strip().strip("'\"").strip()
    mapped = _MAPPED.match(ann)
    if mapped:
        ann = mapped.group(1).strip().strip("'\"")
    if _OPTIONAL_PREFIX.match(ann):
        return True
    if "None" in split_top(ann, "|") and len(split_top(ann, "|")) > 1:
        return True
    union = _UNION_PREFIX.match(ann)
    return bool(union and "None" in split_top(union.group(1), ","))


def class_name_of(annotation: str) -> str | None:
    """`Foo`, `models.Foo`, `Optional[Foo]`, `"Foo"` -> `Foo`; containers -> None."""
    ann = annotation.strip().strip("'\"").strip()
    inner = re.match(r"^(?:typing\.)?Optional\[(.*)\]$", ann)
    if inner:
        ann = inner.group(1).strip().strip("'\"")
    parts = [p for p in split_top(ann, "|") if p != "None"]
    if len(parts) != 1:
        return None
    m = re.fullmatch(r"(?:\w+\.)*([A-Z]\w*)", parts[0])
    return m.group(1) if m else None


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _named(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type != "comment"]


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        stack.extend(reversed(cur.children))
