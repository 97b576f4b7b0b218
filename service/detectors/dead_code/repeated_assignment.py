"""The same assignment made twice in one block, with nothing reading the name in between.

## What it does
Flags an assignment the change adds (`logger = logging.getLogger(__name__)`,
`self.client = make_client(cfg)`, `this.client = createClient(cfg);`) that repeats, token for
token, an earlier assignment of the same block (a module's top level or one function body) when
no statement between them mentions the assigned name or anything the value reads. The second
assignment does nothing the first did not: it is a leftover of a paste. Left alone: a value that
reads its own target (`n = n + 1`), and a first binding that is a declaration (`let x = ...`). One detector serves
Python and JS/TS; each language says which statements are plain assignments and which nodes
read names, call or assign.

## Why is this bad?
The duplicate is dead weight that looks deliberate; readers wonder what changed between the two
lines, and when the first is later edited the second silently undoes it.

## Example
```python
logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from app.project import Project

logger = logging.getLogger(__name__)
```

## Use instead
Delete the second assignment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...models import Finding, Severity
from ...parsing import line_of, walk

PYTHON_RULE = Rule(
    id="python.dead-code.repeated-assignment",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="An assignment repeated token for token in one block with nothing reading the name in between",
)
JS_RULE = Rule(
    id="js.dead-code.repeated-assignment",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="An assignment repeated token for token in one block with nothing reading the name in between",
)

SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Syntax:
    """The node types of one grammar that the repeated-assignment check reads."""

    rule: Rule
    blocks: frozenset[str]  # statement lists: module, function body, block
    assignment: str  # a plain `target = value`
    updates: frozenset[str]  # nodes that change their left side (assignments, `x++`)
    calls: frozenset[str]
    reads: frozenset[str]  # nodes that name a variable (`this` included)
    member: str  # `obj.attr`
    member_field: str  # the field naming `attr` in `member`
    keyword: str  # `f(name=value)`: `name` is no read; "" when the grammar has none


PYTHON = Syntax(
    rule=PYTHON_RULE,
    blocks=frozenset({"module", "block"}),
    assignment="assignment",
    updates=frozenset({"assignment", "augmented_assignment"}),
    calls=frozenset({"call"}),
    reads=frozenset({"identifier"}),
    member="attribute",
    member_field="attribute",
    keyword="keyword_argument",
)
JS = Syntax(
    rule=JS_RULE,
    blocks=frozenset({"program", "statement_block"}),
    assignment="assignment_expression",
    updates=frozenset({"assignment_expression", "augmented_assignment_expression", "update_expression"}),
    calls=frozenset({"call_expression", "new_expression"}),
    reads=frozenset({"identifier", "shorthand_property_identifier", "this"}),
    member="member_expression",
    member_field="property",
    keyword="",
)
SYNTAX = {"python": PYTHON, "javascript": JS, "typescript": JS, "tsx": JS}


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def _assignment(syntax: Syntax, stmt: Node) -> Node | None:
    """The assignment of a plain `target = value` statement (no augmented or annotated-only)."""
    if stmt.type != "expression_statement" or len(stmt.named_children) != 1:
        return None
    node = stmt.named_children[0]
    if node.type != syntax.assignment or node.child_by_field_name("right") is None:
        return None
    target = node.child_by_field_name("left")
    if target is None or target.type not in ("identifier", syntax.member):
        return None
    return node


def _roots(syntax: Syntax, node: Node) -> set[str]:
    """The variables an expression reads: names that are not member or keyword names."""
    found = set()
    for n in walk(node):
        parent = n.parent
        if n.type not in syntax.reads or parent is None:
            continue
        if parent.type == syntax.member and parent.child_by_field_name(syntax.member_field) == n:
            continue
        if parent.type == syntax.keyword and parent.child_by_field_name("name") == n:
            continue
        found.add(_text(n))
    return found


def _last_name(syntax: Syntax, target: Node) -> str:
    return _text(target.child_by_field_name(syntax.member_field) if target.type == syntax.member else target)


def _interferes(syntax: Syntax, stmt: Node, target: str, inputs: set[str], owner: set[str]) -> bool:
    """True when `stmt` may read the assigned name or change what the value is computed from:
    it mentions the name, calls something on or with an input (or the target's object), or
    assigns to an input."""
    for n in walk(stmt):
        if n.type in syntax.reads and _text(n) == target:
            return True
        if n.type in syntax.calls and _roots(syntax, n) & (inputs | owner):
            return True
        if n.type in syntax.updates:
            left = n.child_by_field_name("left") or n.child_by_field_name("argument")
            if left is not None and _roots(syntax, left) & inputs:
                return True
    return False


def _reads_itself(syntax: Syntax, left: Node, right: Node) -> bool:
    target = _text(left)
    return any(n.type in syntax.reads or n.type == syntax.member for n in walk(right) if _text(n) == target)


class RepeatedAssignment(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON_RULE, JS_RULE)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        syntax = SYNTAX.get(head.language or "") if head is not None else None
        if head is None or head.root is None or syntax is None or not ctx.diff.added:
            return
        for block in head.nodes_of(*syntax.blocks):
            yield from self._block(ctx, syntax, block)

    @staticmethod
    def _block(ctx: FileContext, syntax: Syntax, block: Node) -> Iterator[Finding]:
        statements = block.named_children
        seen: dict[str, int] = {}  # normalised assignment text -> index of its first occurrence
        for i, stmt in enumerate(statements):
            node = _assignment(syntax, stmt)
            if node is None:
                continue
            key = SPACE.sub("", _text(node))
            first = seen.setdefault(key, i)
            if first == i or line_of(stmt) not in ctx.diff.added:
                continue
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                continue
            if _reads_itself(syntax, left, right):
                continue  # `n = n + 1` twice changes the value twice
            target_name, inputs = _last_name(syntax, left), _roots(syntax, right)
            owner = _roots(syntax, left) if left.type == syntax.member else set()
            if any(_interferes(syntax, between, target_name, inputs, owner)
                   for between in statements[first + 1 : i]):
                seen[key] = i  # the name or an input is used or changed in between: a fresh value
                continue
            yield ctx.finding(
                syntax.rule, stmt,
                f"`{_text(left)}` is assigned the same value again (as on line {line_of(statements[first])}) "
                f"and nothing in between reads or changes it; delete the repeated assignment.",
            )
