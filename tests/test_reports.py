"""Reporters only render: golden JSON/SARIF/markdown for a fixed result, SARIF schema validity."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from slopguard.detector import Rule
from slopguard.models import Finding, LLMUsage, Notice, Risk, ScanResult, Severity, Stats
from slopguard.reporters import render

GOLDEN = Path(__file__).parent / "golden"
SCHEMA_CACHE = Path(__file__).resolve().parent.parent / ".cache" / "sarif-schema-2.1.0.json"
UPDATE = os.environ.get("SLOPGUARD_UPDATE_GOLDEN") == "1"

RESULT = ScanResult(
    base="1" * 40,
    head="2" * 40,
    findings=(
        Finding(rule="python.null-check.unguarded-optional", category="null-check", severity=Severity.WARNING,
                path="app/orders.py", line=42, end_line=42, message="`coupon` may be None; check it first",
                fingerprint="a1b2c3d4e5f6a7b8c9d0", code="    coupon.is_expired()"),
        Finding(rule="python.test-tampering.deleted-assertion", category="test-tampering",
                severity=Severity.ERROR, path="tests/test_orders.py", line=7, end_line=8, side="LEFT",
                message="an assertion was removed", fingerprint="0f1e2d3c4b5a69788796", code="assert x == 1"),
        Finding(rule="python.insecure-auth.tls-verify-disabled", category="insecure-auth",
                severity=Severity.ERROR, path="wms/client.py", line=3, end_line=3, source="semgrep",
                message="TLS verification is off | use a CA bundle", fingerprint="99887766554433221100"),
    ),
    stats=Stats(files=3, added_lines=120, removed_lines=14, duration_s=0.41),
    risk=Risk(score=57, level="medium"),
    llm=LLMUsage(status="skipped"),
    notices=(Notice("skipped: binary file", "logo.png"),),
)
RULES = {
    "python.null-check.unguarded-optional": Rule("python.null-check.unguarded-optional", "null-check",
                                                 ("python",), Severity.WARNING, "Optional value used unguarded"),
}


@pytest.mark.parametrize(("fmt", "name"), [("json", "report.json"), ("sarif", "report.sarif"),
                                           ("markdown", "report.md"), ("text", "report.txt")])
def test_golden(fmt: str, name: str) -> None:
    out = render(RESULT, fmt, rules=RULES)
    path = GOLDEN / name
    if UPDATE:
        path.write_text(out)
    assert out == path.read_text()


def test_text_colours_only_when_asked() -> None:
    assert "\x1b[" in render(RESULT, "text", color=True)
    assert "\x1b[" not in render(RESULT, "text", color=False)


def _schema() -> dict | None:
    path = Path(os.environ.get("SLOPGUARD_SARIF_SCHEMA", SCHEMA_CACHE))
    return json.loads(path.read_text()) if path.is_file() else None


def test_sarif_is_valid_against_the_2_1_0_schema() -> None:
    schema = _schema()
    if schema is None:
        if os.environ.get("CI"):
            pytest.fail("SARIF schema missing: .ci/run fetches it into .cache/")
        pytest.skip("SARIF 2.1.0 schema not available (run .ci/run once to fetch it)")
    import jsonschema

    doc = json.loads(render(RESULT, "sarif", rules=RULES))
    jsonschema.validate(doc, schema)
    broken = json.loads(json.dumps(doc))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_sarif_shape_github_needs() -> None:
    doc = json.loads(render(RESULT, "sarif", rules=RULES))
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["partialFingerprints"]["slopguard/v1"]
    left = run["results"][1]
    assert left["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}  # GitHub needs a region
    assert all("startLine" in r["locations"][0]["physicalLocation"]["region"] for r in run["results"])
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 42, "endLine": 42}
