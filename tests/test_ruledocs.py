"""The rule as the unit: every rule has documentation in the five fixed sections, typed settings,
a default severity, a deliberate confidence and fixtures; each documented example fires its rule
(and the "Use instead" shape does not); the generated docs/rules folder is current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from slopguard import settings as rule_settings
from slopguard.cli import main
from slopguard.config import Config, Ruleset
from slopguard.engine import Target, scan
from slopguard.models import Severity
from slopguard.registry import load
from slopguard.ruledocs import RuleDoc, explain, stale
from slopguard.ruledocs import load as load_docs
from slopguard.ruledocs.source import CodeBlock

from .fixture_marks import marks as line_marks
from .gitrepos import make_repo

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = load()
RULES = sorted(REGISTRY.rules.values(), key=lambda r: r.id)
DOCS = load_docs()
SEMGREP = {sg.rule.id for sg in REGISTRY.semgrep_rules}
LLM = {r.id for r in REGISTRY.extra_rules}
# rules about file modes, which fixture files cannot carry: tests/test_file_changes.py drives them
MODES = {"repo.orthogonal-edit.executable-bit-lost"}
DETECTOR_RULES = [r for r in RULES if r.id not in SEMGREP | LLM | MODES]
# rules whose findings a model decides: tests/test_llm.py drives the pass through a local fake server
NOT_FIXTURE_TESTABLE = LLM | MODES


def _marks(root: Path, parts: int) -> dict[str, dict[str, set[str]]]:
    """Per rule, per fixture unit (the first `parts` parts of a path under `root`, suffix dropped),
    the kinds of lines marked for it: `ruleid` (must fire) and `ok` (must not)."""
    out: dict[str, dict[str, set[str]]] = {}
    for path in root.rglob("*"):
        if path.is_file():
            unit = "/".join(path.relative_to(root).with_suffix("").parts[:parts])
            for line in path.read_text(errors="replace").splitlines():
                for kind, rule in (line_marks(line) or (0, []))[1]:
                    out.setdefault(rule, {}).setdefault(unit, set()).add(kind.replace("ruleid-removed", "ruleid"))
    return out


def test_every_rule_is_a_complete_unit() -> None:
    fixtures = _marks(ROOT / "tests" / "fixtures" / "detectors", 2)  # <category>/<detector module>/
    semgrep_targets = _marks(ROOT / "rules" / "semgrep", 2)  # <lang>/<rule file>
    problems = []
    for rule in RULES:
        if rule.id not in DOCS:
            problems.append(f"{rule.id}: no documentation (rules/docs/{rule.category}/{rule.id}.md)")
        elif DOCS[rule.id].category != rule.category:
            problems.append(f"{rule.id}: documented under {DOCS[rule.id].category}, not {rule.category}")
        rule_settings.schema(rule)  # typed settings (a dataclass, supported field types) or TypeError
        if not isinstance(rule.severity, Severity):
            problems.append(f"{rule.id}: no default severity")
        if rule.confidence not in ("high", "medium", "low"):
            problems.append(f"{rule.id}: confidence {rule.confidence!r}")
        if rule.id in NOT_FIXTURE_TESTABLE:
            continue
        units = (semgrep_targets if rule.id in SEMGREP else fixtures).get(rule.id, {})
        if not any(kinds >= {"ruleid", "ok"} for kinds in units.values()):
            # its fixture folder (or semgrep target) holds both lines that must fire and near misses
            found = ", ".join(f"{unit} {sorted(kinds)}" for unit, kinds in units.items()) or "none"
            problems.append(f"{rule.id}: no fixture folder with lines marked both `ruleid:` and `ok:` ({found})")
    problems += [f"rules/docs: {rule_id} is not a rule" for rule_id in DOCS if rule_id not in REGISTRY.rules]
    assert not problems, "\n".join(problems)


def test_the_heuristic_rules_say_they_are_less_sure() -> None:
    by_id = REGISTRY.rules
    for prefix in ("orthogonal-edit.", "bloat.copy-paste", "test-tampering.expected-value-changed"):
        for rule in (r for r in RULES if prefix in r.id):
            assert by_id[rule.id].confidence != "high", rule.id


def test_generated_docs_are_current() -> None:
    assert not stale(ROOT / "docs" / "rules", RULES), "run: python -m slopguard.ruledocs --write docs/rules"


def test_explain_prints_the_page_and_rejects_unknown_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--explain", "python.bloat.long-function"]) == 0
    out = capsys.readouterr().out
    for fragment in ("# python.bloat.long-function", "## What it flags", "## How to suppress",
                     "| `max_lines` | int | `80` |", "notice", "ignore[python.bloat.long-function]"):
        assert fragment in out
    assert main(["rules", "--explain", "python.bloat.nope"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "unknown rule 'python.bloat.nope'" in err


def test_every_documented_rule_explains() -> None:
    for rule in RULES:
        assert explain(rule).startswith(f"# {rule.id}\n")


def _trees(doc: RuleDoc, instead: bool) -> tuple[dict[str, str], dict[str, str]]:
    blocks = doc.blocks("Example")
    base = {b.path: b.code for b in blocks if b.side == "base"}
    head = dict(base)
    changed = [b for b in blocks if b.side != "base"]
    for b in changed:
        head[b.path] = b.code
    if instead:  # annotated blocks replace their file, the others the example's changed files in order
        for i, new in enumerate(doc.blocks("Use instead")):
            head[new.path if new.explicit or i >= len(changed) else changed[i].path] = new.code
    return base, head


def _scan(tmp_path: Path, base: dict[str, str], head: dict[str, str], intent: str, rule_ids: tuple[str, ...]):  # type: ignore[no-untyped-def]
    repo = make_repo(tmp_path, base, head, message=intent or "Add the feature", replace=True)
    config = Config(ruleset=Ruleset(name="docs", select=rule_ids), ignore=())
    return scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY).findings


@pytest.mark.parametrize("rule_id", [r.id for r in DETECTOR_RULES])
def test_example_fires_and_the_shape_instead_does_not(rule_id: str, tmp_path: Path) -> None:
    doc = DOCS[rule_id]
    base, head = _trees(doc, instead=False)
    fired = [f for f in _scan(tmp_path / "example", base, head, doc.intent, (rule_id,)) if f.rule == rule_id]
    assert fired, f"the Example of {rule_id} does not fire it"
    if doc.blocks("Use instead"):
        base, head = _trees(doc, instead=True)
        again = [f for f in _scan(tmp_path / "instead", base, head, doc.intent, (rule_id,)) if f.rule == rule_id]
        assert not again, f"the 'Use instead' of {rule_id} fires it: {again[0].message}"


def test_semgrep_examples_fire(tmp_path: Path) -> None:
    head: dict[str, str] = {}
    where: dict[str, list[str]] = {}
    for rule_id in sorted(SEMGREP):
        blocks: list[CodeBlock] = DOCS[rule_id].blocks("Example")
        for i, block in enumerate(blocks):
            path = f"{rule_id}/{i}/{block.path}"
            head[path] = block.code
            where.setdefault(rule_id, []).append(path)
    findings = _scan(tmp_path, {}, head, "", tuple(sorted(SEMGREP)))
    missed = [r for r, paths in where.items() if not any(f.rule == r and f.path in paths for f in findings)]
    assert not missed, f"semgrep examples that do not fire their rule: {missed}"


def test_a_value_known_to_be_none_only_from_a_docstring_is_reported_with_low_confidence(tmp_path: Path) -> None:
    code = ('def apply(payload):\n'
            '    """Webhook body: {"order": "o_1", "discount": null} when no coupon was used."""\n'
            '    return payload["discount"]["amount"]\n\n\n'
            'def lookup(table, key):\n'
            '    return table.get(key).upper()\n')
    findings = _scan(tmp_path, {}, {"app/hooks.py": code}, "", ("python.null-check.unguarded-optional",))
    by_line = {f.line: f.confidence for f in findings}
    assert by_line == {3: "low", 7: "high"}


def test_the_design_documents_a_configuration_that_parses() -> None:
    from slopguard.config import parse_config

    design = (ROOT / "docs" / "design.md").read_text()
    section = design.split("## Contract: repository configuration", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    config = parse_config(example, "docs/design.md", RULES)
    assert config.llm_max_findings == 5 and config.rules["dead-code"].enabled is False
    readme = (ROOT / "README.md").read_text()
    assert "shared/DESIGN.md" not in readme and "docs/design.md" in readme


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
OUTSIDE = re.compile(r"(?<![\w.])(?:\.\./|/work/|/home/|/tmp/slopguard)")


def test_the_readme_and_design_point_only_inside_the_repository() -> None:
    problems = []
    for doc in (ROOT / "README.md", ROOT / "docs" / "design.md"):
        text = doc.read_text()
        for target in LINK.findall(text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address, not a path
            path = (doc.parent / target).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                problems.append(f"{doc.name}: link to {target}")
        problems += [f"{doc.name}:{text.count(chr(10), 0, m.start()) + 1}: path {m.group(0)!r} outside the repository"
                     for m in OUTSIDE.finditer(text)]
    assert not problems, "\n".join(problems)
