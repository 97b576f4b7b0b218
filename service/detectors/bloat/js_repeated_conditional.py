"""The same conditional expression written out again and again in one function.

## What it does
Groups the ternary expressions (`cond ? a : b`) of one function (or one top-level statement) by
shape: the same tokens once the property names are renamed consistently, so
`Number.isNaN(u?.promptTokens) ? 0 : (u?.promptTokens ?? 0)` and the same for
`completionTokens` are one shape. A shape of at least `min_tokens` tokens written `min_repeats`
times or more, one of them added by the change, is one finding listing the lines.

## Why is this bad?
A rule spelled out four times is four places to fix when it changes, and a reader has to compare
them token by token to see that they are the same. AI agents paste the expression instead of
naming it.

## Example
```ts
inputTokens: Number.isNaN(u?.promptTokens) ? 0 : (u?.promptTokens ?? 0),
outputTokens: Number.isNaN(u?.completionTokens) ? 0 : (u?.completionTokens ?? 0),
totalTokens: (Number.isNaN(u?.promptTokens) ? 0 : (u?.promptTokens ?? 0)) + ...
```

## Use instead
```ts
const count = (n?: number) => (n === undefined || Number.isNaN(n) ? 0 : n);
inputTokens: count(u?.promptTokens), outputTokens: count(u?.completionTokens), ...
```
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import line_of, walk
from .thresholds import RepeatedConditionalSettings

RULE = Rule(
    id="js.bloat.repeated-conditional",
    category="bloat",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="The same conditional expression written out three or more times in one function",
    confidence="medium",
    settings=RepeatedConditionalSettings(),
)

FUNCTIONS = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition",
                       "generator_function_declaration"})


def shape(node: Node) -> tuple[tuple[str, ...], int]:
    """The leaf tokens of `node` with property names renamed in order of appearance, and their count."""
    names: dict[str, str] = {}
    tokens: list[str] = []
    for leaf in walk(node):
        if leaf.child_count:
            continue
        text = sym.text(leaf)
        if leaf.type == "property_identifier":
            text = names.setdefault(text, f"${len(names)}")
        tokens.append(text)
    return tuple(tokens), len(tokens)


def _owner(node: Node, root: Node) -> Node:
    current = node.parent
    while current is not None and current.parent is not None:
        if current.type in FUNCTIONS:
            return current
        if current.parent == root:
            return current
        current = current.parent
    return node


class RepeatedConditional(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or not sym.is_js_path(ctx.path):
            return
        settings = ctx.options.settings(RULE, RepeatedConditionalSettings)
        repeats, minimum = settings.min_repeats, settings.min_tokens
        groups: dict[tuple[int, tuple[str, ...]], list[Node]] = defaultdict(list)
        for node in head.nodes_of("ternary_expression"):
            if _nested_in_ternary(node):
                continue
            tokens, count = shape(node)
            if count >= minimum:
                groups[(_owner(node, head.root).start_byte, tokens)].append(node)
        for nodes in groups.values():
            if len(nodes) < repeats or not any(ctx.changed(n) for n in nodes):
                continue
            lines = ", ".join(str(line_of(n)) for n in nodes)
            yield ctx.finding(
                RULE, nodes[0],
                f"The same conditional is written out {len(nodes)} times in this function (lines "
                f"{lines}): the same tokens up to the property names it reads. Name it once as a "
                f"small helper and call that.",
                end=nodes[-1],
            )


def _nested_in_ternary(node: Node) -> bool:
    current = node.parent
    while current is not None and current.type not in FUNCTIONS:
        if current.type == "ternary_expression":
            return True
        current = current.parent
    return False
