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
  (`>` -> `>=`, `and` -> `or`), or a decorator is dropped; also, for a group of hunks linked to
  each other by names (one defines or imports what another uses, or they share a diff hunk) but
  to nothing else in the change, and named nowhere in the description, a rewritten function or
  statement that swaps a call, an operator or a literal for another while keeping the rest of
  its logic (a function turned into an arrow const and renamed, its callers updated, and
  `Math.round` silently becoming `Math.floor`);
- `python.orthogonal-edit.unrelated-deletion`: a function, class, docstring or comment block is
  deleted, or statements are deleted from a function and nothing is added.

A candidate is reported only when it is an island: no other hunk of the change uses what it
defines, it uses nothing the change adds, the description (PR title and body, or the commit
messages) and the changed docs do not name it, and for renames, reformatting and deletions the
description does not announce a refactor, rename or cleanup. Test files are never candidates.

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

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import ClassVar

from tree_sitter import Node

from ..detector import ChangeContext, Detector, FileContext, Rule
from ..models import Finding, Severity, Side
from ..parsing import line_of, walk
from . import _intent as it
from ._intent import Intent, LangSpec, Unit

_SUMMARY = "A hunk unrelated to the PR's stated purpose"


_JS_LANGUAGES = ("javascript", "typescript", "tsx")


def _rule(family: str, name: str, severity: Severity, summary: str) -> Rule:
    languages = ("python",) if family == "python" else _JS_LANGUAGES
    return Rule(id=f"{family}.orthogonal-edit.{name}", category="orthogonal-edit",
                languages=languages, severity=severity, summary=f"{_SUMMARY}: {summary}")


def _family_rules(family: str) -> dict[str, Rule]:
    """The rule of each kind of candidate change, for one language family."""
    reformat = _rule(family, "unrelated-reformat", Severity.NOTICE, "formatting-only change")
    rename = _rule(family, "unrelated-rename", Severity.NOTICE, "pure rename")
    default = _rule(family, "unrelated-default", Severity.WARNING, "changed literal default")
    collection = _rule(family, "unrelated-collection-change", Severity.WARNING,
                       "constant collection gains or loses members")
    logic = _rule(family, "unrelated-logic-change", Severity.WARNING,
                  "guard removed, operator flipped, decorator dropped or a call, operator or "
                  "literal swapped in a rewritten function")
    deletion = _rule(family, "unrelated-deletion", Severity.NOTICE,
                     "deleted function, class, docstring or comment")
    return {
        "formatting": reformat,
        "rename": rename,
        "literal": default,
        "membership": collection,
        "removed-check": logic,
        "operator": logic,
        "dropped-decorator": logic,
        "deleted-function": deletion,
        "deleted-docstring": deletion,
        "deleted-comment": deletion,
        "deleted-code": deletion,
    }


RULES_OF_FAMILY: dict[str, dict[str, Rule]] = {f: _family_rules(f) for f in ("python", "js")}
RULE_OF_KIND = RULES_OF_FAMILY["python"]
REFORMAT, RENAME, DEFAULT, COLLECTION, LOGIC, DELETION = (
    RULE_OF_KIND[k] for k in ("formatting", "rename", "literal", "membership", "operator",
                              "deleted-function"))
ANNOUNCED_BY_REFACTOR = frozenset({"formatting", "rename"})
ANNOUNCED_BY_CLEANUP = frozenset({"deleted-function", "deleted-docstring", "deleted-comment",
                                  "deleted-code"})
MERGED_KINDS = ANNOUNCED_BY_REFACTOR | ANNOUNCED_BY_CLEANUP
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".ini", ".cfg", ".env", ".properties", ".conf")
# tool configuration (coverage, linters, CI, packaging) belongs to test-tampering and packaging
TOOL_CONFIGS = frozenset({"pyproject.toml", "setup.cfg", "tox.ini", ".coveragerc", "pytest.ini",
                          "mypy.ini", "ruff.toml", ".ruff.toml", ".flake8", ".pylintrc",
                          ".pre-commit-config.yaml", "codecov.yml", ".codecov.yml",
                          "docker-compose.yml", "docker-compose.yaml", "compose.yaml",
                          "poetry.lock", "pdm.lock", "uv.lock", "mkdocs.yml", ".readthedocs.yaml",
                          "renovate.json", ".travis.yml", ".gitlab-ci.yml", "azure-pipelines.yml",
                          "environment.yml", "pnpm-lock.yaml", "netlify.toml", "cargo.toml"})
