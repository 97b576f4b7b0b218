"""Reporters only render: golden JSON/SARIF/markdown for a fixed result, SARIF schema validity."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from slopguard.detector import Rule
from slopguard.models import FileDiff, Finding, Fix, Hunk, LLMUsage, Notice, Risk, ScanResult, Severity, Stats
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
                message="TLS verification is off | use a CA bundle", fingerprint="99887766554433221100",
                fix=Fix("Turn certificate verification back on", 3, 3, ("requests.get(url, verify=True)",))),
    ),
    stats=Stats(files=3, added_lines=120, removed_lines=14, duration_s=0.41),
    risk=Risk(score=57, level="medium"),
    llm=LLMUsage(status="skipped"),
    notices=(Notice("skipped: binary file", "logo.png"),),
    # the assertion at base lines 7-8 was removed; head line 6 is where it stood
    files=(FileDiff("tests/test_orders.py", "tests/test_orders.py", "modified", (Hunk(7, 2, 6, 0),)),),
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
    # a removed line is shown on the nearest line that remains, and the message says so
    assert left["locations"][0]["physicalLocation"]["region"] == {"startLine": 6}
    assert "line 7 of the base version" in left["message"]["text"]
    assert all("startLine" in r["locations"][0]["physicalLocation"]["region"] for r in run["results"])
    assert run["results"][0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 42, "endLine": 42}


def test_sarif_rules_carry_help_precision_tags_and_security_severity() -> None:
    from slopguard.registry import load

    rules = load().rules
    doc = json.loads(render(RESULT, "sarif", rules=rules))
    entries = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert set(entries) == {f.rule for f in RESULT.findings}
    for rule_id, entry in entries.items():
        assert entry["help"]["text"] and entry["help"]["markdown"], rule_id
        assert entry["properties"]["precision"] in ("high", "medium", "low")
        assert "slopguard" in entry["properties"]["tags"]
    tls = entries["python.insecure-auth.tls-verify-disabled"]
    assert tls["helpUri"].endswith("/docs/rules/python.insecure-auth.tls-verify-disabled.md")
    assert "man-in-the-middle" in tls["help"]["text"]  # from the rule's page (rules/docs)
    assert tls["properties"]["security-severity"] == "8.0" and "security" in tls["properties"]["tags"]
    null = entries["python.null-check.unguarded-optional"]
    assert "## What it does" not in null["help"]["markdown"] or "####" in null["help"]["markdown"]
    assert "security-severity" not in null["properties"]


def test_every_bundled_rule_has_help_text() -> None:
    from slopguard.registry import load
    from slopguard.reporters.help import rule_help

    for rule in load().rules.values():
        help_ = rule_help(rule)
        assert len(help_.text) > len(rule.summary) + 40, rule.id  # more than the summary alone
        assert help_.uri.endswith(f"/docs/rules/{rule.id}.md")


def test_sarif_fixes_replace_whole_lines() -> None:
    doc = json.loads(render(RESULT, "sarif", rules=RULES))
    (fix,) = doc["runs"][0]["results"][2]["fixes"]
    (change,) = fix["artifactChanges"]
    (replacement,) = change["replacements"]
    assert change["artifactLocation"]["uri"] == "wms/client.py"
    assert replacement["deletedRegion"] == {"startLine": 3, "startColumn": 1, "endLine": 4, "endColumn": 1}
    assert replacement["insertedContent"]["text"] == "requests.get(url, verify=True)\n"


def test_removed_line_of_a_deleted_file_is_left_out_and_noted() -> None:
    from dataclasses import replace

    gone = replace(RESULT, files=(FileDiff("tests/test_orders.py", "tests/test_orders.py", "deleted",
                                           (Hunk(1, 9, 0, 0),)),))
    doc = json.loads(render(gone, "sarif", rules=RULES))
    schema = _schema()
    if schema is not None:
        import jsonschema

        jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["python.null-check.unguarded-optional",
                                                     "python.insecure-auth.tls-verify-disabled"]
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any(t.startswith("tests/test_orders.py:7 (python.test-tampering.deleted-assertion)") and "left out" in t
               for t in notes)
    assert "logo.png: skipped: binary file" in notes
