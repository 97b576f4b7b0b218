"""Every detector fixture: lines marked `ruleid: RULE` must fire RULE, lines marked `ok: RULE`
must not, and no rule named in a fixture may fire on an unmarked line.

Layout under tests/fixtures/detectors/<category>/<detector module>/ (as service/detectors/):
  <name>.<ext>            a file the change adds (base: nothing)
  <name>/base/..., <name>/head/..., optional <name>/intent.txt
                          a change from base to head; markers in base files read
                          `ruleid-removed: RULE` and expect a finding on that removed line (side LEFT)
Markers sit at the end of a line (`# ...` or `// ...`; several kinds on one line are separated by
`;`, see tests/fixture_marks.py) and are stripped before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from slopguard.brevity import MAX_CHARS, MAX_LINES
from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.registry import load

from .fixture_marks import marks as line_marks
from .gitrepos import make_repo

ROOT = Path(__file__).parent / "fixtures" / "detectors"
REGISTRY = load()


def _strip(text: str) -> tuple[str, list[tuple[str, int, str]]]:
    marks = []
    out = []
    for no, line in enumerate(text.splitlines(keepends=True), 1):
        body = line.rstrip("\n")
        found = line_marks(body)
        if found:
            marks += [(kind, no, rule) for kind, rule in found[1]]
            body = body[: found[0]]
            line = body + ("\n" if line.endswith("\n") else "")
        out.append(line)
    return "".join(out), marks


def _cases() -> list[Path]:
    if not ROOT.is_dir():
        return []
    cases = []
    for det in sorted(d for category in ROOT.iterdir() if category.is_dir() for d in category.iterdir()):
        if det.is_dir():
            for item in sorted(det.iterdir()):
                if item.is_file() or (item / "head").is_dir():
                    cases.append(item)
    return cases


def _load(case: Path):  # type: ignore[no-untyped-def]
    base: dict[str, str] = {}
    head: dict[str, str] = {}
    expected: list[tuple[str, str, int, str, str]] = []  # kind, path, line, rule, side
    intent = "add code"
    if case.is_file():
        text, marks = _strip(case.read_text())
        head[case.name] = text
        expected += [(k, case.name, n, r, "RIGHT") for k, n, r in marks]
    else:
        for side, store in (("base", base), ("head", head)):
            root = case / side
            if not root.is_dir():
                continue
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                rel = path.relative_to(root).as_posix()
                text, marks = _strip(path.read_text())
                store[rel] = text
                for kind, n, rule in marks:
                    expected.append((kind, rel, n, rule, "LEFT" if kind == "ruleid-removed" else "RIGHT"))
        if (case / "intent.txt").is_file():
            intent = (case / "intent.txt").read_text()
    return base, head, expected, intent


CASES = _cases()


def test_there_are_fixtures() -> None:
    assert CASES, "no detector fixtures found"


@pytest.mark.parametrize("case", CASES, ids=[c.relative_to(ROOT).as_posix() for c in CASES])
def test_fixture(case: Path, tmp_path: Path) -> None:
    base, head, expected, intent = _load(case)
    repo = make_repo(tmp_path, base, head, message=intent, replace=True)
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    result = scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY)
    named = {rule for _, _, _, rule, _ in expected}
    unknown = named - set(REGISTRY.rules)
    assert not unknown, f"fixture names unknown rules: {unknown}"
    found = [f for f in result.findings if f.rule in named]
    problems = []
    matched: set[int] = set()
    for kind, path, line, rule, side in expected:
        hits = [
            i for i, f in enumerate(found)
            if f.rule == rule and f.path == path and f.side == side and f.covers(line)
        ]
        if kind in ("ruleid", "ruleid-removed"):
            if not hits:
                problems.append(f"MISSED {rule} at {path}:{line} ({side})")
            matched.update(hits)
        elif hits:
            problems.append(f"FALSE POSITIVE {rule} at {path}:{line}: {found[hits[0]].message}")
            matched.update(hits)
    for i, f in enumerate(found):
        if i not in matched:
            problems.append(f"UNMARKED {f.rule} at {f.path}:{f.line}-{f.last_line}: {f.message}")
    long = [f"{f.rule}: {len(f.message)} chars" for f in result.findings
            if len(f.message) > MAX_CHARS or len(f.message.splitlines()) > MAX_LINES + 1]
    assert not long, f"messages over the reviewer cap: {long}"
    problems += _other_rules_on_ok_lines(case, result.findings, expected)
    crashes = [n.message for n in result.notices if "crashed" in n.message]
    assert not crashes, crashes
    assert not problems, "\n".join(problems)


# An `ok: RULE` line is a near miss: no rule may fire on it that its marker does not name (a line
# may be a near miss of one rule and rightly a finding of another: `# ok: A; ruleid: B`). Two
# exceptions: fixture files are snippets that nothing imports or calls, so the rules about
# unreferenced definitions are not probed by them; and KNOWN lists the other rules' findings on `ok`
# lines still to be settled in that rule. The list must shrink: an entry that no longer fires fails too.
UNREFERENCED = {"python.dead-code.unused-definition", "js.dead-code.unused-export", "js.dead-code.unused-definition"}
KNOWN: dict[str, set[str]] = {}


def _other_rules_on_ok_lines(case: Path, findings, expected) -> list[str]:  # type: ignore[no-untyped-def]
    ok = {(path, line, side) for kind, path, line, _, side in expected if kind == "ok"}
    named: dict[tuple[str, int, str], set[str]] = {}  # every rule the line's marker names, of any kind
    for _, path, line, rule, side in expected:
        named.setdefault((path, line, side), set()).add(rule)
    # a grouped finding's members' first lines count as its own (service/grouping.py)
    hits = {f"{f.path}:{line} {f.rule}" for f in findings for line in (f.line, *(start for start, _ in f.also))
            if (f.path, line, f.side) in ok and f.rule not in named[(f.path, line, f.side)]
            and f.rule not in UNREFERENCED}
    known = KNOWN.get(case.relative_to(ROOT).as_posix(), set())
    return ([f"OTHER RULE ON AN ok LINE: {h}" for h in sorted(hits - known)]
            + [f"KNOWN entry no longer fires (remove it from KNOWN): {h}" for h in sorted(known - hits)])

