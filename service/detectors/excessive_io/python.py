"""Excessive I/O in Python: I/O once per item of a loop, the same resource re-read on every
request, and whole files or responses read into memory where they used to be streamed.

The I/O calls are data: `rules/data/io-sinks.yml` (categories db, orm, http, file, subprocess,
cloud), which a repository extends with its own `.slopguard/io-sinks.yml` (read from the base
commit). Functions of the repository that do I/O themselves (a client method around
`requests`/`httpx`, a `run_git()` helper around `subprocess.run`) count as I/O calls too.

## What it does
`python.excessive-io.io-in-loop` flags a database/ORM query, HTTP request, subprocess, cloud
API call or new connection made once per iteration of a `for`/`while`/`async for` loop, a
comprehension, a generator expression or a function passed to `map()` (the N+1 pattern), and a
file read whose arguments do not change between iterations. It leaves alone loops over a
bounded constant list, `range(3)`-style retry loops, polling loops that sleep, pagination loops
that request the next page, loops over batches/chunks, and calls that run at most once (before
a `break`/`return`, or behind an `if cache is None` lazy init).

`python.excessive-io.repeated-read` flags a request handler (a route-decorated function or a
view taking `request`) that reads the same constant file or URL on every request.

`python.excessive-io.unbounded-read` flags `.read()`/`.readlines()`/`.fetchall()` of a whole
file, archive, response or result set, or `.content` of a `stream=True` download, when the code
used to stream it (or is a generator that yields rows or reads a compressed export line by line).

## Why is this bad?
One query or request per item turns a page of 200 rows into 201 round trips: the endpoint or
job gets slower linearly with the data and hammers the database or the remote API. Reading a
multi-GB export into one bytes object (and then a decoded copy) exhausts memory where a stream
used constant memory.

## Example
```python
for entry in entries:
    customer = session.get(Customer, entry["customer_id"])
```

## Use instead
```python
ids = {e["customer_id"] for e in entries}
customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(ids)))}
for entry in entries:
    customer = customers.get(entry["customer_id"])
```
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, RepoView, Rule
from ...lang.python.memo import cached, node_key, nodes_of
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from .python_sinks import (
    REPO_SINKS_FILE,
    Category,
    FileNames,
    Loop,
    Sink,
    Sinks,
    builtin_sinks,
    dispatched,
    file_names,
    first_clause,
    harmless_loop,
    loops_around,
    paginates,
    parse_sinks,
    runs_once,
    sink_of,
    text,
    used_names,
    varying_names,
    walk_scope,
)

IO_IN_LOOP = Rule(
    id="python.excessive-io.io-in-loop",
    category="excessive-io",
    languages=("python",),
    severity=Severity.WARNING,
    summary="I/O (query, HTTP request, subprocess, file read, connection) once per loop iteration",
)
REPEATED_READ = Rule(
    id="python.excessive-io.repeated-read",
    category="excessive-io",
    languages=("python",),
    severity=Severity.WARNING,
    summary="the same file or URL read again on every request",
)
UNBOUNDED_READ = Rule(
    id="python.excessive-io.unbounded-read",
    category="excessive-io",
    languages=("python",),
    severity=Severity.WARNING,
    summary="a whole file, response or result set read into memory instead of streamed",
)

_TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")
_CACHED = re.compile(r"cache|memo|lru", re.I)
_ROUTE_DECORATOR = re.compile(r"\.(route|get|post|put|patch|delete|api_route|websocket)\s*\(|"
                              r"(^|\.)(api_view|view_config|action)\b")
_LINE_WISE = re.compile(r"splitlines|StringIO|BytesIO|\bcsv\.|\.split\(\s*['\"]\\n")
_STREAMING = re.compile(
    r"iter_content|iter_lines|iter_chunks|iter_bytes|iter_text|fetchmany|yield_per|stream_results|"
    r"itersize|stream=True|copyfileobj|\.read\(\s*[A-Za-z0-9_]+\s*\)|yield from|"
    r"for \w+ in (fh|f|fp|file|infile|handle|stream|resp|response|cursor|cur|reader)\b|"
    r"csv\.(Dict)?[Rr]eader\(\s*(fh|f|fp|file|handle|stream)\b")
_OPENERS = ("open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open",
            "urllib.request.urlopen")
_COMPRESSED = ("gzip.open", "bz2.open", "lzma.open")
_DB = ("db", "orm")
_WRITE_MODE = re.compile(r"[wax+]")
_UNIT_OF_WORK_LINES = 30
_RELATED_METHODS = ("all", "filter", "exclude", "count", "first", "last", "values_list",
                    "aggregate", "order_by", "select_related", "prefetch_related")


class PythonExcessiveIO(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (IO_IN_LOOP, REPEATED_READ, UNBOUNDED_READ)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        head = ctx.head
        if head is None or head.language != "python" or head.root is None:
            return
        if not ctx.diff.added or _TEST_PATH.search(ctx.path):
            return
        sinks = repo_sinks(ctx.repo)
        resolver = Resolver(ctx.repo, sinks, _shared(ctx.repo, sinks))
        unit = resolver.unit_of(ctx.path, head)
        analysis = FileAnalysis(ctx, unit, resolver)
        yield from analysis.loop_findings()
        yield from analysis.handler_findings()
        yield from analysis.unbounded_findings()


def repo_sinks(repo: RepoView) -> Sinks:
    """The built-in sink list plus the repository's own `.slopguard/io-sinks.yml` (base tree)."""
    extra = repo.source("LEFT", REPO_SINKS_FILE)
    return _merged_sinks(extra.text if extra is not None else "")


