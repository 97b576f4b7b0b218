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
from ...lang.python.memo import node_key, nodes_of
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from .python_inherent import Excuse, loop_excuse
from .python_loops import (
    Loop,
    dispatched,
    first_clause,
    loops_around,
    paginates,
    runs_once,
    used_names,
    varying_names,
)
from .python_receivers import enclosing
from .python_resolver import _DB, Resolver, Unit, _sink, constant_read
from .python_sink_list import Category, text
from .python_unbounded import UnboundedReads
from .rules import IO_IN_LOOP, REPEATED_READ

_ROUTE_DECORATOR = re.compile(r"\.(route|get|post|put|patch|delete|api_route|websocket)\s*\(|"
                              r"(^|\.)(api_view|view_config|action)\b")


_RELATED_METHODS = ("all", "filter", "exclude", "count", "first", "last", "values_list",
                    "aggregate", "order_by", "select_related", "prefetch_related")


# --- the analysis of one changed file -----------------------------------------------------


@dataclass(frozen=True)
class IOCall:
    category: Category
    connect: bool
    via: str  # for a repository function: the I/O call inside it
    receiver: Node | None = None
    note: str = ""  # when only a name the user chose marks the call as I/O: says so (a fallback)


class FileAnalysis(UnboundedReads):
    def __init__(self, ctx: FileContext, unit: Unit, resolver: Resolver) -> None:
        self.ctx = ctx
        self.unit = unit
        self.src = unit.src
        self.resolver = resolver
        added = ctx.diff.added
        self.calls = [n for n in nodes_of(unit.src, "call") if line_of(n) in added]
        self.base_loops = _io_in_base_loops(ctx.base)
        self.excuses: dict[tuple[int, int], Excuse] = {}

    # io-in-loop -----------------------------------------------------------------------------

    def loop_findings(self) -> Iterator[Finding]:
        seen: set[int] = set()
        for call in self.calls:
            found_loop = self._loop_of(call)
            if found_loop is None or line_of(call) in seen:
                continue
            found = self._in_loop(call, *found_loop)
            if found is not None:
                seen.add(line_of(call))
                yield found

    def _loop_of(self, call: Node) -> tuple[Loop, str] | None:
        """The innermost loop around `call` whose per-item I/O is not inherent by structure, with
        the name that alone suggests it is ('' when none)."""
        for loop in loops_around(self.src, call):
            key = node_key(loop.node)
            excuse = self.excuses.get(key)
            if excuse is None:
                excuse = self.excuses[key] = loop_excuse(self.unit, loop)
            if not excuse.structural:
                return loop, excuse.hint
        return None

    def _io_call(self, call: Node, loop: Loop) -> IOCall | None:
        sink = _sink(self.unit, call)
        if sink is not None:
            note = _name_note(sink.by_name, sink.category) if sink.by_name else ""
            return IOCall(sink.category, sink.connect, "", sink.receiver, note)
        fn = call.child_by_field_name("function")
        target = self.resolver.resolve(self.unit, fn, call) if fn is not None else None
        summary = self.resolver.summary(*target) if target is not None else None
        if summary is not None:
            guessed = self.resolver.guessed.get((self.unit.path, *node_key(call)))
            if guessed and target is not None:
                owner = enclosing(target[1], "class_definition")
                cls = text(target[0].src, owner.child_by_field_name("name")) if owner is not None else "?"
                note = f" Only its name ties `{guessed}` to `{cls}` (no annotation or constructor says so)."
                return IOCall(summary.category, summary.connect, summary.via, note=note)
            note = _name_note(summary.by_name, summary.category) if summary.by_name else ""
            return IOCall(summary.category, summary.connect, summary.via, note=note)
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

    def _in_loop(self, call: Node, loop: Loop, hint: str) -> Finding | None:
        io = self._io_call(call, loop)
        if io is None or runs_once(self.src, call, loop) or paginates(self.src, call, loop) \
                or dispatched(self.src, call):
            return None
        invariant = not (used_names(call, self.src) & varying_names(loop, self.src))
        if io.category.invariant_only and not invariant:
            return None
        if self._opened_in_loop(io, loop) or self._pre_existing(call):
            return None
        message = self._message(call, loop, io, invariant) + io.note
        if hint:
            # only a name says the loop retries, pages or batches: kept, at low confidence
            message += f" Only a name says this I/O may be inherent: {hint}."
            return self.ctx.finding(IO_IN_LOOP, line_of(call), message, confidence="low",
                                    severity=Severity.NOTICE)
        return self.ctx.finding(IO_IN_LOOP, line_of(call), message, confidence="medium" if io.note else None)

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
            func = enclosing(call, "function_definition")
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

def _name_note(name: str, category: Category) -> str:
    return f" Only its name marks `{name}` as a {category.label} handle (no import, type or constructor says so)."


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
    func = enclosing(node, "function_definition")
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
