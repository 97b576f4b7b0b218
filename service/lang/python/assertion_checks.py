"""What a Python test checks: its assertions (`assert`, unittest `assert*` calls, `pytest.raises`,
`pytest.approx`), normalised so the base and head versions of a test compare."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ...parsing import SourceFile, line_of, walk
from .testing import _WS, call_args, dotted_name, is_truthy_constant, norm, text_of

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


_FAILS = frozenset({"pytest.fail", "self.fail", "cls.fail", "fail"})


def verifies(src: SourceFile, func: Node, depth: int = 2) -> bool:
    """True when a function can fail a test: an assertion, a `raise`, `pytest.fail`/`self.fail`,
    or a call to a function or method of this file that does (followed `depth` calls deep)."""
    if checks(src, func):
        return True
    body = func.child_by_field_name("body")
    local = _local_functions(src) if depth > 0 else {}
    for node in walk(body) if body is not None else ():
        if node.type == "raise_statement" and not _placeholder_raise(src, node):
            return True
        if node.type != "call":
            continue
        name = dotted_name(src, node)
        if name in _FAILS:
            return True
        target = local.get(name.removeprefix("self.").removeprefix("cls."))
        if target is not None and target != func and verifies(src, target, depth - 1):
            return True
    return False


def _placeholder_raise(src: SourceFile, node: Node) -> bool:
    """`raise unittest.SkipTest(...)` / `raise NotImplementedError`: skips or marks a placeholder,
    checks nothing."""
    raised = node.named_children[0] if node.named_children else None
    name = dotted_name(src, raised)
    return name.split(".")[-1] in ("SkipTest", "NotImplementedError") or name.endswith("skip.Exception")


def _local_functions(src: SourceFile) -> dict[str, Node]:
    """Module-level functions and methods of module-level classes, by bare name."""
    out: dict[str, Node] = {}
    for stmt in src.root.children if src.root is not None else ():
        node = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        if node is None:
            continue
        if node.type == "function_definition":
            out[text_of(src, node.child_by_field_name("name"))] = node
        elif node.type == "class_definition":
            body = node.child_by_field_name("body")
            for member in body.named_children if body is not None else ():
                inner = member.child_by_field_name("definition") if member.type == "decorated_definition" else member
                if inner is not None and inner.type == "function_definition":
                    out.setdefault(text_of(src, inner.child_by_field_name("name")), inner)
    return out