@functools.lru_cache(maxsize=8)
def _merged_sinks(extra: str) -> Sinks:
    sinks = builtin_sinks()
    return sinks.merged(parse_sinks(extra, REPO_SINKS_FILE)) if extra.strip() else sinks


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


def _enclosing(node: Node, kind: str) -> Node | None:
    current = node.parent
    while current is not None and current.type != kind:
        current = current.parent
    return current


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


class Resolver:
    """Finds the definition a call refers to in the repository and whether it does I/O."""

    def __init__(self, repo: RepoView, sinks: Sinks, shared: Shared | None = None) -> None:
        self.repo = repo
        self.sinks = sinks
        shared = shared if shared is not None and shared.sinks is sinks else Shared(sinks)
        self.units = shared.units
        self.summaries: dict[tuple[str, int], Summary | None] = {}
        self.class_methods = shared.class_methods

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
        return unit

    def unit(self, path: str) -> Unit | None:
        if path not in self.units:
            src = self.repo.source("RIGHT", path)
            ok = src is not None and src.language == "python" and src.root is not None
            self.units[path] = self.unit_of(path, src) if ok and src is not None else None
        return self.units[path]

    def lookup(self, unit: Unit, qualified: str) -> tuple[Unit, Node] | None:
        """The function, class or `Class.method` a qualified import name points to."""
        for path, rest in _module_files(unit.path, qualified):
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

    def _resolve_method(self, unit: Unit, fn: Node, site: Node) -> tuple[Unit, Node] | None:
        obj = fn.child_by_field_name("object")
        method = text(unit.src, fn.child_by_field_name("attribute"))
        if obj is None:
            return None
        owner: tuple[Unit, Node] | None = None
        if obj.type == "identifier" and text(unit.src, obj) in ("self", "cls"):
            cls = _enclosing(site, "class_definition")
            owner = (unit, cls) if cls is not None else None
        elif obj.type == "identifier" and text(unit.src, obj) in unit.names.imports:
            dotted = unit.names.dotted(fn)
            return self.lookup(unit, dotted) if dotted else None
        else:
            owner = self._class_of(unit, obj, site, method)
        if owner is None:
            return None
        target = self.methods(owner[0], owner[1]).get(method)
        return (owner[0], target) if target is not None else None

    def _class_of(self, unit: Unit, obj: Node, site: Node, method: str) -> tuple[Unit, Node] | None:
        key = text(unit.src, obj)
        if obj.type == "identifier" and key in unit.classes:
            return unit, unit.classes[key]
        for name in _declared_types(unit, key, site):
            found = self.class_named(unit, name)
            if found is not None:
                return found
        return self._similar_class(unit, key, method)

    def _similar_class(self, unit: Unit, key: str, method: str) -> tuple[Unit, Node] | None:
        """`client.get_product()` with `PimClient` imported: the only known class whose name
        contains the receiver's name and that defines the method."""
        receiver = key.rsplit(".", 1)[-1].replace("_", "").lower()
        if len(receiver) < 3:
            return None
        names = [n for n in (*unit.classes, *unit.names.imports) if n[:1].isupper()]
        hits = []
        for name in names:
            if receiver not in name.lower() and name.lower() not in receiver:
                continue
            found = self.class_named(unit, name)
            if found is not None and method in self.methods(found[0], found[1]):
                hits.append(found)
        return hits[0] if len(hits) == 1 else None

    def summary(self, unit: Unit, fn: Node, depth: int = 0) -> Summary | None:
        key = (unit.path, fn.start_byte)
        if key in self.summaries:
            return self.summaries[key]
        self.summaries[key] = None  # recursion guard
        result = None if _is_cached(unit.src, fn) else self._summarise(unit, fn, depth)
        self.summaries[key] = result
        return result

    def _summarise(self, unit: Unit, fn: Node, depth: int) -> Summary | None:
        """Direct I/O in the body, or I/O in a `self.helper()` it calls (two levels deep).
        Not counted: long functions and queries of a function that loops itself (a unit of
        work, not an accessor), file reads whose path is not a constant (reading a different file per call
        is the function's job), and functions that memoise their result."""
        body = fn.child_by_field_name("body")
        if body is None or _CACHED.search(unit.src.node_text(body)) or \
                body.end_point[0] - body.start_point[0] > _UNIT_OF_WORK_LINES:
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
                           sink.connect, constant)
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


