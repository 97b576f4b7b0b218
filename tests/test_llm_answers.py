"""What the LLM pass keeps of an answer (real Anthropic SDK, local fake Messages API): ranked by
severity, at most llm.max_findings, critical/high as warnings, the model's confidence, merged into
a static finding only for the same issue; and `scan --llm-dry-run`, which calls nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slopguard.cli import main
from slopguard.engine import Target, scan
from slopguard.llm import llm_pass
from slopguard.models import Severity
from slopguard.registry import load

from .fakes.llm_servers import anthropic_tool_reply, serve
from .gitrepos import make_repo
from .test_llm import RULE

REGISTRY = load()
CONFIG = "rules:\n  all: off\n  local: on\n  silent-assumption: on\n"
BASE = {".slopguard/rules/local.yml": RULE, ".slopguard.yml": CONFIG, "bank/transfer.py": "X = 0\n"}
HEAD = {"bank/transfer.py": "".join(
    [f"def step_{n}(account, amount):\n    account.balance -= amount\n    return account\n\n\n" for n in range(8)]
    + ["def debug(account):\n    print(account)\n"])}


def _item(line: int, severity: str, text: str, **extra: str) -> dict:
    return {"path": "bank/transfer.py", "line": line, "kind": extra.pop("kind", "defect"), "severity": severity,
            "confidence": extra.pop("confidence", "high"), "assumption": text, "why_it_matters": "money",
            "question": "?", **extra}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-000000000000000000000")
    monkeypatch.setenv("SLOPGUARD_CACHE_DIR", str(tmp_path / "cache"))
    return monkeypatch


def _run(repo: Path, answer: list[dict], env: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with serve("/v1/messages", [(200, anthropic_tool_reply(answer))]) as fake:
        env.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = scan(Target(repo=repo, base="main", head="feature"), registry=REGISTRY, second_pass=llm_pass)
    return fake, result


def test_ranked_by_severity_capped_and_mapped(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, BASE, HEAD)
    answer = [
        _item(2, "low", "stale label"),
        _item(7, "medium", "rounding", confidence="low"),
        _item(12, "critical", "negative amounts move money backwards"),
        _item(17, "low", "naming", kind="assumption"),
        _item(22, "high", "no lock: concurrent transfers lose updates", confidence="medium"),
        _item(27, "medium", "overdraft allowed", kind="inconsistency"),
        _item(32, "bogus", "unknown severity is medium", confidence="nonsense"),
    ]
    fake, result = _run(repo, answer, env)
    schema = fake.requests[0]["tools"][0]["input_schema"]["properties"]["assumptions"]["items"]["properties"]
    assert schema["severity"]["enum"] == ["critical", "high", "medium", "low"]
    assert schema["kind"]["enum"] == ["defect", "assumption", "inconsistency"]
    llm = [f for f in result.findings if f.source == "llm"]
    assert {f.line for f in llm} == {12, 22, 27, 32, 7}  # the two lows are dropped (max_findings 5)
    by_line = {f.line: f for f in llm}
    assert by_line[12].severity == Severity.WARNING and by_line[12].confidence == "high"
    assert by_line[22].severity == Severity.WARNING and by_line[22].confidence == "medium"
    assert by_line[27].severity == Severity.NOTICE
    assert by_line[27].message.startswith("Description and code disagree (medium): overdraft allowed")
    assert by_line[12].message.startswith("Defect (critical): negative amounts")
    assert by_line[32].message.startswith("Defect (medium):") and by_line[32].confidence == "medium"
    assert by_line[7].confidence == "low"


def test_max_findings_from_configuration(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    base = dict(BASE, **{".slopguard.yml": CONFIG + "llm: {max_findings: 2}\n"})
    repo = make_repo(tmp_path, base, HEAD)
    answer = [_item(2, "low", "a"), _item(7, "high", "b"), _item(12, "medium", "c"), _item(17, "critical", "d")]
    _, result = _run(repo, answer, env)
    assert sorted(f.line for f in result.findings if f.source == "llm") == [7, 17]


def test_merged_only_when_the_same_issue(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, BASE, HEAD)
    static_line = 42  # print(account): the semgrep rule's error-handling finding
    answer = [
        _item(static_line, "medium", "debug print leaks balances", category="error-handling"),
        _item(static_line, "high", "account may be None here", category="null-check"),
    ]
    _, result = _run(repo, answer, env)
    on_line = [(f.source, f.category) for f in result.findings if f.line == static_line]
    assert ("semgrep", "error-handling") in on_line
    llm = [f for f in result.findings if f.source == "llm"]
    assert [f.message.split(":")[1].strip() for f in llm] == ["account may be None here. Why it matters"]


def test_dry_run_prints_requests_without_a_key_or_a_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    base = dict(BASE, **{"bank/migrations/0001.py": "X = 1\n"})
    head = dict(HEAD, **{"bank/migrations/0002.py": "Y = 2\n"})
    repo = make_repo(tmp_path, base, head)
    with serve("/v1/messages", [(200, anthropic_tool_reply([]))]) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        code = main(["scan", "--repo", str(repo), "--base", "main", "--head", "feature", "--format", "json",
                     "--llm-dry-run", "--fail-on", "never"])
    assert code == 0 and fake.requests == []
    report = json.loads(capsys.readouterr().out)
    assert report["llm"]["status"] == "skipped"
    notes = [n["message"] for n in report["notices"] if n["message"].startswith("LLM dry run")]
    assert len(notes) == 2
    assert notes[0].startswith("LLM dry run: request 1/1 to claude-sonnet-5-5: ~")
    assert "input tokens, at most 2048 output, at most $0.0" in notes[0]
    assert notes[0].endswith("files: bank/transfer.py [full]")
    assert notes[1] == "LLM dry run: named in every request, not shown: bank/migrations/0002.py"
