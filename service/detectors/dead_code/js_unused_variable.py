"""Local variables, and names destructured from an object, that a JS/TS function never reads.

## What it does
Flags a `const` / `let` / `var` the change adds inside a function when a name it binds is never
referred to anywhere else in that function (nested functions and closures included). Names
bound by object destructuring count one by one: `const { isLoading: isColumnsLoading } = useX()`
with `isColumnsLoading` never read is reported. Left alone: names starting with `_`,
destructuring that has a rest element (`{ a, ...rest }` picks `a` to leave it out of `rest`),
array destructuring (`const [, setValue]` conventions), loop variables, and functions that call
`eval`.

## Why is this bad?
A value computed and never read is either leftover scaffolding or a bug: the author meant to use
it (to show a loading state, to return the updated record) and the function does something
else.

## Example
```ts
const updatedReferral = await db.referral.update({ where: { id }, data });
return { ok: true };
```

## Use instead
```ts
await db.referral.update({ where: { id }, data });
return { ok: true };
```
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import line_of, walk

RULE = Rule(
    id="js.dead-code.unused-variable",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.WARNING,
    summary="A local variable or destructured name the change adds that its function never reads",
)

FUNCTIONS = frozenset({
    "function_declaration", "function_expression", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function", "function",
})
DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration"})
USE_NODES = frozenset({"identifier", "shorthand_property_identifier"})


def _bound(pattern: Node | None) -> Iterator[Node] | None:
    """The identifier nodes a declarator's name binds; None when the pattern is exempt."""
    if pattern is None:
        return None
    if pattern.type == "identifier":
        return iter([pattern])
    if pattern.type != "object_pattern":
        return None
    found: list[Node] = []
    stack = [pattern]
    while stack:
        node = stack.pop()
        if node.type in ("rest_pattern", "array_pattern"):
            return None
        if node.type == "shorthand_property_identifier_pattern":
            found.append(node)
        elif node.type == "pair_pattern":
            value = node.child_by_field_name("value")
            if value is not None:
                stack.append(value)
        elif node.type == "assignment_pattern":
            left = node.child_by_field_name("left")
            if left is not None:
                stack.append(left)
        elif node.type == "identifier":
            found.append(node)
        elif node.type == "object_pattern" or node.type == "object_assignment_pattern":
            stack.extend(node.named_children)
    return iter(found)


def _function_of(node: Node) -> Node | None:
    current = node.parent
    while current is not None:
        if current.type in FUNCTIONS:
            return current
        if current.type in ("program", "class_body"):
            return None
        current = current.parent
    return None


def _uses(func: Node) -> tuple[Counter[str], bool]:
    """Every identifier mention inside the function, and whether it calls `eval`."""
    uses: Counter[str] = Counter()
    for node in walk(func):
        if node.type in USE_NODES or node.type == "shorthand_property_identifier_pattern":
            uses[sym.text(node)] += 1
    return uses, uses["eval"] > 0


class UnusedVariable(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or not sym.is_js_path(ctx.path):
            return
        added = ctx.diff.added
        cache: dict[int, tuple[Counter[str], bool]] = {}
        for decl in head.nodes_of(*DECLARATIONS):
            if line_of(decl) not in added:
                continue
            func = _function_of(decl)
            if func is None:
                continue  # module level: the unused-definition and unused-export rules cover it
            if func.id not in cache:
                cache[func.id] = _uses(func)
            uses, has_eval = cache[func.id]
            if has_eval:
                continue
            for declarator in decl.named_children:
                if declarator.type != "variable_declarator":
                    continue
                pattern = declarator.child_by_field_name("name")
                bound = _bound(pattern)
                if bound is None or pattern is None:
                    continue
                destructured = pattern.type == "object_pattern"
                for ident in bound:
                    name = sym.text(ident)
                    if name.startswith("_") or uses[name] > 1:
                        continue
                    what = "is destructured but" if destructured else "is assigned but"
                    yield ctx.finding(
                        RULE, ident,
                        f"`{name}` {what} never read in this function; drop it or use it where it "
                        f"was meant to be used.",
                    )