def _is_cached(src: SourceFile, fn: Node) -> bool:
    parent = fn.parent
    if parent is None or parent.type != "decorated_definition":
        return False
    return any(_CACHED.search(text(src, d)) for d in parent.named_children if d.type == "decorator")


def _declared_types(unit: Unit, key: str, site: Node) -> Iterator[str]:
    """Class names a receiver is declared or constructed as: a parameter annotation of the
    enclosing function, or an assignment `key = Class(...)` anywhere in the file."""
    func = _enclosing(site, "function_definition")
    params = func.child_by_field_name("parameters") if func is not None else None
    for param in params.named_children if params is not None else []:
        ident = next((c for c in param.named_children if c.type == "identifier"), None)
        annotation = param.child_by_field_name("type")
        if ident is not None and annotation is not None and text(unit.src, ident) == key:
            yield from (text(unit.src, n) for n in walk(annotation) if n.type == "identifier")
    yield from unit.constructed().get(key, ())


def _module_files(current: str, qualified: str) -> Iterator[tuple[str, list[str]]]:
    """Candidate files (and the names left inside them) of a qualified import name."""
    dots = len(qualified) - len(qualified.lstrip("."))
    parts = [p for p in qualified.lstrip(".").split(".") if p]
    if dots:
        base = PurePosixPath(current).parent
        for _ in range(dots - 1):
            base = base.parent
        roots = [base.as_posix().strip(".").strip("/")]
    else:
        roots = ["", "src"]
    for cut in range(len(parts) - 1, max(len(parts) - 3, -1), -1):
        module, rest = parts[:cut], parts[cut:]
        for root in roots:
            stem = "/".join(p for p in (root, *module) if p)
            if not stem:
                continue
            yield f"{stem}.py", rest
            yield f"{stem}/__init__.py", rest


# --- the analysis of one changed file -----------------------------------------------------


@dataclass(frozen=True)
class IOCall:
    category: Category
    connect: bool
    via: str  # for a repository function: the I/O call inside it
    receiver: Node | None = None


