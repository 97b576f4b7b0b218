"""Rewritten islands: a call, an operator or a literal swapped inside a rewritten unit.

A group of hunks connected to each other by symbols but to nothing else in the change, that the
description does not name, and in which a rewritten unit swaps a call, an operator or a literal
(`Math.round` -> `Math.floor` inside a function also turned into an arrow const).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node

from ...analysis.intent import IDENTIFIER, Intent, content_stems
from ...models import Finding
from ...parsing import line_of, walk
from .changes import Change
from .clusters import _clusters, _is_test
from .languages import LangSpec
from .literals import _clip
from .rules import RULES_OF_FAMILY
from .units import Unit

OPERATOR_PARENTS = frozenset({"binary_expression", "unary_expression", "update_expression",
                              "augmented_assignment_expression", "binary_operator",
                              "comparison_operator", "boolean_operator", "not_operator",
                              "unary_operator", "augmented_assignment"})
REWRITE_UNIT_KINDS = frozenset({"def", "assign", "stmt"})
MAX_SWAPPED = 2  # atoms gained or lost: more is a new implementation, not a silent swap
MIN_KEPT = 3  # atoms both versions share: the logic is otherwise the same
# a swap only counts within one family: `<` for `<=`, `&&` for `||`, `+` for `-`
OPERATOR_FAMILIES = {
    **dict.fromkeys(("<", "<=", ">", ">=", "==", "!=", "===", "!==", "is", "in"), "compare"),
    **dict.fromkeys(("&&", "||", "??", "and", "or"), "logic"),
    **dict.fromkeys(("+", "-", "*", "/", "//", "%", "**"), "arith"),
    **dict.fromkeys(("++", "--"), "update"),
    **dict.fromkeys(("&", "|", "^", "<<", ">>"), "bits"),
}
GENERIC_STEMS = frozenset({"index", "main", "mod", "__init__", "src", "lib"})


@dataclass
class Atom:
    """One behaviour-bearing element of a unit: a called name, an operator or a literal."""

    key: tuple[str, str]
    shown: str
    node: Node


@dataclass
class Rewrite:
    change: Change
    line: int
    end: int
    what: str


def _rewrite_findings(changes: list[Change], intent: Intent, text_uses: set[str],
                      reported: set[int]) -> Iterator[Finding]:
    if intent.announces_refactor:
        return
    real = [c for c in changes if c.kind != "noop"]
    clusters = _clusters(real)
    described = [_described(cl, intent, text_uses) for cl in clusters]
    if not any(d and not all(_is_test(c.path) for c in cl)
               for d, cl in zip(described, clusters, strict=True)):
        return  # the description names none of the code: nothing to compare islands with
    # the most new code: lines added beyond those a rewrite replaces
    biggest = max(range(len(clusters)),
                  key=lambda i: sum(len(c.added) - len(c.removed) for c in clusters[i]
                                    if not _is_test(c.path)))
    for i, cluster in enumerate(clusters):
        if i == biggest or described[i]:
            continue
        if any(id(c) in reported for c in cluster):
            continue
        rewrite = _first_rewrite(cluster)
        if rewrite is not None:
            c = rewrite.change
            rule = RULES_OF_FAMILY[c.spec.family]["operator"]
            yield c.ctx.finding(rule, rewrite.line, _rewrite_message(rewrite, cluster),
                                end=rewrite.end)


def _described(cluster: list[Change], intent: Intent, text_uses: set[str]) -> bool:
    """The description (or a changed non-code file) shares a word with the names the cluster
    defines, the files it touches or the calls it rewrites."""
    words: set[str] = set()
    renames = _renames(cluster)
    for c in cluster:
        if c.defines & text_uses:
            return True
        if any(_distinctive(name) and intent.mentions(name) for name in c.uses):
            return True  # the changed lines use a multi-word name the description quotes
        words |= c.defines
        words.add(_file_word(c.path))
        swapped = _swap(c, renames)
        if swapped is not None:
            words |= {a.key[1] for atoms in swapped for a in atoms}
    return any(content_stems(w) & intent.stems for w in words if w)


def _distinctive(name: str) -> bool:
    """A name of two or more content words (`onUploadProgress`), not a common word (`product`)."""
    return len(content_stems(name)) >= 2


def _file_word(path: str) -> str:
    p = PurePosixPath(path)
    stem = p.name.split(".", 1)[0]
    return p.parent.name if stem in GENERIC_STEMS else stem


def _renames(cluster: list[Change]) -> dict[str, str]:
    """Old name -> new name of the definitions the cluster renames."""
    return {c.base.name: c.head.name for c in cluster
            if c.base is not None and c.head is not None and c.base.name and c.head.name
            and c.base.name != c.head.name}


def _first_rewrite(cluster: list[Change]) -> Rewrite | None:
    renames = _renames(cluster)
    for c in sorted(cluster, key=lambda c: (c.path, c.added[:1])):
        if _is_test(c.path) or c.kind != "other":
            continue
        found = _swap(c, renames)
        if found is None or c.head is None or c.base is None:
            continue
        lost, gained = found
        at = min(line_of(a.node) for a in gained)
        declaration = line_of(c.head.node)
        renamed = c.base.name != c.head.name
        line = declaration if renamed and declaration in c.added else at
        what = _swap_text(lost[0], gained[0])
        if renamed:
            what = f"`{c.head.key}` (was `{c.base.name}`) is rewritten and {what}"
        else:
            what = f"`{c.head.key}` is rewritten and {what}"
        return Rewrite(c, line, max(at, line), what)
    return None


def _swap(c: Change, renames: dict[str, str]) -> tuple[list[Atom], list[Atom]] | None:
    """The atoms a rewritten unit loses and gains, when it swaps a few of them of the same sort
    (a call for a call, an operator for an operator, a literal for a literal) and keeps the
    rest."""
    base, head = c.base, c.head
    if (base is None or head is None or base.kind not in REWRITE_UNIT_KINDS
            or head.kind not in REWRITE_UNIT_KINDS or not c.added):
        return None
    old = _atoms(base, c.spec, renames)
    new = _atoms(head, c.spec, {})
    old_keys, new_keys = Counter(a.key for a in old), Counter(a.key for a in new)
    lost_keys, gained_keys = old_keys - new_keys, new_keys - old_keys
    kept = sum((old_keys & new_keys).values())
    if (not lost_keys or not gained_keys or kept < MIN_KEPT
            or sum(lost_keys.values()) > MAX_SWAPPED or sum(gained_keys.values()) > MAX_SWAPPED
            or not {k[0] for k in lost_keys} & {k[0] for k in gained_keys}):
        return None
    added = set(c.added)
    lost = [a for a in old if a.key in lost_keys]
    gained = [a for a in new if a.key in gained_keys and line_of(a.node) in added]
    if not gained:
        return None
    return lost, gained


def _atoms(unit: Unit, spec: LangSpec, renames: dict[str, str]) -> list[Atom]:
    out: list[Atom] = []
    for tok in unit.tokens:
        if tok.doc:
            continue
        parent = tok.node.parent
        if tok.cls == "lit":
            out.append(Atom(("lit", tok.text), tok.text, tok.node))
        elif tok.cls == "p" and parent is not None and parent.type in OPERATOR_PARENTS:
            family = OPERATOR_FAMILIES.get(tok.text, "unary")
            out.append(Atom((f"op:{family}", tok.text), tok.text, tok.node))
    for node in walk(unit.node):
        if node.type not in spec.call_types:
            continue
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        if callee is None:
            continue
        names = IDENTIFIER.findall(unit.src.node_text(callee))
        if not names or len(names) > 4:
            continue
        name = renames.get(names[-1], names[-1])
        out.append(Atom(("call", name), _clip(unit.src.node_text(callee), 40), callee))
    return out


def _swap_text(lost: Atom, gained: Atom) -> str:
    if gained.key[0] == "call":
        return f"calls `{gained.shown}` where it called `{lost.shown}`"
    if gained.key[0].startswith("op"):
        return f"uses `{gained.shown}` where it used `{lost.shown}`"
    return f"uses the literal `{gained.shown}` where it used `{lost.shown}`"


def _rewrite_message(rewrite: Rewrite, cluster: list[Change]) -> str:
    c = rewrite.change
    others = sorted({x.path for x in cluster if x.path != c.path})
    where = c.path + (f" (with the updates in {', '.join(others)})" if others else "")
    return (f"{rewrite.what[:1].upper()}{rewrite.what[1:]} in {where}, a behaviour change that "
            f"shares no symbol with the rest of this PR and that the description does not "
            f"mention; revert it or explain it in the description.")
