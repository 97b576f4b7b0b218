"""Shared logic of the JavaScript/TypeScript test-tampering detectors: which files are tests,
which calls are test blocks (`it`/`test`/`describe` and their modifiers), and what each test
checks (its `expect(...)` assertions, classified by strength so that base and head compare)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node

from ...detector import FileContext, RepoView
from ...parsing import SourceFile, line_of, walk

LANGUAGES: tuple[str, ...] = ("javascript", "typescript", "tsx")
_EXTENSIONS = frozenset({".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"})
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "spec", "specs", "e2e", "integration"})
_WS = re.compile(r"\s+")
FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "function_declaration",
                       "generator_function", "method_definition"})

# block roots: name -> (kind, implied modifier)
_ROOTS: dict[str, tuple[str, str]] = {
    "it": ("test", ""), "test": ("test", ""), "specify": ("test", ""),
    "describe": ("suite", ""), "suite": ("suite", ""), "context": ("suite", ""),
    "xit": ("test", "skip"), "xtest": ("test", "skip"), "xspecify": ("test", "skip"),
    "xdescribe": ("suite", "skip"), "xcontext": ("suite", "skip"), "xsuite": ("suite", "skip"),
    "fit": ("test", "only"), "ftest": ("test", "only"), "fdescribe": ("suite", "only"),
    "fcontext": ("suite", "only"),
}
MODIFIERS = frozenset({"skip", "only", "todo", "each", "concurrent", "failing", "fails", "sequential",
                       "shuffle", "skipIf", "runIf", "for", "extend", "serial", "parallel", "fixme",
                       "slow", "fail"})
CONDITIONAL = frozenset({"skipIf", "runIf"})


def is_test_path(path: str) -> bool:
    """True for a JS/TS test file: `*.test.*`, `*.spec.*`, or under `__tests__/`, `test/` ..."""
    p = PurePosixPath(path)
    if p.suffix.lower() not in _EXTENSIONS:
        return False
    stem_parts = p.name.split(".")
    if any(part in ("test", "spec", "e2e", "cy") for part in stem_parts[1:-1]):
        return True
    return any(part in _TEST_DIRS for part in p.parts[:-1])


_RUNNERS = (r"(jest|vitest|mocha|jasmine|\bava\b|node:test|uvu|tape|bun:test|karma|chai|"
            r"(built-?in|native|node(\.js|'s)*) test[- ]runner)")
_MIGRATION = re.compile(
    r"\b(switch|migrat|mov|port|convert|replac|transition|rewrit)\w*\b[^\n]{0,80}?" + _RUNNERS
    + r"|" + _RUNNERS + r"[^\n]{0,40}?(\bto\b|->|\u2192)[^\n]{0,40}?" + _RUNNERS
    + r"|\binstead of " + _RUNNERS,
    re.IGNORECASE,
)
def announces_migration(intent: str) -> bool:
    """The description says the tests move to another runner or assertion library."""
    return bool(_MIGRATION.search(intent))


def norm(text: str) -> str:
    """Source text with whitespace removed, quotes unified and numeric separators dropped."""
    out = _WS.sub("", text).replace("'", '"').replace("`", '"')
    return re.sub(r"(?<=\d)_(?=\d)", "", out)


def text_of(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


def chain(src: SourceFile, node: Node | None) -> list[str]:
    """`it.only.each` -> ["it", "only", "each"]; a called part (`describe.each([...])`) is walked
    through; anything else (a computed member, a conditional) gives []."""
    parts: list[str] = []
    while node is not None:
        if node.type == "identifier":
            return [text_of(src, node), *reversed(parts)]
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            if prop is None or prop.type != "property_identifier":
                return []
            parts.append(text_of(src, prop))
            node = node.child_by_field_name("object")
        elif node.type == "call_expression":
            node = node.child_by_field_name("function")
        else:
            return []
    return []


def call_args(node: Node) -> list[Node]:
    args = node.child_by_field_name("arguments")
    if args is None or args.type != "arguments":
        return []
    return [c for c in args.named_children if c.type != "comment"]


def string_value(src: SourceFile, node: Node | None) -> str | None:
    """The text of a string or template literal, else None."""
    if node is None:
        return None
    if node.type in ("string", "template_string"):
        return "".join(text_of(src, c) for c in node.named_children
                       if c.type in ("string_fragment", "escape_sequence", "template_substitution"))
    if node.type == "binary_expression":
        parts = [string_value(src, c) for c in (node.child_by_field_name("left"),
                                                 node.child_by_field_name("right"))]
        return "".join(p for p in parts if p is not None) if all(p is not None for p in parts) else None
    return None


@dataclass(frozen=True)
class Block:
    """One `it`/`test`/`describe` call."""

    kind: str  # test | suite
    root: str  # it, test, describe, xit, fit ...
    modifiers: tuple[str, ...]
    title: str
    qualname: str  # enclosing suite titles and the title, joined by " > "
    node: Node  # the outermost call_expression
    callee: Node  # the callee of the test call (`it.skip`, `describe.each([...])`)
    body: Node | None  # the test function

    @property
    def skipped(self) -> bool:
        return "skip" in self.modifiers or "todo" in self.modifiers

    @property
    def line(self) -> int:
        return line_of(self.node)


def block_kind(root: str) -> str:
    """"test" or "suite" for a test-block function name (`it`, `xdescribe` ...), else ""."""
    return _ROOTS.get(root, ("", ""))[0]


def _block_of(src: SourceFile, node: Node) -> tuple[str, str, tuple[str, ...], Node] | None:
    """(kind, root, modifiers, callee) when `node` is the outermost call of a test block."""
    if node.type != "call_expression":
        return None
    parent = node.parent
    if parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == node:
        return None  # `describe.each([...])` inside `describe.each([...])('title', fn)`
    callee = node.child_by_field_name("function")
    names = chain(src, callee)
    if callee is None or not names or names[0] not in _ROOTS:
        return None
    if any(n not in MODIFIERS for n in names[1:]):
        return None
    kind, implied = _ROOTS[names[0]]
    modifiers = tuple(([implied] if implied else []) + names[1:])
    if not call_args(node):
        return None  # `test.skip()` inside a test: a skip call, not a block
    return kind, names[0], modifiers, callee


def blocks(src: SourceFile | None) -> list[Block]:
    """Every test block of a file, in source order, with suite-qualified names."""
    if src is None or src.root is None:
        return []
    out: list[Block] = []
    _collect(src, src.root, (), out)
    return out


def _collect(src: SourceFile, node: Node, suites: tuple[str, ...], out: list[Block]) -> None:
    for child in node.children:
        found = _block_of(src, child)
        if found is None:
            _collect(src, child, suites, out)
            continue
        kind, root, modifiers, callee = found
        args = call_args(child)
        title = string_value(src, args[0]) if args else None
        if title is None:
            title = norm(text_of(src, args[0])) if args else ""
        body = next((a for a in args[1:] if a.type in FUNCTIONS), None)
        qual = (*suites, title)
        out.append(Block(kind, root, modifiers, title, " > ".join(qual), child, callee, body))
        # walk the callee (for `describe.each(...)` tables) and the body with the new suite
        if body is not None:
            _collect(src, body, qual if kind == "suite" else suites, out)


def tests_only(found: list[Block]) -> list[Block]:
    return [b for b in found if b.kind == "test"]


def head_titles(repo: RepoView) -> set[str]:
    """The bare titles of every test block in the head tree's JS/TS test files."""
    names: set[str] = set()
    for path in repo.paths("RIGHT"):
        if is_test_path(path):
            names.update(b.title for b in blocks(repo.source("RIGHT", path)))
    return names


