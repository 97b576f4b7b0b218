"""The repository functions the JavaScript/TypeScript excessive-io detector follows: which calls do I/O
(through the package their receiver comes from, or a repository function doing I/O), the module a
call resolves to, batch variants of a function and functions that split a list into batches."""

from __future__ import annotations

import re

from tree_sitter import Node

from ...detector import FileContext
from ...lang.js.flow import LOOPS, batching_functions, call_name, imports, is_inside, module_functions, unwrap
from ...lang.js.resolver import module_resolver
from ...lang.js.syntax import call_args, last_name, text, walk_scope
from ...parsing import SourceFile, walk
from .js_handles import Handles, JsSink, declaration

_MAX_DEPTH = 3
_ACCESSOR = re.compile(r"^(get|find|fetch|load|read|query|lookup|count|list|select|retrieve|exists|search|resolve|"
                       r"request|call|post|put|patch|delete|update|insert|save|upsert|create|remove|upload|download)"
                       r"(?![a-z])")
_WRAPPER_LINES = 12
_ARRAY_MEMBERS = frozenset({"length", "map", "slice", "forEach", "join", "filter", "flatMap", "reduce", "every",
                            "some", "includes"})


def _short(func: Node) -> bool:
    return func.end_point[0] - func.start_point[0] <= _WRAPPER_LINES


