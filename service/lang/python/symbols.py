"""Shared Python dead-code helpers: a repository-wide word index and "used by convention" checks.

The index counts every identifier-like word of one tree (head or base): in Python files with
comments and docstrings blanked out (so a name mentioned in prose is not a use, but a name in a
string such as `__all__`, `getattr(obj, "name")` or `"pkg.mod:main"` is), and in text files that
commonly name Python objects (pyproject/setup.cfg entry points, YAML/INI config, templates, docs).
It is built once per scan and side, from one batched read of the tree, and shared by the
dead-code detectors through a cache that holds the repository view weakly.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node, Query, QueryCursor

from ...detector import RepoView
from ...models import Side
from ...parsing import SourceFile, grammar
from ...ruledata import data_lists
from ..lookup import Lookup
from . import testing

WORD = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
DEF_LINE = re.compile(rb"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)", re.M)
_DEF_PREFIX = re.compile(rb"[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+")  # DEF_LINE up to the name
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_DIGITS = frozenset(b"0123456789")
# `getattr(obj, f"handle_{kind}")`, `getattr(obj, "on_" + event)`: names built from a prefix.
DYNAMIC_PREFIX = re.compile(
    rb"getattr\(\s*[^,]{1,200}?,\s*f?[\"']([A-Za-z_][A-Za-z0-9_]*)(?:\{|[\"']\s*[+%])"
)
STAR_IMPORT = re.compile(rb"^[ \t]*from[ \t]+\.*([A-Za-z0-9_.]*)[ \t]+import[ \t]+\*", re.M)

TEXT_SUFFIXES = frozenset({
    ".toml", ".cfg", ".ini", ".yaml", ".yml", ".json", ".txt", ".md", ".rst", ".sh", ".html",
    ".htm", ".jinja", ".jinja2", ".j2", ".tmpl", ".conf", ".env", ".pyx", ".in",
})
TEXT_NAMES = frozenset({
    ".flaskenv", ".env", "Makefile", "Dockerfile", "Procfile", "Justfile", "tox.ini", ".coveragerc",
})
MAX_TEXT_BYTES = 400_000


@dataclass(frozen=True)
class Conventions:
    """Names by which frameworks or Python itself use a definition without naming it in code: the
    lists `python_transparent_decorators`, `python_hook_names` and `python_plain_bases` of
    `rules/data/dead-code.yml`, with a repository's additions."""

    transparent_decorators: frozenset[str]  # decorators that do not register the function anywhere
    hook_names: frozenset[str]  # method names frameworks call by convention
    plain_bases: frozenset[str]  # base classes that do not call their subclasses' methods by name


def conventions(repo: RepoView | None) -> Conventions:
    lists = data_lists("dead-code", repo)
    return Conventions(lists.get("python_transparent_decorators"), lists.get("python_hook_names"),
                       lists.get("python_plain_bases"))


# Node types that can hold a function or class definition (expressions cannot).
_HOLDERS = frozenset({
    "module", "block", "function_definition", "class_definition", "decorated_definition",
    "if_statement", "elif_clause", "else_clause", "try_statement", "except_clause",
    "except_group_clause", "finally_clause", "with_statement", "for_statement", "while_statement",
    "match_statement", "case_clause", "ERROR",
})
_BLANK = bytes(b if b in b"\r\n" else 0x20 for b in range(256))  # `bytes.translate`: keeps line breaks


