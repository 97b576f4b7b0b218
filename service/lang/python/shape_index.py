"""The head tree's Python classes and functions, shared by the bloat rules.

A `RepoIndex` holds every class and top-level function/method of the head tree's Python files,
built once per scanned change (cached on the RepoView object) so that the single-implementation,
config-hierarchy, copy-paste and long-function detectors share one pass over the repository.

The files the change adds lines to are parsed. Every other file enters as a summary that is a pure
function of its content, kept by git blob id (`RepoView.derived`): per class its name, bases,
decorators, method names and whether it is abstract; per function its place, the normalised lines
of its body (copy-paste) and its size (long-function). A later scan, after one more push or on
another pull request of the same repository, reads the summaries instead of parsing the files. A
rule that needs the syntax tree of an unchanged definition (rare: the one implementation of a new
interface) gets it parsed on first use.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, TypeVar, cast

from ...detector import ChangeContext, FileContext, RepoView
from ...parsing import SourceFile
from .shapes import (
    ClassInfo,
    FunctionInfo,
    added_lines,
    classes_and_functions,
    function_lines,
    function_size,
    normalized_lines,
)

T = TypeVar("T")
MAX_INDEXED_FILES = 4000
SUMMARY = "python.shapes.summary-2"
BODIES = "python.shapes.bodies-1"  # kept apart: only copy-paste reads them, for a few files


@dataclass(frozen=True)
class WholeTree:
    """The repository-wide tables of a `RepoIndex`, in index order (built by `complete`)."""

    paths: list[str]  # the indexed files
    classes: list[ClassInfo]
    functions: list[FunctionInfo]
    children: dict[str, list[ClassInfo]]  # base class name -> the classes deriving from it
    class_names: set[str]
    function_names: set[str]


@dataclass(eq=False)
class RepoIndex:
    """Classes and functions of the head tree's Python files."""

    repo: RepoView | None = None
    parsed: dict[str, SourceFile] = field(default_factory=dict)  # the files indexed from their tree
    # by file: filled for the changed files first, for others as `load` or `complete` reads them
    classes_in: dict[str, list[ClassInfo]] = field(default_factory=lambda: defaultdict(list))
    functions_in: dict[str, list[FunctionInfo]] = field(default_factory=lambda: defaultdict(list))
    all_paths: list[str] = field(default_factory=list)  # the files to index, in index order (unread)
    _loaded: dict[str, bool] = field(default_factory=dict)  # path -> indexed (False: not readable)
    _whole: WholeTree | None = None  # the repository-wide tables, once `complete` built them
    _normalized: dict[str, dict[int, str]] = field(default_factory=dict)
    _memo: dict[str, Any] = field(default_factory=dict)

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """A value a rule derives from the index, computed once per scan."""
        if key not in self._memo:
            self._memo[key] = build()
        return cast(T, self._memo[key])

    def add(self, path: str, src: SourceFile) -> None:
        """A file indexed from its syntax tree."""
        classes, functions = classes_and_functions(path, src)
        self.parsed[path] = src
        if self.repo is None:  # an index built by hand holds what it is given
            self.all_paths.append(path)
        self._enter(path, classes, functions)

    def unreadable(self, path: str) -> None:
        """`path` has no syntax tree to index (binary, too large, not parsed): never read again."""
        self._loaded[path] = False

    def load(self, paths: list[str]) -> None:
        """Index these files from their summaries (one batched read), without the rest of the tree."""
        repo = self.repo
        todo = [p for p in paths if p not in self._loaded]
        if repo is None or not todo:
            return
        known = repo.cached_paths("RIGHT", todo, SUMMARY)
        repo.prefetch("RIGHT", [p for p in todo if p not in known])
        for path in todo:
            summary = repo.derived("RIGHT", path, SUMMARY, summarize)
            if summary is None:
                self.unreadable(path)
            else:
                self.add_summary(path, summary)

    def complete(self) -> WholeTree:
        """Every file indexed and the repository-wide tables built, in index order (read on the
        first question about the whole tree: a class name, subclasses, every function)."""
        if self._whole is None:
            self.load(self.all_paths)
            paths = [p for p in self.all_paths if self._loaded.get(p)]
            classes = [c for p in paths for c in self.classes_in[p]]
            children: dict[str, list[ClassInfo]] = defaultdict(list)
            for cls in classes:
                for base in set(cls.bases):
                    children[base].append(cls)
            functions = [f for p in paths for f in self.functions_in[p]]
            self._whole = WholeTree(paths, classes, functions, children, {c.name for c in classes},
                                    {f.name for f in functions})
        return self._whole

    @property
    def paths(self) -> list[str]:
        """The indexed files, in index order."""
        return self.complete().paths

    @property
    def classes(self) -> list[ClassInfo]:
        return self.complete().classes

    @property
    def functions(self) -> list[FunctionInfo]:
        return self.complete().functions

    @property
    def children(self) -> dict[str, list[ClassInfo]]:
        """Base class name -> the indexed classes deriving from it."""
        return self.complete().children

    @property
    def class_names(self) -> set[str]:
        return self.complete().class_names

    @property
    def function_names(self) -> set[str]:
        return self.complete().function_names

    def changed_functions(self, paths: Iterable[str]) -> list[FunctionInfo]:
        """The functions of these (already indexed) files, in index order, without reading others."""
        wanted = set(paths)
        return [f for p in self.all_paths if p in wanted for f in self.functions_in.get(p, ())]

    def add_summary(self, path: str, summary: Any) -> None:
        """A file indexed from its summary (`summarize`); its trees are parsed on first use."""
        repo = self.repo
        assert repo is not None

        def load() -> SourceFile | None:
            return repo.source("RIGHT", path)

        raw_classes, raw_functions = summary
        classes = [
            ClassInfo(path, name, line, tuple(bases), tuple(keywords), tuple(decorators), start,
                      _load=load, _methods=set(methods), _abstract=abstract)
            for name, line, start, bases, keywords, decorators, methods, abstract in raw_classes
        ]
        functions = [
            FunctionInfo(path, qualname, line, end_line, tuple(decorators), owner, start, end, is_async,
                         _load=load, size=tuple(size))
            for qualname, line, end_line, start, end, decorators, owner, is_async, size in raw_functions
        ]
        self._enter(path, classes, functions)

    def _enter(self, path: str, classes: list[ClassInfo], functions: list[FunctionInfo]) -> None:
        self._loaded[path] = True
        self.classes_in[path] += classes
        self.functions_in[path] += functions

    def normalized(self, src: SourceFile) -> dict[int, str]:
        if src.path not in self._normalized or self.parsed.get(src.path) is not src:
            stored = None
            if self.repo is not None and self.parsed.get(src.path) is src:
                stored = self.repo.derived("RIGHT", src.path, "python.shape-lines", _normalized_text)
            self._normalized[src.path] = stored if stored is not None else normalized_lines(src.text)
        return self._normalized[src.path]

    def load_bodies(self, paths: list[str]) -> None:
        """Set the body lines of the functions of files indexed from their summary, read in one
        batch (kept by blob id, so an unchanged file is not parsed for them)."""
        repo = self.repo
        self.load(paths)
        todo = [p for p in paths if p not in self.parsed and any(f.body_lines is None for f in self.functions_in[p])]
        if repo is None or not todo:
            return
        known = repo.cached_paths("RIGHT", todo, BODIES)
        repo.prefetch("RIGHT", [p for p in todo if p not in known])
        for path in todo:
            bodies = repo.derived("RIGHT", path, BODIES, _bodies)
            functions = self.functions_in[path]
            if bodies is not None and len(bodies) == len(functions):
                for func, lines in zip(functions, bodies, strict=True):
                    func.body_lines = [(n, text) for n, text in lines]

    def body_lines(self, func: FunctionInfo) -> list[tuple[int, str]]:
        """The normalised lines of a function's body without its docstring (copy-paste units)."""
        if func.body_lines is None and func.path not in self.parsed:
            self.load_bodies([func.path])
        if func.body_lines is None:
            body = func.node.child_by_field_name("body")
            func.body_lines = function_lines(self.normalized(func.src), body) if body is not None else []
        return func.body_lines

    def size(self, func: FunctionInfo) -> tuple[int, int]:
        """(code lines, branches besides guard clauses) of a function (long-function)."""
        if func.size is None:
            func.size = function_size(self.normalized(func.src), func.node)
        return func.size

    def sources_containing(self, text: str) -> Iterator[SourceFile]:
        """The indexed files whose text contains `text`, in index order (found by a text search,
        so that the others are not read)."""
        if self.repo is None:
            candidates = [p for p in self.all_paths if text in self.parsed[p].text]
        else:  # a file that cannot be indexed (binary, too large) has no source either
            found = self.repo.files_containing("RIGHT", [text], mode="fixed")
            candidates = [p for p in self.all_paths if p in found]
        for path in candidates:
            src = self.parsed.get(path) or (self.repo.source("RIGHT", path) if self.repo is not None else None)
            if src is not None and text in src.text:
                yield src

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


