"""Which JS/TS comments are commented-out code or markup: the JS side of the commented-out-code
detector (`commented_out_code.py`)."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator

from tree_sitter import Node

from ...analysis.commented_code import Run, all_code
from ...lang.js import symbols as sym
from ...lang.js.testing import starts_test_call
from ...parsing import SourceFile, parse_source, walk

DIRECTIVE = re.compile(
    r"^//\s*(?:/|@ts-|eslint|prettier|istanbul|c8|jshint|jscs|global\b|tslint|biome|#|"
    r"region|endregion|webpackChunkName|slopguard:|noinspection|sourceMappingURL|@flow)"
)
CODE_STATEMENTS = frozenset({
    "lexical_declaration", "variable_declaration", "return_statement", "throw_statement",
    "if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement",
    "try_statement", "switch_statement", "function_declaration", "class_declaration",
    "import_statement", "export_statement", "generator_function_declaration",
    "abstract_class_declaration", "interface_declaration", "type_alias_declaration",
    "enum_declaration",
})
NEUTRAL_STATEMENTS = frozenset({"break_statement", "continue_statement", "empty_statement", "comment"})
CODE_EXPRESSIONS = frozenset({
    "call_expression", "assignment_expression", "augmented_assignment_expression", "await_expression",
    "new_expression", "update_expression", "yield_expression",
})


def _comment_lines(src: SourceFile) -> Iterator[tuple[int, str | None]]:
    """Full-line comments: (line number, text after the `//`, or None for a block comment or a
    directive)."""
    for node in sym.comments(src):
        line = node.start_point[0] + 1
        body = src.line_text(line).strip()
        if not body.startswith("//") or node.end_point[0] != node.start_point[0] or DIRECTIVE.match(body):
            yield line, None
        else:
            yield line, body[2:]


def _statement_kind(stmt: Node) -> str:
    if stmt.type in CODE_STATEMENTS:
        return "code"
    if stmt.type in NEUTRAL_STATEMENTS:
        return "neutral"
    if stmt.type == "expression_statement" and stmt.named_children:
        inner = stmt.named_children[0]
        if inner.type in CODE_EXPRESSIONS:
            # `e.g. foo(bar)` / `i.e. x`: prose abbreviations that happen to parse.
            return "prose" if re.match(r"^(e\.g|i\.e|etc|cf|vs)\b", sym.text(inner)) else "code"
    return "prose"


def _is_code(language: str, lines: list[str]) -> bool:
    source = textwrap.dedent("\n".join(lines)) + "\n"
    if not re.search(r"[(=;{}]", source):
        return False
    suffix = {"javascript": ".jsx", "typescript": ".ts", "tsx": ".tsx"}.get(language, ".ts")
    root = parse_source("commented" + suffix, source).root
    if root is None or root.has_error or any(n.is_missing for n in walk(root)):
        return False
    return all_code(root, _statement_kind)


def comment_lines(src: SourceFile) -> Iterator[tuple[int, str | None]]:
    return _comment_lines(src)


def is_code(language: str, lines: list[str]) -> bool:
    return _is_code(language, lines)


def test_block(path: str, run: Run) -> bool:
    """A commented-out test in a test file: the test-tampering rules report it."""
    return sym.is_test_path(path) and any(starts_test_call(t) for _, t in run)


def markup_comments(src: SourceFile) -> Iterator[Node]:
    """JSX comments of commented-out markup."""
    return _jsx_markup_comments(src)


def _jsx_markup_comments(src: SourceFile) -> Iterator[Node]:
    """`{/* <Element ...>...</Element> */}` comments: a JSX expression holding only a comment
    whose text is JSX elements."""
    for node in sym.comments(src):
        parent = node.parent
        if parent is None or parent.type != "jsx_expression" or len(parent.named_children) != 1:
            continue
        body = sym.text(node)
        if not body.startswith("/*") or not body.endswith("*/"):
            continue
        inner = body[2:-2].strip()
        if inner.startswith("<") and _is_markup(inner):
            yield node


def _is_markup(text: str) -> bool:
    root = parse_source("commented.tsx", f"const _ = <>{text}</>;\n").root
    if root is None or root.has_error or any(n.is_missing for n in walk(root)):
        return False
    fragment = next((n for n in walk(root) if n.type == "jsx_element"), None)
    if fragment is None:
        return False
    children = [c for c in fragment.named_children if c.type not in ("jsx_opening_element", "jsx_closing_element")]
    if any(c.type == "jsx_text" and sym.text(c).strip() for c in children):
        return False  # prose around a tag: `<Badge /> is rendered by the parent`
    return any(c.type in ("jsx_element", "jsx_self_closing_element") for c in children)
