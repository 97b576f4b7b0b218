"""Classifying a change: reformat, rename, literal, membership, logic change or deletion.

`_classify` sets a `Change`'s kind (and, for candidates, the words describing it);
`_follow_renames` folds hunks that only update references to a renamed definition into the rename.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from tree_sitter import Node

from ...analysis.intent import IDENTIFIER
from ...parsing import walk
from .changes import Change
from .conditions import condition_flip
from .languages import LangSpec
from .literals import _literal_change, _membership_change
from .units import Unit, is_binding

ABORT_CALLS = ("abort", "deny", "forbid", "reject", "unauthori", "permission")

OPERATORS = frozenset({"<", "<=", ">", ">=", "==", "!=", "and", "or", "is", "in", "+", "-", "*",
                       "/", "//", "%", "&&", "||", "===", "!==", "min", "max", "any", "all"})


def _classify(change: Change, head_defined: set[str]) -> None:
    base, head = change.base, change.head
    if any(_broken(u) for u in (base, head)):
        change.kind = "other"  # tree-sitter recovered from a syntax error: no fine judgement
    elif base is None:
        change.kind = "added"
    elif head is None:
        change.kind = _deletion_kind(change, base, head_defined)
    elif base.text() == head.text():
        change.kind = "noop"
    else:
        change.kind = _modification_kind(change, base, head)


def _broken(unit: Unit | None) -> bool:
    return unit is not None and unit.node.has_error


def _deletion_kind(change: Change, base: Unit, head_defined: set[str]) -> str:
    if change.ctx.diff.status == "deleted":
        return "other"
    if base.kind in ("def", "class") and base.name and base.name not in head_defined:
        return "deleted-function"
    if base.kind == "doc":
        return "deleted-docstring"
    if base.kind == "comment" and _plain_comment(base, change):
        return "deleted-comment"
    return "other"


def _plain_comment(unit: Unit, change: Change) -> bool:
    """A prose comment (not a TODO, not commented-out code) that did not move elsewhere."""
    head_text = change.ctx.head.text if change.ctx.head is not None else ""
    for comment in unit.comments:
        body = comment.lstrip("#/ ").strip()
        if body.upper().startswith(("TODO", "FIXME", "XXX", "HACK", "NOQA", "TYPE:", "PRAGMA")):
            return False
        if _looks_like_code(body) or comment.strip() in head_text:
            return False
    return True


def _looks_like_code(text: str) -> bool:
    return (text.endswith((")", ":", "]", "}", ",")) or " = " in text
            or text.startswith(("return ", "import ", "from ", "def ", "if ", "for ", "print(")))


def _modification_kind(change: Change, base: Unit, head: Unit) -> str:
    bk, hk = base.keys, head.keys
    if bk == hk:
        if base.comments == head.comments:
            return "formatting"
        if not _only_removed(base.comments, head.comments):
            return "other"
        # deleting commented-out code is the clean-up the dead-code rules ask for
        gone = list((Counter(base.comments) - Counter(head.comments)).elements())
        return "other" if any(_looks_like_code(c.lstrip("#/ ").strip()) for c in gone) else "deleted-comment"
    if base.has_doc and not head.has_doc and base.keys_without_doc == hk:
        return "deleted-docstring"
    if len(bk) != len(hk) and len(base.keys_without_doc) == len(head.keys_without_doc):
        # a docstring added or edited next to the edit does not make it less cosmetic
        base = replace(base, tokens=[t for t in base.tokens if not t.doc])
        head = replace(head, tokens=[t for t in head.tokens if not t.doc])
        bk, hk = base.keys, head.keys
    if len(bk) == len(hk):
        diffs = [i for i, (a, b) in enumerate(zip(bk, hk, strict=True)) if a != b]
        if not diffs:
            return "other"  # only a docstring was added or edited
        if all(bk[i][0] == "id" and hk[i][0] == "id" for i in diffs):
            return "rename" if _consistent_rename(change, base, head, diffs) else "other"
        if all(bk[i][0] in ("lit", "str") and hk[i][0] in ("lit", "str") for i in diffs):
            return "literal" if _literal_change(change, base, head, diffs) else "other"
        if all(bk[i][1] in OPERATORS and hk[i][1] in OPERATORS for i in diffs):
            return "operator" if _operator_change(change, base, head, diffs) else "other"
    if _membership_change(change, base, head):
        return "membership"
    if _removed_check(change, base, head):
        return "removed-check"
    if _added_guard(change, base, head):
        return "added-guard"
    if _dropped_decorator(change, base, head):
        return "dropped-decorator"
    if _dropped_option(change, base, head):
        return "dropped-option"
    if _deleted_code(change, base, head):
        return "deleted-code"
    if condition_flip(change, base, head):
        return "condition-flip"
    return "other"


def _operator_change(change: Change, base: Unit, head: Unit, diffs: list[int]) -> bool:
    old, new = base.tokens[diffs[0]], head.tokens[diffs[0]]
    expr = new.node.parent if new.node.parent is not None else new.node
    text = " ".join(head.src.node_text(expr).split())
    if len(text) > 80:
        text = text[:77] + "..."
    change.what = f"`{head.key}` changes `{old.text}` to `{new.text}` in `{text}`"
    change.mentions = [head.name]
    return True


def _dropped_decorator(change: Change, base: Unit, head: Unit) -> bool:
    """The definition is unchanged but loses a decorator (`@login_required`, `@transaction`)."""
    before = _decorators(base)
    after = {head.src.node_text(d).strip() for d in _decorator_nodes(head)}
    lost = [d for d in before if d not in after]
    if not lost or len(after) >= len(before):
        return False
    spans = [(before[d].start_byte, before[d].end_byte) for d in lost]
    kept = [t.key for t in base.tokens
            if not any(a <= t.node.start_byte < b for a, b in spans)]
    if kept != head.keys:
        return False
    change.what = f"`{base.key}` loses its `{lost[0]}` decorator"
    change.mentions = [base.name, lost[0].lstrip("@").split("(")[0]]
    return True


OPTION_TYPES = frozenset({"keyword_argument", "jsx_attribute", "pair"})
LAYOUT = frozenset({("p", ","), ("p", "("), ("p", ")")})


def _dropped_option(change: Change, base: Unit, head: Unit) -> bool:
    """The unit is unchanged but a call or element loses keyword arguments or attributes
    (`openDelay={0}`, `timeout=10`): what was set now falls back to the callee's default."""
    def options(unit: Unit) -> Counter[str]:
        return Counter(" ".join(unit.src.node_text(n).split()) for n in walk(unit.node)
                       if n.type in OPTION_TYPES)

    lost_texts = options(base) - options(head)
    if not lost_texts or options(head) - options(base):
        return False
    lost = [n for n in walk(base.node) if n.type in OPTION_TYPES
            and " ".join(base.src.node_text(n).split()) in lost_texts]
    spans = [(n.start_byte, n.end_byte) for n in lost]
    kept = [t.key for t in base.tokens if t.key not in LAYOUT
            and not any(a <= t.node.start_byte < b for a, b in spans)]
    if kept != [k for k in head.keys if k not in LAYOUT]:
        return False
    shown = ", ".join(f"`{t}`" for t in sorted(lost_texts)[:3])
    change.what = f"`{head.key}` stops passing {shown}" + (" and more" if len(lost_texts) > 3 else "")
    change.mentions = [head.name, *(t.split("=")[0].split(":")[0].strip() for t in lost_texts)]
    return True