SETTING = re.compile(r"^\s*(?:-\s*)?([A-Za-z_][\w.-]*)\s*[:=]\s*(\S.*?)\s*(?:\s#.*)?$")
DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc")
ABORT_CALLS = ("abort", "deny", "forbid", "reject", "unauthori", "permission")
MAX_STRING_LITERAL = 40
OPERATORS = frozenset({"<", "<=", ">", ">=", "==", "!=", "and", "or", "is", "in", "+", "-", "*",
                       "/", "//", "%", "&&", "||", "===", "!==", "min", "max", "any", "all"})
VERSION = re.compile(r"version", re.IGNORECASE)
TEST_CALLS = frozenset({"test", "it", "describe", "suite", "bench"})


@dataclass
class Change:
    """One unit of one file as the change leaves it: base and head versions, changed lines."""

    ctx: FileContext
    spec: LangSpec
    base: Unit | None
    head: Unit | None
    added: list[int]
    removed: list[int]
    group: int
    kind: str = "other"
    what: str = ""  # for messages: what the hunk does
    mentions: list[str] = field(default_factory=list)  # identifiers the description may name
    values: list[str] = field(default_factory=list)  # literal values the description may quote
    uses: set[str] = field(default_factory=set)
    defines: set[str] = field(default_factory=set)
    new_refs: set[str] = field(default_factory=set)
    swaps: dict[str, str] = field(default_factory=dict)  # identifiers replaced one-to-one
    followers: int = 0  # hunks that only update references to what this change renames

    @property
    def path(self) -> str:
        return self.ctx.path

    @property
    def name(self) -> str:
        unit = self.head or self.base
        return unit.key if unit is not None else ""


class OrthogonalEdit(Detector):
    rules: ClassVar[tuple[Rule, ...]] = tuple(
        {r.id: r for rules in RULES_OF_FAMILY.values() for r in rules.values()}.values())

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        code = [f for f in ctx.files if f.language in it.SPECS]
        if not code:
            return []
        intent = Intent.parse(ctx.intent + "\n" + _changed_docs(ctx.files))
        changes = [c for f in code for c in _changes(f, it.SPECS[f.language or ""])]
        head_defined = {c.head.name for c in changes if c.head is not None and c.head.name}
        for change in changes:
            _classify(change, head_defined)
        _follow_renames(changes)
        for change in changes:
            _summarise(change)
        settings = [c for f in ctx.files for c in _setting_changes(f)]
        text_uses = _text_uses(ctx.files, {(c.path, c.added[0]) for c in settings})
        islands = _islands([*changes, *settings], intent, text_uses)
        findings = list(_report(islands))
        findings += _rewrite_findings(changes, intent, text_uses, {id(c) for c in islands})
        return findings


# --- collecting changed units -------------------------------------------------------------


def _changes(ctx: FileContext, spec: LangSpec) -> list[Change]:
    head_units = it.extract(ctx.head, spec) if ctx.head is not None else []
    base_units = it.extract(ctx.base, spec) if ctx.base is not None else []
    added, removed = ctx.diff.added, ctx.diff.removed
    line_group = _line_groups(ctx)
    touched_head = [u for u in head_units if u.lines & added]
    touched_base = [u for u in base_units if u.lines & removed]
    head_by_key = {u.key: u for u in head_units}
    base_by_key = {u.key: u for u in base_units}
    pairs: list[tuple[Unit | None, Unit | None]] = []
    done_head: set[str] = set()
    done_base: set[str] = set()
    for unit in touched_head:
        other = base_by_key.get(unit.key)
        pairs.append((other, unit))
        done_head.add(unit.key)
        if other is not None:
            done_base.add(other.key)
    for unit in touched_base:
        if unit.key in done_base:
            continue
        other = head_by_key.get(unit.key)
        if other is not None and other.key in done_head:
            continue
        pairs.append((unit, other))
    pairs = _pair_leftovers(pairs, line_group, added, removed)
    out = []
    for base, head in pairs:
        add = sorted(head.lines & added) if head is not None else []
        rem = sorted(base.lines & removed) if base is not None else []
        first = add[0] if add else rem[0] if rem else 0
        group = line_group.get(("R" if add else "L", first), -1)
        out.append(Change(ctx, spec, base, head, add, rem, group))
    return out


