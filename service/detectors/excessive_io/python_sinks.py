"""Helpers of the Python excessive-io detector: the sink list, recognising an I/O call, loops.

The sink list is data (`rules/data/io-sinks.yml`, extended by a repository's own
`.slopguard/io-sinks.yml`); this module loads it and answers, for a call node of a parsed file,
whether the call does I/O and of which category, and which loops run it once per item (and
which of those loops are harmless: a bounded constant list, a retry, a pagination or batch loop).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tree_sitter import Node

from ...config import RULES_DIR
from ...errors import ConfigError
from ...lang.python.memo import cached, node_key, nodes_of, scope_descendants
from ...parsing import SourceFile

# libyaml's safe loader when PyYAML was built with it (same data, a fraction of the time)
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SINKS_FILE = RULES_DIR / "data" / "io-sinks.yml"
REPO_SINKS_FILE = ".slopguard/io-sinks.yml"
_LIST_KEYS = ("calls", "connects", "types", "receivers", "methods", "typed_methods", "exclude_methods")
_KEYS = {*_LIST_KEYS, "label", "advice", "groups", "invariant_only"}
SCOPE_TYPES = ("function_definition", "class_definition", "lambda")


@dataclass(frozen=True)
class Category:
    """One kind of I/O (db, http, file, ...) and how to recognise its calls."""

    name: str
    label: str = "I/O call"
    advice: str = "hoist it out of the loop or batch it"
    calls: tuple[str, ...] = ()
    connects: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    typed_methods: tuple[str, ...] = ()
    exclude_methods: frozenset[str] = frozenset()
    invariant_only: bool = False

    def merged(self, other: Category) -> Category:
        return Category(
            name=self.name,
            label=other.label if other.label != Category.label else self.label,
            advice=other.advice if other.advice != Category.advice else self.advice,
            calls=self.calls + other.calls,
            connects=self.connects + other.connects,
            types=self.types + other.types,
            groups=self.groups + other.groups,
            typed_methods=self.typed_methods + other.typed_methods,
            exclude_methods=self.exclude_methods | other.exclude_methods,
            invariant_only=self.invariant_only or other.invariant_only,
        )


@dataclass(frozen=True)
class Sinks:
    categories: tuple[Category, ...]
    # answers of by_call/by_connect/by_type/by_group, by question (the list is immutable)
    _memo: dict[tuple[str, str, str], Category | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False)

    def merged(self, other: Sinks) -> Sinks:
        mine = {c.name: c for c in self.categories}
        for cat in other.categories:
            mine[cat.name] = mine[cat.name].merged(cat) if cat.name in mine else cat
        return Sinks(tuple(mine.values()))

    def by_call(self, dotted: str) -> Category | None:
        key = ("call", dotted, "")
        if key not in self._memo:
            self._memo[key] = next((cat for cat in self.categories
                                    if any(_dotted_match(dotted, p) for p in cat.calls)), None)
        return self._memo[key]

    def by_connect(self, dotted: str) -> Category | None:
        key = ("connect", dotted, "")
        if key not in self._memo:
            self._memo[key] = next((cat for cat in self.categories
                                    if any(_dotted_match(dotted, p) for p in cat.connects)), None)
        return self._memo[key]

    def by_type(self, dotted: str) -> Category | None:
        key = ("type", dotted, "")
        if key not in self._memo:
            self._memo[key] = next((cat for cat in self.categories if any(
                _dotted_match(dotted, p) for p in (*cat.types, *cat.connects))), None)
        return self._memo[key]

    def by_group(self, name: str, method: str) -> Category | None:
        """The first category with a receiver/method group matching `name.method(...)`."""
        key = ("group", name, method)
        if key not in self._memo:
            self._memo[key] = next((cat for cat in self.categories for receivers, methods in cat.groups
                                    if _matches(name, receivers) and _matches(method, methods)), None)
        return self._memo[key]

    def typed_method(self, cat: Category, method: str) -> bool:
        """`method` is an I/O method of a handle of category `cat`."""
        key = ("typed", cat.name, method)
        if key not in self._memo:
            ok = method not in cat.exclude_methods and _matches(method, cat.typed_methods)
            self._memo[key] = cat if ok else None
        return self._memo[key] is cat


def _dotted_match(dotted: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        return dotted.startswith(pattern[:-1]) and "." not in dotted[len(pattern) - 1 :]
    return dotted == pattern


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of strings", where)
    return tuple(value)


def _category(name: str, data: Any, where: str) -> Category:
    if not isinstance(data, dict):
        raise ConfigError(f"category `{name}` must be a mapping", where)
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"category `{name}`: unknown keys {sorted(unknown)}", where)
    lists = {k: _strings(data.get(k), where, k) for k in _LIST_KEYS}
    groups = [(lists["receivers"], lists["methods"])] if lists["receivers"] else []
    for group in data.get("groups") or []:
        if not isinstance(group, dict):
            raise ConfigError(f"category `{name}`: each group must be a mapping", where)
        groups.append((_strings(group.get("receivers"), where, "receivers"),
                       _strings(group.get("methods"), where, "methods")))
    return Category(
        name=name,
        label=str(data.get("label") or Category.label),
        advice=str(data.get("advice") or Category.advice),
        calls=lists["calls"],
        connects=lists["connects"],
        types=lists["types"],
        groups=tuple(groups),
        typed_methods=lists["typed_methods"] or lists["methods"],
        exclude_methods=frozenset(lists["exclude_methods"]),
        invariant_only=bool(data.get("invariant_only", False)),
    )


def parse_sinks(text: str, where: str) -> Sinks:
    """The sink list in `text` (YAML); raises ConfigError naming `where` when it is malformed."""
    try:
        data = yaml.load(text, Loader=_FAST_LOADER) or {}
    except yaml.YAMLError:
        try:  # the pure-Python loader words its errors as before
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"invalid YAML: {exc}", where) from exc
    cats = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(cats, dict):
        raise ConfigError("expected a top-level `categories` mapping", where)
    return Sinks(tuple(_category(str(n), d, where) for n, d in cats.items()))


@functools.cache
def builtin_sinks(path: Path = SINKS_FILE) -> Sinks:
    return parse_sinks(path.read_text(encoding="utf-8"), str(path))


# --- names in one parsed file -------------------------------------------------------------


def text(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


def imports_of(src: SourceFile) -> dict[str, str]:
    """Local name -> dotted qualified name, for every import of the file (relative ones keep
    their leading dots)."""
    names: dict[str, str] = {}
    for node in nodes_of(src, "import_statement", "import_from_statement"):
        if node.type == "import_statement":
            for item in node.children_by_field_name("name"):
                _add_import(src, item, "", names)
        elif node.type == "import_from_statement":
            module = text(src, node.child_by_field_name("module_name"))
            for item in node.children_by_field_name("name"):
                _add_import(src, item, module, names)
    return names


def _add_import(src: SourceFile, item: Node, module: str, names: dict[str, str]) -> None:
    if item.type == "aliased_import":
        full = text(src, item.child_by_field_name("name"))
        alias = text(src, item.child_by_field_name("alias"))
        names[alias] = _join(module, full)
    elif item.type == "dotted_name":
        full = text(src, item)
        if module:
            names[full] = _join(module, full)
        else:
            names[full.split(".")[0]] = full.split(".")[0]


def _join(module: str, name: str) -> str:
    if not module:
        return name
    return module + name if module.endswith(".") else f"{module}.{name}"


def walk_scope(node: Node) -> Iterator[Node]:
    """Nodes below `node` that run with it: nested defs, classes and lambdas are not entered."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and current.type in SCOPE_TYPES:
            continue
        stack.extend(reversed(current.children))


