"""Loops of the Python excessive-io detector: which loops run a call once per item, and which calls
in them are not per-item I/O (a dispatched task, a call that runs once, a pagination request);
`python_inherent.py` decides which loops are harmless as a whole."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ...lang.python.memo import cached, node_key, scope_descendants
from ...parsing import SourceFile
from .python_names import SCOPE_TYPES, walk_scope
from .python_sink_list import text
from .words import words_pattern


def _root_identifier(obj: Node) -> Node | None:
    while obj.type in ("attribute", "call", "subscript"):
        nxt = obj.child_by_field_name("object") or obj.child_by_field_name("function") \
            or obj.child_by_field_name("value")
        if nxt is None:
            return None
        obj = nxt
    return obj if obj.type == "identifier" else None


# --- loops ---------------------------------------------------------------------------------

COMPREHENSIONS = ("list_comprehension", "set_comprehension", "dictionary_comprehension",
                  "generator_expression")


_DISPATCH = re.compile(r"(^|\.)(" + words_pattern("python_dispatch_calls").pattern + ")$")  # case-sensitive




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


# --- calls that are not excessive ------------------------------------------------------


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
