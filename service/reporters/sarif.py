"""SARIF 2.1.0, as GitHub code scanning accepts it: one run, rules with their metadata,
results with stable partial fingerprints. Findings about removed code (side LEFT) point at the
top of the file, since their lines exist in the base version, not in the analysed head."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import __version__
from ..detector import Rule
from ..models import Finding, ScanResult, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.NOTICE: "2.0"}


def _rule_entry(rule_id: str, rule: Rule | None, finding: Finding) -> dict[str, Any]:
    category = rule.category if rule else finding.category
    summary = rule.summary if rule and rule.summary else finding.message
    entry: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(part.title() for part in rule_id.replace("-", ".").split(".")),
        "shortDescription": {"text": summary[:1000]},
        "fullDescription": {"text": summary},
        "defaultConfiguration": {"level": _LEVEL[rule.severity if rule else finding.severity]},
        "properties": {"tags": ["slopguard", category], "category": category},
    }
    if category == "insecure-auth":
        entry["properties"]["tags"].append("security")
        entry["properties"]["security-severity"] = _SECURITY_SEVERITY[rule.severity if rule else finding.severity]
    return entry


def _location(finding: Finding) -> dict[str, Any]:
    # GitHub code scanning needs a region with startLine on every result; a finding about removed
    # code (its lines exist only in the base version) points at the top of the file instead.
    region = ({"startLine": finding.line, "endLine": finding.last_line} if finding.side == "RIGHT"
              else {"startLine": 1})
    return {"physicalLocation": {"artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                                 "region": region}}


def as_dict(result: ScanResult, rules: Mapping[str, Rule]) -> dict[str, Any]:
    ordered_ids: list[str] = []
    entries: list[dict[str, Any]] = []
    for finding in result.findings:
        if finding.rule not in ordered_ids:
            ordered_ids.append(finding.rule)
            entries.append(_rule_entry(finding.rule, rules.get(finding.rule), finding))
    index = {rule_id: i for i, rule_id in enumerate(ordered_ids)}
    results = []
    for finding in result.findings:
        message = finding.message
        if finding.side == "LEFT":
            message += f" (line {finding.line} of the base version, removed by this change)"
        results.append(
            {
                "ruleId": finding.rule,
                "ruleIndex": index[finding.rule],
                "level": _LEVEL[finding.severity],
                "message": {"text": message},
                "locations": [_location(finding)],
                "partialFingerprints": {"slopguard/v1": finding.fingerprint},
                "properties": {"category": finding.category, "source": finding.source, "side": finding.side},
            }
        )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "slopguard",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://github.com/slopguard/slopguard",
                "rules": entries,
            }
        },
        "results": results,
        "columnKind": "utf16CodeUnits",
        "properties": {"base": result.base, "head": result.head, "risk": result.risk.score},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, rules: Mapping[str, Rule]) -> str:
    return json.dumps(as_dict(result, rules), indent=2) + "\n"
