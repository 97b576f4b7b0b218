"""Three or more consecutive `//` comment lines that are JavaScript/TypeScript code, not prose.

## What it does
Collects runs of full-line `//` comments the change touches, strips the comment markers and parses
the text with the file's grammar. A run (optionally without up to three leading or trailing
lines, such as a prose header "// old implementation:") of at least `min_lines` lines that parses
without syntax errors into declarations, calls, assignments, returns or control flow is reported
on its first line. Prose, JSDoc (`/** ... */` blocks), tool directives (`// eslint-disable`,
`// @ts-expect-error`, `/// <reference>`) and commented-out tests in test files (reported by the
test-tampering rules) are left alone.

## Why is this bad?
Commented-out code is dead code that looks alive: readers cannot tell whether it is a pending
fix, a rollback plan or garbage, and it rots as the code around it changes. AI agents often leave
the previous implementation behind in comments after rewriting a function.

## Example
```js
async function upload(key, body) {
  // const result = await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: body }));
  // logger.info({ key }, 'uploaded');
  // return result;
  for (let attempt = 1; ; attempt += 1) { ... }
}
```

## Use instead
Delete the block; version control keeps the old implementation.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from functools import partial
from typing import ClassVar

from tree_sitter import Node

from ...analysis.commented_code import CommentedCodeSettings, Run, all_code, comment_runs, findings
from ...detector import Detector, FileContext, Rule
from ...lang.js import symbols as sym
from ...models import Finding, Severity
from ...parsing import SourceFile, parse_source, walk

RULE = Rule(
    id="js.dead-code.commented-out-code",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.NOTICE,
    summary="Three or more consecutive `//` comment lines that are JS/TS code, not prose",
    settings=CommentedCodeSettings(),
)

DIRECTIVE = re.compile(
    r"^//\s*(?:/|@ts-|eslint|prettier|istanbul|c8|jshint|jscs|global\b|tslint|biome|#|"
    r"region|endregion|webpackChunkName|slopguard:|noinspection|sourceMappingURL|@flow)"
)
CODE_STATEMENTS = frozenset({
    "lexical_declaration", "variable_declaration", "return_statement", "throw_statement",
    "if_statement", "for_statement", "for_in_statement", "while_statement", "do_statement",
    "try_statement", "switch_statement", "function_declaration", "class_declaration",
    "import_statement", "export_statement", "generator_function_declaration",
    "abstract_class_declaration", "interface_declaration", "type_alias_declaration",
    "enum_declaration",
})
NEUTRAL_STATEMENTS = frozenset({"break_statement", "continue_statement", "empty_statement", "comment"})
CODE_EXPRESSIONS = frozenset({
    "call_expression", "assignment_expression", "augmented_assignment_expression", "await_expression",
    "new_expression", "update_expression", "yield_expression",
})
TEST_CALL = re.compile(r"^\s*(?:it|test|describe|expect|beforeEach|afterEach|beforeAll|afterAll|assert)\b")


def _comment_lines(src: SourceFile) -> Iterator[tuple[int, str | None]]:
    """Full-line comments: (line number, text after the `//`, or None for a block comment or a
    directive)."""
    for node in sym.comments(src):
        line = node.start_point[0] + 1
        body = src.line_text(line).strip()
        if not body.startswith("//") or node.end_point[0] != node.start_point[0] or DIRECTIVE.match(body):
            yield line, None
        else:
            yield line, body[2:]


def _statement_kind(stmt: Node) -> str:
    if stmt.type in CODE_STATEMENTS:
        return "code"
    if stmt.type in NEUTRAL_STATEMENTS:
        return "neutral"
    if stmt.type == "expression_statement" and stmt.named_children:
        inner = stmt.named_children[0]
        if inner.type in CODE_EXPRESSIONS:
            # `e.g. foo(bar)` / `i.e. x`: prose abbreviations that happen to parse.
            return "prose" if re.match(r"^(e\.g|i\.e|etc|cf|vs)\b", sym.text(inner)) else "code"
    return "prose"


def _is_code(language: str, lines: list[str]) -> bool:
    source = textwrap.dedent("\n".join(lines)) + "\n"
    if not re.search(r"[(=;{}]", source):
        return False
    suffix = {"javascript": ".jsx", "typescript": ".ts", "tsx": ".tsx"}.get(language, ".ts")
    root = parse_source("commented" + suffix, source).root
    if root is None or root.has_error or any(n.is_missing for n in walk(root)):
        return False
    return all_code(root, _statement_kind)


class CommentedOutCode(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or head.language is None:
            return
        in_tests = sym.is_test_path(ctx.path)

        def test_block(run: Run) -> bool:  # a commented-out test: the test-tampering rules report it
            return in_tests and any(TEST_CALL.match(t) for _, t in run)

        yield from findings(ctx, RULE, comment_runs(_comment_lines(head)), partial(_is_code, head.language),
                            skip=test_block)
