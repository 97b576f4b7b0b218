"""A method whose every caller has already checked the attribute it dereferences.

`match_request()` reads `self._request.routing_exception`; `_request` is declared Optional, but
the method's only call is `if self._request is not None: self.match_request()`. The check is at
the call site, so the method's dereference is guarded. Only calls the repository can show count:
the method is called through `self.` in its own file, no other source file (tests aside) names it,
and
every such call sits under a check of the attribute.
"""

from __future__ import annotations

from tree_sitter import Node

from ...detector import FileContext
from ...lang.python.testing import is_test_path
from ...parsing import walk
from .python_guards import _guarded
from .python_index import RepoIndex
from .python_scope import Scope, Source, _scope, _scope_definitions
from .python_syntax import text


def guarded_by_callers(ctx: FileContext, scope: Scope, path: str, index: RepoIndex) -> bool:
    """Every call of the method `scope` belongs to checks `path` (a `self.` attribute) first."""
    node = scope.node
    if not path.startswith("self.") or node.type != "function_definition" or scope.cls is None:
        return False
    name = text(scope.src, node.child_by_field_name("name"))
    root = scope.src.root
    if not name or name.startswith("__") or root is None:
        return False
    calls = [n for n in walk(root) if n.type == "call"
             and text(scope.src, n.child_by_field_name("function")) == f"self.{name}"]
    if not calls:
        return False
    elsewhere = [p for p in ctx.repo.files_containing("RIGHT", [name])
                 if p != ctx.path and p.endswith(".py") and not is_test_path(p)]
    if elsewhere:
        return False  # callers the file does not show may not check (a test fails loudly anyway)
    definitions = _scope_definitions(scope.src)
    for call in calls:
        caller = _enclosing(definitions, call)
        if caller is None:
            return False
        caller_scope = _scope(scope.src, scope.file_path, index, *caller)
        if not _guarded(caller_scope, call, Source(path=path, start=caller[1].start_byte, why="")):
            return False
    return True


def _enclosing(definitions: list[tuple[Node, Node]], node: Node) -> tuple[Node, Node] | None:
    """The innermost function definition around `node`."""
    best: tuple[Node, Node] | None = None
    for definition, body in definitions:
        if definition.type != "function_definition":
            continue
        inside = definition.start_byte <= node.start_byte and node.end_byte <= definition.end_byte
        if inside and (best is None or definition.start_byte >= best[0].start_byte):
            best = (definition, body)
    return best
