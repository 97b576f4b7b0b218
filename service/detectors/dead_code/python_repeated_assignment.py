"""The same assignment made twice in one block, with nothing reading the name in between.

## What it does
Flags an assignment the change adds (`logger = logging.getLogger(__name__)`,
`self.client = make_client(cfg)`) that repeats, token for token, an earlier assignment of the
same block (a module's top level or one function body) when no statement between them mentions
the assigned name or anything the value reads. The second assignment does nothing the first
did not: it is a leftover of a paste.

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
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.python import symbols as sym
from ...models import Finding, Severity
from ...parsing import line_of, walk

RULE = Rule(
    id="python.dead-code.repeated-assignment",
    category="dead-code",
    languages=("python",),
    severity=Severity.WARNING,
    summary="An assignment repeated token for token in one block with nothing reading the name in between",
)

BLOCKS = frozenset({"module", "block"})
SPACE = re.compile(r"\s+")


def _assignment(stmt: Node) -> Node | None:
    """The `assignment` of a plain `target = value` statement (no augmented or annotated-only)."""
    if stmt.type != "expression_statement" or len(stmt.named_children) != 1:
        return None
    node = stmt.named_children[0]
    if node.type != "assignment" or node.child_by_field_name("right") is None:
        return None
    target = node.child_by_field_name("left")
    if target is None or target.type not in ("identifier", "attribute"):
        return None
    return node


def _roots(node: Node) -> set[str]:
    """The variables an expression reads: identifiers that are not attribute or keyword names."""
    found = set()
    for n in walk(node):
        parent = n.parent
        if n.type != "identifier" or parent is None:
            continue
        if parent.type == "attribute" and parent.child_by_field_name("attribute") == n:
            continue
        if parent.type == "keyword_argument" and parent.child_by_field_name("name") == n:
            continue
        found.add(sym.text(n))
    return found


def _last_name(target: Node) -> str:
    return sym.text(target.child_by_field_name("attribute") if target.type == "attribute" else target)


def _interferes(stmt: Node, target: str, inputs: set[str], owner: set[str]) -> bool:
    """True when `stmt` may read the assigned name or change what the value is computed from:
    it mentions the name, calls something on or with an input (or the target's object), or
    assigns to an input."""
    for n in walk(stmt):
        if n.type == "identifier" and sym.text(n) == target:
            return True
        if n.type == "call" and _roots(n) & (inputs | owner):
            return True
        if n.type in ("assignment", "augmented_assignment"):
            left = n.child_by_field_name("left")
            if left is not None and _roots(left) & inputs:
                return True
    return False


class RepeatedAssignment(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added:
            return
        for block in walk(head.root):
            if block.type in BLOCKS:
                yield from self._block(ctx, block)

    @staticmethod
    def _block(ctx: FileContext, block: Node) -> Iterator[Finding]:
        statements = block.named_children
        seen: dict[str, int] = {}  # normalised assignment text -> index of its first occurrence
        for i, stmt in enumerate(statements):
            node = _assignment(stmt)
            if node is None:
                continue
            key = SPACE.sub("", sym.text(node))
            first = seen.setdefault(key, i)
            if first == i or line_of(stmt) not in ctx.diff.added:
                continue
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                continue
            target_name, inputs = _last_name(left), _roots(right)
            owner = _roots(left) if left.type == "attribute" else set()
            if any(_interferes(between, target_name, inputs, owner) for between in statements[first + 1 : i]):
                seen[key] = i  # the name or an input is used or changed in between: a fresh value
                continue
            target = sym.text(left)
            yield ctx.finding(
                RULE, stmt,
                f"`{target}` is assigned the same value again (as on line {line_of(statements[first])}) "
                f"and nothing in between reads or changes it; delete the repeated assignment.",
            )