def is_text_path(path: str) -> bool:
    """A file that may name Python objects as text (asked of every file of a tree: string
    operations, with `PurePosixPath`'s `name` and `suffix` of a path as git lists it)."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return (0 < dot < len(name) - 1 and name[dot:].lower() in TEXT_SUFFIXES) or name in TEXT_NAMES


@functools.cache
def _mask_query() -> Query:
    return Query(grammar("python"), "(comment) @c (expression_statement (string) @s)")


@functools.cache
def _comment_query() -> Query:
    return Query(grammar("python"), "(comment) @c")


def comments(root: Node) -> list[Node]:
    """Every comment node of a Python tree, in source order."""
    found = QueryCursor(_comment_query()).captures(root).get("c", [])
    return sorted(found, key=lambda n: n.start_byte)


def masked_bytes(src: SourceFile) -> bytes:
    """The file's bytes with comments and docstring-like string statements blanked, line breaks kept
    (every other byte of them becomes a blank): offsets and line numbers are those of the file."""
    data = src.data or src.text.encode("utf-8", "surrogatepass")
    root = src.root
    if root is None or src.language != "python":
        return data
    out = bytearray(data)
    captures = QueryCursor(_mask_query()).captures(root)
    for nodes in captures.values():
        for node in nodes:
            out[node.start_byte : node.end_byte] = data[node.start_byte : node.end_byte].translate(_BLANK)
    return bytes(out)


class SideIndex:
    """Identifier-like words of one tree and where Python definitions are, answered from the
    question outwards: the files that can hold a name are found by `git grep`, and only those are
    read (their masked text is kept by blob id, so a later scan does not parse them again)."""

    def __init__(self, repo: RepoView, side: Side) -> None:
        self.repo = repo
        self.side = side
        paths = repo.paths(side)
        self.python_paths = [p for p in paths if p.endswith((".py", ".pyi"))]
        self._wanted = frozenset(p for p in paths if p.endswith((".py", ".pyi")) or is_text_path(p))
        self._counts: dict[str, int] = {}
        self.defs: Lookup[list[tuple[str, int]]] = Lookup(lambda n: self.definitions(n) or None, self._names)
        self.masked: Lookup[bytes] = Lookup(self.masked_of, self._readable)
        self._found: tuple[frozenset[str], frozenset[str]] | None = None  # `_lookups`

    def candidates(self, patterns: Iterable[str], mode: str = "identifier") -> list[str]:
        """Python and text files that may hold one of `patterns`, in path order, read in one batch."""
        found = sorted(self.repo.files_containing(self.side, patterns, mode=mode) & self._wanted)
        python = [p for p in found if p.endswith((".py", ".pyi"))]
        known = self.repo.cached_paths(self.side, python, _MASKED)
        self.repo.prefetch(self.side, [p for p in found if p not in known])
        return found

    def masked_of(self, path: str) -> bytes | None:
        """The masked text of one Python file (None: absent, binary or too large)."""
        if not path.endswith((".py", ".pyi")):
            return None
        return self.repo.derived(self.side, path, _MASKED, _masked_value)

    def _text_of(self, path: str) -> bytes | None:
        """What `count` reads of a file: a Python file's masked text, a text file's bytes."""
        if path.endswith((".py", ".pyi")):
            return self.masked_of(path)
        src = self.repo.source(self.side, path)
        if src is not None and len(src.data or b"") <= MAX_TEXT_BYTES:
            return src.data or src.text.encode("utf-8", "replace")
        return None

    def count(self, name: str) -> int:
        """How many times `name` stands as a word (`WORD`) in the files that may hold it."""
        if name not in self._counts:
            key = name.encode()
            words = WORD.fullmatch(key) is not None
            self._counts[name] = sum(word_count(self._text_of(p) or b"", key) for p in self.candidates([name])
                                     ) if words else 0
        return self._counts[name]

    def count_in(self, path: str, start: int, end: int, name: str) -> int:
        """Occurrences of `name` between two byte offsets of one Python file."""
        data = (self.masked_of(path) or b"")[start:end] if path.endswith((".py", ".pyi")) else b""
        key = name.encode()
        return sum(1 for m in WORD.finditer(data) if m.group(0) == key)

    def looked_up_dynamically(self, name: str) -> bool:
        """True when some `getattr` builds names with a prefix of `name`."""
        return any(name.startswith(prefix) for prefix in self._lookups()[0])

    def is_star_imported(self, path: str) -> bool:
        pure = PurePosixPath(path)
        return (pure.parent.name if pure.stem == "__init__" else pure.stem) in self._lookups()[1]

    def _lookups(self) -> tuple[frozenset[str], frozenset[str]]:
        """The prefixes `getattr` builds names from and the modules imported with `*`, from one
        search of the tree for both (a file holding either is masked and read for both)."""
        if self._found is None:
            dynamic: set[str] = set()
            star: set[str] = set()
            for path in self.candidates([r"getattr\(", r"import[[:blank:]]+\*"], mode="regex"):
                data = (self.masked_of(path) if path.endswith((".py", ".pyi")) else None) or b""
                dynamic.update(m.group(1).decode() for m in DYNAMIC_PREFIX.finditer(data))
                star.update(m.group(1).decode().rsplit(".", 1)[-1] for m in STAR_IMPORT.finditer(data))
            self._found = (frozenset(dynamic), frozenset(star))
        return self._found

    def _readable(self) -> list[str]:
        """Every Python file that can be read (reads them all)."""
        known = self.repo.cached_paths(self.side, self.python_paths, _MASKED)
        self.repo.prefetch(self.side, [p for p in self.python_paths if p not in known])
        return [p for p in self.python_paths if self.masked_of(p) is not None]

    def _names(self) -> list[str]:
        return sorted({m.group(1).decode() for p in self._readable()
                       for m in DEF_LINE.finditer(self.masked_of(p) or b"")})

    def definitions(self, name: str) -> list[tuple[str, int]]:
        """(path, line) of every `def`/`class` named `name` in Python files, in path order: the
        lines `DEF_LINE` matches with `name` as its name, found from the name's occurrences."""
        found: list[tuple[str, int]] = []
        key = name.encode()
        paths = sorted(self.repo.files_containing(self.side, [name]) & self._wanted)
        if WORD.fullmatch(key) is None:
            return found
        for path in self._may_define([p for p in paths if p.endswith((".py", ".pyi"))], name):
            data = self.masked_of(path) or b""
            at = data.find(key)
            while at != -1:
                end = at + len(key)
                if (end == len(data) or data[end] not in _WORD_BYTES) and \
                        _DEF_PREFIX.fullmatch(data, data.rfind(b"\n", 0, at) + 1, at):
                    found.append((path, data.count(b"\n", 0, at) + 1))
                at = data.find(key, at + 1)
        return found

    def _may_define(self, paths: list[str], name: str) -> list[str]:
        """Those of `paths` whose masked text may hold a `DEF_LINE` of `name`, told from their raw
        text (`headings`, kept by blob id): the others are neither masked nor, once known, read."""
        known = self.repo.cached_paths(self.side, paths, _HEADINGS)
        self.repo.prefetch(self.side, [p for p in paths if p not in known])
        kept = []
        for path in paths:
            value = self.repo.derived(self.side, path, _HEADINGS, headings)
            if value is not None and (value[0] or name in value[1]):
                kept.append(path)
        return kept


