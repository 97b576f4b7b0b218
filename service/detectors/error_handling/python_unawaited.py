"""Python coroutines that never run and tasks nobody holds.

## What it does
- `python.error-handling.unawaited-coroutine`: a call, as a whole statement, of a function declared
  `async def` (in this module, a method of the same class through `self`/`cls`, or imported from a
  module of the repository, found through the Python module resolver) without `await`.
- `python.error-handling.dropped-task`: the result of `asyncio.create_task(...)` /
  `asyncio.ensure_future(...)` thrown away (`TaskGroup.create_task` is fine: the group holds it).

## Why is this bad?
A coroutine called without `await` does not run at all: the deletion, the refund, the
notification silently never happens (Python only prints "coroutine was never awaited" at garbage
collection). The event loop keeps only a weak reference to a task: a task whose result is dropped
may be garbage-collected before it finishes, and its exception is never retrieved.

## Example
```python
async def handle(event):
    notify_owner(event)               # async def notify_owner: never runs
    asyncio.create_task(audit(event)) # may vanish mid-flight; its failure is lost
```

## Use instead
`await notify_owner(event)`; keep the task (`task = asyncio.create_task(...)`, a set of background
tasks with `add_done_callback(tasks.discard)`) or use `asyncio.TaskGroup`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.python.modules import python_modules
from ...lang.python.symbols import is_test_path, text
from ...models import Finding
from ...parsing import SourceFile, line_of
from .rules import DROPPED_TASK, UNAWAITED

TASK_FACTORIES = frozenset({"create_task", "ensure_future"})


def _async_defs(root: Node) -> tuple[set[str], dict[Node, set[str]]]:
    """Module-level `async def` names, and per class the names of its async methods."""
    module: set[str] = set()
    classes: dict[Node, set[str]] = {}
    for node in root.named_children:
        definition = node.child_by_field_name("definition") if node.type == "decorated_definition" else node
        if definition is None:
            continue
        if definition.type == "function_definition" and _is_async(definition):
            module.add(text(definition.child_by_field_name("name")))
        elif definition.type == "class_definition":
            body = definition.child_by_field_name("body")
            names = set()
            for item in body.named_children if body is not None else []:
                fn = item.child_by_field_name("definition") if item.type == "decorated_definition" else item
                if fn is not None and fn.type == "function_definition" and _is_async(fn):
                    names.add(text(fn.child_by_field_name("name")))
            classes[definition] = names
    return module, classes


def _is_async(fn: Node) -> bool:
    return any(c.type == "async" for c in fn.children)


def _imports(root: Node) -> dict[str, tuple[str, str]]:
    """Local name -> (module, name) of `from module import name [as local]`."""
    out: dict[str, tuple[str, str]] = {}
    for node in root.named_children:
        if node.type != "import_from_statement":
            continue
        module = text(node.child_by_field_name("module_name"))
        for name in node.children_by_field_name("name"):
            if name.type == "aliased_import":
                real = text(name.child_by_field_name("name"))
                out[text(name.child_by_field_name("alias"))] = (module, real)
            else:
                out[text(name)] = (module, text(name))
    return out


class PythonUnawaited(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (UNAWAITED, DROPPED_TASK)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        src = ctx.head
        if src is None or src.root is None or src.language != "python" or is_test_path(ctx.path) \
                or not ctx.diff.added:
            return
        module, classes = _async_defs(src.root)
        imports = _imports(src.root)
        asyncio_names = {local for local, (mod, real) in imports.items() if mod == "asyncio" and real in TASK_FACTORIES}
        for stmt in src.nodes_of("expression_statement"):
            if line_of(stmt) not in ctx.diff.added:
                continue
            call = stmt.named_children[0] if stmt.named_children else None
            if call is None or call.type != "call":
                continue
            name = text(call.child_by_field_name("function"))
            if name in {f"asyncio.{f}" for f in TASK_FACTORIES} or name in asyncio_names:
                yield ctx.finding(DROPPED_TASK, line_of(call), (
                    f"The task `{name}(...)` returns is dropped: the event loop holds tasks only weakly, so it can "
                    "be garbage-collected before it finishes and its exception is never seen; keep a reference "
                    "(and await it or add a done callback), or use `asyncio.TaskGroup`."
                ))
            elif self._is_coroutine(ctx, src, call, name, module, classes, imports):
                yield ctx.finding(UNAWAITED, line_of(call), (
                    f"`{name}()` is declared `async def`, so this call only creates a coroutine that never runs "
                    "(nothing awaits it); write `await " + name + "(...)`, or schedule it with a kept task."
                ))

    def _is_coroutine(self, ctx: FileContext, src: SourceFile, call: Node, name: str, module: set[str],
                      classes: dict[Node, set[str]], imports: dict[str, tuple[str, str]]) -> bool:
        if "." not in name:
            if name in module:
                return True
            target = imports.get(name)
            return target is not None and self._imported_async(ctx, target)
        owner, _, method = name.partition(".")
        if owner in ("self", "cls") and "." not in method:
            cls = _enclosing_class(call)
            return cls is not None and method in classes.get(cls, set())
        return False

    @staticmethod
    def _imported_async(ctx: FileContext, target: tuple[str, str]) -> bool:
        path = python_modules(ctx.repo).file(ctx.path, target[0])
        other = ctx.repo.source("RIGHT", path) if path else None
        if other is None or other.root is None:
            return False
        return target[1] in _async_defs(other.root)[0]


def _enclosing_class(node: Node) -> Node | None:
    cur = node.parent
    while cur is not None and cur.type != "class_definition":
        cur = cur.parent
    return cur