def _line_groups(ctx: FileContext) -> dict[tuple[str, int], int]:
    """The display hunk of every added (R) and removed (L) line."""
    groups = it.display_groups(ctx.diff.hunks)
    out: dict[tuple[str, int], int] = {}
    for hunk, group in zip(ctx.diff.hunks, groups, strict=True):
        for n in hunk.added_lines:
            out[("R", n)] = group
        for n in hunk.removed_lines:
            out[("L", n)] = group
    return out


def _pair_leftovers(pairs: list[tuple[Unit | None, Unit | None]],
                    line_group: dict[tuple[str, int], int], added: frozenset[int],
                    removed: frozenset[int]) -> list[tuple[Unit | None, Unit | None]]:
    """Pair a unit only in base with one only in head when they sit in the same display hunk
    and are of the same kind (a renamed function, a rewritten statement)."""
    only_base = [b for b, h in pairs if h is None and b is not None]
    only_head = [h for b, h in pairs if b is None and h is not None]

    def group_of(unit: Unit, side: str, lines: frozenset[int]) -> int:
        changed = sorted(unit.lines & lines)
        return line_group.get((side, changed[0]), -1) if changed else -2

    matched: dict[int, Unit] = {}
    for old in only_base:
        options = [new for new in only_head if new.kind == old.kind and new.prefix == old.prefix
                   and new.node.type == old.node.type
                   and group_of(new, "R", added) == group_of(old, "L", removed)
                   and id(new) not in {id(x) for x in matched.values()}]
        if len(options) == 1:
            matched[id(old)] = options[0]
    used = {id(h) for h in matched.values()}
    out: list[tuple[Unit | None, Unit | None]] = []
    for b, h in pairs:
        if h is None and b is not None and id(b) in matched:
            out.append((b, matched[id(b)]))
        elif b is None and h is not None and id(h) in used:
            continue
        else:
            out.append((b, h))
    return out


# --- classifying a change -------------------------------------------------------------------


def _classify(change: Change, head_defined: set[str]) -> None:
    base, head = change.base, change.head
    if any(_broken(u) for u in (base, head)):
        change.kind = "other"  # tree-sitter recovered from a syntax error: no fine judgement
    elif base is None:
        change.kind = "added"
    elif head is None:
        change.kind = _deletion_kind(change, base, head_defined)
    elif base.text() == head.text():
        change.kind = "noop"
    else:
        change.kind = _modification_kind(change, base, head)


def _broken(unit: Unit | None) -> bool:
    return unit is not None and unit.node.has_error


def _deletion_kind(change: Change, base: Unit, head_defined: set[str]) -> str:
    if change.ctx.diff.status == "deleted":
        return "other"
    if base.kind in ("def", "class") and base.name and base.name not in head_defined:
        return "deleted-function"
    if base.kind == "doc":
        return "deleted-docstring"
    if base.kind == "comment" and _plain_comment(base, change):
        return "deleted-comment"
    return "other"


def _plain_comment(unit: Unit, change: Change) -> bool:
    """A prose comment (not a TODO, not commented-out code) that did not move elsewhere."""
    head_text = change.ctx.head.text if change.ctx.head is not None else ""
    for comment in unit.comments:
        body = comment.lstrip("#/ ").strip()
        if body.upper().startswith(("TODO", "FIXME", "XXX", "HACK", "NOQA", "TYPE:", "PRAGMA")):
            return False
        if _looks_like_code(body) or comment.strip() in head_text:
            return False
    return True


def _looks_like_code(text: str) -> bool:
    return (text.endswith((")", ":", "]", "}", ",")) or " = " in text
            or text.startswith(("return ", "import ", "from ", "def ", "if ", "for ", "print(")))