def _scope_of(node: Node) -> tuple[int, int]:
    """The enclosing function of a node (a parameter belongs to its function)."""
    current = node.parent
    while current is not None and current.type != "function_definition":
        current = current.parent
    return (current.start_byte, current.end_byte) if current is not None else (-1, -1)


@dataclass
class FileNames:
    """What a file's names refer to: imports, and variables known to hold an I/O resource."""

    src: SourceFile
    sinks: Sinks
    imports: dict[str, str] = field(default_factory=dict)
    resources: dict[str, list[tuple[Category, Node]]] = field(default_factory=dict)
    _scopes: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict, repr=False)

    def scope_of(self, node: Node) -> tuple[int, int]:
        key = node_key(node)
        scope = self._scopes.get(key)
        if scope is None:
            scope = self._scopes[key] = _scope_of(node)
        return scope

    def resource(self, key: str, at: Node) -> Category | None:
        """The category of the I/O handle `key` as seen from node `at`: a binding in the same
        function wins over one elsewhere in the file (`session` may be a SQLAlchemy session in
        one function and an aiohttp session in the next)."""
        held = self.resources.get(key)
        if not held:
            return None
        scope = _scope_of(at)
        local = [cat for cat, node in held if self.scope_of(node) == scope]
        return local[-1] if local else held[0][0]

    def bindings(self, key: str) -> list[Node]:
        return [node for _, node in self.resources.get(key, [])]

    def dotted(self, node: Node | None) -> str | None:
        """The qualified dotted name of an identifier/attribute chain, or None."""
        if node is None:
            return None
        if node.type == "identifier":
            name = text(self.src, node)
            return self.imports.get(name, name)
        if node.type == "attribute":
            obj = self.dotted(node.child_by_field_name("object"))
            attr = node.child_by_field_name("attribute")
            if obj is None or attr is None:
                return None
            return f"{obj}.{text(self.src, attr)}"
        return None

    def type_category(self, node: Node) -> Category | None:
        """The category of a type annotation (`Session`, `Optional[httpx.Client]`, ...)."""
        for sub in walk_scope(node):
            if sub.type in ("identifier", "attribute"):
                dotted = self.dotted(sub)
                cat = self.sinks.by_type(dotted) if dotted else None
                if cat is not None:
                    return cat
        return None


