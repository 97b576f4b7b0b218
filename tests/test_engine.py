"""The engine with purpose-built detectors: crash isolation, filtering, config, fingerprints."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from slopguard.config import Config, RuleSetting, load_ruleset
from slopguard.detector import ChangeContext, Detector, FileContext, Rule
from slopguard.engine import Target, scan
from slopguard.models import Finding, Severity
from slopguard.parsing import walk
from slopguard.registry import Registry

from .gitrepos import make_repo

CALLS = Rule("python.error-handling.every-call", "error-handling", ("python",), Severity.WARNING, "calls")
BOOM = Rule("python.bloat.boom", "bloat", ("python",), Severity.NOTICE, "crashes")
DEAD = Rule("python.dead-code.whole", "dead-code", ("python",), Severity.WARNING, "anchors")


class EveryCall(Detector):
    rules = (CALLS,)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        if ctx.head is None or ctx.head.root is None:
            return
        for node in walk(ctx.head.root):
            if node.type == "call":
                yield ctx.finding(CALLS, node, f"call {ctx.head.node_text(node)}")


class Boom(Detector):
    rules = (BOOM,)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        raise ValueError("detector bug")


class Definition(Detector):
    rules = (DEAD,)

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        for f in ctx.files:
            if f.diff.status == "deleted":
                yield f.finding(DEAD, 1, "deleted file", side="LEFT")
        src = ctx.repo.source("RIGHT", "lib.py")
        if src is not None:
            yield Finding(rule=DEAD.id, category="dead-code", severity=DEAD.severity, path="lib.py", line=1,
                          message="left dead", anchor="definition")


REGISTRY = Registry([EveryCall(), Boom(), Definition()], [])
STRICT = Config(ruleset=load_ruleset("strict"), ignore=("gen/**",))


def _scan(repo: Path, config: Config = STRICT):  # type: ignore[no-untyped-def]
    return scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY)


def test_crashing_detector_is_a_notice_and_others_go_on(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": "x = 1\n"}, {"a.py": "x = f()\n"})
    result = _scan(repo)
    assert [f.rule for f in result.findings] == [CALLS.id]
    assert any("Boom crashed: ValueError: detector bug" in n.message for n in result.notices)


def test_only_changed_lines_ignored_paths_and_left_side(tmp_path: Path) -> None:
    base = {"a.py": "f()\ng()\n", "gone.py": "h()\n", "lib.py": "def unused():\n    pass\n"}
    head = {"a.py": "f()\ng()\nk()\n", "gone.py": None, "gen/out.py": "z()\n"}
    result = _scan(make_repo(tmp_path, base, head))
    got = sorted((f.path, f.line, f.side, f.rule) for f in result.findings)
    assert got == [
        ("a.py", 3, "RIGHT", CALLS.id),
        ("gone.py", 1, "LEFT", DEAD.id),
        ("lib.py", 1, "RIGHT", DEAD.id),  # anchored to an unchanged definition
    ]


def test_configuration_disables_and_overrides(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": ""}, {"a.py": "f()\n"})
    config = Config(ruleset=load_ruleset("security"))
    result = _scan(repo, config)
    assert [(f.rule, f.severity) for f in result.findings] == [(CALLS.id, Severity.WARNING)]
    assert not any("crashed" in n.message for n in result.notices)  # Boom is not selected: never runs


def test_identical_code_twice_gets_distinct_stable_fingerprints(tmp_path: Path) -> None:
    # four lines apart: far enough not to be grouped into one finding (service/grouping.py)
    repo = make_repo(tmp_path, {"a.py": ""}, {"a.py": "f()\n\n\n\n\nf()\n"})
    first = [f.fingerprint for f in _scan(repo).findings]
    assert len(set(first)) == 2


def test_the_same_call_on_adjacent_lines_is_one_grouped_finding(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": ""}, {"a.py": "f()\nf()\n"})
    [finding] = _scan(repo).findings
    assert finding.line == 1 and finding.also == ((2, 2),)
    assert finding.message.startswith("This rule fires on 2 adjacent lines (1, 2); line 1: ")


class Graded(Detector):
    rules = (CALLS,)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        if ctx.head is not None and ctx.head.root is not None:
            for node in walk(ctx.head.root):
                if node.type == "call":
                    yield ctx.finding(CALLS, node, "graded", severity=Severity.ERROR)


def test_a_detectors_own_grading_holds_unless_configuration_sets_a_severity(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": ""}, {"a.py": "f()\n"})
    registry = Registry([Graded()], [])
    target = Target(repo=repo, base="main", head="feature")
    graded = scan(target, STRICT, registry=registry)
    assert [f.severity for f in graded.findings] == [Severity.ERROR]
    lowered = Config(ruleset=load_ruleset("strict"), rules={CALLS.id: RuleSetting(severity=Severity.NOTICE)})
    assert [f.severity for f in scan(target, lowered, registry=registry).findings] == [Severity.NOTICE]


def test_a_crashing_second_pass_never_fails_the_scan(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": ""}, {"a.py": "f()\n"})

    def broken(files, findings, intent, config, left_out=()):  # type: ignore[no-untyped-def]
        raise RuntimeError("model client bug")

    result = scan(Target(repo=repo, base="main", head="feature"), STRICT, registry=REGISTRY, second_pass=broken)
    assert result.llm.status == "failed"
    assert any("LLM pass failed: RuntimeError: model client bug" in n.message for n in result.notices)
    assert [f.rule for f in result.findings] == [CALLS.id]
