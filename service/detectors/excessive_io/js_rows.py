"""React list rows that fetch their own data, for the JavaScript/TypeScript excessive-io detector.

`items.map(item => <Row item={item} />)` renders one `Row` per item. When `Row` (in this file or
resolved through the imports) fetches data keyed by what the item passes it, through a data hook
(`useQuery`, `useSWR`, ...), an effect that calls fetch/an API client, or a repository hook doing
either, the list makes one request per row (N+1). The hooks and effects are data:
`rules/data/js-io-sinks.yml` (`hooks`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from tree_sitter import Node

from ...detector import FileContext
from ...lang.js.flow import call_name, data_hooks, module_functions, unwrap
from ...lang.js.syntax import FUNCTIONS, call_args, last_name, text
from ...models import Finding
from ...parsing import SourceFile, walk
from .js_handles import JsSink
from .rules import REQUEST_PER_ROW

_JSX = ("jsx_self_closing_element", "jsx_opening_element")
_MAPPERS = frozenset({"map", "flatMap"})
_MAX_DEPTH = 2


@dataclass(frozen=True)
class Fetch:
    """Where a component fetches per instance: the call, its file and how (for messages)."""

    src: SourceFile
    call: Node
    how: str


class CallResolver(Protocol):
    """What the rows need of the detector's resolver (`js.Resolver`)."""

    def target(self, src: SourceFile, name: str) -> tuple[SourceFile, str] | None: ...

    def sink(self, src: SourceFile, call: Node, depth: int = 0) -> JsSink | None: ...


class RowFetches:
    """Finds `<Row>` elements rendered per item whose component fetches data keyed by the item."""

    def __init__(self, ctx: FileContext, resolver: CallResolver) -> None:
        self.ctx = ctx
        self.resolver = resolver
        self._memo: dict[tuple[str, int, frozenset[str]], Fetch | None] = {}

    def findings(self, src: SourceFile) -> Iterator[Finding]:
        if src.root is None or b"<" not in src.data:
            return
        for node in src.nodes_of(*_JSX):
            found = self._row(src, node)
            if found is None:
                continue
            mapper, fetch, name = found
            if not (self.ctx.changed(node) or (fetch.src is src and self.ctx.changed(fetch.call))):
                continue
            where = "" if fetch.src is src else f" in `{fetch.src.path}`"
            yield self.ctx.finding(
                REQUEST_PER_ROW, node,
                f"`<{name}>` is rendered once per item of `{text(src, mapper)[:40]}`, and each `{name}` "
                f"{fetch.how} (line {fetch.call.start_point[0] + 1}{where}): one request per row (N+1); "
                "fetch the data of all rows once in the list (one batched request) and pass each row its "
                "part as props.", end=node.start_point[0] + 1)

    def _row(self, src: SourceFile, element: Node) -> tuple[Node, Fetch, str] | None:
        name_node = element.child_by_field_name("name")
        name = text(src, name_node)
        if not name[:1].isupper():
            return None
        callback = _enclosing_function(element)
        mapper = _mapped_over(src, callback)
        if callback is None or mapper is None:
            return None
        per_item = _per_item_props(src, element, callback)
        if not per_item:
            return None
        component = self._component(src, name)
        if component is None:
            return None
        fetch = self._fetches(component[0], component[1], per_item, 0)
        return (mapper, fetch, name) if fetch is not None else None

    def _component(self, src: SourceFile, name: str) -> tuple[SourceFile, Node] | None:
        """The function of component `name`: declared in this module or imported from the repository."""
        local = components(src).get(name)
        if local is not None:
            return src, local
        target = self.resolver.target(src, name)
        if target is None:
            return None
        module, exported = target
        func = components(module).get(exported) or (components(module).get("default") if exported == name else None)
        return (module, func) if func is not None else None

    def _fetches(self, src: SourceFile, func: Node, per_item: frozenset[str], depth: int) -> Fetch | None:
        """How component (depth 0) or hook `func` fetches per instance, given which props/parameters vary."""
        key = (src.path, func.start_byte, per_item)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # recursion guard
        found = self._find_fetch(src, func, per_item, depth)
        self._memo[key] = found
        return found

    def _find_fetch(self, src: SourceFile, func: Node, per_item: frozenset[str], depth: int) -> Fetch | None:
        keyed = _item_names(src, func, per_item, component=depth == 0)
        if not keyed:
            return None
        hooks = data_hooks()
        whose = "its props" if depth == 0 else "its arguments"
        body = func.child_by_field_name("body")
        for call in _own_calls(body):
            name = call_name(src, call)
            hook = last_name(name)
            uses_item = _mentions(src, call, keyed)
            if hooks.is_data_hook(hook) and _mentions(src, _hook_key(src, call), keyed):
                return Fetch(src, call, f"calls `{name}` with a key taken from {whose}")
            if hook in hooks.effects and uses_item:
                sink = self._effect_sink(src, call)
                if sink is not None:
                    return Fetch(src, sink, f"calls `{call_name(src, sink)}` in a `{hook}` that depends on {whose}")
            if hook.startswith("use") and hook[3:4].isupper() and uses_item and depth < _MAX_DEPTH:
                inner = self._custom_hook(src, call, keyed, depth)
                if inner is not None:
                    return Fetch(src, call, f"calls `{name}` with {whose}, which {inner.how}")
        return None

    def _effect_sink(self, src: SourceFile, effect: Node) -> Node | None:
        """The first request made inside an effect's callback (nested helpers included)."""
        args = call_args(effect)
        callback = unwrap(args[0]) if args else None
        if callback is None or callback.type not in FUNCTIONS:
            return None
        for node in walk(callback):
            if node.type in ("call_expression", "new_expression"):
                hit = self.resolver.sink(src, node)
                if hit is not None and hit.category.name in data_hooks().request_categories:
                    return node
        return None

    def _custom_hook(self, src: SourceFile, call: Node, keyed: frozenset[str], depth: int) -> Fetch | None:
        """A repository hook (`useOrder(order.id)`) whose own body fetches keyed by the arguments passed."""
        target = self.resolver.target(src, call_name(src, call))
        if target is None:
            return None
        module, name = target
        hook = module_functions(module).get(name)
        params = _param_names(module, hook) if hook is not None else []
        args = call_args(call)
        passed = frozenset(p for p, a in zip(params, args, strict=False) if _mentions(src, a, keyed))
        if hook is None or not passed:
            return None
        return self._fetches(module, hook, passed, depth + 1)