def _modification_kind(change: Change, base: Unit, head: Unit) -> str:
    bk, hk = base.keys, head.keys
    if bk == hk:
        if base.comments == head.comments:
            return "formatting"
        return "deleted-comment" if _only_removed(base.comments, head.comments) else "other"
    if base.has_doc and not head.has_doc and base.keys_without_doc == hk:
        return "deleted-docstring"
    if len(bk) != len(hk) and len(base.keys_without_doc) == len(head.keys_without_doc):
        # a docstring added or edited next to the edit does not make it less cosmetic
        base = replace(base, tokens=[t for t in base.tokens if not t.doc])
        head = replace(head, tokens=[t for t in head.tokens if not t.doc])
        bk, hk = base.keys, head.keys
    if len(bk) == len(hk):
        diffs = [i for i, (a, b) in enumerate(zip(bk, hk, strict=True)) if a != b]
        if not diffs:
            return "other"  # only a docstring was added or edited
        if all(bk[i][0] == "id" and hk[i][0] == "id" for i in diffs):
            return "rename" if _consistent_rename(change, base, head, diffs) else "other"
        if all(bk[i][0] in ("lit", "str") and hk[i][0] in ("lit", "str") for i in diffs):
            return "literal" if _literal_change(change, base, head, diffs) else "other"
        if all(bk[i][1] in OPERATORS and hk[i][1] in OPERATORS for i in diffs):
            return "operator" if _operator_change(change, base, head, diffs) else "other"
    if _membership_change(change, base, head):
        return "membership"
    if _removed_check(change, base, head):
        return "removed-check"
    if _dropped_decorator(change, base, head):
        return "dropped-decorator"
    if _deleted_code(change, base, head):
        return "deleted-code"
    return "other"


def _operator_change(change: Change, base: Unit, head: Unit, diffs: list[int]) -> bool:
    old, new = base.tokens[diffs[0]], head.tokens[diffs[0]]
    expr = new.node.parent if new.node.parent is not None else new.node
    text = " ".join(head.src.node_text(expr).split())
    if len(text) > 80:
        text = text[:77] + "..."
    change.what = f"`{head.key}` changes `{old.text}` to `{new.text}` in `{text}`"
    change.mentions = [head.name]
    return True


def _dropped_decorator(change: Change, base: Unit, head: Unit) -> bool:
    """The definition is unchanged but loses a decorator (`@login_required`, `@transaction`)."""
    before = _decorators(base)
    after = {head.src.node_text(d).strip() for d in _decorator_nodes(head)}
    lost = [d for d in before if d not in after]
    if not lost or len(after) >= len(before):
        return False
    spans = [(before[d].start_byte, before[d].end_byte) for d in lost]
    kept = [t.key for t in base.tokens
            if not any(a <= t.node.start_byte < b for a, b in spans)]
    if kept != head.keys:
        return False
    change.what = f"`{base.key}` loses its `{lost[0]}` decorator"
    change.mentions = [base.name, lost[0].lstrip("@").split("(")[0]]
    return True


def _decorators(unit: Unit) -> dict[str, Node]:
    return {unit.src.node_text(d).strip(): d for d in _decorator_nodes(unit)}


def _decorator_nodes(unit: Unit) -> list[Node]:
    return [c for c in unit.node.children if c.type == "decorator"]


def _deleted_code(change: Change, base: Unit, head: Unit) -> bool:
    """Lines deleted from a function and nothing added in their place."""
    if change.added or not change.removed or base.kind != "def":
        return False
    removed = [base.src.line_text(n).strip() for n in change.removed]
    code = [line for line in removed if line and not line.startswith("#")]
    if not code:
        return False
    shown = code[0] if len(code[0]) <= 60 else code[0][:57] + "..."
    change.what = f"deletes `{shown}`" + (f" and {len(code) - 1} more line(s)" if len(code) > 1
                                         else "") + f" from `{base.key}`"
    change.mentions = [base.name]
    return True


def _follow_renames(changes: list[Change]) -> None:
    """A hunk that only updates references to a definition the change renames belongs to that
    rename: it is neither a separate finding nor part of the main change."""
    renamed: dict[str, Change] = {}
    for c in changes:
        if c.kind == "rename" and c.base and c.head and c.base.name != c.head.name:
            renamed[c.base.name] = c
    for c in changes:
        owners = _rename_owners(c, renamed) if c.kind == "other" and c.swaps else None
        if owners:
            c.kind = "rename-follow"
            for owner in owners:
                owner.followers += 1


def _rename_owners(c: Change, renamed: dict[str, Change]) -> list[Change] | None:
    owners = []
    for old, new in c.swaps.items():
        owner = renamed.get(old)
        if owner is None or owner.head is None or owner.head.name != new:
            return None
        owners.append(owner)
    return owners


def _only_removed(before: list[str], after: list[str]) -> bool:
    left = Counter(before)
    left.subtract(Counter(after))
    return all(v >= 0 for v in left.values()) and any(v > 0 for v in left.values())