def _decorators(unit: Unit) -> dict[str, Node]:
    return {unit.src.node_text(d).strip(): d for d in _decorator_nodes(unit)}


def _decorator_nodes(unit: Unit) -> list[Node]:
    return [c for c in unit.node.children if c.type == "decorator"]


def _deleted_code(change: Change, base: Unit, head: Unit) -> bool:
    """Lines deleted from a function and nothing added in their place."""
    if change.added or not change.removed or base.kind != "def":
        return False
    removed = [base.src.line_text(n).strip() for n in change.removed]
    code = [line for line in removed if line and not line.startswith("#")]
    if not code:
        return False
    shown = code[0] if len(code[0]) <= 60 else code[0][:57] + "..."
    change.what = f"deletes `{shown}`" + (f" and {len(code) - 1} more line(s)" if len(code) > 1
                                         else "") + f" from `{base.key}`"
    change.mentions = [base.name]
    return True


def _follow_renames(changes: list[Change]) -> None:
    """A hunk that only updates references to a definition the change renames belongs to that
    rename: it is neither a separate finding nor part of the main change."""
    renamed: dict[str, Change] = {}
    for c in changes:
        if c.kind == "rename" and c.base and c.head and c.base.name != c.head.name:
            renamed[c.base.name] = c
    for c in changes:
        owners = _rename_owners(c, renamed) if c.kind == "other" and c.swaps else None
        if owners:
            c.kind = "rename-follow"
            for owner in owners:
                owner.followers += 1


def _rename_owners(c: Change, renamed: dict[str, Change]) -> list[Change] | None:
    owners = []
    for old, new in c.swaps.items():
        owner = renamed.get(old)
        if owner is None or owner.head is None or owner.head.name != new:
            return None
        owners.append(owner)
    return owners


def _only_removed(before: list[str], after: list[str]) -> bool:
    left = Counter(before)
    left.subtract(Counter(after))
    return all(v >= 0 for v in left.values()) and any(v > 0 for v in left.values())


def _consistent_rename(change: Change, base: Unit, head: Unit, diffs: list[int]) -> bool:
    """Every differing identifier maps one-to-one, everywhere, and names something the unit
    binds itself (a parameter, a local, the definition's own name)."""
    mapping: dict[str, str] = {}
    reverse: dict[str, str] = {}
    for i in diffs:
        old, new = base.tokens[i].text, head.tokens[i].text
        if mapping.setdefault(old, new) != new or reverse.setdefault(new, old) != old:
            return False
    diff_set = set(diffs)
    for i, tok in enumerate(base.tokens):
        if i not in diff_set and tok.cls == "id" and tok.text in mapping:
            return False
    bound = {t.text for t in base.tokens if t.cls == "id" and is_binding(t, change.spec)}
    if not set(mapping) <= bound:
        change.swaps = mapping
        return False
    pairs = ", ".join(f"{old} -> {new}" for old, new in mapping.items())
    change.what = f"only renames {pairs} in `{base.key}`"
    change.mentions = [*mapping, *mapping.values(), base.name]
    change.new_refs = set(mapping.values())
    return True


