"""Shared logic of the Python test-tampering detectors: which files are tests, which functions
are tests, and what each test checks (its assertions, normalised so base and head compare)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node

from ...detector import FileContext, RepoView
from ...parsing import SourceFile, line_of, walk

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


def enclosing(node: Node, types: tuple[str, ...], stop: Node | None = None) -> Node | None:
    """The nearest ancestor of `node` of one of `types`, not looking above `stop`."""
    current = node.parent
    while current is not None and current != stop:
        if current.type in types:
            return current
        current = current.parent
    return None


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


# ---------------------------------------------------------------- assertions

_EQ_METHODS = frozenset({
    "assertEqual", "assertEquals", "assertDictEqual", "assertListEqual", "assertTupleEqual",
    "assertSetEqual", "assertSequenceEqual", "assertMultiLineEqual", "assertCountEqual",
    "assertItemsEqual", "assertIs", "assert_equal", "assert_frame_equal", "assert_series_equal",
    "assert_array_equal",
})
_METHOD_KINDS = {
    "assertAlmostEqual": "approx", "assertAlmostEquals": "approx", "assert_allclose": "approx",
    "assert_almost_equal": "approx", "assert_approx_equal": "approx",
    "assertTrue": "truthy", "assert_": "truthy", "assertFalse": "truthy",
    "assertIsNotNone": "not-none", "assertIsNone": "is-none",
    "assertIn": "in", "assertNotIn": "in", "assertRegex": "in", "assertRegexpMatches": "in",
    "assertGreater": "rel", "assertGreaterEqual": "rel", "assertLess": "rel", "assertLessEqual": "rel",
    "assertIsInstance": "isinstance", "assertNotIsInstance": "isinstance",
    "assertNotEqual": "ne", "assertNotEquals": "ne", "assertIsNot": "ne",
    "assertRaises": "raises", "assertRaisesRegex": "raises", "assertRaisesRegexp": "raises",
    "assertWarns": "raises", "assertLogs": "other",
}
_WRAPPERS = frozenset({"len", "bool", "list", "sorted", "set", "str", "int", "float", "tuple", "dict",
                       "repr", "type", "frozenset", "Decimal"})
_LITERALS = frozenset({"integer", "float", "string", "concatenated_string", "true", "false", "none",
                       "list", "tuple", "dictionary", "set", "unary_operator"})


@dataclass(frozen=True)
class Check:
    """One assertion of a test, classified by strength."""

    node: Node
    kind: str  # eq, approx, ne, rel, in, is-none, not-none, truthy, isinstance, raises, const, mock, other
    subject: str  # what is checked (normalised), "" when unknown
    expected: str  # what it is compared with (normalised)
    text: str  # the whole assertion (normalised)
    expected_node: Node | None = None

    @property
    def line(self) -> int:
        return line_of(self.node)


def _subject(src: SourceFile, node: Node | None) -> str:
    """A normalised subject; `len(x)`, `list(x)` and friends count as `x`."""
    if node is None:
        return ""
    while node.type == "call" and dotted_name(src, node) in _WRAPPERS:
        positional, _ = call_args(node)
        if len(positional) != 1:
            break
        node = positional[0]
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return _subject(src, node.named_children[0])
    return norm(text_of(src, node))


def is_approx(src: SourceFile, node: Node | None) -> bool:
    return node is not None and node.type == "call" and dotted_name(src, node).split(".")[-1] in (
        "approx", "isclose", "ANY")


def is_literal(src: SourceFile, node: Node | None) -> bool:
    """A literal value, or a constructor call of literals such as `Decimal("1.50")`."""
    if node is None:
        return False
    if node.type in _LITERALS:
        return all(is_literal(src, c) for c in node.named_children if c.type not in (
            "string_start", "string_content", "string_end", "escape_sequence", "pair", "interpolation"))\
            and not any(c.type == "interpolation" for c in node.named_children)
    if node.type == "pair":
        return is_literal(src, node.child_by_field_name("key")) and is_literal(src, node.child_by_field_name("value"))
    if node.type == "call":
        positional, keywords = call_args(node)
        return dotted_name(src, node).split(".")[-1][:1].isupper() and bool(positional or keywords) and all(
            is_literal(src, a) for a in [*positional, *keywords.values()])
    return False


def _comparison(src: SourceFile, node: Node, expr: Node, text: str) -> Check:
    operands = [c for c in expr.named_children if c.type != "comment"]
    ops = [o for o in expr.children if o not in operands]
    if len(operands) != 2 or len(ops) != 1:
        return Check(node, "rel", _subject(src, operands[0]) if operands else "", "", text)
    left, right = operands
    op = _WS.sub(" ", text_of(src, ops[0]))
    if op in ("in", "not in"):
        return Check(node, "in", _subject(src, right), norm(text_of(src, left)), text, left)
    if op in ("<", ">", "<=", ">="):
        return Check(node, "rel", _subject(src, left), norm(text_of(src, right)), text, right)
    if right.type == "none" or left.type == "none":
        subject = left if right.type == "none" else right
        kind = "not-none" if op in ("is not", "!=") else "is-none"
        return Check(node, kind, _subject(src, subject), "None", text)
    if op in ("!=", "is not"):
        return Check(node, "ne", _subject(src, left), norm(text_of(src, right)), text, right)
    if (is_literal(src, left) and not is_literal(src, right)) or is_approx(src, left):
        left, right = right, left
    kind = "approx" if is_approx(src, right) else "eq"
    return Check(node, kind, _subject(src, left), norm(text_of(src, right)), text, right)


def _assert_statement(src: SourceFile, node: Node) -> Check:
    text = norm(text_of(src, node))
    exprs = [c for c in node.named_children if c.type != "comment"]
    expr = exprs[0] if exprs else None
    if expr is None:
        return Check(node, "other", "", "", text)
    while expr.type == "parenthesized_expression" and expr.named_child_count == 1:
        expr = expr.named_children[0]
    if is_truthy_constant(src, expr):
        return Check(node, "const", "", "", text)
    if expr.type == "comparison_operator":
        return _comparison(src, node, expr, text)
    if expr.type == "call" and dotted_name(src, expr) == "isinstance":
        positional, _ = call_args(expr)
        return Check(node, "isinstance", _subject(src, positional[0] if positional else None), "", text)
    if expr.type == "not_operator":
        return Check(node, "truthy", _subject(src, expr.child_by_field_name("argument")), "", text)
    return Check(node, "truthy", _subject(src, expr), "", text)


def _call_check(src: SourceFile, node: Node) -> Check | None:
    name = dotted_name(src, node)
    method = name.split(".")[-1]
    positional, _ = call_args(node)
    text = norm(text_of(src, node))
    first = positional[0] if positional else None
    second = positional[1] if len(positional) > 1 else None
    if name.endswith(("raises", "warns")) and name.split(".")[0] in ("pytest", "raises", "warns"):
        return Check(node, "raises", "", norm(text_of(src, first)), text, first)
    if method in _EQ_METHODS:
        if is_literal(src, first) and not is_literal(src, second):
            first, second = second, first
        return Check(node, "eq", _subject(src, first), norm(text_of(src, second)), text, second)
    kind = _METHOD_KINDS.get(method)
    if kind == "raises":
        return Check(node, "raises", "", norm(text_of(src, first)), text, first)
    if kind == "truthy" and is_truthy_constant(src, first) and method != "assertFalse":
        return Check(node, "const", "", "", text)
    if kind == "in":
        return Check(node, "in", _subject(src, second), norm(text_of(src, first)), text, first)
    if kind is not None:
        return Check(node, kind, _subject(src, first), norm(text_of(src, second)), text, second)
    if method.startswith(("assert_called", "assert_awaited", "assert_any_call", "assert_has_calls",
                          "assert_not_called", "assert_not_awaited")):
        obj = node.child_by_field_name("function")
        target = obj.child_by_field_name("object") if obj is not None and obj.type == "attribute" else None
        return Check(node, "mock", _subject(src, target), method, text)
    if method.startswith("assert") and name.split(".")[0] in ("self", "cls"):
        return Check(node, "other", _subject(src, first), "", text)
    return None


def checks(src: SourceFile, func: Node) -> list[Check]:
    """Every assertion inside a function: assert statements, unittest/mock asserts, raises."""
    out: list[Check] = []
    body = func.child_by_field_name("body")
    if body is None:
        return out
    for node in walk(body):
        if node.type == "assert_statement":
            out.append(_assert_statement(src, node))
        elif node.type == "call":
            check = _call_check(src, node)
            if check is not None:
                out.append(check)
    return out