class FileAnalysis:
    def __init__(self, ctx: FileContext, unit: Unit, resolver: Resolver) -> None:
        self.ctx = ctx
        self.unit = unit
        self.src = unit.src
        self.resolver = resolver
        added = ctx.diff.added
        self.calls = [n for n in nodes_of(unit.src, "call") if line_of(n) in added]
        self.base_loops = _io_in_base_loops(ctx.base)
        self.harmless: dict[tuple[int, int], bool] = {}

    # io-in-loop -----------------------------------------------------------------------------

    def loop_findings(self) -> Iterator[Finding]:
        seen: set[int] = set()
        for call in self.calls:
            loop = self._loop_of(call)
            if loop is None or line_of(call) in seen:
                continue
            found = self._in_loop(call, loop)
            if found is not None:
                seen.add(line_of(call))
                yield found

    def _loop_of(self, call: Node) -> Loop | None:
        for loop in loops_around(self.src, call):
            key = node_key(loop.node)
            harmless = self.harmless.get(key)
            if harmless is None:
                harmless = self.harmless[key] = harmless_loop(self.src, loop, self.unit.constants)
            if not harmless:
                return loop
        return None

    def _io_call(self, call: Node, loop: Loop) -> IOCall | None:
        sink = _sink(self.unit, call)
        if sink is not None:
            return IOCall(sink.category, sink.connect, "", sink.receiver)
        fn = call.child_by_field_name("function")
        target = self.resolver.resolve(self.unit, fn, call) if fn is not None else None
        summary = self.resolver.summary(*target) if target is not None else None
        if summary is not None:
            return IOCall(summary.category, summary.connect, summary.via)
        return self._related_manager(call, loop)

    def _related_manager(self, call: Node, loop: Loop) -> IOCall | None:
        """Django: `order.items.all()` / `author.books.count()` on the loop variable is one
        query per item (the relation is not prefetched)."""
        orm = next((c for c in self.resolver.sinks.categories if c.name == "orm"), None)
        fn = call.child_by_field_name("function")
        if orm is None or fn is None or fn.type != "attribute" or not self._django:
            return None
        manager = fn.child_by_field_name("object")
        method = text(self.src, fn.child_by_field_name("attribute"))
        args = call.child_by_field_name("arguments")
        if method not in _RELATED_METHODS or manager is None or manager.type != "attribute" or \
                (method == "count" and args is not None and args.named_children):
            return None
        owner = manager.child_by_field_name("object")
        if owner is None or owner.type != "identifier":
            return None
        targets = [c.child_by_field_name("left") for c in [loop.node, first_clause(loop.node)]
                   if c is not None and c.type in ("for_statement", "for_in_clause")]
        bound = {text(self.src, n) for t in targets if t is not None for n in walk(t)
                 if n.type == "identifier"}
        return IOCall(orm, False, "", manager) if text(self.src, owner) in bound else None

    @functools.cached_property
    def _django(self) -> bool:
        return any(q.startswith("django") for q in self.unit.names.imports.values()) or \
            b".objects." in self.src.data

    def _in_loop(self, call: Node, loop: Loop) -> Finding | None:
        io = self._io_call(call, loop)
        if io is None or runs_once(self.src, call, loop) or paginates(self.src, call, loop) \
                or dispatched(self.src, call):
            return None
        invariant = not (used_names(call, self.src) & varying_names(loop, self.src))
        if io.category.invariant_only and not invariant:
            return None
        if self._opened_in_loop(io, loop) or self._pre_existing(call):
            return None
        return self.ctx.finding(IO_IN_LOOP, line_of(call), self._message(call, loop, io, invariant))

    def _opened_in_loop(self, io: IOCall, loop: Loop) -> bool:
        """`conn.execute()` on a connection opened in the same iteration: the connect line is
        the one reported."""
        if io.receiver is None:
            return False
        held = self.unit.names.bindings(text(self.src, io.receiver))
        return any(loop.node.start_byte <= n.start_byte < loop.node.end_byte for n in held)

    def _pre_existing(self, call: Node) -> bool:
        key = (_function_name(self.src, call), _callee(self.src, call))
        return key in self.base_loops

    def _message(self, call: Node, loop: Loop, io: IOCall, invariant: bool) -> str:
        callee = _callee(self.src, call)
        cat = io.category
        where = f"on every iteration of `{loop.head}`"
        via = f" (it calls `{io.via}`)" if io.via else ""
        if io.connect:
            return (f"`{callee}(...)`{via} opens a new connection {where}; open it once before "
                    f"the loop and reuse it.")
        if cat.invariant_only:
            return (f"`{callee}(...)`{via} opens the same file again {where}; open or read it "
                    f"once before the loop and reuse it.")
        if invariant and cat.name == "http":
            return (f"`{callee}(...)`{via} requests the same URL again {where}; fetch it once "
                    f"before the loop and reuse the result.")
        n_plus_one = " (N+1)" if cat.name in (*_DB, "http", "cloud") else ""
        return f"`{callee}(...)`{via} runs one {cat.label} {where}{n_plus_one}; {cat.advice}."

    # repeated-read ------------------------------------------------------------------------------

    def handler_findings(self) -> Iterator[Finding]:
        for call in self.calls:
            func = _enclosing(call, "function_definition")
            if func is None or not _is_handler(self.src, func) or _in_any_loop(self.src, call):
                continue
            if _enclosing_scope(call) != func:
                continue
            via = self._constant_read_via(call)
            if via is None:
                continue
            name = text(self.src, func.child_by_field_name("name"))
            yield self.ctx.finding(
                REPEATED_READ, line_of(call),
                f"`{_callee(self.src, call)}(...)`{via} reads the same resource on every request "
                f"handled by `{name}`; load it once at startup or cache it "
                f"(functools.lru_cache / a module-level value).")

    def _constant_read_via(self, call: Node) -> str | None:
        """'' for a direct read of a constant file/URL, ' (it calls `open`)' for a repository
        function doing one, None otherwise."""
        sink = _sink(self.unit, call)
        if sink is not None:
            return "" if not sink.connect and constant_read(self.unit, call, sink) else None
        fn = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if fn is None or (args is not None and args.named_children):
            return None
        target = self.resolver.resolve(self.unit, fn, call)
        summary = self.resolver.summary(*target) if target is not None else None
        if summary is None or not summary.constant:
            return None
        return f" (it calls `{summary.via}`)"

    # unbounded-read -----------------------------------------------------------------------------

    def unbounded_findings(self) -> Iterator[Finding]:
        for call in self.calls:
            message = self._unbounded(call)
            if message:
                yield self.ctx.finding(UNBOUNDED_READ, line_of(call), message)
        added = self.ctx.diff.added
        for node in nodes_of(self.src, "attribute"):
            if line_of(node) in added:
                message = self._streamed_content(node)
                if message:
                    yield self.ctx.finding(UNBOUNDED_READ, line_of(node), message)

    def _unbounded(self, call: Node) -> str | None:
        fn = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if fn is None or fn.type != "attribute" or (args is not None and args.named_children
                                                     and text(self.src, args) != "(-1)"):
            return None
        method = text(self.src, fn.child_by_field_name("attribute"))
        handle = fn.child_by_field_name("object")
        if handle is None or method not in ("read", "readlines", "fetchall"):
            return None
        func = _enclosing(call, "function_definition")
        base_streamed = self._base_streamed(func, call)
        if method == "fetchall":
            return (f"`{text(self.src, fn)}()` loads the whole result set into memory where it "
                    f"used to be streamed; iterate over the cursor or use fetchmany().") \
                if base_streamed else None
        opener = self._opener(handle, func)
        if opener is None:
            return None
        rest = self.src.data[call.start_byte: func.end_byte if func is not None else call.end_byte]
        line_wise = bool(_LINE_WISE.search(rest.decode("utf-8", "replace")))
        generator = func is not None and _is_generator(func)
        if not (base_streamed or (line_wise and (generator or opener in _COMPRESSED))):
            return None
        return (f"`{text(self.src, fn)}()` reads the whole {_what(opener)} into memory "
                f"before processing it; stream it instead (iterate over the handle, e.g. "
                f"open it in text mode and pass it to csv.reader).")

    def _opener(self, handle: Node, func: Node | None) -> str | None:
        """The dotted opener (`gzip.open`, `open`, ...) the read handle comes from."""
        scope = func if func is not None else self.src.root
        if scope is None:
            return None
        if handle.type == "call":
            return self._opener_call(handle, scope)
        if handle.type != "identifier":
            return None
        for value in _bindings(self.src, scope, text(self.src, handle)):
            found = self._opener_call(value, scope) if value.type == "call" else None
            if found:
                return found
        return None

    def _opener_call(self, call: Node, scope: Node) -> str | None:
        """`gzip.open(...)`, or `opener(...)` with `opener = gzip.open if gz else open`."""
        fn = call.child_by_field_name("function")
        dotted = self.unit.names.dotted(fn)
        if dotted in _OPENERS:
            return dotted
        if fn is None or fn.type != "identifier":
            return None
        for value in _bindings(self.src, scope, text(self.src, fn)):
            options = [self.unit.names.dotted(n) for n in walk(value)]
            found = [o for o in options if o in _OPENERS]
            if found:
                return next((o for o in found if o in _COMPRESSED), found[0])
        return None

    def _base_streamed(self, func: Node | None, call: Node) -> bool:
        base = self.ctx.base
        if func is None or base is None or base.root is None:
            return False
        name = text(self.src, func.child_by_field_name("name"))
        old = _base_functions(base).get(name)
        return old is not None and bool(_STREAMING.search(old)) and text(self.src, call) not in old

    def _streamed_content(self, node: Node) -> str | None:
        """`resp.content` / `resp.text` of a request made with stream=True."""
        attr = text(self.src, node.child_by_field_name("attribute"))
        obj = node.child_by_field_name("object")
        parent = node.parent
        if attr not in ("content", "text") or obj is None or obj.type != "identifier":
            return None
        if parent is not None and parent.type == "call" and parent.child_by_field_name("function") == node:
            return None
        func = _enclosing(node, "function_definition")
        name = text(self.src, obj)
        for value in _bindings(self.src, func, name) if func is not None else []:
            sink = _sink(self.unit, value) if value.type == "call" else None
            if sink is None or sink.category.name != "http":
                continue
            if "stream=True" in text(self.src, value) or self._base_streamed(func, node):
                return (f"`{name}.{attr}` loads the whole download into memory where it used to "
                        f"be streamed; write it out chunk by chunk with "
                        f"`{name}.iter_content()` instead.")
        return None


