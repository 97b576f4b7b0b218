"""Changed literal defaults and constant collections that gain or lose members.

`_literal_change` accepts a change whose only differences are short literal settings (not module
paths, type literals or versions) and names the setting they belong to; `_membership_change`
compares the members of a constant set/list/tuple/dict.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import PurePosixPath

from tree_sitter import Node

from .changes import Change
from .languages import LangSpec
from .requirements import bound_moves
from .units import Unit, assign_target, assign_value, assignment_of

MAX_STRING_LITERAL = 40

VERSION = re.compile(r"version", re.IGNORECASE)


def _literal_change(change: Change, base: Unit, head: Unit, diffs: list[int]) -> bool:
    if _moved_paths(change, base, head, diffs):
        return False  # relative paths of a file the change moves follow it to its new directory
    constant = head.kind == "assign"
    for i in diffs:
        old, new = base.tokens[i], head.tokens[i]
        if _not_a_setting(new.node, change.spec) or _not_a_setting(old.node, change.spec):
            return False
        if "str" in (old.cls, new.cls) and not (_short(old.text, constant)
                                               and _short(new.text, constant)):
            return False
    first_old, first_new = base.tokens[diffs[0]], head.tokens[diffs[0]]
    label, names = _literal_owner(first_new.node, head, change.spec)
    if any(VERSION.search(n) for n in (*names, head.key)):
        return False  # a version bump is bookkeeping, not a behaviour change
    old_text = _clip(base.src.node_text(first_old.node))
    new_text = _clip(head.src.node_text(first_new.node))
    more = f" (and {len(diffs) - 1} more literal(s))" if len(diffs) > 1 else ""
    change.what = f"{label} changes {old_text} -> {new_text}{more}"
    change.mentions = [*names, head.name]
    change.values = [head.tokens[i].text for i in diffs]
    change.moves = {(base.tokens[i].text, head.tokens[i].text) for i in diffs}
    for i in diffs:  # a dependency range: named by its distribution, moving version bounds
        dependency = bound_moves(base.tokens[i].text, head.tokens[i].text)
        if dependency is not None:
            change.mentions.append(dependency[0])
            change.defines.add(dependency[0])
            change.bounds |= dependency[1]
    return True


def _moved_paths(change: Change, base: Unit, head: Unit, diffs: list[int]) -> bool:
    """Every changed literal is a string naming a path (`"tsconfig.esm.json"` ->
    `"./configs/tsconfig.esm.json"`) in a file the change moves to another directory."""
    old_path = change.ctx.diff.old_path
    if old_path is None or PurePosixPath(old_path).parent == PurePosixPath(change.path).parent:
        return False
    return all(base.tokens[i].cls == "str" and head.tokens[i].cls == "str"
               and "/" in base.tokens[i].text + head.tokens[i].text for i in diffs)


def _not_a_setting(node: Node, spec: LangSpec) -> bool:
    """A literal that is a module path (`import ... from "./x.js"`, `require("node:fs")`) or
    a TypeScript literal type, not a value the program runs with."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type in ("import_statement", "export_statement", "literal_type"):
        return True
    call = parent.parent if parent.type in spec.argument_lists else None
    callee = call.child_by_field_name("function") if call is not None else None
    return callee is not None and callee.type in ("import", "identifier") \
        and callee.text in (b"require", b"import")


def _short(text: str, constant: bool) -> bool:
    """A string that reads as a setting: short, and without spaces unless it is a constant."""
    if constant:
        return len(text) <= 2 * MAX_STRING_LITERAL
    return len(text) <= MAX_STRING_LITERAL and not any(c.isspace() for c in text)


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _literal_owner(node: Node, unit: Unit, spec: LangSpec) -> tuple[str, list[str]]:
    """How to call the setting a literal belongs to, and the names the description may use for
    it: the keyword argument, parameter or dict key, the assignment target, and the other string
    arguments of the call (`os.environ.get("WMS_URL", "...")`)."""
    names: list[str] = []
    label = ""
    call = ""
    cur: Node | None = node
    while cur is not None and cur.start_byte >= unit.node.start_byte:
        if cur.type in spec.argument_lists and not names:
            names += [unit.src.node_text(a).strip("'\"") for a in cur.named_children
                      if a.type in spec.string_types and a.start_byte != node.start_byte]
        if cur.type in spec.call_types and not call:
            call = _clip(unit.src.node_text(cur))
        if cur.type in spec.keyed_types:
            key = (cur.child_by_field_name("name") or cur.child_by_field_name("key")
                   or cur.child_by_field_name("left"))
            if key is not None:
                name = unit.src.node_text(key).strip("'\"")
                names.append(name)
                label = label or (f"`{name}` in `{unit.key}`" if unit.key != name else f"`{name}`")
        if cur.type in spec.assign_types:
            left = assign_target(cur)
            target = unit.src.node_text(left) if left is not None else unit.key
            names.append(target)
            whole = unit.kind == "assign"
            label = label or (f"`{unit.key}`" if whole else f"`{target}` in `{unit.key}`")
            break
        cur = cur.parent
    if not label:
        label = f"`{unit.key}`" + (f" (in `{call}`)" if call else "")
    return label, names


def _collection(unit: Unit, spec: LangSpec) -> Node | None:
    if unit.kind != "assign":
        return None
    assign = assignment_of(unit.node, spec)
    value = assign_value(assign) if assign is not None else None
    if value is not None and value.type in spec.call_types:
        args = value.child_by_field_name("arguments")
        if args is not None and args.named_child_count == 1:
            value = args.named_children[0]
    return value if value is not None and value.type in spec.collection_types else None


def _membership_change(change: Change, base: Unit, head: Unit) -> bool:
    old, new = _collection(base, change.spec), _collection(head, change.spec)
    if old is None or new is None or old.type != new.type:
        return False
    old_items = Counter(_element(n, base, change.spec) for n in old.named_children if n.type != "comment")
    new_items = Counter(_element(n, head, change.spec) for n in new.named_children if n.type != "comment")
    gained, lost = new_items - old_items, old_items - new_items
    if not gained and not lost:
        return False
    parts = []
    if gained:
        parts.append("gains " + ", ".join(sorted(gained)))
    if lost:
        parts.append("loses " + ", ".join(sorted(lost)))
    change.what = f"{head.key} {' and '.join(parts)}"
    change.mentions = [head.key]
    change.values = [v.strip("'\"") for v in (*gained, *lost)]
    return True


def _element(node: Node, unit: Unit, spec: LangSpec) -> str:
    key = node.child_by_field_name("key") if spec.keyed_members else None
    return " ".join(unit.src.node_text(key if key is not None else node).split())