def file_names(src: SourceFile, sinks: Sinks) -> FileNames:
    names = FileNames(src=src, sinks=sinks, imports=imports_of(src))
    for node in nodes_of(src, "assignment", "as_pattern", "typed_parameter", "typed_default_parameter"):
        if node.type in ("assignment", "as_pattern"):
            _note_assignment(names, node)
        elif node.type == "typed_parameter" or node.type == "typed_default_parameter":
            _note_parameter(names, node)
    return names


def _note_assignment(names: FileNames, node: Node) -> None:
    if node.type == "assignment":
        target, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        annotation = node.child_by_field_name("type")
    else:
        target = node.child_by_field_name("alias")
        value = node.children[0] if node.children else None
        annotation = None
    if target is None or target.type not in ("identifier", "attribute", "as_pattern_target"):
        return
    key = text(names.src, target)
    cat = names.type_category(annotation) if annotation is not None else None
    if cat is None and value is not None:
        cat = constructed_category(names, value)
    if cat is not None:
        names.resources.setdefault(key, []).append((cat, node))


def _note_parameter(names: FileNames, node: Node) -> None:
    annotation = node.child_by_field_name("type")
    ident = next((c for c in node.children if c.type == "identifier"), None)
    if annotation is None or ident is None:
        return
    cat = names.type_category(annotation)
    if cat is not None:
        names.resources.setdefault(text(names.src, ident), []).append((cat, node))


def constructed_category(names: FileNames, value: Node) -> Category | None:
    """The category of a value built by a connect/type constructor, or of a cursor/client
    derived from a known resource (`conn.cursor()`, `session.client("s3")`)."""
    while value.type in ("await", "parenthesized_expression") and value.named_children:
        value = value.named_children[-1]
    if value.type == "identifier":
        return names.resource(text(names.src, value), value)
    if value.type == "binary_operator" and text(names.src, value.child_by_field_name("operator")) == "/":
        left = value.child_by_field_name("left")
        return constructed_category(names, left) if left is not None else None  # Path / "name"
    if value.type == "attribute" and text(names.src, value.child_by_field_name("attribute")) in (
            "parent", "parents", "with_suffix", "with_name"):
        obj = value.child_by_field_name("object")
        return constructed_category(names, obj) if obj is not None else None
    if value.type != "call":
        return None
    fn = value.child_by_field_name("function")
    dotted = names.dotted(fn)
    if dotted:
        cat = names.sinks.by_type(dotted)
        if cat is not None:
            return cat
    if fn is not None and fn.type == "attribute":
        obj = fn.child_by_field_name("object")
        held = names.resource(text(names.src, obj), obj) if obj is not None else None
        if held is not None and text(names.src, fn.child_by_field_name("attribute")) in (
            "cursor", "client", "resource", "connect", "begin", "Table", "Bucket", "Object",
            "acquire", "joinpath",
            "with_suffix", "with_name", "resolve", "absolute", "expanduser"):
            return held
    return None