def headings(src: SourceFile) -> tuple[bool, tuple[str, ...]]:
    """The raw text's account of the `def`/`class` lines its masked text can hold: (unsure, names).
    Masking only blanks bytes out: the keyword and name of a masked `DEF_LINE` stand at the same raw
    offsets, with blanks between (the name is a word run after a keyword and blanks, in `names`) or
    a blanked comment or string there (`#`, or prefix letters and a quote: unsure), or a blanked
    string right after the name (its prefix letters join the run, then a quote: unsure)."""
    data = src.data or src.text.encode("utf-8", "surrogatepass")
    names: set[bytes] = set()
    unsure = False
    at = _KEYWORD.search(data)
    while at is not None:
        blanks, run = at.group(1), at.group(2)
        after = data[at.end() : at.end() + 1]
        if blanks and run:
            names.add(run)
        unsure = unsure or (after in (b'"', b"'") and (bool(blanks) or not run.strip(b"bfrtuBFRTU"))) \
            or (not run and after == b"#")
        at = _KEYWORD.search(data, at.start() + 1)
    return unsure, tuple(sorted(n.decode() for n in names))


_MASKED = "python.masked"
_HEADINGS = "python.headings"
_KEYWORD = re.compile(rb"(?:def|class)([ \t]*)([A-Za-z0-9_]*)")


def word_count(data: bytes, key: bytes) -> int:
    """`WORD.findall(data).count(key)` for a `key` that is a whole `WORD`, from the occurrences of
    `key` alone: one stands as a word when no word character follows it and the run of word
    characters it ends in holds only digits before it (`0xname` holds the word `xname`)."""
    total = 0
    at = data.find(key)
    while at != -1:
        end = at + len(key)
        if end == len(data) or data[end] not in _WORD_BYTES:
            start = at
            while start > 0 and data[start - 1] in _DIGITS:
                start -= 1
            if start == 0 or data[start - 1] not in _WORD_BYTES:
                total += 1
        at = data.find(key, at + 1)
    return total