def base_version(ctx: FileContext) -> SourceFile | None:
    return ctx.base if ctx.diff.old_path else None


def identifiers(src: SourceFile, node: Node) -> set[str]:
    return {text_of(src, n) for n in walk(node)
            if n.type in ("identifier", "property_identifier", "shorthand_property_identifier")}


def defined_names(src: SourceFile | None) -> set[str]:
    """Names of functions, classes, methods and top-level constants a file defines."""
    if src is None or src.root is None:
        return set()
    out: set[str] = set()
    for n in walk(src.root):
        if n.type in ("function_declaration", "class_declaration", "method_definition",
                      "generator_function_declaration", "abstract_class_declaration"):
            name = n.child_by_field_name("name")
            if name is not None:
                out.add(text_of(src, name))
        elif n.type == "variable_declarator":
            name = n.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                out.add(text_of(src, name))
    return out


def removed_definitions(files: tuple[FileContext, ...]) -> set[str]:
    """Definitions of non-test JS/TS code that the change deletes or renames away."""
    before: set[str] = set()
    after: set[str] = set()
    for f in files:
        if f.language not in LANGUAGES or is_test_path(f.path):
            continue
        before |= defined_names(f.base if f.diff.old_path else None)
        after |= defined_names(f.head)
    return before - after


def source_changed(files: tuple[FileContext, ...]) -> bool:
    """True when the change touches non-test JS/TS code."""
    return any(f.language in LANGUAGES and not is_test_path(f.path) for f in files)


def body_statements(src: SourceFile, block: Block) -> list[str]:
    """The normalised statements of a test's function body (comments dropped)."""
    body = block.body.child_by_field_name("body") if block.body is not None else None
    if body is None:
        return []
    if body.type != "statement_block":
        return [norm(text_of(src, body))]
    return [norm(text_of(src, s)) for s in body.named_children if s.type != "comment"]


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