def _consistent_rename(change: Change, base: Unit, head: Unit, diffs: list[int]) -> bool:
    """Every differing identifier maps one-to-one, everywhere, and names something the unit
    binds itself (a parameter, a local, the definition's own name)."""
    mapping: dict[str, str] = {}
    reverse: dict[str, str] = {}
    for i in diffs:
        old, new = base.tokens[i].text, head.tokens[i].text
        if mapping.setdefault(old, new) != new or reverse.setdefault(new, old) != old:
            return False
    diff_set = set(diffs)
    for i, tok in enumerate(base.tokens):
        if i not in diff_set and tok.cls == "id" and tok.text in mapping:
            return False
    bound = {t.text for t in base.tokens if t.cls == "id" and it.is_binding(t, change.spec)}
    if not set(mapping) <= bound:
        change.swaps = mapping
        return False
    pairs = ", ".join(f"{old} -> {new}" for old, new in mapping.items())
    change.what = f"only renames {pairs} in `{base.key}`"
    change.mentions = [*mapping, *mapping.values(), base.name]
    change.new_refs = set(mapping.values())
    return True


def _literal_change(change: Change, base: Unit, head: Unit, diffs: list[int]) -> bool:
    constant = head.kind == "assign"
    for i in diffs:
        old, new = base.tokens[i], head.tokens[i]
        if _not_a_setting(new.node, change.spec) or _not_a_setting(old.node, change.spec):
            return False
        if "str" in (old.cls, new.cls) and not (_short(old.text, constant)
                                               and _short(new.text, constant)):
            return False
    first_old, first_new = base.tokens[diffs[0]], head.tokens[diffs[0]]
    label, names = _literal_owner(first_new.node, head, change.spec)
    if any(VERSION.search(n) for n in (*names, head.key)):
        return False  # a version bump is bookkeeping, not a behaviour change
    old_text = _clip(base.src.node_text(first_old.node))
    new_text = _clip(head.src.node_text(first_new.node))
    more = f" (and {len(diffs) - 1} more literal(s))" if len(diffs) > 1 else ""
    change.what = f"{label} changes {old_text} -> {new_text}{more}"
    change.mentions = [*names, head.name]
    change.values = [head.tokens[i].text for i in diffs]
    return True


def _not_a_setting(node: Node, spec: LangSpec) -> bool:
    """A literal that is a module path (`import ... from "./x.js"`, `require("node:fs")`) or
    a TypeScript literal type, not a value the program runs with."""
    parent = node.parent
    if parent is None:
        return False
    if parent.type in ("import_statement", "export_statement", "literal_type"):
        return True
    call = parent.parent if parent.type in spec.argument_lists else None
    callee = call.child_by_field_name("function") if call is not None else None
    return callee is not None and callee.type in ("import", "identifier") \
        and callee.text in (b"require", b"import")


def _short(text: str, constant: bool) -> bool:
    """A string that reads as a setting: short, and without spaces unless it is a constant."""
    if constant:
        return len(text) <= 2 * MAX_STRING_LITERAL
    return len(text) <= MAX_STRING_LITERAL and not any(c.isspace() for c in text)


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _literal_owner(node: Node, unit: Unit, spec: LangSpec) -> tuple[str, list[str]]:
    """How to call the setting a literal belongs to, and the names the description may use for
    it: the keyword argument, parameter or dict key, the assignment target, and the other string
    arguments of the call (`os.environ.get("WMS_URL", "...")`)."""
    names: list[str] = []
    label = ""
    call = ""
    cur: Node | None = node
    while cur is not None and cur.start_byte >= unit.node.start_byte:
        if cur.type in spec.argument_lists and not names:
            names += [unit.src.node_text(a).strip("'\"") for a in cur.named_children
                      if a.type in spec.string_types and a.start_byte != node.start_byte]
        if cur.type in spec.call_types and not call:
            call = _clip(unit.src.node_text(cur))
        if cur.type in spec.keyed_types:
            key = (cur.child_by_field_name("name") or cur.child_by_field_name("key")
                   or cur.child_by_field_name("left"))
            if key is not None:
                name = unit.src.node_text(key).strip("'\"")
                names.append(name)
                label = label or (f"`{name}` in `{unit.key}`" if unit.key != name else f"`{name}`")
        if cur.type in spec.assign_types:
            left = it.assign_target(cur)
            target = unit.src.node_text(left) if left is not None else unit.key
            names.append(target)
            whole = unit.kind == "assign"
            label = label or (f"`{unit.key}`" if whole else f"`{target}` in `{unit.key}`")
            break
        cur = cur.parent
    if not label:
        label = f"`{unit.key}`" + (f" (in `{call}`)" if call else "")
    return label, names


