"""Shared Python shape analysis for the bloat detectors.

A `RepoIndex` holds every class and top-level function/method of the head tree's Python files,
built once per scanned change (cached on the RepoView object) so that the single-implementation,
config-hierarchy, copy-paste and long-function detectors share one pass over the repository.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from tree_sitter import Node

from ...models import FileDiff
from ...parsing import SourceFile, end_line_of, line_of, walk
from . import testing

ABSTRACT_BASES = frozenset({"ABC", "ABCMeta", "Protocol"})


def is_test_path(path: str) -> bool:
    """The language layer's one answer (lang/python/testing.py)."""
    return testing.is_test_path(path)


def text_of(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


def last_name(src: SourceFile, node: Node) -> str:
    """`abc.ABC` -> `ABC`; `Generic[T]` -> `Generic`; `Foo` -> `Foo`."""
    if node.type == "subscript":
        value = node.child_by_field_name("value")
        return last_name(src, value) if value is not None else ""
    if node.type == "attribute":
        attr = node.child_by_field_name("attribute")
        return text_of(src, attr)
    if node.type == "identifier":
        return text_of(src, node)
    return ""


def body_statements(node: Node) -> list[Node]:
    """The statements of a def/class body, without a leading docstring and comments."""
    body = node.child_by_field_name("body")
    if body is None:
        return []
    stmts = [c for c in body.named_children if c.type != "comment"]
    if stmts and stmts[0].type == "expression_statement" and stmts[0].named_child_count == 1:
        first = stmts[0].named_children[0]
        if first.type in ("string", "concatenated_string"):
            stmts = stmts[1:]
    return stmts


def unwrap(node: Node) -> tuple[Node, list[Node]]:
    """A decorated_definition -> (the definition, its decorators); anything else unchanged."""
    if node.type == "decorated_definition":
        definition = node.child_by_field_name("definition")
        decorators = [c for c in node.named_children if c.type == "decorator"]
        if definition is not None:
            return definition, decorators
    return node, []


def decorator_names(src: SourceFile, decorators: Sequence[Node]) -> list[str]:
    names = []
    for dec in decorators:
        expr = dec.named_children[0] if dec.named_child_count else None
        if expr is not None and expr.type == "call":
            expr = expr.child_by_field_name("function")
        if expr is not None:
            names.append(last_name(src, expr))
    return names


class _Located:
    """Where a definition is, and its node: given, or found by start byte in its file's tree when a
    rule first asks (an index entry kept by blob id has no tree: most are never looked at)."""

    path: str
    start: int
    _node: Node | None
    _src: SourceFile | None
    _load: Callable[[], SourceFile | None] | None

    @property
    def src(self) -> SourceFile:
        if self._src is None:
            assert self._load is not None
            self._src = self._load()
            assert self._src is not None, self.path
        return self._src

    @property
    def node(self) -> Node:
        if self._node is None:
            root = self.src.root
            assert root is not None
            self._node = _definition_at(root, self.start)
        return self._node


def _definition_at(root: Node, start: int) -> Node:
    """The class or function definition starting at byte `start`."""
    node: Node | None = root.descendant_for_byte_range(start, start)
    while node is not None and not (node.start_byte == start and node.type in _DEFINITIONS):
        node = node.parent
    assert node is not None, start
    return node


_DEFINITIONS = frozenset({"class_definition", "function_definition"})


@dataclass(eq=False)
class ClassInfo(_Located):
    path: str
    name: str
    line: int
    bases: tuple[str, ...]
    keywords: tuple[str, ...]  # metaclass=... text
    decorators: tuple[str, ...]
    start: int = 0
    _node: Node | None = None
    _src: SourceFile | None = None
    _load: Callable[[], SourceFile | None] | None = None
    _methods: set[str] | None = None
    _abstract: bool | None = None

    def methods(self) -> Iterator[tuple[Node, list[Node]]]:
        body = self.node.child_by_field_name("body")
        for child in body.named_children if body is not None else []:
            definition, decorators = unwrap(child)
            if definition.type == "function_definition":
                yield definition, decorators

    def method_names(self) -> set[str]:
        if self._methods is None:
            self._methods = {text_of(self.src, m.child_by_field_name("name")) for m, _ in self.methods()}
        return self._methods

    def is_abstract(self) -> bool:
        if self._abstract is None:
            self._abstract = self._find_abstract()
        return self._abstract

    def _find_abstract(self) -> bool:
        if set(self.bases) & ABSTRACT_BASES or any("ABCMeta" in k for k in self.keywords):
            return True
        for method, decorators in self.methods():
            if "abstractmethod" in decorator_names(self.src, decorators):
                return True
            if raises_not_implemented(self.src, method):
                return True
        return False


def raises_not_implemented(src: SourceFile, func: Node) -> bool:
    stmts = body_statements(func)
    return (
        len(stmts) == 1
        and stmts[0].type == "raise_statement"
        and "NotImplementedError" in src.node_text(stmts[0])
    )


@dataclass(eq=False)
class FunctionInfo(_Located):
    path: str
    qualname: str
    line: int
    end_line: int
    decorators: tuple[str, ...]
    class_name: str | None = None
    start: int = 0
    end: int = 0  # end byte
    is_async: bool = False
    _node: Node | None = None
    _src: SourceFile | None = None
    _load: Callable[[], SourceFile | None] | None = None
    # what the bloat rules measure, when the entry comes from a summary kept by blob id
    body_lines: list[tuple[int, str]] | None = None
    size: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


_STRING_OR_COMMENT = re.compile(
    r"(?=[rRbBuUfF\"'#])(?:\b[rRbBuUfF]{1,2})?"  # prefix
    r"(?:\"{3}[\s\S]*?\"{3}|'{3}[\s\S]*?'{3}"  # triple-quoted
    r"|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*')"  # single-line
    r"|#[^\n]*"  # comment
)
_CONSTANTS = re.compile(r"(?=[TFN\d.])(?:\b(?:True|False|None)\b|\b\d[\w.]*|(?<![\w.])\.\d\w*)")
_KEYWORDS = "|".join(k for k in keyword.kwlist if k not in ("True", "False", "None"))
_IDENTIFIER = re.compile(rf"\b(?!(?:{_KEYWORDS})\b)[^\W\d]\w*")
_BLANKS = re.compile(r"[ \t\\]+")
_BRANCH = re.compile(r"\b(?:if|elif|for|while|try|and|or)\b")


def _string_or_comment(match: re.Match[str]) -> str:
    text = match.group(0)
    return "" if text.startswith("#") else "$" + "\n" * text.count("\n")


def normalized_lines(text: str) -> dict[int, str]:
    """Line number -> the line's token shape (names -> I, strings -> $, numbers/constants -> #,
    keywords and operators kept, no blanks); blank and comment-only lines are left out."""
    text = _STRING_OR_COMMENT.sub(_string_or_comment, text)
    text = _CONSTANTS.sub("#", text)
    text = _IDENTIFIER.sub("I", text)
    text = _BLANKS.sub(" ", text)
    out = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line:
            out[number] = line
    return out


def docstring(node: Node) -> Node | None:
    """The docstring statement of a def/class, if any."""
    body = node.child_by_field_name("body")
    stmts = [c for c in body.named_children if c.type != "comment"] if body is not None else []
    first = stmts[0] if stmts else None
    if first is not None and first.type == "expression_statement" and first.named_child_count == 1 \
            and first.named_children[0].type in ("string", "concatenated_string"):
        return first
    return None


def function_lines(norm: dict[int, str], node: Node) -> list[tuple[int, str]]:
    """The normalised non-blank lines of a def without its docstring."""
    doc = docstring(node)
    skip = range(line_of(doc), end_line_of(doc) + 1) if doc is not None else range(0)
    return [(n, norm[n]) for n in range(line_of(node), end_line_of(node) + 1) if n in norm and n not in skip]


def measure(norm: dict[int, str], node: Node) -> tuple[int, int]:
    """(code lines, branches: if/elif/for/while/try/and/or) of a def."""
    lines = function_lines(norm, node)
    return len(lines), sum(len(_BRANCH.findall(text)) for _, text in lines)


def classes_and_functions(
    path: str, src: SourceFile
) -> tuple[list[ClassInfo], list[FunctionInfo]]:
    """Every class (at any depth outside functions) and every module-level function or method."""
    classes: list[ClassInfo] = []
    functions: list[FunctionInfo] = []
    root = src.root
    if root is None:
        return classes, functions
    stack: list[tuple[Node, str, str | None]] = [(c, "", None) for c in reversed(root.named_children)]
    while stack:
        raw, prefix, owner = stack.pop()
        node, decorators = unwrap(raw)
        names = tuple(decorator_names(src, decorators))
        name = text_of(src, node.child_by_field_name("name"))
        if node.type == "function_definition":
            first = node.child(0)
            functions.append(FunctionInfo(path, prefix + name, line_of(node), end_line_of(node), names, owner,
                                          node.start_byte, node.end_byte, first is not None and first.type == "async",
                                          node, src))
        elif node.type == "class_definition":
            bases, keywords = _superclasses(src, node)
            classes.append(ClassInfo(path, name, line_of(node), bases, keywords, names, node.start_byte, node, src))
            body = node.child_by_field_name("body")
            if body is not None:
                stack.extend((c, f"{prefix}{name}.", name) for c in reversed(body.named_children))
        elif node.type in ("if_statement", "try_statement", "block", "else_clause"):
            # definitions under `if TYPE_CHECKING:` / `try: ... except ImportError:`
            stack.extend((c, prefix, owner) for c in reversed(node.named_children))
    return classes, functions


def _superclasses(src: SourceFile, node: Node) -> tuple[tuple[str, ...], tuple[str, ...]]:
    args = node.child_by_field_name("superclasses")
    bases: list[str] = []
    keywords: list[str] = []
    for arg in args.named_children if args is not None else []:
        if arg.type == "keyword_argument":
            keywords.append(src.node_text(arg))
        else:
            bases.append(last_name(src, arg))
    return tuple(bases), tuple(keywords)


def function_size(norm: dict[int, str], node: Node) -> tuple[int, int]:
    """(lines, branches) of a def, leaving out the rows inside multi-line data literals (a test
    table, a mapping) and the branches of top-level guard clauses (`if bad: raise ...`)."""
    lines, branches = measure(norm, node)
    body = node.child_by_field_name("body")
    if body is None:
        return lines, branches
    data: set[int] = set()
    for n in walk(body):
        if n.type in _LITERALS and n.end_point[0] > n.start_point[0]:
            data.update(r + 1 for r in range(n.start_point[0] + 1, n.end_point[0]))
    guards = sum(1 for stmt in body.named_children if _guard(stmt))
    return lines - len(data & set(norm)), max(0, branches - guards)


_LITERALS = frozenset({"list", "dictionary", "tuple", "set"})


def _guard(stmt: Node) -> bool:
    """`if <condition>: raise/return ...` with a one-statement body and no elif/else."""
    if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
        return False
    block = stmt.child_by_field_name("consequence")
    inner = [c for c in block.named_children if c.type != "comment"] if block is not None else []
    return len(inner) == 1 and inner[0].type in ("raise_statement", "return_statement")


_ADDED: dict[int, tuple[FileDiff, frozenset[int]]] = {}


def added_lines(diff: FileDiff) -> frozenset[int]:
    """`diff.added`, computed once per FileDiff (the property rebuilds the set on every call)."""
    hit = _ADDED.get(id(diff))
    if hit is not None and hit[0] is diff:
        return hit[1]
    if len(_ADDED) > 4096:
        _ADDED.clear()
    added = diff.added
    _ADDED[id(diff)] = (diff, added)
    return added


def added_fraction(diff: FileDiff, node: Node) -> float:
    first, last = line_of(node), end_line_of(node)
    added = added_lines(diff)
    return sum(1 for n in range(first, last + 1) if n in added) / max(1, last - first + 1)


def is_new(diff: FileDiff, node: Node) -> bool:
    """The definition's own line is an added line (a new or rewritten definition)."""
    return line_of(node) in added_lines(diff)


_LITERAL_NODES = frozenset({"string", "concatenated_string", "integer", "float", "true", "false", "none"})


def literal_shape(src: SourceFile, node: Node) -> str:
    """The tokens below `node` with every literal as `$`, names kept, comments and blanks dropped:
    two pieces of code with the same shape differ in literals only."""
    if node.type in _LITERAL_NODES:
        return "$"
    if node.type == "comment":
        return ""
    if not node.children:
        return text_of(src, node)
    return " ".join(s for s in (literal_shape(src, c) for c in node.children) if s)