class DefinedNames:
    """`name in names`: a class or function of that name is defined in the indexed files (the
    whole tree is read on the first question, not before)."""

    def __init__(self, index: RepoIndex) -> None:
        self.index = index

    def __contains__(self, name: object) -> bool:
        return name in self.index.class_names or name in self.index.function_names


def _normalized_text(src: SourceFile) -> dict[int, str]:
    return normalized_lines(src.text)


def summarize(src: SourceFile) -> tuple[list[Any], list[Any]] | None:
    """What the index keeps of a file that the change does not touch (plain data, kept by blob id)."""
    if src.root is None:
        return None
    classes, functions = classes_and_functions(src.path, src)
    norm = normalized_lines(src.text)
    raw_classes = [
        (c.name, c.line, c.start, list(c.bases), list(c.keywords), list(c.decorators), sorted(c.method_names()),
         c.is_abstract())
        for c in classes
    ]
    raw_functions = [(f.qualname, f.line, f.end_line, f.start, f.end, list(f.decorators), f.class_name, f.is_async,
                      list(function_size(norm, f.node))) for f in functions]
    return raw_classes, raw_functions


def _bodies(src: SourceFile) -> list[list[list[Any]]] | None:
    """The body lines of each function of `summarize`, in its order (plain data, kept by blob id)."""
    if src.root is None:
        return None
    _, functions = classes_and_functions(src.path, src)
    norm = normalized_lines(src.text)
    out = []
    for f in functions:
        body = f.node.child_by_field_name("body")
        out.append([list(x) for x in function_lines(norm, body)] if body is not None else [])
    return out