def _collection(unit: Unit, spec: LangSpec) -> Node | None:
    if unit.kind != "assign":
        return None
    assign = it.assignment_of(unit.node, spec)
    value = it.assign_value(assign) if assign is not None else None
    if value is not None and value.type in spec.call_types:
        args = value.child_by_field_name("arguments")
        if args is not None and args.named_child_count == 1:
            value = args.named_children[0]
    return value if value is not None and value.type in spec.collection_types else None


def _membership_change(change: Change, base: Unit, head: Unit) -> bool:
    old, new = _collection(base, change.spec), _collection(head, change.spec)
    if old is None or new is None or old.type != new.type:
        return False
    old_items = Counter(_element(n, base, change.spec) for n in old.named_children if n.type != "comment")
    new_items = Counter(_element(n, head, change.spec) for n in new.named_children if n.type != "comment")
    gained, lost = new_items - old_items, old_items - new_items
    if not gained and not lost:
        return False
    parts = []
    if gained:
        parts.append("gains " + ", ".join(sorted(gained)))
    if lost:
        parts.append("loses " + ", ".join(sorted(lost)))
    change.what = f"{head.key} {' and '.join(parts)}"
    change.mentions = [head.key]
    change.values = [v.strip("'\"") for v in (*gained, *lost)]
    return True


def _element(node: Node, unit: Unit, spec: LangSpec) -> str:
    key = node.child_by_field_name("key") if spec.keyed_members else None
    return " ".join(unit.src.node_text(key if key is not None else node).split())


def _guards(unit: Unit, spec: LangSpec) -> dict[str, Node]:
    """The guard clauses of a unit (`if cond: raise/return/abort(...)`), by condition text."""
    out: dict[str, Node] = {}
    for node in walk(unit.node):
        if node.type not in spec.if_types:
            continue
        cond = node.child_by_field_name("condition")
        body = node.child_by_field_name("consequence")
        if cond is None or body is None:
            continue
        statements = body.named_children if body.type in spec.block_types else [body]
        if len(statements) > 2:
            continue
        if any(_exits(stmt, unit, spec) for stmt in statements):
            out[" ".join(unit.src.node_text(cond).split())] = node
    return out


def _exits(stmt: Node, unit: Unit, spec: LangSpec) -> bool:
    if stmt.type in spec.exit_types:
        return True
    text = unit.src.node_text(stmt).lower()
    return stmt.type in spec.statement_wrappers and text.startswith(ABORT_CALLS) and "(" in text


def _removed_check(change: Change, base: Unit, head: Unit) -> bool:
    if base.kind != "def" or len(head.tokens) >= len(base.tokens):
        return False
    before, after = _guards(base, change.spec), _guards(head, change.spec)
    gone = [cond for cond in before if cond not in after]
    if not gone or set(after) - set(before):
        return False
    change.what = f"`{base.key}` drops the check `{gone[0]}`"
    change.mentions = [base.name]
    return True


# --- what a change defines and uses -----------------------------------------------------------


def _summarise(change: Change) -> None:
    units = [u for u in (change.base, change.head) if u is not None]
    for unit in units:
        if unit.name:
            change.defines.add(unit.name)
    if change.base is not None and change.head is not None:
        # a modified unit uses what its changed lines name (the hunk, not the whole function)
        change.uses |= _names_on(change.head, set(change.added))
        change.uses |= _names_on(change.base, set(change.removed))
        change.new_refs |= change.head.identifiers() - change.base.identifiers()
    else:
        for unit in units:
            change.uses |= unit.identifiers() | unit.strings()
    if not change.what:
        change.what = _default_what(change)
    if not change.mentions:
        change.mentions = [u.name for u in units if u.name]


def _names_on(unit: Unit, lines: set[int]) -> set[str]:
    return {t.text for t in unit.tokens
            if t.cls in ("id", "str") and line_of(t.node) in lines}


def _default_what(change: Change) -> str:
    unit = change.head or change.base
    label = f"`{unit.key}`" if unit is not None and unit.name else "a block"
    return {
        "formatting": f"{label} is only reformatted (same tokens)",
        "deleted-function": f"deletes {label}",
        "deleted-docstring": _docstring_label(unit),
        "deleted-comment": "deletes a comment" + (f" in {label}" if unit and unit.name else ""),
    }.get(change.kind, f"changes {label}")


def _docstring_label(unit: Unit | None) -> str:
    if unit is None:
        return "deletes a docstring"
    owner = unit.key.removesuffix("__doc__").rstrip(".")
    return f"deletes the docstring of `{owner}`" if owner else "deletes the module docstring"


