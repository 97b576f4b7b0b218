"""Hunks unrelated to what the pull request says it does.

## What it does
Splits the change into units (functions, methods, class headers, module/class-level assignments,
docstrings, comment blocks) and compares each touched unit's base and head token sequences. Units
whose change is one of these kinds are candidates:

- `python.orthogonal-edit.unrelated-reformat`: the tokens are the same, only layout, quotes or
  trailing commas differ;
- `python.orthogonal-edit.unrelated-rename`: the tokens differ only by a consistent renaming of
  names the unit binds (parameters, locals, the function itself), e.g. `tpl` -> `template`;
- `python.orthogonal-edit.unrelated-default`: only a number, boolean or short string literal
  changes (a timeout, a limit, a retry count, a flag, a keyword default), in code or as a
  `key: value` line of an application YAML/TOML/INI/.env file (tool configs are left alone);
- `python.orthogonal-edit.unrelated-collection-change`: a constant set/list/tuple/dict gains or
  loses members;
- `python.orthogonal-edit.unrelated-logic-change`: a guard (`if ...: raise/return/abort`)
  disappears from a function that otherwise shrinks, a comparison or boolean operator flips
  (`>` -> `>=`, `and` -> `or`), a condition is rewritten in another form with the opposite meaning
  (`...(!FLAG && {x})` -> `...(FLAG ? {x} : {})`, if/else branches swapped without negating, an
  early return inverted; old and new conditions are compared by truth table, so an equivalent
  rewrite such as De Morgan is not reported), or a decorator is dropped; also, for a group of hunks linked to
  each other by names (one defines or imports what another uses, or they share a diff hunk) but
  to nothing else in the change, and named nowhere in the description, a rewritten function or
  statement that swaps a call, an operator or a literal for another while keeping the rest of
  its logic (a function turned into an arrow const and renamed, its callers updated, and
  `Math.round` silently becoming `Math.floor`);
- `python.orthogonal-edit.unrelated-logic-change` also covers a function unchanged but for new
  guard clauses (an early exit) or for keyword arguments or attributes it stops passing (notices)
  and, in a change whose other touched units
  only edit docstrings and comments, each unit whose code changes (`doc_only`);
- `js.orthogonal-edit.unrelated-dependency-bump` (`dependencies`): a package.json version bump no
  changed source line names; `{python,js}.orthogonal-edit.unrelated-new-file` (`new_files`): a new
  source file nothing else in the change links to;
- `python.orthogonal-edit.unrelated-deletion`: a function, class, docstring or comment block is
  deleted, or statements are deleted from a function and nothing is added.

A candidate is reported only when it is an island: no other hunk of the change uses what it
defines, it uses nothing the change adds, the description (PR title and body, or the commit
messages) and the changed docs do not name it. When the description announces a refactor, rename
or clean-up, such edits in the files the rest of the PR works in are part of it; elsewhere they are
still reported, at low confidence, naming the announcement. Test files are never candidates; a
dropped check or added early exit that only test code links to the change is a low-confidence
notice.

## Why is this bad?
AI agents "tidy up" code next to the task: they rename variables in modules they only read, bump
a timeout, add a status to an allow-list or delete a docstring. Each drive-by edit widens the diff,
hides behaviour changes from the reviewer, who reads the description to know what to check, and
causes merge conflicts for no gain.

## Example
```python
# PR "Retry payment gateway calls on connection errors" also contains, in shipping.py:
DEFAULT_TIMEOUT = 60   # was 10
```

## Use instead
Leave `DEFAULT_TIMEOUT` alone, or change it in its own pull request that says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import ClassVar

from ...analysis.intent import Intent
from ...detector import ChangeContext, Detector, Rule
from ...models import Finding, Severity, Side
from ...parsing import line_of
from ...ruledata import data_lists
from .changes import Change, _changes, _summarise
from .clusters import _islands
from .dependencies import dependency_findings
from .doc_only import doc_pass_findings
from .kinds import _classify, _follow_renames
from .languages import SPECS
from .new_files import new_file_findings
from .rewrites import _rewrite_findings
from .rules import MERGED_KINDS, NOTICE_KINDS, RULES_OF_FAMILY, TEST_LINKED_KINDS
from .settings import _changed_docs, _setting_changes, _text_uses


class OrthogonalEdit(Detector):
    rules: ClassVar[tuple[Rule, ...]] = tuple(
        {r.id: r for rules in RULES_OF_FAMILY.values() for r in rules.values()}.values())

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        code = [f for f in ctx.files if f.language in SPECS]
        if not code:
            return []
        lists = data_lists("orthogonal-edit", ctx.repo)
        intent = Intent.parse(ctx.intent + "\n" + _changed_docs(ctx.files, lists))
        changes = [c for f in code for c in _changes(f, SPECS[f.language or ""])]
        head_defined = {c.head.name for c in changes if c.head is not None and c.head.name}
        for change in changes:
            _classify(change, head_defined)
        _follow_renames(changes)
        for change in changes:
            _summarise(change)
        settings = [c for f in ctx.files for c in _setting_changes(f, lists)]
        text_uses = _text_uses(ctx.files, {(c.path, c.added[0]) for c in settings})
        text_words = set(text_uses)
        # a file the PR adds is used by whatever names its path (a `json_url` to `versions.json`)
        text_uses |= {f.path.rsplit("/", 1)[-1] for f in ctx.files if f.diff.status == "added"}
        islands = _islands([*changes, *settings], intent, text_uses)
        # a check dropped (or an early exit added) that only the tests of this change reach
        tested = {id(c) for c in _islands([*changes, *settings], intent, text_uses, without_tests=True)
                  if c.kind in TEST_LINKED_KINDS} - {id(c) for c in islands}
        islands += [c for c in changes if id(c) in tested]
        findings = list(_report(islands, tested))
        findings += _rewrite_findings(changes, intent, text_uses, {id(c) for c in islands})
        findings += new_file_findings(changes, intent, text_words, lists.get("entry_stems"))
        findings += dependency_findings(ctx.files, intent)
        reported = {(f.path, f.line) for f in findings}
        findings += [f for f in doc_pass_findings(changes) if (f.path, f.line) not in reported]
        return findings


def _report(islands: list[Change], tested: set[int]) -> Iterator[Finding]:
    seen: set[tuple[object, ...]] = set()
    ordered = sorted(islands, key=lambda c: (c.path, c.group, _location(c)[1]))
    repeats = Counter(_same_literal(c) for c in ordered)
    for c in ordered:
        rule = RULES_OF_FAMILY[c.spec.family][c.kind]
        side, line = _location(c)
        # cosmetic edits in one diff hunk are one finding; each behaviour change is its own, but
        # one literal replaced alike in several units of a file ("master" -> "main") is one change
        group_key = _same_literal(c) or (c.path, c.group if c.kind in MERGED_KINDS else -line, rule.id)
        if group_key in seen:
            continue
        seen.add(group_key)
        severity = Severity.NOTICE if c.kind in NOTICE_KINDS or id(c) in tested else None
        low = bool(c.announced) or id(c) in tested
        message = _message(c, id(c) in tested)
        others = repeats[group_key] - 1 if _same_literal(c) else 0
        if others:
            message = message.replace(f" in {c.path};", f" in {c.path} (and alike in {others} other place(s) "
                                      "of the file);", 1)
        yield c.ctx.finding(rule, line, message, side=side, severity=severity, confidence="low" if low else None)


def _same_literal(c: Change) -> tuple[object, ...] | None:
    """The key of a literal change that replaces the same texts as others of its file."""
    return (c.path, "literal", frozenset(c.moves)) if c.kind == "literal" and c.moves else None


def _location(c: Change) -> tuple[Side, int]:
    if c.added:
        return "RIGHT", c.added[0]
    if c.removed:
        return "LEFT", c.removed[0]
    unit = c.head or c.base
    return "RIGHT", line_of(unit.node) if unit is not None else 1


def _message(c: Change, tested: bool = False) -> str:
    what = c.what[:1].upper() + c.what[1:] if c.what else "This hunk changes code"
    if c.followers:
        what += f" (and updates {c.followers} place(s) that use it)"
    advice = {
        "formatting": "leave formatting-only edits out of this PR",
        "rename": "move the rename to its own PR or mention it in the description",
        "literal": "revert it or explain the new value in the description",
        "membership": "revert it or explain the behaviour change in the description",
        "removed-check": "restore the check or explain why it is no longer needed",
        "added-guard": "leave the function alone or explain in the description when it must now stop early",
        "operator": "revert it or explain the behaviour change in the description",
        "condition-flip": "check which branch should run and revert it or explain it in the description",
        "dropped-decorator": "restore the decorator or explain why it is no longer needed",
        "dropped-option": "restore it or explain in the description why the default now applies",
    }.get(c.kind, "restore it or explain the deletion in the description")
    if tested:
        return (f"{what} in {c.path}; only test code in this PR reaches it, and the description "
                f"does not mention it; {advice}.")
    if c.announced:
        return (f"{what} in {c.path}; no other change in this PR uses it, and the description announces "
                f"\"{c.announced}\" but does not name this code; {advice}.")
    return (f"{what} in {c.path}; no other change in this PR uses it and the description does not "
            f"mention it; {advice}.")
