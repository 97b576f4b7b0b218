"""A dictionary key written only under a condition and read unconditionally.

## What it does
`python.null-check.conditional-key`: in one function, a dict built there (`meta = {}`,
`meta = {"id": ...}`, `dict(...)`) gets a string key only inside an `if`/`elif`/`else` branch, a
loop or an `except`, and a later statement reads `meta["key"]` (or `meta["key"]["login"]`)
outside any branch that writes it, with no `"key" in meta` test or `.get()` in between. A key the
dict literal already holds, or one every branch of an `if`/`else` writes, is not reported.

## Why is this bad?
The read raises `KeyError` exactly in the case the condition excludes, which is the case the
happy-path test does not run (a webhook without a sender, an order without a coupon).

## Example
```python
meta = {"id": event.id}
if event.sender:
    meta["sender"] = event.sender
notify(meta["sender"]["login"])   # KeyError when the event has no sender
```

## Use instead
Write the key on every path (`meta["sender"] = event.sender or {}`), or read it with
`meta.get("sender")` and handle the missing case.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from typing import ClassVar

from tree_sitter import Node, Query, QueryCursor

from ...detector import Detector, FileContext, Rule
from ...lang.python.symbols import is_test_path, text
from ...models import Finding, Severity
from ...parsing import grammar, line_of

RULE = Rule(
    id="python.null-check.conditional-key",
    category="null-check",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A dict key written only under a condition is read unconditionally (KeyError).",
)
BRANCHES = frozenset({"if_statement", "elif_clause", "else_clause", "for_statement", "while_statement",
                      "except_clause", "match_statement", "case_clause", "conditional_expression"})
FUNCTIONS = frozenset({"function_definition", "lambda", "class_definition"})


def _key(subscript: Node) -> tuple[str, str] | None:
    """(`dict name`, `key`) of `name["key"]`."""
    obj, index = subscript.child_by_field_name("value"), subscript.child_by_field_name("subscript")
    if obj is None or index is None or obj.type != "identifier" or index.type != "string":
        return None
    if any(c.type == "interpolation" for c in index.named_children):
        return None
    return text(obj), text(index)[1:-1].strip("'\"")


def _branches(node: Node, stop: Node) -> list[Node]:
    """The conditional constructs between `node` and `stop` (innermost first)."""
    out = []
    cur = node.parent
    while cur is not None and cur != stop:
        if cur.type in BRANCHES:
            out.append(cur)
        cur = cur.parent
    return out


def _dicts(body: Node) -> dict[str, tuple[Node, set[str]]]:
    """Names bound at the top level of the function body to a fresh dict, with its literal keys."""
    out: dict[str, tuple[Node, set[str]]] = {}
    for stmt in body.named_children:
        expr = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
        if expr is None or expr.type != "assignment":
            continue
        left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
        if left is None or right is None or left.type != "identifier":
            continue
        if right.type == "dictionary":
            keys = {text(p.child_by_field_name("key"))[1:-1] for p in right.named_children if p.type == "pair"}
            if any(p.type == "dictionary_splat" for p in right.named_children):
                continue
            out[text(left)] = (stmt, keys)
        elif right.type == "call" and text(right.child_by_field_name("function")) == "dict" \
                and not text(right.child_by_field_name("arguments")).strip("()"):
            out[text(left)] = (stmt, set())
    return out


class PythonConditionalKey(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        src = ctx.head
        if src is None or src.root is None or src.language != "python" or is_test_path(ctx.path) \
                or not ctx.diff.added:
            return
        for fn in _function_definitions(src.root):
            if ctx.changed(fn):
                yield from self._function(ctx, fn)

    def _function(self, ctx: FileContext, fn: Node) -> Iterator[Finding]:
        body = fn.child_by_field_name("body")
        if body is None:
            return
        dicts = _dicts(body)
        if not dicts:
            return
        writes: dict[tuple[str, str], list[Node]] = {}
        reads: list[tuple[tuple[str, str], Node]] = []
        for node in _own_nodes(body):
            if node.type != "subscript":
                continue
            key = _key(node)
            if key is None or key[0] not in dicts or key[1] in dicts[key[0]][1]:
                continue
            if node.start_byte < dicts[key[0]][0].end_byte:
                continue
            parent = node.parent
            if parent is not None and parent.type in ("assignment", "augmented_assignment") \
                    and parent.child_by_field_name("left") == node:
                writes.setdefault(key, []).append(node)
            elif parent is not None and parent.type == "delete_statement":
                continue
            else:
                reads.append((key, node))
        reported: set[tuple[str, str]] = set()
        for key, read in reads:
            sets = [w for w in writes.get(key, []) if w.start_byte < read.start_byte]
            if not sets or key in reported or not self._only_conditional(sets, body):
                continue
            if not ctx.changed(read) and not any(ctx.changed(w) for w in sets):
                continue
            if self._guarded(read, sets, body, key):
                continue
            reported.add(key)
            first = sets[0]
            cond = _branches(first, body)[0]
            yield ctx.finding(RULE, line_of(read), (
                f"`{key[0]}[\"{key[1]}\"]` is only set inside the `{_head(cond)}` on line {line_of(cond)}, "
                f"but line {line_of(read)} reads it on every path: KeyError when that branch did not run; "
                f"set the key on every path or read it with `.get()` and handle the missing case."
            ))

    @staticmethod
    def _only_conditional(sets: list[Node], body: Node) -> bool:
        if any(not _branches(w, body) for w in sets):
            return False
        # an if/else whose every branch writes the key writes it on every path
        for w in sets:
            for branch in _branches(w, body):
                if branch.type != "if_statement":
                    continue
                arms = [branch.child_by_field_name("consequence"),
                        *branch.children_by_field_name("alternative")]
                if any(a is not None and a.type == "else_clause" for a in arms) and all(
                        a is not None and any(_inside(s, a) for s in sets) for a in arms):
                    return False
        return True

    @staticmethod
    def _guarded(read: Node, sets: list[Node], body: Node, key: tuple[str, str]) -> bool:
        """The read sits in a branch that wrote the key, or under a test of the key or the same condition."""
        conditions = {_condition(b) for w in sets for b in _branches(w, body)} - {""}
        for branch in _branches(read, body):
            if any(_inside(branch, _branches(w, body)[0]) or branch == _branches(w, body)[0] for w in sets):
                return True
            cond = _condition(branch)
            if cond in conditions or _names_key(cond, key[1]):
                return True
        for node in _own_nodes(body):
            if node.start_byte >= read.start_byte:
                break
            if node.type == "if_statement" and _names_key(_condition(node), key[1]):
                return True
        return False


@functools.cache
def _function_query() -> Query:
    return Query(grammar("python"), "(function_definition) @f")


def _function_definitions(root: Node) -> list[Node]:
    """Every function definition of a Python tree, in source order (outer before inner): what a
    walk of the whole tree keeps, found by a query."""
    found = QueryCursor(_function_query()).captures(root).get("f", [])
    return sorted(found, key=lambda n: n.start_byte)


def _own_nodes(body: Node) -> Iterator[Node]:
    """Nodes of a function body in source order, without nested functions and classes."""
    stack = [body]
    while stack:
        cur = stack.pop()
        yield cur
        stack.extend(reversed([c for c in cur.children if c.type not in FUNCTIONS]))


def _inside(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def _condition(branch: Node) -> str:
    cond = branch.child_by_field_name("condition")
    return " ".join(text(cond).split()) if cond is not None else ""


def _names_key(condition: str, key: str) -> bool:
    return f'"{key}"' in condition or f"'{key}'" in condition


def _head(branch: Node) -> str:
    first = text(branch).split("\n", 1)[0].strip().rstrip(":")
    return first if len(first) <= 60 else first[:57] + "..."
