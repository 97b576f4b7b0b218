"""What a JavaScript/TypeScript test checks: its `expect(...)` chains and `assert` calls, normalised so
the base and head versions of a test compare."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ...parsing import SourceFile, line_of, walk
from .testing import call_args, chain, norm, text_of

# ---------------------------------------------------------------- assertions

_EXACT = frozenset({"toBe", "toEqual", "toStrictEqual", "toHaveBeenCalledWith", "toBeCalledWith",
                    "toHaveBeenLastCalledWith", "lastCalledWith", "toHaveBeenNthCalledWith",
                    "nthCalledWith", "toHaveReturnedWith", "toHaveLength", "toHaveBeenCalledTimes",
                    "toBeCalledTimes", "toBeNull", "toBeUndefined", "toBeNaN", "toMatchObject",
                    "toHaveProperty", "toMatchInlineSnapshot", "toEqualTypeOf", "equal", "equals",
                    "eql", "deepEqual", "strictEqual", "deepStrictEqual", "toBeTrue", "toBeFalse",
                    "toHaveTextContent", "toHaveValue", "toHaveAttribute", "toHaveURL", "toHaveText"})


_KINDS: dict[str, str] = {
    "toBeCloseTo": "approx", "closeTo": "approx", "approximately": "approx",
    "toBeTruthy": "truthy", "toBeFalsy": "truthy", "ok": "truthy", "toBeOk": "truthy",
    "toBeDefined": "not-none", "exist": "not-none", "toBeVisible": "truthy",
    "toBeInTheDocument": "truthy",
    "toBeGreaterThan": "rel", "toBeGreaterThanOrEqual": "rel", "toBeLessThan": "rel",
    "toBeLessThanOrEqual": "rel", "above": "rel", "below": "rel", "least": "rel", "most": "rel",
    "gt": "rel", "lt": "rel", "gte": "rel", "lte": "rel", "within": "rel",
    "toContain": "in", "toContainEqual": "in", "toMatch": "in", "include": "in", "includes": "in",
    "contain": "in", "match": "in", "toHaveBeenCalled": "called", "toBeCalled": "called",
    "called": "called", "toHaveReturned": "called",
    "toBeInstanceOf": "isinstance", "instanceOf": "isinstance", "instanceof": "isinstance",
    "a": "isinstance", "an": "isinstance",
    "toThrow": "raises", "toThrowError": "raises", "throw": "raises", "throws": "raises",
    "rejects": "raises", "toMatchSnapshot": "snapshot", "toThrowErrorMatchingSnapshot": "raises",
    "toThrowErrorMatchingInlineSnapshot": "raises",
}


_NULLISH_EXACT = frozenset({"toBeNull", "toBeUndefined"})


_NODE_ASSERT = {"equal": "eq", "strictEqual": "eq", "deepEqual": "eq", "deepStrictEqual": "eq",
                "notEqual": "ne", "notStrictEqual": "ne", "notDeepStrictEqual": "ne", "ok": "truthy",
                "throws": "raises", "rejects": "raises", "match": "in", "isTrue": "eq", "isFalse": "eq",
                "isOk": "truthy", "exists": "not-none", "isDefined": "not-none", "isNotNull": "not-none",
                "include": "in", "isAbove": "rel", "isBelow": "rel", "instanceOf": "isinstance",
                "closeTo": "approx", "sameMembers": "eq", "lengthOf": "eq"}


_LITERALS = frozenset({"number", "string", "template_string", "true", "false", "null", "undefined",
                       "array", "object", "unary_expression", "regex"})


@dataclass(frozen=True)
class Check:
    """One assertion of a test, classified by strength."""

    node: Node  # the whole assertion call
    kind: str  # eq approx ne rel in not-none truthy isinstance raises called snapshot const other
    matcher: str
    negated: bool
    subject: str  # normalised subject of `expect(...)` ("" when unknown)
    expected: str  # normalised matcher arguments
    text: str  # the whole assertion, normalised
    expected_node: Node | None = None
    style: str = "expect"  # expect (`expect(x).toBe(y)`) | assert (`assert.equal(x, y)`)

    @property
    def line(self) -> int:
        return line_of(self.node)


def is_literal(node: Node | None) -> bool:
    if node is None:
        return False
    if node.type == "template_string":
        return not any(c.type == "template_substitution" for c in node.named_children)
    if node.type in ("array", "object"):
        return all(is_literal(c) for c in node.named_children if c.type != "comment")
    if node.type == "pair":
        return is_literal(node.child_by_field_name("value"))
    if node.type == "unary_expression":
        return is_literal(node.named_children[0] if node.named_children else None)
    return node.type in _LITERALS


def _expect_root(src: SourceFile, node: Node) -> tuple[Node | None, list[str]]:
    """For `expect(x).not.resolves.toBe` member chains: the `expect(...)` call and the words
    between it and the matcher."""
    words: list[str] = []
    cur: Node | None = node
    while cur is not None and cur.type == "member_expression":
        prop = cur.child_by_field_name("property")
        words.append(text_of(src, prop))
        cur = cur.child_by_field_name("object")
    if cur is not None and cur.type == "call_expression":
        names = chain(src, cur.child_by_field_name("function"))
        if names and names[0] in ("expect", "expectTypeOf", "assertType") and len(names) <= 2:
            return cur, list(reversed(words))
    return None, []


def _subject(src: SourceFile, node: Node | None) -> str:
    return norm(text_of(src, node)) if node is not None else ""


def check_of(src: SourceFile, call: Node) -> Check | None:
    """The assertion a call expression makes, or None when it is not an assertion."""
    callee = call.child_by_field_name("function")
    if callee is None:
        return None
    text = norm(text_of(src, call))
    args = call_args(call)
    if callee.type == "member_expression":
        root, words = _expect_root(src, callee)
        if root is not None and words:
            return _expect_check(src, call, root, words, args, text)
    names = chain(src, callee)
    if names and names[0] == "assert" and len(names) <= 2:
        method = names[1] if len(names) == 2 else "ok"
        kind = _NODE_ASSERT.get(method, "other")
        first = args[0] if args else None
        second = args[1] if len(args) > 1 else None
        if kind == "truthy" and is_literal(first) and (first is not None and first.type != "false"):
            kind = "const"
        elif kind == "truthy" and first is not None:
            return _truthy_check(src, call, method, first, text)
        if kind == "eq" and is_literal(first) and not is_literal(second):
            first, second = second, first
        return Check(call, kind, method, False, _subject(src, first), _subject(src, second), text, second,
                     style="assert")
    return None


_COMPARISONS = {"===": "eq", "==": "eq", "!==": "ne", "!=": "ne", ">": "rel", ">=": "rel", "<": "rel",
                "<=": "rel", "instanceof": "isinstance", "in": "in"}


_NEGATED = {"eq": "ne", "ne": "eq"}


_MEMBERSHIP = frozenset({"includes", "startsWith", "endsWith", "has", "test", "match", "some",
                         "hasOwnProperty", "contains"})


def _truthy_check(src: SourceFile, call: Node, method: str, expr: Node, text: str) -> Check:
    """`assert(x === y)`, `assert.ok(!s.includes('a'))`, `assert(n > 0)`: classified by what the
    asserted expression compares, so a translated `expect(x).toBe(y)` keeps its strength."""
    negated = False
    while expr.type in ("unary_expression", "parenthesized_expression") and expr.named_children:
        if expr.type == "unary_expression":
            if expr.child_by_field_name("operator") is None or text_of(src, expr.child_by_field_name(
                    "operator")) != "!":
                break
            negated = not negated
        expr = expr.named_children[0]
    kind = "truthy"
    subject: Node | None = expr
    expected: Node | None = None
    if expr.type == "binary_expression":
        op = expr.child_by_field_name("operator")
        found = _COMPARISONS.get(text_of(src, op)) if op is not None else None
        if found is not None:
            kind = _NEGATED.get(found, found) if negated else found
            subject, expected = expr.child_by_field_name("left"), expr.child_by_field_name("right")
            if kind in ("eq", "ne") and is_literal(subject) and not is_literal(expected):
                subject, expected = expected, subject
    elif expr.type == "call_expression":
        callee = expr.child_by_field_name("function")
        prop = callee.child_by_field_name("property") if callee is not None and callee.type == "member_expression" \
            else None
        if prop is not None and text_of(src, prop) in _MEMBERSHIP:
            kind = "in"  # `s.includes(x)`, `/re/.test(s)`, `set.has(k)`
    return Check(call, kind, method, negated, _subject(src, subject), _subject(src, expected), text,
                 expected, style="assert")


def _expect_check(src: SourceFile, call: Node, root: Node, words: list[str], args: list[Node],
                  text: str) -> Check | None:
    matcher = words[-1]
    negated = "not" in words[:-1]
    subject_args = call_args(root)
    subject_node = subject_args[0] if subject_args else None
    subject = _subject(src, subject_node)
    expected_node = args[0] if args else None
    expected = ",".join(norm(text_of(src, a)) for a in args)
    if "rejects" in words[:-1] and matcher in ("toThrow", "toThrowError"):
        kind = "raises"
    elif matcher in _EXACT:
        kind = "eq"
        if negated:
            kind = "not-none" if matcher in _NULLISH_EXACT else "ne"
    else:
        kind = _KINDS.get(matcher, "other")
        if negated and kind == "truthy":
            kind = "truthy"
    if kind in ("eq", "truthy", "not-none") and is_literal(subject_node) and subject_node is not None \
            and (kind != "eq" or is_literal(expected_node)) and subject_node.type not in ("object", "array"):
        kind = "const"
    return Check(call, kind, matcher, negated, subject, expected, text, expected_node)


def checks(src: SourceFile, node: Node | None) -> list[Check]:
    """Every assertion under `node` (a test function)."""
    out: list[Check] = []
    if node is None:
        return out
    for n in walk(node):
        if n.type == "call_expression":
            found = check_of(src, n)
            if found is not None:
                out.append(found)
    return out


_ASSERTING_ROOTS = frozenset({"expect", "expectTypeOf", "assertType", "assert", "chai", "should", "fail"})


def verifies(src: SourceFile, func: Node | None, depth: int = 2) -> bool:
    """True when a test function can fail: an assertion (`expect`, `assert`, `should`), a
    `throw`, a call on its context parameter (`t.is(...)`, `t.assert.equal(...)`), or a call to a
    function of this file that does (followed `depth` calls deep)."""
    if func is None:
        return False
    if checks(src, func):
        return True
    context = _context_param(src, func)
    local = _local_functions(src) if depth > 0 else {}
    for node in walk(func):
        if node.type == "throw_statement" or (node.type == "property_identifier" and text_of(src, node) == "should"):
            return True
        if node.type != "call_expression":
            continue
        names = chain(src, node.child_by_field_name("function"))
        if not names:
            continue
        if names[0] in _ASSERTING_ROOTS or (context and names[0] == context and len(names) > 1):
            return True
        target = local.get(names[0]) if len(names) == 1 else None
        if target is not None and target != func and verifies(src, target, depth - 1):
            return True
    return False


def _context_param(src: SourceFile, func: Node) -> str:
    """The name of a test function's first parameter (`t` of ava, node:test, tap), or ""."""
    params = func.child_by_field_name("parameters") or func.child_by_field_name("parameter")
    if params is None:
        return ""
    if params.type == "identifier":
        return text_of(src, params)
    first = next((p for p in params.named_children if p.type != "comment"), None)
    while first is not None and first.type in ("required_parameter", "optional_parameter"):
        first = first.child_by_field_name("pattern")
    return text_of(src, first) if first is not None and first.type == "identifier" else ""


_FUNCTION_TYPES = frozenset({"arrow_function", "function_expression", "function"})


def _local_functions(src: SourceFile) -> dict[str, Node]:
    """Functions a file declares by name (`function f() {}`, `const f = () => {}`), any depth."""
    out: dict[str, Node] = {}
    for node in walk(src.root) if src.root is not None else ():
        if node.type in ("function_declaration", "generator_function_declaration"):
            out.setdefault(text_of(src, node.child_by_field_name("name")), node)
        elif node.type == "variable_declarator":
            value = node.child_by_field_name("value")
            name = node.child_by_field_name("name")
            if value is not None and value.type in _FUNCTION_TYPES and name is not None:
                out.setdefault(text_of(src, name), value)
    return out
