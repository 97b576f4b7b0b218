"""One changed Python file as the excessive-io detector reads it: its I/O calls, the loops that run
them once per item, the handlers that re-read a constant resource and the reads that used to
stream; `FileAnalysis` yields the findings of the three rules."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ...detector import FileContext
from ...lang.python.memo import cached, node_key, nodes_of
from ...models import Finding
from ...parsing import SourceFile, line_of, walk
from .python_loops import (
    Loop,
    dispatched,
    first_clause,
    harmless_loop,
    loops_around,
    paginates,
    runs_once,
    used_names,
    varying_names,
)
from .python_names import walk_scope
from .python_resolver import _DB, Resolver, Unit, _enclosing, _sink, constant_read
from .python_rules import IO_IN_LOOP, REPEATED_READ, UNBOUNDED_READ
from .python_sink_list import Category, text

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


_RELATED_METHODS = ("all", "filter", "exclude", "count", "first", "last", "values_list",
                    "aggregate", "order_by", "select_related", "prefetch_related")


# --- the analysis of one changed file -----------------------------------------------------


@dataclass(frozen=True)
class IOCall:
    category: Category
    connect: bool
    via: str  # for a repository function: the I/O call inside it
    receiver: Node | None = None
    by_name: str = ""  # the receiver name that alone marks the call as I/O (a fallback)


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
            return IOCall(sink.category, sink.connect, "", sink.receiver, sink.by_name)
        fn = call.child_by_field_name("function")
        target = self.resolver.resolve(self.unit, fn, call) if fn is not None else None
        summary = self.resolver.summary(*target) if target is not None else None
        if summary is not None:
            return IOCall(summary.category, summary.connect, summary.via, by_name=summary.by_name)
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
        message = self._message(call, loop, io, invariant)
        if io.by_name:
            message += (f" Only its name marks `{io.by_name}` as a {io.category.label} handle (no import, "
                        "type or constructor says so).")
        return self.ctx.finding(IO_IN_LOOP, line_of(call), message,
                                confidence="medium" if io.by_name else None)

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
