"""Shared Python shape analysis for the bloat detectors.

A `RepoIndex` holds every class and top-level function/method of the head tree's Python files,
built once per scanned change (cached on the RepoView object) so that the single-implementation,
config-hierarchy, copy-paste and long-function detectors share one pass over the repository.
"""

from __future__ import annotations

import keyword
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from tree_sitter import Node

from ...detector import ChangeContext, FileContext, RepoView
from ...models import FileDiff
from ...parsing import SourceFile, end_line_of, line_of
from . import testing

MAX_INDEXED_FILES = 4000
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


@dataclass(eq=False)
class ClassInfo:
    path: str
    name: str
    node: Node
    src: SourceFile
    bases: tuple[str, ...]
    keywords: tuple[str, ...]  # metaclass=... text
    decorators: tuple[str, ...]
    _methods: set[str] | None = None

    @property
    def line(self) -> int:
        return line_of(self.node)

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
class FunctionInfo:
    path: str
    qualname: str
    node: Node  # the function_definition
    src: SourceFile
    decorators: tuple[str, ...]
    class_name: str | None = None

    @property
    def line(self) -> int:
        return line_of(self.node)

    @property
    def end_line(self) -> int:
        return end_line_of(self.node)

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


def _normalized_text(src: SourceFile) -> dict[int, str]:
    return normalized_lines(src.text)


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
            functions.append(FunctionInfo(path, prefix + name, node, src, names, owner))
        elif node.type == "class_definition":
            bases, keywords = _superclasses(src, node)
            classes.append(ClassInfo(path, name, node, src, bases, keywords, names))
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


@dataclass(eq=False)
class RepoIndex:
    """Classes and functions of the head tree's Python files."""

    classes: list[ClassInfo] = field(default_factory=list)
    functions: list[FunctionInfo] = field(default_factory=list)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    classes_in: dict[str, list[ClassInfo]] = field(default_factory=lambda: defaultdict(list))
    functions_in: dict[str, list[FunctionInfo]] = field(default_factory=lambda: defaultdict(list))
    children: dict[str, list[ClassInfo]] = field(default_factory=lambda: defaultdict(list))
    class_names: set[str] = field(default_factory=set)
    function_names: set[str] = field(default_factory=set)
    _normalized: dict[str, dict[int, str]] = field(default_factory=dict)
    repo: RepoView | None = None  # the head tree's files: normalised lines kept by blob id

    def add(self, path: str, src: SourceFile) -> None:
        classes, functions = classes_and_functions(path, src)
        self.sources[path] = src
        self.classes += classes
        self.functions += functions
        self.classes_in[path] += classes
        self.functions_in[path] += functions
        for cls in classes:
            self.class_names.add(cls.name)
            for base in set(cls.bases):
                self.children[base].append(cls)
        self.function_names.update(f.name for f in functions)

    def normalized(self, src: SourceFile) -> dict[int, str]:
        if src.path not in self._normalized or self.sources.get(src.path) is not src:
            stored = None
            if self.repo is not None and self.sources.get(src.path) is src:
                stored = self.repo.derived("RIGHT", src.path, "python.shape-lines", _normalized_text)
            self._normalized[src.path] = stored if stored is not None else normalized_lines(src.text)
        return self._normalized[src.path]

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        """Direct and indirect subclasses of `cls` (matched by class name)."""
        found: list[ClassInfo] = []
        seen: set[int] = {id(cls)}
        todo = [cls.name]
        while todo:
            for other in self.children.get(todo.pop(), ()):
                if id(other) not in seen:
                    seen.add(id(other))
                    found.append(other)
                    todo.append(other.name)
        return found

    def structural_implementations(self, proto: ClassInfo) -> list[ClassInfo]:
        """Classes that define every public method of a Protocol (or subclass it)."""
        wanted = {n for n in proto.method_names() if not n.startswith("_")}
        found = []
        for other in self.classes:
            if other is proto or "Protocol" in other.bases:
                continue
            if proto.name in other.bases or (wanted and wanted <= other.method_names()):
                found.append(other)
        return found


def python_paths(repo: RepoView) -> list[str]:
    return [p for p in repo.paths("RIGHT") if p.endswith(".py")]


def repo_index(repo: RepoView, changed: Sequence[str] = ()) -> RepoIndex:
    """The index of the head tree, built once per scan."""
    return repo.memo("python.shapes.index", lambda: _build_index(repo, changed))


def _build_index(repo: RepoView, changed: Sequence[str]) -> RepoIndex:
    paths = python_paths(repo)
    if len(paths) > MAX_INDEXED_FILES:
        wanted = set(changed)
        dirs = {str(PurePosixPath(p).parent) for p in changed}
        near = [p for p in paths if p not in wanted and str(PurePosixPath(p).parent) in dirs]
        paths = [*(p for p in paths if p in wanted), *near][:MAX_INDEXED_FILES]
    repo.prefetch("RIGHT", list(paths))  # many blobs in one git call
    index = RepoIndex(repo=repo)
    for path in paths:
        src = repo.source("RIGHT", path)
        if src is not None and src.root is not None:
            index.add(path, src)
    return index


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


def indexed_change(ctx: ChangeContext) -> tuple[dict[str, FileContext], RepoIndex] | None:
    """The changed Python files of the head that have added lines (by path) with the index of the
    head tree, or None when the change adds no Python lines."""
    files = {
        f.path: f for f in ctx.files
        if f.head is not None and f.language == "python" and added_lines(f.diff)
    }
    return (files, repo_index(ctx.repo, list(files))) if files else None


def added_fraction(diff: FileDiff, node: Node) -> float:
    first, last = line_of(node), end_line_of(node)
    added = added_lines(diff)
    return sum(1 for n in range(first, last + 1) if n in added) / max(1, last - first + 1)


def is_new(diff: FileDiff, node: Node) -> bool:
    """The definition's own line is an added line (a new or rewritten definition)."""
    return line_of(node) in added_lines(diff)


