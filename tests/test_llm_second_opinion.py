"""The LLM second opinion on uncertain static findings, with the real Anthropic SDK against the
local fake Messages API: what the request shows, what a drop does, what it cannot do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slopguard.engine import Target, scan
from slopguard.llm import llm_pass
from slopguard.registry import load
from slopguard.reporters.json import render

from .fakes.llm_servers import anthropic_tool_reply, serve
from .gitrepos import make_repo

REGISTRY = load()
BASE = {"mypkg/__init__.py": "", "mypkg/api.py": "def run(config):\n    return config\n",
        "tests/__init__.py": ""}
HEAD = {"tests/test_api.py": (
    "import json\n"
    "import inspect\n"
    "\n"
    "import pytest\n"
    "\n"
    "\n"
    "def test_signature():\n"
    "    try:\n"
    "        from mypkg.api import run\n"
    "\n"
    "        assert 'config' in inspect.signature(run).parameters\n"
    "    except ImportError as e:\n"
    "        pytest.skip(f'missing dependencies: {e}')\n"
)}
UNCERTAIN = "python.test-tampering.import-error-skip"  # a medium-confidence rule
CERTAIN = "python.dead-code.unused-import"  # a high-confidence rule


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-000000000000000000000")
    monkeypatch.setenv("SLOPGUARD_CACHE_DIR", str(tmp_path / "cache"))
    return monkeypatch


def _ids(repo: Path) -> dict[str, str]:
    """rule -> review id, from a scan without the LLM (fingerprints are stable)."""
    result = scan(Target(repo=repo, base="main", head="feature"), registry=REGISTRY)
    found = {f.rule: f for f in result.findings}
    assert found[UNCERTAIN].confidence == "medium" and found[CERTAIN].confidence == "high"
    return {rule: f"R:{f.fingerprint[:8]}" for rule, f in found.items()}


def _scan_with(repo: Path, env: pytest.MonkeyPatch, reviews: list[dict]):  # type: ignore[no-untyped-def]
    reply = anthropic_tool_reply([])
    reply["content"][0]["input"]["reviews"] = reviews
    with serve("/v1/messages", [(200, reply)]) as fake:
        env.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = scan(Target(repo=repo, base="main", head="feature", intent="Add API tests"),
                      registry=REGISTRY, second_pass=llm_pass)
    return result, fake.requests


def test_a_dropped_finding_is_listed_with_its_reason_and_never_reported(tmp_path: Path,
                                                                       env: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, BASE, HEAD)
    ids = _ids(repo)
    reason = "The test is a smoke test of an optional extra; skipping on a missing extra is intended."
    result, requests = _scan_with(repo, env, [
        {"id": ids[UNCERTAIN], "verdict": "drop", "reason": reason},
        {"id": ids[CERTAIN], "verdict": "drop", "reason": "high-confidence findings are not the model's to drop"},
    ])
    prompt = requests[0]["messages"][0]["content"]
    assert f"[{ids[UNCERTAIN]}] (confidence medium)" in prompt
    assert ids[CERTAIN] not in prompt  # certain findings are shown without a review id
    assert "reviews" in requests[0]["tools"][0]["input_schema"]["properties"]
    assert UNCERTAIN not in {f.rule for f in result.findings}
    assert CERTAIN in {f.rule for f in result.findings}
    assert [(d.finding.rule, d.reason) for d in result.dropped] == [(UNCERTAIN, reason)]
    report = json.loads(render(result))
    assert [(d["rule"], d["reason"]) for d in report["dropped"]] == [(UNCERTAIN, reason)]
    assert UNCERTAIN not in {f["rule"] for f in report["findings"]}


def test_keep_no_reason_or_an_unknown_id_leave_findings_alone(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, BASE, HEAD)
    ids = _ids(repo)
    for reviews in (
        [{"id": ids[UNCERTAIN], "verdict": "keep", "reason": "a broken import would be skipped"}],
        [{"id": ids[UNCERTAIN], "verdict": "drop", "reason": ""}],
        [{"id": "R:00000000", "verdict": "drop", "reason": "no such finding"}],
        [],
    ):
        result, _ = _scan_with(repo, env, reviews)
        assert UNCERTAIN in {f.rule for f in result.findings}, reviews
        assert result.dropped == ()
        assert "dropped" not in json.loads(render(result))
        for path in (tmp_path / "cache").glob("**/*.json"):
            path.unlink()  # each verdict is a fresh answer, not the cached one

