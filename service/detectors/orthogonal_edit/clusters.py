"""Linking changes and finding islands for the orthogonal-edit detector.

A candidate change is an island when no other hunk uses what it defines, it uses nothing the
change adds, and the description does not name it (`_islands`). `_clusters` groups changes
connected by a name one defines or imports and another uses, or shown in the same diff hunk.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from ...analysis.intent import CLEANUP, IDENTIFIER, REFACTOR, Intent
from ...parsing import line_of
from .changes import Change
from .rules import ANNOUNCED_BY_CLEANUP, ANNOUNCED_BY_REFACTOR, RULE_OF_KIND

TEST_CALLS = frozenset({"test", "it", "describe", "suite", "bench"})


def _is_test(path: str) -> bool:
    p = PurePosixPath(path)
    name = p.name
    return (
        name.startswith("test_") or name.endswith(("_test.py", "conftest.py"))
        or ".test." in name or ".spec." in name
        or any(part in ("tests", "test", "testing", "__tests__", "spec") for part in p.parts[:-1])
    )


CONFLICT_MARKER = re.compile(r"^(<{7}|>{7})( |$)|^={7}$")


def resolves_conflict(change: Change) -> bool:
    """The file's diff removes merge-conflict markers: its hunks resolve a conflict."""
    return any(CONFLICT_MARKER.match(line) for h in change.ctx.diff.hunks for line in h.removed)


def _is_candidate(change: Change, intent: Intent) -> bool:
    if change.kind not in RULE_OF_KIND or _is_test(change.path) or _test_call(change):
        return False
    if resolves_conflict(change):
        return False
    if _mentioned(change, intent):
        return False
    # a "refactor"/"clean-up" in the description lowers the confidence; it does not hide the edit
    found = (REFACTOR.search(intent.text) if change.kind in ANNOUNCED_BY_REFACTOR
             else CLEANUP.search(intent.text) if change.kind in ANNOUNCED_BY_CLEANUP else None)
    change.announced = found.group(0) if found else ""
    return True


def _test_call(change: Change) -> bool:
    """An in-source test: a top-level `test(...)`, `it(...)` or `describe(...)` statement."""
    unit = change.head or change.base
    if unit is None or unit.kind != "stmt":
        return False
    words = IDENTIFIER.findall(unit.src.node_text(unit.node)[:40])
    if words[:3] == ["import", "meta", "vitest"]:  # vitest in-source tests
        return True
    return bool(words) and words[0] in TEST_CALLS


def _mentioned(change: Change, intent: Intent) -> bool:
    if intent.mentions_any(change.mentions):
        return True
    if any(intent.mentions_value(v) for v in change.values if len(v) >= 2):
        return True
    # a compound identifier on the changed lines (`userCount`, `max_retries`) that the description names
    return any(w.lower() in intent.tokens for w in _changed_words(change) if _COMPOUND.search(w))


_COMPOUND = re.compile(r"^_?[a-z0-9]+(?:_[A-Za-z0-9]+)+$|^[a-z][a-z0-9]*[A-Z]\w*$|^[A-Z][a-z0-9]+[A-Z]\w*$")


def _changed_words(change: Change) -> set[str]:
    words: set[str] = set()
    for unit, lines in ((change.head, set(change.added)), (change.base, set(change.removed))):
        if unit is None:
            continue
        for n in lines:  # the raw lines: a multi-line template or SQL string is one token
            words |= {w for w in IDENTIFIER.findall(unit.src.line_text(n)) if len(w) >= 5}
    return words


def _islands(changes: list[Change], intent: Intent, text_uses: set[str],
             without_tests: bool = False) -> list[Change]:
    """The candidates nothing else in the change links to (`without_tests`: links through test
    code left out, since a test calls what it tests whether or not the change needs the edit)."""
    real = [c for c in changes if c.kind not in ("noop", "rename-follow")
            and not (without_tests and (_is_test(c.path) or _test_call(c)))]
    stamps = _version_stamps(real)
    candidates = [c for c in real if not _beside_stamp(c, stamps) and _is_candidate(c, intent)]
    cand_ids = {id(c) for c in candidates}
    main = [c for c in real if id(c) not in cand_ids]
    # an announced refactor or clean-up covers the files the rest of the PR works in
    worked = {c.path for c in changes if c.kind != "noop" and id(c) not in cand_ids}
    announced = [c for c in candidates if c.announced and c.path in worked]
    if announced:
        candidates = [c for c in candidates if not (c.announced and c.path in worked)]
        main += announced
    if not text_uses and all(_prose(c) for c in main):
        return []  # the whole change is of one kind (comments aside): that is what the PR does
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
    worked |= {c.path for c in main}
    return [c for c in pending if not (c.announced and c.path in worked)]


