"""The JavaScript/TypeScript side of the skipped-test detector (`skipped_test.py`): `it.skip`,
`xit`, `.todo`, `.fixme`, `.failing`, unconditional `this.skip()`, and focused tests (`.only`,
`fit`, `fdescribe`: `js.test-tampering.focused-test`)."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ...detector import FileContext, Rule
from ...lang.js.assertion_checks import verifies
from ...lang.js.testing import (
    CONDITIONAL,
    FUNCTIONS,
    LANGUAGES,
    Block,
    base_version,
    blocks,
    call_args,
    chain,
    is_test_path,
    string_value,
    text_of,
)
from ...models import Finding, Severity
from ...parsing import SourceFile, line_of, walk
from .skip_reasons import SkipWords, conditional, reported, verdict

SKIPPED = Rule(
    id="js.test-tampering.skipped-test",
    category="test-tampering",
    languages=LANGUAGES,
    severity=Severity.WARNING,
    summary="A test is skipped, marked todo or expected to fail without a stated real constraint",
    confidence="medium",
)
PLACEHOLDER = Rule(
    id="js.test-tampering.skipped-placeholder-test",
    category="test-tampering",
    languages=LANGUAGES,
    severity=Severity.WARNING,
    summary="A new test is always skipped and asserts nothing: it counts as a test but can never fail",
    confidence="medium",
)
FOCUSED = Rule(
    id="js.test-tampering.focused-test",
    category="test-tampering",
    languages=LANGUAGES,
    severity=Severity.ERROR,
    summary="A focused test (`.only`, `fit`, `fdescribe`) keeps the rest of the suite from running",
)

_SKIP_WORDS = frozenset({"skip", "fixme", "failing", "fails", "fail"})
_SKIP_CALL_OWNERS = frozenset({"this", "ctx", "context", "t", "test"})
_WORDS = SkipWords(weak="js_skip_reason_weak", constraint="js_skip_reason_constraint", constraint_first=True)
_CONDITIONS = FUNCTIONS | {"if_statement", "ternary_expression", "binary_expression", "catch_clause",
                           "switch_case", "for_statement", "for_in_statement", "while_statement", "else_clause"}


class JsSkips:
    rules = (SKIPPED, PLACEHOLDER, FOCUSED)
    is_test_path = staticmethod(is_test_path)

    def skips(self, ctx: FileContext, head: SourceFile) -> Iterator[Finding]:
        base = base_version(ctx)
        base_blocks = blocks(base)
        before = {b.qualname: b for b in base_blocks}
        found = blocks(head)
        for block in found:
            if line_of(block.callee) not in ctx.diff.added:
                continue
            old = before.get(block.qualname)
            hollow = _hollow(head, block, found, before) if old is None else []
            if hollow and _never_runs(head, block):
                yield _placeholder(ctx, head, block.callee, block, hollow)
                continue
            if "only" in block.modifiers and not (old is not None and "only" in old.modifiers):
                yield ctx.finding(FOCUSED, block.callee,
                                  f"`{text_of(head, block.callee)}` is focused: it keeps every other "
                                  "test from running; remove the `.only` before merging.")
            if old is not None and _switched_off(old):
                continue
            finding = self._judge(ctx, head, block, old, base_blocks)
            if finding is not None:
                yield finding
        yield from self._skip_calls(ctx, head, before)

    def _judge(self, ctx: FileContext, src: SourceFile, block: Block, old: Block | None,
               base_blocks: list[Block]) -> Finding | None:
        if set(block.modifiers) & CONDITIONAL:
            return None
        if "todo" in block.modifiers:
            replaced = old is not None or _replaces_test(ctx, block, base_blocks)
            if not replaced:
                return None
            return ctx.finding(SKIPPED, block.callee,
                               f"Test '{block.title}' is replaced by a `.todo` placeholder, so it no longer "
                               "runs: restore the test and fix the code it catches.")
        words = set(block.modifiers) & _SKIP_WORDS
        if not words:
            return None
        if _playwright_condition(src, block):
            return None
        reason = _reason(src, block.node)
        said = verdict(ctx.repo, _WORDS, reason)
        failing = bool(words & {"failing", "fails", "fail"})  # still runs, and reports when it passes
        if not reported(said, failing, old is not None):
            return None
        what = "expected to fail" if failing else "skipped"
        if said == "real":
            # the comment names a constraint, but nothing tests it: the test never runs anywhere
            return ctx.finding(SKIPPED, block.callee,
                               f"{'Suite' if block.kind == 'suite' else 'Test'} '{block.title}' is skipped "
                               f"unconditionally (`{text_of(src, block.callee)}`; its comment says {reason!r}): "
                               "it never runs, even where that holds; skip on a condition that tests it "
                               "(skipIf(...)).", severity=Severity.NOTICE, confidence="low")
        return ctx.finding(SKIPPED, block.callee,
                           f"{'Suite' if block.kind == 'suite' else 'Test'} '{block.title}' is {what} "
                           f"(`{text_of(src, block.callee)}`) without a real reason: fix the code or the "
                           "test, or skip only on a stated condition (`skipIf(...)`).")

    def _skip_calls(self, ctx: FileContext, src: SourceFile, before: dict[str, Block]) -> Iterator[Finding]:
        """`this.skip()`, `ctx.skip()` and argument-less `test.skip()` run unconditionally in a
        test body."""
        found = blocks(src)
        for block in found:
            if block.kind != "test" or block.body is None or not ctx.changed(block.body):
                continue
            for node in walk(block.body):
                if node.type != "call_expression" or line_of(node) not in ctx.diff.added:
                    continue
                names = chain(src, node.child_by_field_name("function"))
                if len(names) != 2 or names[1] != "skip" or names[0] not in _SKIP_CALL_OWNERS:
                    continue
                args = call_args(node)
                if args and args[0].type != "true":
                    continue  # `test.skip(condition, reason)`: a conditional skip
                if conditional(node, block.body, _CONDITIONS):
                    continue
                if block.qualname not in before and _hollow(src, block, found, before):
                    yield _placeholder(ctx, src, node, block, [block])
                    continue
                if verdict(ctx.repo, _WORDS, _reason(src, node)) == "real":
                    continue
                yield ctx.finding(SKIPPED, node,
                                  f"Test '{block.title}' skips itself unconditionally (`{text_of(src, node)}`): "
                                  "fix the code or the test instead.")


def _never_runs(src: SourceFile, block: Block) -> bool:
    """`it.skip`/`xit`/`describe.skip`/`test.fixme` with no condition (not `skipIf`, not
    Playwright's `test.skip(condition, ...)`)."""
    mods = set(block.modifiers)
    return bool(mods & {"skip", "fixme"}) and not mods & CONDITIONAL and not _playwright_condition(src, block)


def _hollow(src: SourceFile, block: Block, found: list[Block], before: dict[str, Block]) -> list[Block]:
    """The tests of a new block (itself, or the tests of a new suite) when none of them is in the
    base version and none can fail (no assertion, throw or asserting helper); else []."""
    if block.kind == "test":
        tests = [block]
    else:
        prefix = block.qualname + " > "
        tests = [b for b in found if b.kind == "test" and b.qualname.startswith(prefix)]
    if not tests or any(t.qualname in before or "todo" in t.modifiers for t in tests):
        return []
    return [] if any(verifies(src, t.body) for t in tests) else tests


def _placeholder(ctx: FileContext, src: SourceFile, node: Node, block: Block, tests: list[Block]) -> Finding:
    how = " ".join(text_of(src, node).split())[:60]
    what = (f"New test '{block.title}' is" if block.kind == "test"
            else f"New suite '{block.title}' ({len(tests)} test{'s' if len(tests) > 1 else ''}) is")
    return ctx.finding(
        PLACEHOLDER, node,
        f"{what} always skipped (`{how}`) and asserts nothing: counted as a test, it can never fail. "
        "Write the assertions and let it run, or declare it as `it.todo` / leave it out of the change.")


def _switched_off(block: Block) -> bool:
    return block.skipped or bool(set(block.modifiers) & _SKIP_WORDS)


def _playwright_condition(src: SourceFile, block: Block) -> bool:
    """`test.skip(condition, 'reason')` called inside a test or a describe: a conditional skip."""
    args = call_args(block.node)
    if not args or string_value(src, args[0]) is not None:
        return False
    return args[0].type not in ("true",) and not any(a.type in FUNCTIONS for a in args)


def _replaces_test(ctx: FileContext, block: Block, base_blocks: list[Block]) -> bool:
    """A base test whose lines the same hunk removes sits where the todo now is."""
    line = line_of(block.node)
    for hunk in ctx.diff.hunks:
        if line not in hunk.added_lines:
            continue
        for old in base_blocks:
            if old.kind == "test" and not old.skipped and line_of(old.node) in hunk.removed_lines:
                return True
    return False


def _reason(src: SourceFile, node: Node) -> str | None:
    """The comment that explains a skip: on the skip's line or in the comment block above it."""
    line = line_of(node)
    trailing = src.line_text(line)
    parts: list[str] = []
    if "//" in trailing:
        parts.append(trailing.split("//", 1)[1])
    n = line - 1
    while n > 0:
        above = src.line_text(n).strip()
        if not above.startswith(("//", "/*", "*")):
            break
        parts.append(above.lstrip("/* "))
        n -= 1
    return " ".join(parts) if parts else None


JS = JsSkips()