def _masked_value(src: SourceFile) -> bytes:
    return masked_bytes(src) if src.language == "python" else (src.data or src.text.encode("utf-8", "replace"))


def side_index(repo: RepoView, side: Side) -> SideIndex:
    """The index of one side of this scan, built on first use and shared by the detectors."""
    return repo.memo(f"python.symbols.{side}", lambda: SideIndex(repo, side))


# ---- syntax helpers shared by the Python dead-code detectors ----------------------------------


def text(node: Node | None) -> str:
    return "" if node is None or node.text is None else node.text.decode("utf-8", "replace")


def decorators(definition: Node) -> list[str]:
    """Dotted names of the decorators of a function/class (call arguments dropped)."""
    parent = definition.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    names = []
    for child in parent.children:
        if child.type == "decorator":
            raw = text(child).lstrip("@").strip()
            names.append(raw.split("(", 1)[0].strip())
    return names


def registers(definition: Node, conv: Conventions) -> bool:
    """True when a decorator may register the definition (route, CLI command, fixture, task...)."""
    return any(name not in conv.transparent_decorators for name in decorators(definition))


def outer(definition: Node) -> Node:
    """The decorated_definition wrapping `definition`, or the definition itself."""
    parent = definition.parent
    return parent if parent is not None and parent.type == "decorated_definition" else definition


def enclosing_class(node: Node) -> Node | None:
    """The class whose body directly holds this definition, if any."""
    current = outer(node).parent
    if current is not None and current.type == "block":
        owner = current.parent
        if owner is not None and owner.type == "class_definition":
            return owner
    return None


def base_names(cls: Node) -> list[str]:
    supers = cls.child_by_field_name("superclasses")
    if supers is None:
        return []
    return [text(c) for c in supers.named_children if c.type != "keyword_argument"]


def has_external_bases(cls: Node, conv: Conventions) -> bool:
    return any(name.split("[", 1)[0] not in conv.plain_bases for name in base_names(cls))


def is_dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and len(name) > 4


def is_loaded_by_path(path: str) -> bool:
    """A Python file whose name is no module name (`hook-pip.py`): a tool loads it by path."""
    return not PurePosixPath(path).stem.isidentifier()


def is_test_path(path: str) -> bool:
    """The language layer's one answer (lang/python/testing.py)."""
    return testing.is_test_path(path)


def conventional(name: str, definition: Node, path: str, conv: Conventions) -> bool:
    """True when frameworks or Python itself use this definition without naming it in code."""
    if is_dunder(name) or name in conv.hook_names or is_loaded_by_path(path) or name.startswith(("test_", "pytest_")):
        return True
    if definition.type == "class_definition" and name.startswith("Test"):
        return True
    if registers(definition, conv):
        return True
    cls = enclosing_class(definition)
    if cls is not None:
        if definition.type == "class_definition":
            return True  # nested classes (Meta, Config, serializers' inner classes)
        if not name.startswith("_") or has_external_bases(cls, conv):
            return True  # public methods are the class's API; any method may override a base's
        if registers(cls, conv):
            return True
    if definition.type == "class_definition" and has_external_bases(definition, conv):
        return True  # models, commands, plugins: registered by their base class
    return is_test_path(path) and name.startswith(("Test", "test"))


def functions_and_classes(root: Node) -> Iterator[Node]:
    """Every function and class definition of a tree, outermost first, in source order."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("function_definition", "class_definition"):
            yield node
        stack.extend(reversed([c for c in node.children if c.type in _HOLDERS]))


def statements(root: Node) -> Iterator[Node]:
    """Every statement of a tree (the children of the module and of every block)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("module", "block"):
            yield from node.named_children
        stack.extend(reversed([c for c in node.children if c.type in _HOLDERS]))


def own_refs(index: SideIndex, path: str, nodes: Iterable[Node], name: str) -> int:
    """Occurrences of `name` inside the given definitions (their own name and recursion)."""
    return sum(index.count_in(path, outer(n).start_byte, n.end_byte, name) for n in nodes)


def module_name(path: str) -> str:
    pure = PurePosixPath(path)
    return pure.parent.name if pure.stem == "__init__" else pure.stem
