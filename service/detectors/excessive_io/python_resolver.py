"""The repository's own Python functions that do I/O, for the excessive-io detector: `Resolver`
finds the definition a call refers to (in the file or an imported module of the head tree) and
summarises whether it does I/O, directly or through other repository functions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from tree_sitter import Node

from ...detector import RepoView
from ...lang.python.memo import node_key, nodes_of
from ...lang.python.modules import python_modules
from ...parsing import SourceFile, walk
from ...ruledata import data_lists
from .python_memo import memoised
from .python_names import FileNames, constructed_category, file_names, walk_scope
from .python_receivers import ReceiverTypes
from .python_sink_list import Category, Sinks, text
from .python_sinks import Sink, sink_of

_DB = ("db", "orm")


_WRITE_MODE = re.compile(r"[wax+]")


_UNIT_OF_WORK_LINES = 30


# --- the repository's own functions that do I/O --------------------------------------------


@dataclass
class Unit:
    """One parsed file of the head tree with its top-level functions and classes."""

    path: str
    src: SourceFile
    names: FileNames
    functions: dict[str, Node] = field(default_factory=dict)
    classes: dict[str, Node] = field(default_factory=dict)
    constants: dict[str, Node] = field(default_factory=dict)
    _constructed: dict[str, list[str]] | None = None
    sink_memo: dict[tuple[int, int], Sink | None] = field(default_factory=dict, repr=False)

    def constructed(self) -> dict[str, list[str]]:
        """Target -> class names of every `target = Name(...)` assignment in the file."""
        if self._constructed is None:
            found: dict[str, list[str]] = {}
            for node in nodes_of(self.src, "assignment"):
                value = node.child_by_field_name("right")
                if value is not None and value.type == "call":
                    name = text(self.src, value.child_by_field_name("function")).rsplit(".", 1)[-1]
                    key = text(self.src, node.child_by_field_name("left"))
                    found.setdefault(key, []).append(name)
            self._constructed = found
        return self._constructed


@dataclass(frozen=True)
class Summary:
    """Why a repository function counts as I/O: the category and the I/O call inside it."""

    category: Category
    via: str
    connect: bool = False
    constant: bool = False  # the I/O reads a constant file or URL
    by_name: str = ""  # the receiver name that alone marks the inner call as I/O


def _definition(node: Node) -> Node | None:
    if node.type == "decorated_definition":
        return node.child_by_field_name("definition")
    return node if node.type in ("function_definition", "class_definition") else None


def _class_methods(cls: Node, src: SourceFile) -> dict[str, Node]:
    body = cls.child_by_field_name("body")
    found: dict[str, Node] = {}
    for child in body.named_children if body is not None else []:
        fn = _definition(child)
        if fn is not None and fn.type == "function_definition":
            found[text(src, fn.child_by_field_name("name"))] = fn
    return found


@dataclass
class Shared:
    """What every changed file of one scan resolves against: the parsed units of the head
    tree and the methods of their classes (summaries stay per file: they depend on the order
    in which mutually calling helpers are visited)."""

    sinks: Sinks
    units: dict[str, Unit | None] = field(default_factory=dict)
    class_methods: dict[tuple[str, int], dict[str, Node]] = field(default_factory=dict)


def _shared(repo: RepoView, sinks: Sinks) -> Shared:
    """Units resolved from other modules, shared by every file of one scan."""
    return repo.memo(f"python.excessive-io.shared.{id(sinks)}", lambda: Shared(sinks))


class Resolver(ReceiverTypes):
    """Finds the definition a call refers to in the repository and whether it does I/O."""

    def __init__(self, repo: RepoView, sinks: Sinks, shared: Shared | None = None) -> None:
        self.repo = repo
        self.sinks = sinks
        shared = shared if shared is not None and shared.sinks is sinks else Shared(sinks)
        self.units = shared.units
        self.summaries: dict[tuple[str, int], Summary | None] = {}
        self.class_methods = shared.class_methods
        self.guessed = {}

    def methods(self, unit: Unit, cls: Node) -> dict[str, Node]:
        key = (unit.path, cls.start_byte)
        if key not in self.class_methods:
            self.class_methods[key] = _class_methods(cls, unit.src)
        return self.class_methods[key]

    def unit_of(self, path: str, src: SourceFile) -> Unit:
        known = self.units.get(path)
        if known is not None and known.src is src:
            return known
        unit = Unit(path=path, src=src, names=file_names(src, self.sinks))
        root = src.root
        for child in root.named_children if root is not None else []:
            node = _definition(child)
            if node is not None:
                key = "functions" if node.type == "function_definition" else "classes"
                getattr(unit, key)[text(src, node.child_by_field_name("name"))] = node
            elif child.type == "expression_statement" and child.named_children and \
                    child.named_children[0].type == "assignment":
                assign = child.named_children[0]
                left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
                if left is not None and right is not None and left.type == "identifier":
                    unit.constants[text(src, left)] = right
        self.units[path] = unit
        self._note_repo_handles(unit)
        return unit

    def _note_repo_handles(self, unit: Unit) -> None:
        """`session = get_session()`, `with open_db() as conn`, `db = SessionLocal()`: a handle made
        by a repository function (its return annotation, or the handle it returns or yields) or by a
        factory another module built (`SessionLocal = sessionmaker(engine)`)."""
        for node in nodes_of(unit.src, "assignment", "as_pattern"):
            if node.type == "assignment":
                target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
            else:
                target, value = node.child_by_field_name("alias"), node.children[0] if node.children else None
            while value is not None and value.type in ("await", "parenthesized_expression") and value.named_children:
                value = value.named_children[-1]
            if target is None or value is None or value.type != "call":
                continue
            fn = value.child_by_field_name("function")
            key = text(unit.src, target)
            if fn is None or fn.type != "identifier" or key in unit.names.resources:
                continue
            cat = self._made_by(unit, fn, node)
            if cat is not None:
                unit.names.resources.setdefault(key, []).append((cat, node))

    def _made_by(self, unit: Unit, fn: Node, site: Node) -> Category | None:
        name = text(unit.src, fn)
        qualified = unit.names.imports.get(name)
        if qualified:
            for path, rest in _module_files(unit.path, qualified, python_modules(self.repo).roots):
                other = self.unit(path)
                if other is not None and len(rest) == 1 and rest[0] in other.names.factories:
                    return other.names.factories[rest[0]]
        found = self.resolve(unit, fn, site)
        if found is None:
            return None
        other, func = found
        returns = func.child_by_field_name("return_type")
        cat = other.names.type_category(returns) if returns is not None else None
        body = func.child_by_field_name("body")
        for node in walk_scope(body) if cat is None and body is not None else ():
            if node.type in ("return_statement", "yield") and node.named_children:
                value = node.named_children[0]
                cat = constructed_category(other.names, value) or cat
        return cat

    def unit(self, path: str) -> Unit | None:
        if path not in self.units:
            src = self.repo.source("RIGHT", path)
            ok = src is not None and src.language == "python" and src.root is not None
            self.units[path] = self.unit_of(path, src) if ok and src is not None else None
        return self.units[path]

    def lookup(self, unit: Unit, qualified: str) -> tuple[Unit, Node] | None:
        """The function, class or `Class.method` a qualified import name points to."""
        for path, rest in _module_files(unit.path, qualified, python_modules(self.repo).roots):
            other = self.unit(path)
            if other is None:
                continue
            if len(rest) == 1:
                node = other.functions.get(rest[0]) or other.classes.get(rest[0])
                return (other, node) if node is not None else None
            cls = other.classes.get(rest[0])
            method = self.methods(other, cls).get(rest[1]) if cls is not None else None
            return (other, method) if method is not None else None
        return None

    def class_named(self, unit: Unit, name: str) -> tuple[Unit, Node] | None:
        if name in unit.classes:
            return unit, unit.classes[name]
        qualified = unit.names.imports.get(name)
        found = self.lookup(unit, qualified) if qualified else None
        return found if found is not None and found[1].type == "class_definition" else None

    def resolve(self, unit: Unit, fn: Node, site: Node) -> tuple[Unit, Node] | None:
        """The function definition a callee expression refers to, if it is in the repository."""
        found: tuple[Unit, Node] | None = None
        if fn.type == "identifier":
            name = text(unit.src, fn)
            if name in unit.functions:
                return unit, unit.functions[name]
            qualified = unit.names.imports.get(name)
            found = self.lookup(unit, qualified) if qualified else None
        elif fn.type == "attribute":
            found = self._resolve_method(unit, fn, site)
        if found is None or found[1].type != "function_definition":
            return None
        return found

    def summary(self, unit: Unit, fn: Node, depth: int = 0) -> Summary | None:
        key = (unit.path, fn.start_byte)
        if key in self.summaries:
            return self.summaries[key]
        self.summaries[key] = None  # recursion guard
        memoizers = data_lists("excessive-io", self.repo).get("python_memoizers")
        result = None if memoised(unit.src, unit.names, fn, memoizers) else self._summarise(unit, fn, depth)
        self.summaries[key] = result
        return result

    def _summarise(self, unit: Unit, fn: Node, depth: int) -> Summary | None:
        """Direct I/O in the body, or I/O in a `self.helper()` it calls (two levels deep).
        Not counted: long functions and queries of a function that loops itself (a unit of
        work, not an accessor), file reads whose path is not a constant (reading a different file per call
        is the function's job), and functions that memoise their result."""
        body = fn.child_by_field_name("body")
        if body is None or body.end_point[0] - body.start_point[0] > _UNIT_OF_WORK_LINES:
            return None
        loops = any(n.type in ("for_statement", "while_statement") for n in walk_scope(body))
        calls = [n for n in walk_scope(body) if n.type == "call"]
        for call in calls:
            sink = _sink(unit, call)
            if sink is None or (sink.category.name in _DB and loops):
                continue
            constant = constant_read(unit, call, sink)
            if sink.category.invariant_only and not constant:
                continue
            return Summary(sink.category, text(unit.src, call.child_by_field_name("function")),
                           sink.connect, constant, sink.by_name)
        if depth >= 2:
            return None
        for call in calls:
            callee = call.child_by_field_name("function")
            obj = callee.child_by_field_name("object") if callee is not None and \
                callee.type == "attribute" else None
            if obj is None or text(unit.src, obj) not in ("self", "cls"):
                continue
            target = self.resolve(unit, callee, call) if callee is not None else None
            inner = self.summary(target[0], target[1], depth + 1) if target is not None else None
            if inner is not None and not (inner.category.name in _DB and loops):
                return inner
        return None


def constant_read(unit: Unit, call: Node, sink: Sink) -> bool:
    """A read of a constant file or URL: `open(CONFIG_PATH)`, `requests.get(JWKS_URL)`."""
    args = call.child_by_field_name("arguments")
    items = [a for a in args.named_children if a.type != "comment"] if args is not None else []
    if sink.category.name == "file":
        target: list[Node] = [sink.receiver] if sink.receiver is not None else items[:1]
        mode = _mode_arg(unit.src, items)
        if mode and _WRITE_MODE.search(mode):
            return False
    elif sink.category.name == "http":
        method = text(unit.src, call.child_by_field_name("function")).rsplit(".", 1)[-1]
        if method not in ("get", "urlopen"):
            return False
        target = items[:1]
    else:
        return False
    return bool(target) and all(is_constant(unit, t) for t in target)


def is_constant(unit: Unit, node: Node) -> bool:
    """Built from literals, module-level names and imported modules only."""
    kind = node.type
    if kind in ("integer", "float", "true", "false", "none"):
        return True
    if kind in ("string", "concatenated_string"):
        return all(is_constant(unit, i) for i in walk_interpolations(node))
    if kind == "identifier":
        name = unit.src.node_text(node)
        return name.isupper() or name == "__file__" or name in unit.constants \
            or name in unit.names.imports
    if kind == "attribute":
        obj = node.child_by_field_name("object")
        return obj is not None and is_constant(unit, obj)
    if kind == "call":
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        return fn is not None and is_constant(unit, fn) and all(
            is_constant(unit, a) for a in (args.named_children if args is not None else []))
    if kind == "keyword_argument":
        value = node.child_by_field_name("value")
        return value is not None and is_constant(unit, value)
    if kind in ("binary_operator", "parenthesized_expression", "subscript"):
        return all(is_constant(unit, c) for c in node.named_children)
    return False


def _sink(unit: Unit, call: Node) -> Sink | None:
    key = node_key(call)
    if key not in unit.sink_memo:
        unit.sink_memo[key] = sink_of(unit.names, call)
    return unit.sink_memo[key]


def _module_files(current: str, qualified: str, import_roots: tuple[str, ...]) -> Iterator[tuple[str, list[str]]]:
    """Candidate files (and the names left inside them) of a qualified import name."""
    dots = len(qualified) - len(qualified.lstrip("."))
    parts = [p for p in qualified.lstrip(".").split(".") if p]
    if dots:
        base = PurePosixPath(current).parent
        for _ in range(dots - 1):
            base = base.parent
        roots = [base.as_posix().strip(".").strip("/")]
    else:
        roots = list(import_roots)
    for cut in range(len(parts) - 1, max(len(parts) - 3, -1), -1):
        module, rest = parts[:cut], parts[cut:]
        for root in roots:
            stem = "/".join(p for p in (root, *module) if p)
            if not stem:
                continue
            yield f"{stem}.py", rest
            yield f"{stem}/__init__.py", rest


def walk_interpolations(node: Node) -> Iterator[Node]:
    for sub in walk(node):
        if sub.type == "interpolation":
            expr = sub.named_children[0] if sub.named_children else None
            if expr is not None:
                yield expr


def _mode_arg(src: SourceFile, items: list[Node]) -> str:
    for item in items:
        if item.type == "keyword_argument" and text(src, item.child_by_field_name("name")) == "mode":
            return text(src, item.child_by_field_name("value"))
    positional = [i for i in items if i.type != "keyword_argument"]
    return text(src, positional[1]) if len(positional) > 1 and positional[1].type == "string" else ""