def components(src: SourceFile) -> dict[str, Node]:
    """Functions of a module by name, including `const Row = memo(function Row() ...)` and the default export."""
    out = dict(module_functions(src))
    for stmt in src.root.named_children if src.root is not None else ():
        node = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if stmt.type == "export_statement" and any(c.type == "default" for c in stmt.children):
            value = node if node is not None else stmt.child_by_field_name("value")
            func = _wrapped_function(src, value, out)
            if func is not None:
                out.setdefault("default", func)
        if node is None or node.type not in ("lexical_declaration", "variable_declaration"):
            continue
        for declarator in node.named_children:
            func = _wrapped_function(src, declarator.child_by_field_name("value"), out)
            if func is not None:
                out.setdefault(text(src, declarator.child_by_field_name("name")), func)
    return out


def _wrapped_function(src: SourceFile, value: Node | None, known: dict[str, Node]) -> Node | None:
    """A function, `memo(fn)` / `forwardRef(fn)` (any call whose first argument is a function), or a
    name of a known function."""
    value = unwrap(value)
    if value is None:
        return None
    if value.type in FUNCTIONS or value.type == "function_declaration":
        return value
    if value.type == "identifier":
        return known.get(text(src, value))
    if value.type == "call_expression" and last_name(call_name(src, value)) in data_hooks().wrappers:
        args = call_args(value)
        return _wrapped_function(src, args[0], known) if args else None
    return None


def _hook_key(src: SourceFile, call: Node) -> Node:
    """What a data hook's cache is keyed by: `queryKey` of an options object, Apollo's `variables`,
    else the first argument (SWR's key, RTK Query's argument). A `select` that picks one item out of
    a shared list is not part of the key."""
    args = call_args(call)
    first = unwrap(args[0]) if args else None
    for arg in args[:2]:
        obj = unwrap(arg)
        for pair in obj.named_children if obj is not None and obj.type == "object" else ():
            key = text(src, pair.child_by_field_name("key")) if pair.type == "pair" else ""
            if key in ("queryKey", "variables", "key"):
                return pair.child_by_field_name("value") or pair
    return first if first is not None else call


def _enclosing_function(node: Node) -> Node | None:
    cur = node.parent
    while cur is not None and cur.type not in FUNCTIONS:
        cur = cur.parent
    return cur


def _mapped_over(src: SourceFile, callback: Node | None) -> Node | None:
    """The receiver of `receiver.map(callback)`, when `callback` is such a mapper."""
    args = callback.parent if callback is not None else None
    call = args.parent if args is not None and args.type == "arguments" else None
    if call is None or call.type != "call_expression" or last_name(call_name(src, call)) not in _MAPPERS:
        return None
    fn = call.child_by_field_name("function")
    receiver = unwrap(fn.child_by_field_name("object")) if fn is not None else None
    if receiver is None or receiver.type == "array":
        return None  # a constant list of a few rows
    return receiver