# --- recognising an I/O call --------------------------------------------------------------


@dataclass(frozen=True)
class Sink:
    """One I/O call: its category and whether it opens a connection/client."""

    category: Category
    connect: bool = False
    receiver: Node | None = None  # the receiver of a method sink


_NOT_IO_ROOTS = ("flask", "werkzeug", "django.contrib")


def _receiver_name(src: SourceFile, obj: Node) -> str:
    if obj.type == "identifier":
        return text(src, obj)
    if obj.type == "attribute":
        return text(src, obj.child_by_field_name("attribute"))
    if obj.type == "call":
        return _receiver_name(src, obj.child_by_field_name("function") or obj)
    return ""


def _root_identifier(obj: Node) -> Node | None:
    while obj.type in ("attribute", "call", "subscript"):
        nxt = obj.child_by_field_name("object") or obj.child_by_field_name("function") \
            or obj.child_by_field_name("value")
        if nxt is None:
            return None
        obj = nxt
    return obj if obj.type == "identifier" else None


def _name_is_resource(names: FileNames, obj: Node) -> bool:
    """False for receivers that are known not to be I/O handles (flask's `session`,
    `request.session`)."""
    root = _root_identifier(obj)
    if root is None:
        return True
    imported = names.imports.get(text(names.src, root))
    if imported and imported.startswith(_NOT_IO_ROOTS):
        return False
    return "request" not in text(names.src, obj).split(".")[:-1]


