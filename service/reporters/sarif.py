"""SARIF 2.1.0, as GitHub code scanning accepts it.

One run; each rule that has results carries `help` (text and markdown) and `helpUri` from
`help.rule_help`, `properties.precision` (from the rule's confidence), `properties.tags` and, for
insecure-auth, `security-severity`. Results carry stable partial fingerprints and, where the rule
has a mechanical fix, `fixes`. A finding about removed code (side LEFT: its lines exist only in the
base version) is placed on the nearest line that remains in the head version, with the base line
named in its message; when its file no longer exists it is left out and the run's
`invocations[0].toolExecutionNotifications` says so. Scan notices are notifications too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import __version__
from ..detector import Rule
from ..models import FileDiff, Finding, ScanResult, Severity
from .help import REPOSITORY_URL, rule_help

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTICE: "note"}
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.NOTICE: "2.0"}


def _rule_entry(rule_id: str, rule: Rule | None, finding: Finding, repository_url: str) -> dict[str, Any]:
    rule = rule or Rule(rule_id, finding.category, (), finding.severity, finding.message,
                        confidence=finding.confidence)
    help_ = rule_help(rule, repository_url)
    tags = ["slopguard", rule.category, *rule.languages]
    properties: dict[str, Any] = {"tags": tags, "category": rule.category, "precision": rule.confidence}
    if rule.category == "insecure-auth":
        tags.append("security")
        properties["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    entry: dict[str, Any] = {
        "id": rule_id,
        "name": "".join(part.title() for part in rule_id.replace("-", ".").split(".")),
        "shortDescription": {"text": rule.summary[:1000]},
        "fullDescription": {"text": rule.summary},
        "help": {"text": help_.text, "markdown": help_.markdown},
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},
        "properties": properties,
    }
    if help_.uri:
        entry["helpUri"] = help_.uri
    return entry


def head_line(diff: FileDiff | None, base_line: int) -> int | None:
    """The head line nearest to `base_line` of the base version, or None when the file is gone."""
    if diff is None or diff.status == "deleted":
        return None
    shift = 0
    for hunk in diff.hunks:
        # a hunk that adds or removes nothing names the line before the gap on that side
        old_first = hunk.old_start + (0 if hunk.old_count else 1)
        new_first = hunk.new_start + (0 if hunk.new_count else 1)
        if base_line < old_first:
            break
        if base_line < old_first + hunk.old_count:
            return max(1, hunk.new_start)  # a removed line: the line that took its place, or the one before
        shift = (new_first + hunk.new_count) - (old_first + hunk.old_count)
    return max(1, base_line + shift)


def _location(path: str, start: int, end: int | None = None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": start}
    if end is not None:
        region["endLine"] = end
    return {"physicalLocation": {"artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"}, "region": region}}


def _fixes(finding: Finding) -> list[dict[str, Any]]:
    fix = finding.fix
    if fix is None or finding.side != "RIGHT":
        return []
    # whole lines: from column 1 of the first line to column 1 of the line after the last
    region = {"startLine": fix.start_line, "startColumn": 1, "endLine": fix.end_line + 1, "endColumn": 1}
    inserted = "".join(line + "\n" for line in fix.replacement)
    return [{"description": {"text": fix.description},
             "artifactChanges": [{"artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"},
                                  "replacements": [{"deletedRegion": region,
                                                    "insertedContent": {"text": inserted}}]}]}]


def as_dict(result: ScanResult, rules: Mapping[str, Rule], repository_url: str = REPOSITORY_URL) -> dict[str, Any]:
    diffs = {d.old_path or d.path: d for d in result.files}
    ordered_ids: list[str] = []
    entries: list[dict[str, Any]] = []
    results = []
    notes = [{"level": "note", "message": {"text": (f"{n.path}: " if n.path else "") + n.message}}
             for n in result.notices]
    for finding in result.findings:
        message = finding.message
        if finding.side == "RIGHT":
            location = _location(finding.path, finding.line, finding.last_line)
        else:
            diff = diffs.get(finding.path)
            line = head_line(diff, finding.line)
            if diff is None or line is None:
                notes.append({"level": "warning", "message": {"text": (
                    f"{finding.path}:{finding.line} ({finding.rule}) is about code this change removed "
                    f"with its file, so it has no place in the analysed version and is left out: "
                    f"{finding.message}")}})
                continue
            location = _location(diff.path, line)
            message += (f" (line {finding.line} of the base version, removed by this change; shown at the "
                        f"nearest line that remains)")
        if finding.rule not in ordered_ids:
            ordered_ids.append(finding.rule)
            entries.append(_rule_entry(finding.rule, rules.get(finding.rule), finding, repository_url))
        item: dict[str, Any] = {
            "ruleId": finding.rule,
            "ruleIndex": ordered_ids.index(finding.rule),
            "level": _LEVEL[finding.severity],
            "message": {"text": message},
            "locations": [location],
            "partialFingerprints": {"slopguard/v1": finding.fingerprint},
            "properties": {"category": finding.category, "source": finding.source, "side": finding.side,
                           "confidence": finding.confidence},
        }
        fixes = _fixes(finding)
        if fixes:
            item["fixes"] = fixes
        results.append(item)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "slopguard",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": repository_url,
                "rules": entries,
            }
        },
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "results": results,
        "columnKind": "utf16CodeUnits",
        "properties": {"base": result.base, "head": result.head, "risk": result.risk.score},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, rules: Mapping[str, Rule]) -> str:
    return json.dumps(as_dict(result, rules), indent=2) + "\n"
