"""The unbounded-read rule of the Python excessive-io detector: a whole file, archive, response or
result set read into memory where the code used to stream it (or a generator that reads a
compressed export line by line)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from ...detector import FileContext
from ...lang.python.memo import cached, nodes_of
from ...models import Finding
from ...parsing import SourceFile, line_of, walk
from .python_names import walk_scope
from .python_receivers import enclosing
from .python_resolver import Unit, _sink
from .python_sink_list import text
from .rules import UNBOUNDED_READ

_LINE_WISE = re.compile(r"splitlines|StringIO|BytesIO|\bcsv\.|\.split\(\s*['\"]\\n")


_STREAMING = re.compile(
    r"iter_content|iter_lines|iter_chunks|iter_bytes|iter_text|fetchmany|yield_per|stream_results|"
    r"itersize|stream=True|copyfileobj|\.read\(\s*[A-Za-z0-9_]+\s*\)|yield from|"
    r"for \w+ in (fh|f|fp|file|infile|handle|stream|resp|response|cursor|cur|reader)\b|"
    r"csv\.(Dict)?[Rr]eader\(\s*(fh|f|fp|file|handle|stream)\b")


_OPENERS = ("open", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open",
            "urllib.request.urlopen")


_COMPRESSED = ("gzip.open", "bz2.open", "lzma.open")




class UnboundedReads:
    """The unbounded-read half of `FileAnalysis` (which sets these attributes)."""

    ctx: FileContext
    unit: Unit
    src: SourceFile
    calls: list[Node]

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
        func = enclosing(call, "function_definition")
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
        func = enclosing(node, "function_definition")
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


def _base_functions(base: SourceFile) -> dict[str, str]:
    """Name -> text of the first function of that name in the base version."""

    def compute() -> dict[str, str]:
        found: dict[str, str] = {}
        for node in nodes_of(base, "function_definition"):
            found.setdefault(text(base, node.child_by_field_name("name")), base.node_text(node))
        return found

    return cached(base, "py_io.base_functions", compute)