def _bindings(src: SourceFile, scope: Node, name: str) -> Iterator[Node]:
    """The values bound to `name` in `scope` (assignments and `with ... as name`)."""
    for node in walk_scope(scope):
        if node.type == "as_pattern" and text(src, node.child_by_field_name("alias")) == name:
            if node.named_children:
                yield node.named_children[0]
        elif node.type == "assignment" and text(src, node.child_by_field_name("left")) == name:
            value = node.child_by_field_name("right")
            if value is not None:
                yield value


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


def _what(opener: str) -> str:
    if opener == "urllib.request.urlopen":
        return "response"
    return "compressed file" if opener in _COMPRESSED else "file"


def _is_generator(func: Node) -> bool:
    body = func.child_by_field_name("body")
    return body is not None and any(n.type == "yield" for n in walk_scope(body))


def _is_handler(src: SourceFile, func: Node) -> bool:
    """A web request handler: a route-decorated function, or a view whose first parameter
    (after self) is `request`."""
    parent = func.parent
    if parent is not None and parent.type == "decorated_definition":
        for deco in parent.named_children:
            if deco.type == "decorator" and _ROUTE_DECORATOR.search(text(src, deco)):
                return True
    params = func.child_by_field_name("parameters")
    names = [text(src, p).split(":")[0].strip() for p in params.named_children] if params else []
    names = [n for n in names if n not in ("self", "cls")]
    return bool(names) and names[0] == "request"


