"""Test files and test functions of Python, for the test-tampering detectors: which files are
tests, which functions are tests, and what a change did to them. What each test checks lives in
`assertion_checks`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node

from ...detector import FileContext, RepoView
from ...parsing import SourceFile, walk

_TEST_DIRS = frozenset({"test", "tests", "testing", "unittests", "unit_tests", "integration_tests"})
_WS = re.compile(r"\s+")


def is_test_path(path: str) -> bool:
    """True for a Python test module (test_*.py, *_test.py, conftest.py, files under tests/)."""
    p = PurePosixPath(path)
    if p.suffix != ".py":
        return False
    name = p.name
    if name.startswith("test_") or name.endswith("_test.py") or name in ("conftest.py", "tests.py"):
        return True
    return any(part in _TEST_DIRS for part in p.parts[:-1])


def norm(text: str) -> str:
    """Source text with all whitespace removed and quotes unified, for comparisons."""
    return _WS.sub("", text).replace("'", '"')


def text_of(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


@dataclass(frozen=True)
class TestFunc:
    """One test: a `test*` function at module level or a `test*` method of a test class."""

    name: str
    qualname: str
    node: Node  # the function_definition
    outer: Node  # the decorated_definition, or the function itself
    decorators: tuple[Node, ...]
    cls: str | None
    cls_node: Node | None = None


def _unwrap(node: Node) -> tuple[Node | None, Node, tuple[Node, ...]]:
    """(definition, outer node, decorators) of a statement that may be decorated."""
    if node.type == "decorated_definition":
        definition = node.child_by_field_name("definition")
        decorators = tuple(c for c in node.children if c.type == "decorator")
        return definition, node, decorators
    return node, node, ()


def _name(src: SourceFile, node: Node) -> str:
    return text_of(src, node.child_by_field_name("name"))


def is_test_class(src: SourceFile, node: Node) -> bool:
    name = _name(src, node)
    if name.startswith("Test"):
        return True
    supers = text_of(src, node.child_by_field_name("superclasses"))
    return "TestCase" in supers


def test_classes(src: SourceFile) -> Iterator[tuple[str, Node, Node, tuple[Node, ...]]]:
    """(name, class_definition, outer node, decorators) of every module-level test class."""
    root = src.root
    if root is None:
        return
    for stmt in root.children:
        definition, outer, decorators = _unwrap(stmt)
        if definition is not None and definition.type == "class_definition" and is_test_class(src, definition):
            yield _name(src, definition), definition, outer, decorators


def test_functions(src: SourceFile | None) -> list[TestFunc]:
    """Every test function and test method of a file, in source order."""
    if src is None or src.root is None:
        return []
    found: list[TestFunc] = []
    for stmt in src.root.children:
        definition, outer, decorators = _unwrap(stmt)
        if definition is None:
            continue
        if definition.type == "function_definition":
            name = _name(src, definition)
            if name.startswith("test"):
                found.append(TestFunc(name, name, definition, outer, decorators, None))
        elif definition.type == "class_definition" and is_test_class(src, definition):
            cls = _name(src, definition)
            body = definition.child_by_field_name("body")
            for member in body.children if body is not None else ():
                mdef, mouter, mdecorators = _unwrap(member)
                if mdef is not None and mdef.type == "function_definition":
                    name = _name(src, mdef)
                    if name.startswith("test"):
                        found.append(TestFunc(name, f"{cls}.{name}", mdef, mouter, mdecorators, cls, definition))
    return found


def head_test_names(repo: RepoView) -> set[str]:
    """The bare names of every test function in the head tree."""
    names: set[str] = set()
    for path in repo.paths("RIGHT"):
        if is_test_path(path):
            names.update(t.name for t in test_functions(repo.source("RIGHT", path)))
    return names


def base_version(ctx: FileContext) -> SourceFile | None:
    return ctx.base if ctx.diff.old_path else None


def dotted_name(src: SourceFile, node: Node | None) -> str:
    """`pytest.mark.skip` for the function part of a call or a decorator expression."""
    if node is None:
        return ""
    if node.type == "call":
        return dotted_name(src, node.child_by_field_name("function"))
    if node.type in ("identifier", "attribute"):
        return norm(text_of(src, node))
    return ""


def call_args(node: Node) -> tuple[list[Node], dict[str, Node]]:
    """Positional and keyword arguments of a call node."""
    args = node.child_by_field_name("arguments")
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    for child in args.named_children if args is not None else ():
        if child.type == "keyword_argument":
            key = child.child_by_field_name("name")
            value = child.child_by_field_name("value")
            if key is not None and value is not None and key.text is not None:
                keywords[key.text.decode("utf-8", "replace")] = value
        elif child.type != "comment":
            positional.append(child)
    return positional, keywords


def string_value(src: SourceFile, node: Node | None) -> str | None:
    """The text of a string literal (f-strings and concatenations included), else None."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(text_of(src, c) for c in node.children if c.type in ("string_content", "interpolation"))
    if node.type == "concatenated_string":
        parts = [string_value(src, c) for c in node.named_children]
        return "".join(p for p in parts if p is not None)
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return string_value(src, node.named_children[0])
    return None


_CONSTANTS = frozenset({"true", "integer", "float", "string", "concatenated_string"})


def is_truthy_constant(src: SourceFile, node: Node | None) -> bool:
    """`True`, `1`, `"x"`, `not False`, `(True)`: an expression that is always true."""
    if node is None:
        return False
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return is_truthy_constant(src, node.named_children[0])
    if node.type == "not_operator":
        arg = node.child_by_field_name("argument")
        return arg is not None and arg.type in ("false", "none")
    if node.type in ("integer", "float"):
        return norm(text_of(src, node)).strip("0.") != ""
    if node.type in ("string", "concatenated_string"):
        return bool(string_value(src, node))
    if node.type == "boolean_operator":
        op = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if op is not None and op.type == "or":
            return is_truthy_constant(src, left) or is_truthy_constant(src, right)
        return is_truthy_constant(src, left) and is_truthy_constant(src, right)
    return node.type == "true"


def identifiers(src: SourceFile, node: Node) -> set[str]:
    """Every identifier used below `node`."""
    return {text_of(src, n) for n in walk(node) if n.type == "identifier"}


def defined_names(src: SourceFile | None) -> set[str]:
    """Names of every function and class a file defines (any depth)."""
    if src is None or src.root is None:
        return set()
    out: set[str] = set()
    for n in walk(src.root):
        if n.type in ("function_definition", "class_definition"):
            out.add(_name(src, n))
    return out


def removed_definitions(files: tuple[FileContext, ...]) -> set[str]:
    """Functions and classes of non-test Python code that the change deletes or renames away."""
    before: set[str] = set()
    after: set[str] = set()
    for f in files:
        if f.language != "python" or is_test_path(f.path):
            continue
        before |= defined_names(f.base)
        after |= defined_names(f.head)
    return before - after


def body_lines(src: SourceFile, func: Node) -> list[str]:
    """The normalised statements of a function body (comments and blank lines dropped)."""
    body = func.child_by_field_name("body")
    if body is None:
        return []
    out = []
    for stmt in body.named_children:
        if stmt.type == "comment":
            continue
        out.append(norm(text_of(src, stmt)))
    return out