def _prose(c: Change) -> bool:
    """A change that only adds or edits comments or docstrings: no code of its own."""
    return all(u.kind in ("comment", "doc") for u in (c.base, c.head) if u is not None)


VERSION_VALUE = re.compile(r"^v?\d+(?:\.\d+)+(?:[A-Za-z]+\d*)?(?:[.+-][A-Za-z0-9]+)*$")


def _version_stamps(changes: list[Change]) -> set[tuple[str, int]]:
    """The added lines that bump a version string (`"2.34.1"` -> `"2.34.2"`), and the files
    they are in (as `(path, 0)`)."""
    out: set[tuple[str, int]] = set()
    for c in changes:
        if c.base is None or c.head is None:
            continue
        old = [t.text for t in c.base.tokens if t.cls == "str" and _version(t.text)]
        new = [t.text for t in c.head.tokens if t.cls == "str" and _version(t.text)]
        if old and new and old != new:
            out |= {(c.path, n) for n in c.added} | {(c.path, 0)}
    return out


DUNDER = re.compile(r"^__\w+__$")


def _beside_stamp(c: Change, stamps: set[tuple[str, int]]) -> bool:
    """A change on a version-bump line or the line next to one (a build number, a release date
    written beside the version), or a module-level dunder assignment (`__copyright__`, PEP 8's
    module metadata) in a module whose version the change bumps: the same release stamp."""
    if any((c.path, n + d) in stamps for n in c.added for d in (-1, 0, 1)):
        return True
    unit = c.head or c.base
    return (unit is not None and unit.kind == "assign" and not unit.prefix
            and DUNDER.match(unit.key) is not None and (c.path, 0) in stamps)


def _version(text: str) -> bool:
    return len(text) <= 40 and VERSION_VALUE.match(text) is not None


def _member_names(c: Change) -> set[str]:
    """Package-like names of the members a collection gains or loses (`'pytest-lazy-fixture>=0.0.6'`
    -> `pytest_lazy_fixture`), as code would import them."""
    out: set[str] = set()
    for value in c.values:
        m = re.match(r"[A-Za-z_][\w.-]*", value)
        if m:
            out.add(m.group(0).rstrip(".-").replace("-", "_").lower())
    return out


def _linked(c: Change, uses: set[str], defines: set[str], main: list[Change]) -> bool:
    if c.defines & uses or c.new_refs & defines:
        return True
    if c.kind == "literal" and c.moves and c.moves <= {m for o in main for m in o.bounds}:
        return True  # the version numbers a dependency range of the change moves (a compat check)
    if c.kind == "literal" and _new_names(c) & uses:
        return True  # a name the rest of the PR binds or uses, listed as a string (`__all__` entries)
    if c.kind == "membership" and _new_words(c) & _words(uses):
        return True  # the new member (a key, a name, a MIME type) is used by the rest of the PR
    if c.kind == "membership" and _member_names(c) & {u.lower() for u in uses}:
        return True  # a dependency gained or dropped whose module the rest of the PR imports
    if c.kind in ("deleted-comment", "deleted-docstring"):
        return _beside_main(c, main)
    return False


def _words(texts: set[str]) -> set[str]:
    """The identifier-like words (5+ characters) and whole string values of some tokens."""
    out: set[str] = set()
    for t in texts:
        out |= {w for w in IDENTIFIER.findall(t) if len(w) >= 5}
        value = t.strip("'\"`")
        if len(value) >= 3 and value != t:
            out.add(value)
    return out


def _new_words(c: Change) -> set[str]:
    """The words the change's added lines bring into its unit (the new members)."""
    if c.head is None:
        return set()
    added = set(c.added)
    fresh = {t.text for t in c.head.tokens if t.cls in ("id", "str") and line_of(t.node) in added}
    before = {t.text for t in c.base.tokens} if c.base is not None else set()
    return _words(fresh) - _words(before)


def _new_names(c: Change) -> set[str]:
    """The identifier-shaped string values the change's added lines bring into its unit."""
    if c.head is None:
        return set()
    added = set(c.added)
    before = c.base.strings() if c.base is not None else set()
    return {t.text for t in c.head.tokens if t.cls == "str" and line_of(t.node) in added
            and t.text.isidentifier() and t.text not in before}


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