def _in_any_loop(src: SourceFile, call: Node) -> bool:
    return next(loops_around(src, call), None) is not None


def _enclosing_scope(node: Node) -> Node | None:
    current = node.parent
    while current is not None and current.type not in ("function_definition", "lambda",
                                                         "class_definition"):
        current = current.parent
    return current


def _callee(src: SourceFile, call: Node) -> str:
    return " ".join(text(src, call.child_by_field_name("function")).split())


def _function_name(src: SourceFile, node: Node) -> str:
    func = _enclosing(node, "function_definition")
    return text(src, func.child_by_field_name("name")) if func is not None else ""


def _io_in_base_loops(base: SourceFile | None) -> frozenset[tuple[str, str]]:
    """(function name, callee) of every call inside a loop of the base version: an I/O call
    the change only touches (renames around it, reformatting) is not new."""
    if base is None or base.root is None:
        return frozenset()
    found = set()
    for node in nodes_of(base, "call"):
        if next(loops_around(base, node), None) is not None:
            found.add((_function_name(base, node), _callee(base, node)))
    return frozenset(found)


def _base_functions(base: SourceFile) -> dict[str, str]:
    """Name -> text of the first function of that name in the base version."""

    def compute() -> dict[str, str]:
        found: dict[str, str] = {}
        for node in nodes_of(base, "function_definition"):
            found.setdefault(text(base, node.child_by_field_name("name")), base.node_text(node))
        return found

    return cached(base, "py_io.base_functions", compute)