def _changed_docs(files: tuple[FileContext, ...]) -> str:
    """Added and removed lines of documentation files: a changelog entry announces a change."""
    out = []
    for f in files:
        if f.path.lower().endswith(DOC_SUFFIXES):
            out += [line for h in f.diff.hunks for line in (*h.added, *h.removed)]
    return "\n".join(out)


def _text_uses(files: tuple[FileContext, ...], skip: set[tuple[str, int]]) -> set[str]:
    """Words of changed lines in files without a symbol graph (config, SQL, other languages),
    leaving out the `skip` (path, added line) setting changes that are candidates themselves."""
    words: set[str] = set()
    for f in files:
        if f.language in it.SPECS:
            continue
        for hunk in f.diff.hunks:
            if (f.path, hunk.new_start) in skip:
                continue
            for line in (*hunk.added, *hunk.removed):
                words |= set(it.IDENTIFIER.findall(line))
    return words


def _setting_changes(f: FileContext) -> Iterator[Change]:
    """`key: value` lines of YAML/TOML/INI/.env files whose only change is a scalar value."""
    name = PurePosixPath(f.path).name.lower()
    if (not name.endswith(CONFIG_SUFFIXES) or name in TOOL_CONFIGS or f.diff.status != "modified"
            or any(part.startswith(".") for part in PurePosixPath(f.path).parts[:-1])):
        return
    for group, hunk in enumerate(f.diff.hunks):
        if len(hunk.removed) != 1 or len(hunk.added) != 1:
            continue
        old, new = SETTING.match(hunk.removed[0]), SETTING.match(hunk.added[0])
        if old is None or new is None or old.group(1) != new.group(1):
            continue
        key, before, after = new.group(1), old.group(2), new.group(2)
        if before == after or not (_scalar(before) and _scalar(after)) or VERSION.search(key):
            continue
        short = key.rsplit(".", 1)[-1]
        yield Change(f, it.PYTHON, None, None, [hunk.new_start], [hunk.old_start], group,
                     kind="literal", what=f"`{key}` changes {before} -> {after}",
                     mentions=[key, short], values=[after.strip("'\"")], defines={short, key})


def _scalar(value: str) -> bool:
    """A number, boolean or short quoted/bare word: a setting, not a structure or a version."""
    v = value.strip().strip("'\"")
    if not v or len(v) > MAX_STRING_LITERAL or any(c.isspace() for c in v):
        return False
    return not re.fullmatch(r"v?\d+(\.\d+){2,}.*|[\[{].*|[>=<~^].*", v)


# --- clustering ---------------------------------------------------------------------------------


def _is_test(path: str) -> bool:
    p = PurePosixPath(path)
    name = p.name
    return (
        name.startswith("test_") or name.endswith(("_test.py", "conftest.py"))
        or ".test." in name or ".spec." in name
        or any(part in ("tests", "test", "testing", "__tests__", "spec") for part in p.parts[:-1])
    )


def _is_candidate(change: Change, intent: Intent) -> bool:
    if change.kind not in RULE_OF_KIND or _is_test(change.path) or _test_call(change):
        return False
    if change.kind in ANNOUNCED_BY_REFACTOR and intent.announces_refactor:
        return False
    if change.kind in ANNOUNCED_BY_CLEANUP and intent.announces_cleanup:
        return False
    return not _mentioned(change, intent)


def _test_call(change: Change) -> bool:
    """An in-source test: a top-level `test(...)`, `it(...)` or `describe(...)` statement."""
    unit = change.head or change.base
    if unit is None or unit.kind != "stmt":
        return False
    words = it.IDENTIFIER.findall(unit.src.node_text(unit.node)[:40])
    return bool(words) and words[0] in TEST_CALLS


def _mentioned(change: Change, intent: Intent) -> bool:
    if intent.mentions_any(change.mentions):
        return True
    return any(intent.mentions_value(v) for v in change.values if len(v) >= 2)


def _islands(changes: list[Change], intent: Intent, text_uses: set[str]) -> list[Change]:
    real = [c for c in changes if c.kind not in ("noop", "rename-follow")]
    candidates = [c for c in real if _is_candidate(c, intent)]
    cand_ids = {id(c) for c in candidates}
    main = [c for c in real if id(c) not in cand_ids]
    if not main and not text_uses:
        return []  # the whole change is of one kind: that is what the PR does
    uses = set(text_uses)
    defines: set[str] = set()
    for c in main:
        uses |= c.uses
        defines |= c.defines
    pending = list(candidates)
    grew = True
    while grew:
        grew = False
        for c in list(pending):
            if _linked(c, uses, defines, main):
                pending.remove(c)
                uses |= c.uses
                defines |= c.defines
                main.append(c)
                grew = True
    return pending


