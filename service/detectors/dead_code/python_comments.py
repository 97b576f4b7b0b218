"""Which Python comment lines are commented-out code: the Python side of the commented-out-code
detector (`commented_out_code.py`)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

from tree_sitter import Node

from ...analysis.commented_code import all_code
from ...lang.python import symbols as sym
from ...parsing import SourceFile, parse_source

PRAGMA = re.compile(r"^#\s*(?:!|-\*-|type:|noqa|pragma|fmt:|pylint:|mypy:|isort:|ruff:|nosec|"
                    r"pyright:|slopguard:|vim:|coding[:=])")
CODE_EXPRESSIONS = frozenset({"call", "assignment", "augmented_assignment", "await", "yield"})
CODE_STATEMENTS = frozenset({
    "import_statement", "import_from_statement", "return_statement", "raise_statement",
    "if_statement", "for_statement", "while_statement", "with_statement", "try_statement",
    "function_definition", "class_definition", "decorated_definition", "delete_statement",
    "assert_statement", "match_statement",
})
NEUTRAL_STATEMENTS = frozenset({
    "pass_statement", "break_statement", "continue_statement", "global_statement",
    "nonlocal_statement", "comment",
})


def _comment_lines(src: SourceFile, root: Node) -> Iterator[tuple[int, str | None]]:
    """Full-line comments: (line number, text after the `#`, or None for a pragma)."""
    for node in sym.comments(root):
        line = node.start_point[0] + 1
        body = src.line_text(line).strip()
        yield line, (None if not body.startswith("#") or PRAGMA.match(body) else body.lstrip("#"))


def _is_code(lines: list[str]) -> bool:
    """True when the uncommented lines parse cleanly as Python statements, not as prose."""
    source = textwrap.dedent("\n".join(lines)) + "\n"
    if not re.search(r"[(=\[:]", source):
        return False
    root = parse_source("commented.py", source).root
    return root is not None and not root.has_error and all_code(root, _statement_kind)


def _statement_kind(stmt: Node) -> str:
    if stmt.type in CODE_STATEMENTS:
        return "code"
    if stmt.type in NEUTRAL_STATEMENTS:
        return "neutral"
    if stmt.type == "expression_statement" and stmt.named_child_count == 1:
        inner = stmt.named_children[0]
        if inner.type == "assignment" and inner.child_by_field_name("right") is None:
            return "prose"  # `Note: something` parses as a bare annotation
        if inner.type in CODE_EXPRESSIONS:
            return "code"
    return "prose"


def comment_lines(src: SourceFile) -> Iterator[tuple[int, str | None]]:
    return _comment_lines(src, src.root) if src.root is not None else iter(())


def is_code(language: str, lines: list[str]) -> bool:
    return _is_code(lines)
