"""Meaning-changing rewrites of a condition's form.

A hunk that rewrites how a choice is written (`c && X` to a ternary, if/else branches swapped, De
Morgan, an early return inverted, `...(!FLAG && {x})` to `...(FLAG ? {x} : {})`) is compared by
meaning: each choice of the base and head versions of a unit is read as (condition, value when
true, value when false), choices that pick between the same values are paired, and their
conditions are compared as boolean functions over the same atoms (a truth table). A pair whose
truth tables differ is a silent flip; an equivalent rewrite compares equal and is not a change.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ...parsing import line_of, walk
from .changes import Change
from .units import Unit

NOTHING = frozenset({"{}", "[]", "()", "null", "undefined", "false", "''", '""', "None", "False", "void0"})
VALUE_TYPES = frozenset({"object", "array", "jsx_element", "jsx_self_closing_element", "dictionary", "list",
                         "set", "tuple"})
NEGATED = {"!==": "===", "!=": "==", ">=": "<", "<=": ">", "is not": "is", "not in": "in"}
MAX_ATOMS = 10

# a boolean expression: ("atom", key) | ("not", e) | ("and", a, b) | ("or", a, b) | ("const", bool)
Expr = tuple


@dataclass(frozen=True)
class Choice:
    cond: Node
    then: str
    other: str
    src_text: Callable[[Node], str]


def _squash(value: str) -> str:
    squashed = re.sub(r"\s+", "", value).rstrip(";").rstrip(",")
    return "" if squashed in NOTHING else squashed


def _choices(unit: Unit) -> Iterator[Choice]:
    text = unit.src.node_text
    for node in walk(unit.node):
        kind = node.type
        if kind == "ternary_expression":
            cond, then, other = (node.child_by_field_name(f) for f in ("condition", "consequence", "alternative"))
            if cond is not None and then is not None and other is not None:
                yield Choice(cond, _squash(text(then)), _squash(text(other)), text)
        elif kind == "conditional_expression" and len(node.named_children) == 3:
            then, cond, other = node.named_children
            yield Choice(cond, _squash(text(then)), _squash(text(other)), text)
        elif kind in ("binary_expression", "boolean_operator"):
            op = node.child_by_field_name("operator")
            right = _unwrap(node.child_by_field_name("right"))
            left = node.child_by_field_name("left")
            if op is not None and text(op) in ("&&", "and") and right is not None and left is not None \
                    and right.type in VALUE_TYPES:
                yield Choice(left, _squash(text(right)), "", text)
        elif kind == "if_statement":
            cond = node.child_by_field_name("condition")
            then = node.child_by_field_name("consequence")
            alternatives = node.children_by_field_name("alternative")
            if cond is None or then is None or len(alternatives) > 1 \
                    or any(a.type == "elif_clause" for a in alternatives):
                continue
            other = alternatives[0] if alternatives else None
            body = other.child_by_field_name("body") if other is not None else None
            if other is not None and body is None:
                body = other.named_children[-1] if other.named_children else None
            yield Choice(cond, _squash(_block(text(then))), _squash(_block(text(body)) if body else ""), text)


def _block(code: str) -> str:
    code = code.strip()
    return code[1:-1] if code.startswith("{") and code.endswith("}") else code


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    return node


def _expr(node: Node | None, text: Callable[[Node], str]) -> Expr:
    node = _unwrap(node)
    if node is None:
        return ("const", False)
    kind = node.type
    if kind in ("true", "false", "True", "False"):
        return ("const", kind.lower() == "true")
    if (kind == "unary_expression" and text(node).lstrip().startswith("!")) or kind == "not_operator":
        inner = node.child_by_field_name("argument") or (node.named_children[-1] if node.named_children else None)
        return ("not", _expr(inner, text))
    if kind in ("binary_expression", "boolean_operator", "comparison_operator"):
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        op_node = node.child_by_field_name("operator")
        op = text(op_node) if op_node is not None else _comparison_op(node, text)
        if op in ("&&", "and") and left is not None and right is not None:
            return ("and", _expr(left, text), _expr(right, text))
        if op in ("||", "or") and left is not None and right is not None:
            return ("or", _expr(left, text), _expr(right, text))
        positive = NEGATED.get(op)
        if positive is not None:
            flipped = re.sub(r"\s+", "", text(node)).replace(op.replace(" ", ""), positive.replace(" ", ""), 1)
            return ("not", ("atom", flipped))
    return ("atom", re.sub(r"\s+", "", text(node)))


def _comparison_op(node: Node, text: Callable[[Node], str]) -> str:
    ops = [text(c) for c in node.children if not c.is_named]
    return " ".join(ops) if ops else ""


def _atoms(e: Expr, out: set[str]) -> set[str]:
    if e[0] == "atom":
        out.add(e[1])
    elif e[0] != "const":
        for sub in e[1:]:
            _atoms(sub, out)
    return out


def _eval(e: Expr, env: dict[str, bool]) -> bool:
    tag = e[0]
    if tag == "atom":
        return env[e[1]]
    if tag == "const":
        return bool(e[1])
    if tag == "not":
        return not _eval(e[1], env)
    if tag == "and":
        return _eval(e[1], env) and _eval(e[2], env)
    return _eval(e[1], env) or _eval(e[2], env)


def equivalent(a: Expr, b: Expr) -> bool | None:
    """Whether two boolean expressions agree on every assignment of their atoms; None when they
    are over different atoms (a new condition, not a rewrite) or too many to enumerate."""
    atoms = _atoms(a, set())
    if atoms != _atoms(b, set()) or len(atoms) > MAX_ATOMS:
        return None
    names = sorted(atoms)
    for values in itertools.product((False, True), repeat=len(names)):
        env = dict(zip(names, values, strict=True))
        if _eval(a, env) != _eval(b, env):
            return False
    return True


def condition_flip(change: Change, base: Unit, head: Unit) -> bool:
    """The head rewrites a choice of the base into a form that picks the other value: set the
    change's description and return True. A choice that matches an equivalent base choice (or
    an unchanged one) is not a flip."""
    added = set(change.added)
    old = list(_choices(base))
    for new in _choices(head):
        if line_of(new.cond) not in added or (new.then, new.other) == ("", ""):
            continue
        verdicts = [(prior, _same_choice(prior, new)) for prior in old
                    if {prior.then, prior.other} == {new.then, new.other}]
        if any(v is True for _, v in verdicts):
            continue
        flipped = next((prior for prior, v in verdicts if v is False), None)
        if flipped is not None:
            change.what = (f"`{head.key}` rewrites the condition `{_clip(flipped.src_text(flipped.cond))}` as "
                           f"`{_clip(new.src_text(new.cond))}` and its meaning flips (the other branch now runs)")
            change.mentions = [head.name]
            return True
    return False


def _same_choice(prior: Choice, new: Choice) -> bool | None:
    old_cond = _expr(prior.cond, prior.src_text)
    new_cond = _expr(new.cond, new.src_text)
    if (prior.then, prior.other) != (new.then, new.other):
        new_cond = ("not", new_cond)
    return equivalent(old_cond, new_cond)


def _clip(code: str, limit: int = 60) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."