def _bound_in(src: SourceFile, func: Node) -> frozenset[str]:
    """The callback's parameters and the names it declares."""
    names: set[str] = set()
    params = func.child_by_field_name("parameters") or func.child_by_field_name("parameter")
    body = func.child_by_field_name("body")
    for node in walk(params) if params is not None else ():
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            names.add(text(src, node))
    for node in walk(body) if body is not None else ():
        if node.type == "variable_declarator":
            target = node.child_by_field_name("name")
            for ident in walk(target) if target is not None else ():
                if ident.type in ("identifier", "shorthand_property_identifier_pattern"):
                    names.add(text(src, ident))
    return frozenset(names)


def _per_item_props(src: SourceFile, element: Node, callback: Node) -> frozenset[str]:
    """Props of the element whose value changes with the item (`*` for a spread of the item)."""
    bound = _bound_in(src, callback)
    props: set[str] = set()
    for attr in element.named_children:
        if attr.type == "jsx_attribute":
            name = attr.named_children[0] if attr.named_children else None
            value = attr.named_children[1] if len(attr.named_children) > 1 else None
            prop = text(src, name)
            if value is not None and prop != "key" and _mentions(src, value, bound):
                props.add(prop)
        elif attr.type == "jsx_expression" and _mentions(src, attr, bound):
            props.add("*")  # {...item}
    return frozenset(props)


def _param_names(src: SourceFile, func: Node) -> list[str]:
    params = func.child_by_field_name("parameters")
    out = []
    for param in params.named_children if params is not None else ():
        ident = param.child_by_field_name("pattern") or param
        out.append(text(src, ident) if ident.type == "identifier" else "")
    return out


def _item_names(src: SourceFile, func: Node, per_item: frozenset[str], component: bool) -> frozenset[str]:
    """Local names of `func` holding per-item data: for a component, the per-item props it destructures
    (or `props.item` of a props object); for a hook, the parameters passed per item; plus the locals
    computed from them."""
    names: set[str] = set()
    if not component:
        names = {n for n in _param_names(src, func) if n in per_item}
        return _derived(src, func, frozenset(names))
    params = func.child_by_field_name("parameters")
    first = params.named_children[0] if params is not None and params.named_children else None
    pattern = func.child_by_field_name("parameter")
    if pattern is None and first is not None:
        pattern = first.child_by_field_name("pattern") or first
    if pattern is None:
        return frozenset()
    every = "*" in per_item
    if pattern.type == "identifier":
        props = text(src, pattern)
        names = {props} if every else {f"{props}.{p}" for p in per_item}
    elif pattern.type == "object_pattern":
        explicit: set[str] = set()
        for prop in pattern.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                explicit.add(text(src, prop))
                if every or text(src, prop) in per_item:
                    names.add(text(src, prop))
            elif prop.type in ("pair_pattern", "object_assignment_pattern"):
                key_node = prop.child_by_field_name("key") or prop.child_by_field_name("left")
                key = text(src, key_node)
                explicit.add(key)
                if every or key in per_item:
                    names.update(text(src, n) for n in walk(prop) if n.type in (
                        "identifier", "shorthand_property_identifier_pattern"))
            elif prop.type == "rest_pattern" and (every or not per_item <= explicit):
                names.update(text(src, n) for n in walk(prop) if n.type == "identifier")
    return _derived(src, func, frozenset(names))


def _derived(src: SourceFile, func: Node, names: frozenset[str]) -> frozenset[str]:
    """Add locals whose initialiser reads a per-item name (`const id = item.id`)."""
    body = func.child_by_field_name("body")
    if body is None or not names:
        return names
    found = set(names)
    declarators = [n for n in walk(body) if n.type == "variable_declarator"]
    for _ in range(3):
        before = len(found)
        for node in declarators:
            value = node.child_by_field_name("value")
            target = node.child_by_field_name("name")
            if value is not None and target is not None and _mentions(src, value, frozenset(found)):
                found.update(text(src, n) for n in walk(target)
                             if n.type in ("identifier", "shorthand_property_identifier_pattern"))
        if len(found) == before:
            break
    return frozenset(found)


def _own_calls(body: Node | None) -> Iterator[Node]:
    """Calls in a component's body, not inside nested functions (event handlers run on demand; a
    hook's callback is read through the hook's call)."""
    if body is None:
        return
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "call_expression":
            yield node
        stack.extend(c for c in reversed(node.children) if c.type not in FUNCTIONS)


def _mentions(src: SourceFile, node: Node, names: frozenset[str]) -> bool:
    if not names:
        return False
    dotted = tuple(n for n in names if "." in n)
    for sub in walk(node):
        if sub.type in ("identifier", "shorthand_property_identifier") and text(src, sub) in names:
            return True
        if dotted and sub.type == "member_expression":
            path = "".join(text(src, sub).split()).replace("?.", ".")
            if any(path == d or path.startswith(d + ".") for d in dotted):
                return True
    return False
