"""Test files and test blocks of JavaScript/TypeScript, for the test-tampering detectors: which
files are tests, which calls are test blocks (`it`/`test`/`describe` and their modifiers), and
what a change did to them. What each test checks lives in `assertion_checks`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node

from ...detector import FileContext, RepoView
from ...parsing import SourceFile, line_of, walk
from ...ruledata import data_lists

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
_LEADING_NAME = re.compile(r"\s*([A-Za-z_$][\w$]*)")


def starts_test_call(text: str, repo: RepoView | None = None) -> bool:
    """A line of code that starts with a test-framework call (`it(`, `describe.skip(`, `expect(`):
    the names are the `js_test_calls` list of rules/data/test-tampering.yml."""
    m = _LEADING_NAME.match(text)
    return m is not None and m.group(1) in data_lists("test-tampering", repo).get("js_test_calls")


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
        if node.type in ("identifier", "this"):
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
    """The normalised statements of a test's function body (comments dropped, also those inside a
    statement: a comment added to an expected array does not make a test another one)."""
    body = block.body.child_by_field_name("body") if block.body is not None else None
    if body is None:
        return []
    if body.type != "statement_block":
        return [norm(_uncommented(src, body))]
    return [norm(_uncommented(src, s)) for s in body.named_children if s.type != "comment"]


def _uncommented(src: SourceFile, node: Node) -> str:
    cuts = [(n.start_byte, n.end_byte) for n in walk(node) if n.type == "comment"]
    if not cuts:
        return text_of(src, node)
    data, out, at = src.data, [], node.start_byte
    for start, end in cuts:
        out.append(data[at:start])
        at = end
    out.append(data[at:node.end_byte])
    return b"".join(out).decode("utf-8", "replace")


_STATEMENTS = frozenset({"expression_statement", "lexical_declaration", "variable_declaration",
                         "function_declaration", "if_statement", "for_statement"})


def fed_by_removed(src: SourceFile, body: Node | None, removed: frozenset[int], gone: set[str]) -> set[str]:
    """Names a test bound only in statements the change deletes and that used a name the change
    removes from the source (`app.onFirstRequest(() => { called = true })`): an assertion on such
    a name checked the removed feature."""
    out: set[str] = set()
    for stmt in walk(body) if body is not None else ():
        if stmt.type not in _STATEMENTS or not identifiers(src, stmt) & gone or not all(
                n in removed for n in range(stmt.start_point[0] + 1, stmt.end_point[0] + 2)):
            continue
        for node in walk(stmt):
            field = {"assignment_expression": "left", "augmented_assignment_expression": "left",
                     "variable_declarator": "name", "function_declaration": "name"}.get(node.type)
            target = node.child_by_field_name(field) if field else None
            if target is not None and target.type == "identifier":
                out.add(text_of(src, target))
    return out