def python_paths(repo: RepoView) -> list[str]:
    return [p for p in repo.paths("RIGHT") if p.endswith(".py")]


def repo_index(repo: RepoView, changed: Sequence[str] = ()) -> RepoIndex:
    """The index of the head tree, built once per scan."""
    return repo.memo("python.shapes.index", lambda: _build_index(repo, changed))


def _build_index(repo: RepoView, changed: Sequence[str]) -> RepoIndex:
    paths = python_paths(repo)
    wanted = set(changed)
    if len(paths) > MAX_INDEXED_FILES:
        dirs = {str(PurePosixPath(p).parent) for p in changed}
        near = [p for p in paths if p not in wanted and str(PurePosixPath(p).parent) in dirs]
        paths = [*(p for p in paths if p in wanted), *near][:MAX_INDEXED_FILES]
    index = RepoIndex(repo=repo, all_paths=paths)
    for path in paths:
        if path in wanted:
            src = repo.source("RIGHT", path)
            if src is not None and src.root is not None:
                index.add(path, src)
            else:
                index.unreadable(path)
    return index


def indexed_change(ctx: ChangeContext) -> tuple[dict[str, FileContext], RepoIndex] | None:
    """The changed Python files of the head that have added lines (by path) with the index of the
    head tree, or None when the change adds no Python lines."""
    files = {
        f.path: f for f in ctx.files
        if f.head is not None and f.language == "python" and added_lines(f.diff)
    }
    return (files, repo_index(ctx.repo, list(files))) if files else None