def _guards(unit: Unit, spec: LangSpec) -> dict[str, Node]:
    """The guard clauses of a unit (`if cond: raise/return/abort(...)`), by condition text."""
    return dict(_guard_nodes(unit, spec))


def _guard_nodes(unit: Unit, spec: LangSpec, exclude: set[str] | None = None,
                 bare: bool = False) -> list[tuple[str, Node]]:
    """Every guard clause of a unit with its condition text, in order, leaving out `exclude`
    (with `bare`, only those without an else branch)."""
    out: list[tuple[str, Node]] = []
    for node in walk(unit.node):
        if node.type not in spec.if_types:
            continue
        cond = node.child_by_field_name("condition")
        body = node.child_by_field_name("consequence")
        if cond is None or body is None or (bare and node.child_by_field_name("alternative")):
            continue
        statements = body.named_children if body.type in spec.block_types else [body]
        if len(statements) > 2:
            continue
        text = " ".join(unit.src.node_text(cond).split())
        if text not in (exclude or ()) and any(_exits(stmt, unit, spec) for stmt in statements):
            out.append((text, node))
    return out


def _exits(stmt: Node, unit: Unit, spec: LangSpec) -> bool:
    if stmt.type in spec.exit_types:
        return True
    text = unit.src.node_text(stmt).lower()
    return stmt.type in spec.statement_wrappers and text.startswith(ABORT_CALLS) and "(" in text


def _raise_head(guard: Node, unit: Unit) -> str:
    """The start of the raise/throw a guard exits with, spaces removed, up to its first
    interpolation (`raiseInvalidHeader(f"Headerpart(`), or "" when it exits otherwise."""
    body = guard.child_by_field_name("consequence")
    for node in walk(body) if body is not None else ():
        if node.type in ("raise_statement", "throw_statement"):
            flat = "".join(unit.src.node_text(node).split())
            return flat.split("{", 1)[0] if "(" in flat else ""
    return ""


def _still_checked(cond: str, head: Unit, raised: str = "") -> bool:
    """The condition is still tested: elsewhere in the function, or in a function of the same file
    that the head version calls (the check moved into a helper); or the same raise (class and
    message start) now stands in such a helper (the check moved and was rewritten)."""
    flat = "".join(cond.split())
    if flat in "".join(head.src.node_text(head.node).split()):
        return True
    return _in_called(flat, head) or (len(raised) >= 16 and _in_called(raised, head))


def _in_called(flat: str, head: Unit) -> bool:
    """A function of the same file that the head version calls contains `flat` (spaces removed)."""
    root = head.src.root
    called = set(IDENTIFIER.findall(head.src.node_text(head.node)))
    for node in walk(root) if root is not None else ():
        if node.type not in ("function_definition", "function_declaration", "method_definition") or node == head.node:
            continue
        name = node.child_by_field_name("name")
        if name is not None and head.src.node_text(name) in called \
                and flat in "".join(head.src.node_text(node).split()):
            return True
    return False


def _removed_check(change: Change, base: Unit, head: Unit) -> bool:
    if base.kind != "def" or len(head.tokens) >= len(base.tokens):
        return False
    before, after = _guards(base, change.spec), _guards(head, change.spec)
    gone = [cond for cond, guard in before.items()
            if cond not in after and not _still_checked(cond, head, _raise_head(guard, base))]
    if not gone or set(after) - set(before):
        return False
    change.what = f"`{base.key}` drops the check `{gone[0]}`"
    change.mentions = [base.name]
    return True


def _added_guard(change: Change, base: Unit, head: Unit) -> bool:
    """The function is unchanged but for new guard clauses (`if cond: return/raise`): an early
    exit the rest of the change does not need changes when the function runs at all."""
    if base.kind != "def" or head.kind != "def":
        return False
    before = _guards(base, change.spec)
    if set(before) - set(_guards(head, change.spec)):
        return False
    new = _guard_nodes(head, change.spec, exclude=set(before), bare=True)
    if not new:
        return False
    spans = [(node.start_byte, node.end_byte) for _, node in new]
    kept = [t.key for t in head.tokens if not any(a <= t.node.start_byte < b for a, b in spans)]
    if kept != base.keys:
        return False
    cond = new[0][0]
    shown = cond if len(cond) <= 60 else cond[:57] + "..."
    more = f" and {len(new) - 1} more" if len(new) > 1 else ""
    change.what = f"`{head.key}` gains the early exit `if {shown}`{more}"
    change.mentions = [head.name]
    return True
