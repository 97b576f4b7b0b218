"""Blocks of commented-out code: runs of comment lines that parse as code, not prose.

## What it does
Collects runs of full-line comments the change touches, strips the comment markers and parses
the text with the file's grammar. A run (optionally without up to three leading or trailing
lines, such as a prose header "# old implementation:") of at least `min_lines` lines that parses
without syntax errors into real statements (calls, assignments, imports, returns, control flow,
definitions) rather than prose is reported on its first line. One detector serves Python and
JS/TS; each language says which comments count and what parses as code (`python_comments.py`,
`js_comments.py`). Left alone: prose, tool pragmas and directives (`# noqa`, `# type:`,
`// eslint-disable`, `// @ts-expect-error`, `/// <reference>`), JSDoc blocks, and commented-out
tests in JS/TS test files (reported by the test-tampering rules). In JSX, a `{/* ... */}`
comment whose text parses as one or more JSX elements (`{/* <Link href={...}>Pricing</Link> */}`)
is commented-out markup and is reported whatever its length; a JSX comment of prose
(`{/* Header */}`) is not.

## Why is this bad?
Commented-out code is dead code that version control already remembers. It rots (nobody updates
it when the live code changes), confuses readers about what actually runs, and in AI-written
changes often marks an approach that was abandoned half-way or a check that was switched off.

## Example
```python
def sync(client):
    # for item in client.pending():
    #     client.push(item)
    #     log.info("pushed %s", item.id)
    client.push_all()
```

## Use instead
```python
def sync(client):
    client.push_all()
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from tree_sitter import Node

from ...analysis.commented_code import CommentedCodeSettings, Run, comment_runs, findings
from ...detector import Detector, FileContext, Rule
from ...models import Finding, Severity
from ...parsing import SourceFile
from . import js_comments, python_comments

PYTHON_RULE = Rule(
    id="python.dead-code.commented-out-code",
    category="dead-code",
    languages=("python",),
    severity=Severity.NOTICE,
    summary="Three or more consecutive comment lines that are Python code, not prose",
    settings=CommentedCodeSettings(),
)
JS_RULE = Rule(
    id="js.dead-code.commented-out-code",
    category="dead-code",
    languages=("javascript", "typescript", "tsx"),
    severity=Severity.NOTICE,
    summary="Three or more consecutive `//` comment lines that are JS/TS code, not prose",
    settings=CommentedCodeSettings(),
)


def _no_run(path: str, run: Run) -> bool:
    return False


def _no_markup(src: SourceFile) -> Iterator[Node]:
    return iter(())


@dataclass(frozen=True)
class Comments:
    """What one language says about its comments."""

    rule: Rule
    lines: Callable[[SourceFile], Iterator[tuple[int, str | None]]]  # (line, text or None: a pragma)
    is_code: Callable[[str, list[str]], bool]  # (file language, uncommented lines)
    skip: Callable[[str, Run], bool] = _no_run  # (path, run): a run another rule reports
    markup: Callable[[SourceFile], Iterator[Node]] = _no_markup  # comments of commented-out markup


PYTHON = Comments(PYTHON_RULE, python_comments.comment_lines, python_comments.is_code)
JS = Comments(JS_RULE, js_comments.comment_lines, js_comments.is_code, js_comments.test_block,
              js_comments.markup_comments)
LANGUAGES = {"python": PYTHON, "javascript": JS, "typescript": JS, "tsx": JS}


class CommentedOutCode(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON_RULE, JS_RULE)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added or head.language not in LANGUAGES:
            return
        lang = LANGUAGES[head.language]
        yield from findings(ctx, lang.rule, comment_runs(lang.lines(head)), partial(lang.is_code, head.language),
                            skip=partial(lang.skip, ctx.path))
        for comment in lang.markup(head):
            if ctx.changed(comment):
                yield ctx.finding(
                    lang.rule, comment,
                    "This JSX comment is commented-out markup; delete it (version control keeps the "
                    "history) or restore it as live markup.",
                )