class Resolver:
    """Which repository functions do I/O (transitively, a few calls deep)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.modules = module_resolver(ctx.repo, "RIGHT")
        self.handles = Handles(self.modules)
        self._memo: dict[tuple[str, str], JsSink | None] = {}

    def sink(self, src: SourceFile, call: Node, depth: int = 0) -> JsSink | None:
        """The I/O a call makes: directly (by the package its receiver comes from, or its name), or
        through a repository function that does I/O."""
        name = call_name(src, call)
        found = self.handles.call_sink(src, name, call) if name else None
        if (found is not None and not found.by_name) or depth >= _MAX_DEPTH or not name:
            return found
        target = self.target(src, name)
        inner = self._function_sink(target[0], target[1], depth) if target is not None else None
        return inner or found

    def target(self, src: SourceFile, name: str) -> tuple[SourceFile, str] | None:
        """The module and function name a call resolves to in the repository."""
        parts = name.split(".")
        if len(parts) == 1 or (len(parts) == 2 and parts[0] == "this"):
            local = parts[-1]
            if local in module_functions(src):
                return src, local
            imported = imports(src).get(local)
            if imported is None:
                return None
            return self._declared(src.path, imported[0], imported[1], local)
        if len(parts) == 2:
            imported = imports(src).get(parts[0])
            if imported is None:
                return None
            if imported[1] == "*":  # `import * as api from`: `api.get` is export `get`
                return self._declared(src.path, imported[0], parts[1], parts[1])
            target = self.modules.resolve(src.path, imported[0]).path
            module = self.modules.source(target) if target else None
            return (module, parts[1]) if module else None
        return None

    def _declared(self, importer: str, spec: str, name: str, local: str) -> tuple[SourceFile, str] | None:
        """The module declaring an imported function (through re-exports and barrels) and its name there."""
        target = self.modules.resolve(importer, spec).path
        if target is None:
            return None
        origin = self.modules.origin(target, name) or (target, name)
        module = self.modules.source(origin[0])
        if module is None:
            return None
        return module, origin[1] if origin[1] != "default" else local

    def _function_sink(self, src: SourceFile, name: str, depth: int) -> JsSink | None:
        key = (src.path, name)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # recursion guard
        func = module_functions(src).get(name)
        found: JsSink | None = None
        if func is not None:
            sinks: list[tuple[Node, JsSink]] = []
            for node in walk(func):
                if node.type in ("call_expression", "new_expression") and node != func:
                    hit = self.sink(src, node, depth + 1)
                    if hit is not None:
                        sinks.append((node, hit))
            # a short wrapper around exactly one I/O call, or a function returning what its one I/O call
            # returned (several I/O calls make a unit of work, not an accessor)
            returned = _returned_io(src, func, sinks) if len(sinks) == 1 else None
            if len(sinks) == 1 and _short(func):
                found = sinks[0][1]
            elif returned is not None:
                found = returned
            elif sinks and _ACCESSOR.match(name):  # fallback: only its name says it is a lookup
                found = JsSink(sinks[0][1].category, by_name=name)
        self._memo[key] = found
        return found

    def batch_variant(self, src: SourceFile, name: str) -> str | None:
        """A function beside the target of `name` that does the same kind of I/O for a whole list (its
        first parameter is used as an array): "" when found from structure, the variant's name when only
        its name (`getPrices` next to `getPrice`) says so, None when there is none."""
        target = self.target(src, name)
        if target is None:
            return None
        module, func = target
        functions = module_functions(module)
        own = self._io_resource(module, functions[func]) if func in functions else None
        for other, node in functions.items():
            if other != func and own and _takes_list(module, node) and self._io_resource(module, node) == own:
                return ""
        names = set(functions) | set(imports(module))
        if module is not src:
            names |= set(module_functions(src))
        stem = func[:-1] if func.endswith("y") else func
        plural = {func + "s", func + "es", stem + "ies"}
        variants = plural | {func + "Many", func + "Batch", func + "Bulk", "batch" + func[:1].upper() + func[1:],
                             "bulk" + func[:1].upper() + func[1:]}
        return next(iter(sorted(names & variants)), None)

    def _io_resource(self, src: SourceFile, func: Node) -> str:
        """What the function's I/O call addresses: the literal start of its first argument up to the
        first substitution, query or `:verb` (`/v2/prices/${sku}` and `/v2/prices:batchGet` -> `/v2/prices`);
        "" when it has none."""
        for node in walk(func):
            if node.type == "call_expression" and self.sink(src, node, 1) is not None:
                args = call_args(node)
                first = unwrap(args[0]) if args else None
                if first is None or first.type not in ("string", "template_string"):
                    return ""
                raw = text(src, first)[1:].split("${", 1)[0]
                return re.split(r"[:?'\"`]", raw, maxsplit=1)[0].rstrip("/")
        return ""

    def splits(self, src: SourceFile, node: Node | None) -> bool:
        """`chunk(ids, 100)` (a batching function of a utility package, or a repository function that
        slices its input in a loop), or a name bound to its result: a loop over batches."""
        node = unwrap(node)
        if node is not None and node.type == "identifier":
            declared = declaration(src, text(src, node), node)
            node = unwrap(declared.child_by_field_name("value")) if declared is not None else None
        if node is None or node.type != "call_expression":
            return False
        name = call_name(src, node)
        imported = imports(src).get(name.split(".")[0])
        if imported is not None:
            exported = name.split(".")[-1] if imported[1] in ("*", "default") and "." in name else imported[1]
            if f"{imported[0]}:{exported}" in batching_functions():
                return True
        target = self.target(src, name)
        func = module_functions(target[0]).get(target[1]) if target is not None else None
        if target is None or func is None:
            return False
        return any(n.type in LOOPS and any(c.type == "call_expression" and last_name(call_name(target[0], c))
                                            in ("slice", "splice") for c in walk(n)) for n in walk(func))


def _takes_list(src: SourceFile, func: Node) -> bool:
    """The function's first parameter is used as an array (`.length`, `.map`, `for..of`, spread...)."""
    params = func.child_by_field_name("parameters")
    first = params.named_children[0] if params is not None and params.named_children else None
    pattern = first.child_by_field_name("pattern") or first if first is not None else None
    if pattern is None or pattern.type != "identifier":
        return False
    name = text(src, pattern)
    body = func.child_by_field_name("body")
    for node in walk(body) if body is not None else ():
        if node.type == "member_expression" and text(src, node.child_by_field_name("object")) == name \
                and text(src, node.child_by_field_name("property")) in _ARRAY_MEMBERS:
            return True
        if node.type == "for_in_statement" and text(src, node.child_by_field_name("right")) == name:
            return True
        if node.type == "spread_element" and text(src, node).lstrip(".") == name:
            return True
    return False


def _returned_io(src: SourceFile, func: Node, sinks: list[tuple[Node, JsSink]]) -> JsSink | None:
    """The I/O whose result the function returns: `return fetch(url)`, `const res = await fetch(url);
    return res.json()`, an arrow function's expression body."""
    if not sinks:
        return None
    body = func.child_by_field_name("body")
    if body is None:
        return None
    results: dict[str, JsSink] = {}
    returns = [body] if body.type != "statement_block" else []
    for node in walk_scope(body):
        if node.type == "return_statement" and node.named_children:
            returns.append(node.named_children[0])
        elif node.type == "variable_declarator" and node.child_by_field_name("value") is not None:
            value = node.child_by_field_name("value")
            made = next((h for n, h in sinks if value is not None and is_inside(n, value)), None)
            target = node.child_by_field_name("name")
            for ident in walk(target) if made is not None and target is not None else ():
                if made is not None and ident.type in ("identifier", "shorthand_property_identifier_pattern"):
                    results[text(src, ident)] = made
    for value in returns:
        hit = next((h for n, h in sinks if is_inside(n, value)), None) or next(
            (results[text(src, n)] for n in walk(value) if n.type == "identifier" and text(src, n) in results), None)
        if hit is not None:
            return hit
    return None