def _linked(c: Change, uses: set[str], defines: set[str], main: list[Change]) -> bool:
    if c.defines & uses or c.new_refs & defines:
        return True
    if c.kind in ("deleted-comment", "deleted-docstring"):
        return _beside_main(c, main)
    return False


def _beside_main(c: Change, main: list[Change]) -> bool:
    """A deleted comment or docstring in the same display hunk as, or above, a main change."""
    anchor = c.base.next_key if c.base is not None else ""
    owner = c.base.prefix.rstrip(".") if c.base is not None else ""
    for m in main:
        if m.path != c.path:
            continue
        if m.group == c.group or m.name in (anchor, owner):
            return True
    return False


# --- rewritten islands --------------------------------------------------------------------------
# A group of hunks connected to each other by symbols but to nothing else in the change, that
# the description does not name, and in which a rewritten unit swaps a call, an operator or a
# literal (`Math.round` -> `Math.floor` inside a function also turned into an arrow const).

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


def _clusters(changes: list[Change]) -> list[list[Change]]:
    """Changes connected by a name one defines (or imports) and another uses, or shown in the
    same diff hunk."""
    parent = list(range(len(changes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    owners: dict[object, int] = {}
    for i, c in enumerate(changes):
        for name in _bound_names(c):
            union(i, owners.setdefault(name, i))
        union(i, owners.setdefault((c.path, c.group), i))
    for i, c in enumerate(changes):
        for name in c.uses | c.new_refs:
            j = owners.get(name)
            if j is not None:
                union(i, j)
    groups: dict[int, list[Change]] = {}
    for i, c in enumerate(changes):
        groups.setdefault(find(i), []).append(c)
    return list(groups.values())


def _bound_names(c: Change) -> set[str]:
    units = [u for u in (c.base, c.head) if u is not None]
    if any(u.kind == "import" for u in units):
        return c.defines | c.uses  # the names an import statement brings in
    return set(c.defines)


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
    return any(it.content_stems(w) & intent.stems for w in words if w)


def _distinctive(name: str) -> bool:
    """A name of two or more content words (`onUploadProgress`), not a common word (`product`)."""
    return len(it.content_stems(name)) >= 2


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
        names = it.IDENTIFIER.findall(unit.src.node_text(callee))
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


# --- reporting ------------------------------------------------------------------------------------


def _report(islands: list[Change]) -> Iterator[Finding]:
    seen: set[tuple[str, int, str]] = set()
    for c in sorted(islands, key=lambda c: (c.path, c.group, _location(c)[1])):
        rule = RULES_OF_FAMILY[c.spec.family][c.kind]
        side, line = _location(c)
        # cosmetic edits in one diff hunk are one finding; each behaviour change is its own
        group_key = (c.path, c.group if c.kind in MERGED_KINDS else -line, rule.id)
        if group_key in seen:
            continue
        seen.add(group_key)
        yield c.ctx.finding(rule, line, _message(c), side=side)


def _location(c: Change) -> tuple[Side, int]:
    if c.added:
        return "RIGHT", c.added[0]
    if c.removed:
        return "LEFT", c.removed[0]
    unit = c.head or c.base
    return "RIGHT", line_of(unit.node) if unit is not None else 1


def _message(c: Change) -> str:
    what = c.what[:1].upper() + c.what[1:] if c.what else "This hunk changes code"
    if c.followers:
        what += f" (and updates {c.followers} place(s) that use it)"
    advice = {
        "formatting": "leave formatting-only edits out of this PR",
        "rename": "move the rename to its own PR or mention it in the description",
        "literal": "revert it or explain the new value in the description",
        "membership": "revert it or explain the behaviour change in the description",
        "removed-check": "restore the check or explain why it is no longer needed",
        "operator": "revert it or explain the behaviour change in the description",
        "dropped-decorator": "restore the decorator or explain why it is no longer needed",
    }.get(c.kind, "restore it or explain the deletion in the description")
    return (f"{what} in {c.path}, which nothing else in this PR touches and the description "
            f"does not mention; {advice}.")