def _matches(name: str, patterns: Mapping[str, None] | tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def sink_of(names: FileNames, call: Node) -> Sink | None:
    """The I/O category of `call`, or None when it is not a known I/O call."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    dotted = names.dotted(fn)
    if dotted:
        cat = names.sinks.by_connect(dotted)
        if cat is not None:
            return Sink(cat, connect=True)
        cat = names.sinks.by_call(dotted)
        if cat is not None:
            return Sink(cat)
    if fn.type != "attribute":
        return None
    obj = fn.child_by_field_name("object")
    method = text(names.src, fn.child_by_field_name("attribute"))
    if obj is None or not method:
        return None
    return _method_sink(names, obj, method)


def _method_sink(names: FileNames, obj: Node, method: str) -> Sink | None:
    cat = names.resource(text(names.src, obj), obj) or constructed_category(names, obj)
    if cat is not None:
        return Sink(cat, receiver=obj) if names.sinks.typed_method(cat, method) else None
    if obj.type == "identifier" and text(names.src, obj) in ("self", "cls"):
        return None
    name = _receiver_name(names.src, obj).lower()
    if not name or not _name_is_resource(names, obj):
        return None
    cat = names.sinks.by_group(name, method)
    return Sink(cat, receiver=obj) if cat is not None else None


# --- loops ---------------------------------------------------------------------------------

COMPREHENSIONS = ("list_comprehension", "set_comprehension", "dictionary_comprehension",
                  "generator_expression")
_RETRY_NAME = re.compile(r"attempt|retr(y|ies)|tries|^try_?n", re.I)
_BATCH_TARGET = re.compile(r"^_?(batch|chunk|page|offset|slice|window)(es|s|_?no|_?num|_?number)?$", re.I)
_BATCH_SOURCE = re.compile(r"chunk|batch|paginat|pages\b|partition|grouper|slices", re.I)
_WAIT_CALL = re.compile(r"(^|\.|_)(sleep|backoff|wait|retry)\w*$", re.I)
_FAN_OUT = re.compile(r"(^|\.)(gather|wait|as_completed|run_until_complete|map_async)$")
_POP_CALL = re.compile(r"\.(pop|popleft|popitem|get_nowait)$")
_DISPATCH = re.compile(r"(^|\.)(create_task|ensure_future|gather|spawn|start_soon|submit|"
                       r"run_in_executor|apply_async|delay|run_coroutine_threadsafe)$")
_BOUND = 20


@dataclass(frozen=True)
class Loop:
    node: Node
    kind: str  # "for", "while", "comprehension", "map"
    head: str  # how the message names the loop

    @property
    def is_while(self) -> bool:
        return self.kind == "while"


def loops_around(src: SourceFile, call: Node) -> Iterator[Loop]:
    """The loops that run `call` once per iteration, innermost first (stops at a def)."""
    child, node = call, call.parent
    while node is not None:
        kind = node.type
        if kind in ("function_definition", "class_definition"):
            return
        if kind == "lambda":
            if _is_map_callback(src, node):
                yield Loop(node, "map", f"map({text(src, node)[:60]}, ...)")
            return
        if kind in ("for_statement", "while_statement") and child == node.child_by_field_name("body"):
            yield Loop(node, "for" if kind == "for_statement" else "while", _head(src, node))
        elif kind in COMPREHENSIONS and _per_item(node, child):
            yield Loop(node, "comprehension", _head(src, node))
        child, node = node, node.parent


def _head(src: SourceFile, node: Node) -> str:
    if node.type == "for_statement":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        head = f"for {text(src, left)} in {text(src, right)}"
    elif node.type == "while_statement":
        head = f"while {text(src, node.child_by_field_name('condition'))}"
    else:
        clause = first_clause(node)
        head = text(src, clause) if clause is not None else "comprehension"
    return _short(head)


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 70 else value[:67] + "..."


def first_clause(node: Node) -> Node | None:
    return next((c for c in node.named_children if c.type == "for_in_clause"), None)


def _per_item(comp: Node, child: Node) -> bool:
    """True when `child` of a comprehension runs per item (all but the first iterable)."""
    first = first_clause(comp)
    return not (first is not None and child == first)


def _is_map_callback(src: SourceFile, lam: Node) -> bool:
    args = lam.parent
    call = args.parent if args is not None else None
    if args is None or call is None or args.type != "argument_list" or call.type != "call":
        return False
    fn = call.child_by_field_name("function")
    return text(src, fn) == "map" and bool(args.named_children) and args.named_children[0] == lam


def assigned_names(node: Node, src: SourceFile) -> set[str]:
    """Identifiers bound inside `node` (assignments, loop targets, with-as, walrus)."""
    names: set[str] = set()
    for sub in scope_descendants(src, node, SCOPE_TYPES, *_BINDERS):
        names |= bound_names(sub, src)
    return names


# the node types bound_names() and _mutated_roots() look at
_BINDERS = ("assignment", "augmented_assignment", "for_statement", "for_in_clause", "as_pattern",
            "named_expression")
_UPDATERS = (*_BINDERS, "call")


def bound_names(node: Node, src: SourceFile) -> set[str]:
    """The names `node` binds when it is a binding construct (not `x[i] = ...`, `o.a = ...`)."""
    target: Node | None = None
    if node.type in ("assignment", "augmented_assignment", "for_statement", "for_in_clause"):
        target = node.child_by_field_name("left")
    elif node.type == "as_pattern":
        target = node.child_by_field_name("alias")
    elif node.type == "named_expression":
        target = node.child_by_field_name("name")
    found: set[str] = set()
    stack = [target] if target is not None else []
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            found.add(text(src, current))
        elif current.type in ("pattern_list", "tuple_pattern", "list_pattern", "as_pattern_target",
                              "expression_list", "tuple", "list", "list_splat_pattern",
                              "parenthesized_expression"):
            stack.extend(current.named_children)
    return found


def used_names(node: Node, src: SourceFile) -> set[str]:
    """The identifiers read or written below `node` (not keyword-argument names or attribute names)."""
    found: set[str] = set()
    for sub in walk_scope(node):
        if sub.type == "identifier":
            parent = sub.parent
            if parent is not None and parent.type == "keyword_argument" and \
                    parent.child_by_field_name("name") == sub:
                continue
            if parent is not None and parent.type == "attribute" and \
                    parent.child_by_field_name("attribute") == sub:
                continue
            found.add(text(src, sub))
    return found


def varying_names(loop: Loop, src: SourceFile) -> set[str]:
    """Names whose value may change from one iteration to the next (do not modify the set:
    it is shared by every question about the same loop)."""
    node = loop.node

    def compute() -> set[str]:
        if loop.kind == "map":
            params = node.child_by_field_name("parameters")
            return used_names(params, src) if params is not None else set()
        return assigned_names(node, src)

    return cached(src, ("varying_names", loop.kind, node_key(node)), compute)


# --- loops that are not excessive ----------------------------------------------------------


def bounded(src: SourceFile, node: Node | None, constants: dict[str, Node]) -> bool:
    """A literal list/tuple/set of constants, a small range(), or a module constant holding one."""
    if node is None:
        return False
    if node.type in ("list", "tuple", "set", "dictionary"):
        return len(node.named_children) <= _BOUND and all(
            c.type in ("string", "integer", "float", "true", "false", "none", "tuple", "pair",
                       "concatenated_string", "attribute", "identifier")
            for c in node.named_children)
    if node.type == "identifier":
        name = text(src, node)
        value = constants.get(name)
        return value is not None and value.type != "identifier" and bounded(src, value, {})
    if node.type == "call":
        fn = text(src, node.child_by_field_name("function"))
        args = node.child_by_field_name("arguments")
        items = args.named_children if args is not None else []
        if fn == "range" and len(items) == 1:
            arg = items[0]
            if arg.type == "integer":
                return int(text(src, arg).replace("_", ""), 0) <= _BOUND
            name = text(src, arg)
            return (arg.type == "identifier" and name.isupper()) or bool(_RETRY_NAME.search(name))
        if fn in ("enumerate", "sorted", "reversed", "zip") and items:
            return all(bounded(src, a, constants) for a in items if a.type != "keyword_argument")
    return False


def harmless_loop(src: SourceFile, loop: Loop, constants: dict[str, Node]) -> bool:
    """Loops whose per-iteration I/O is inherent: constant lists, retries, polling, batches."""
    node = loop.node
    if loop.kind == "for":
        target = node.child_by_field_name("left")
        source = node.child_by_field_name("right")
        counter = source is not None and source.type == "call" and text(
            src, source.child_by_field_name("function")) in ("range", "itertools.count", "count")
        return (bounded(src, source, constants) or _retry_or_batch_target(src, target)
                or _batch_source(src, source) or (counter and _waits(src, node)))
    if loop.kind == "comprehension":
        clause = first_clause(node)
        if clause is None:
            return False
        source = clause.child_by_field_name("right")
        return (bounded(src, source, constants) or _batch_source(src, source)
                or _retry_or_batch_target(src, clause.child_by_field_name("left"))
                or _fan_out(src, node))
    if loop.kind == "while":
        # A `while` loop is a retry, poll, consumer or pagination loop unless it works
        # through a collection (`while queue: item = queue.pop()`).
        cond = text(src, node.child_by_field_name("condition"))
        return bool(_RETRY_NAME.search(cond)) or _waits(src, node) or not _pops(src, node)
    return False


def _pops(src: SourceFile, node: Node) -> bool:
    body = node.child_by_field_name("body")
    return body is not None and any(
        sub.type == "call" and _POP_CALL.search(text(src, sub.child_by_field_name("function")))
        for sub in walk_scope(body))


def _retry_or_batch_target(src: SourceFile, target: Node | None) -> bool:
    if target is None:
        return False
    names = used_names(target, src)
    return any(_RETRY_NAME.search(n) or _BATCH_TARGET.match(n) for n in names)


def _batch_source(src: SourceFile, source: Node | None) -> bool:
    if source is None:
        return False
    while source.type == "call":
        fn = source.child_by_field_name("function")
        name = text(src, fn).rsplit(".", 1)[-1] if fn is not None else ""
        args = source.child_by_field_name("arguments")
        if _BATCH_SOURCE.search(name) or (name == "range" and args is not None
                                          and len(args.named_children) == 3):
            return True  # chunked(ids, 100), range(0, len(ids), 100)
        if name not in ("enumerate", "iter", "list"):
            return False
        if args is None or not args.named_children:
            return False
        source = args.named_children[0]
    if source.type == "attribute":
        return bool(_BATCH_SOURCE.search(text(src, source.child_by_field_name("attribute"))))
    return False


def _waits(src: SourceFile, node: Node) -> bool:
    body = node.child_by_field_name("body")
    if body is None:
        return False
    for sub in walk_scope(body):
        if sub.type == "call" and _WAIT_CALL.search(text(src, sub.child_by_field_name("function"))):
            return True
    return False


def _fan_out(src: SourceFile, comp: Node) -> bool:
    """`asyncio.gather(*(fetch(u) for u in urls))`: concurrent by design."""
    node = comp.parent
    while node is not None and node.type in ("list_splat", "argument_list", "parenthesized_expression"):
        node = node.parent
    if node is None or node.type != "call":
        return False
    return bool(_FAN_OUT.search(text(src, node.child_by_field_name("function"))))


def dispatched(src: SourceFile, call: Node) -> bool:
    """`tg.create_task(fetch(u))`, `asyncio.gather(*[...])`: run concurrently, by design."""
    args = call.parent
    while args is not None and args.type in ("list_splat", "parenthesized_expression", "await"):
        args = args.parent
    outer = args.parent if args is not None and args.type == "argument_list" else None
    return outer is not None and outer.type == "call" and bool(
        _DISPATCH.search(text(src, outer.child_by_field_name("function"))))


def runs_once(src: SourceFile, call: Node, loop: Loop) -> bool:
    """The call sits in a block that leaves the loop (break/return/raise) or is a lazy init."""
    node: Node | None = call
    while node is not None and node != loop.node:
        parent = node.parent
        if node.type == "return_statement":
            return True
        if parent is not None and parent.type == "block":
            last = parent.named_children[-1] if parent.named_children else None
            if last is not None and last.type in ("break_statement", "return_statement",
                                                   "raise_statement"):
                return True
            if _lazy_init(src, node, parent, loop):
                return True
        node = parent
    return False


def _lazy_init(src: SourceFile, stmt: Node, block: Node, loop: Loop) -> bool:
    """`if cache is None: cache = load()` inside a loop runs the load once (when nothing else
    in the loop resets `cache`)."""
    if stmt.type != "expression_statement":
        return False
    assign = stmt.named_children[0] if stmt.named_children else None
    if assign is None or assign.type != "assignment":
        return False
    target = text(src, assign.child_by_field_name("left"))
    guard = block.parent
    if not target or guard is None or guard.type != "if_statement":
        return False
    cond = text(src, guard.child_by_field_name("condition"))
    escaped = re.escape(target)
    if not re.fullmatch(rf"\s*(not\s+{escaped}|{escaped}\s+is\s+None)\s*", cond):
        return False
    resets = [n for n in walk_scope(loop.node) if n.type == "assignment"
              and text(src, n.child_by_field_name("left")) == target]
    return len(resets) == 1


def paginates(src: SourceFile, call: Node, loop: Loop) -> bool:
    """The call's input is updated later in the loop body (`url = resp.links["next"]`,
    `cursor = next_cursor`, `page += 1`, `params["offset"] += limit`): one request per page."""
    used = used_names(call, src) | {
        text(src, n) for n in walk_scope(call) if n.type == "attribute"
        and text(src, n.child_by_field_name("object")) in ("self", "cls")}
    start, end = call.start_byte, call.end_byte
    for sub_start, sub_end, kind, names in _updates(src, loop.node):
        later = sub_start >= end and kind not in ("for_statement", "for_in_clause")
        holds = kind == "assignment" and sub_start <= start and end <= sub_end
        if (later or holds) and names & used:
            return True
    return False


def _updates(src: SourceFile, loop: Node) -> list[tuple[int, int, str, set[str]]]:
    """(start, end, type, names) of every node of the loop that binds or mutates names."""

    def compute() -> list[tuple[int, int, str, set[str]]]:
        found = []
        for sub in scope_descendants(src, loop, SCOPE_TYPES, *_UPDATERS):
            names = bound_names(sub, src) | _mutated_roots(sub, src)
            if names:
                found.append((sub.start_byte, sub.end_byte, sub.type, names))
        return found

    return cached(src, ("updates", node_key(loop)), compute)


def _mutated_roots(node: Node, src: SourceFile) -> set[str]:
    """`params["page"] = ...`, `self.cursor = ...`, `params.update(...)`: the mutated name."""
    target: Node | None = None
    if node.type in ("assignment", "augmented_assignment"):
        target = node.child_by_field_name("left")
        if target is not None and target.type not in ("subscript", "attribute"):
            return set()
    elif node.type == "call":
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "attribute" or \
                text(src, fn.child_by_field_name("attribute")) not in ("update", "__setitem__"):
            return set()
        target = fn.child_by_field_name("object")
    root = _root_identifier(target) if target is not None else None
    if root is None:
        return set()
    name = text(src, root)
    return {name} if name not in ("self", "cls") else {text(src, target).split("[")[0]}
