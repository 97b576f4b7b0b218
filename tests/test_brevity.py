"""The reviewer-facing message cap: long messages are cut at a sentence end, long code clipped,
and the full text kept as JSON evidence."""

from __future__ import annotations

import json
from pathlib import Path

from slopguard.brevity import MAX_CHARS, MAX_LINES, short_message, shorten
from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.models import Finding, Severity
from slopguard.reporters import json as json_reporter

from .gitrepos import make_repo


def _finding(message: str, evidence: str = "") -> Finding:
    return Finding(rule="js.orthogonal-edit.unrelated-logic-change", category="orthogonal-edit",
                   severity=Severity.WARNING, path="a.ts", line=1, message=message, evidence=evidence)


def test_short_messages_are_untouched() -> None:
    finding = _finding("`x` may be missing; check it first.")
    assert shorten(finding) is finding


def test_a_quoted_object_is_clipped_and_kept_as_evidence() -> None:
    whole = "{ " + ", ".join(f"field{i}: value{i}" for i in range(300)) + " }"
    message = f"`build` changes `{whole}` in a.ts. It is unrelated to the PR. Revert it."
    out = shorten(_finding(message, evidence='{"k": 1}'))
    assert len(out.message) <= MAX_CHARS
    assert "field299" not in out.message and "Revert it." in out.message
    assert out.evidence.startswith(message) and out.evidence.endswith('{"k": 1}')


def test_long_prose_is_cut_at_a_sentence_end() -> None:
    sentence = "This sentence explains one more thing the reviewer may want to know about it. "
    out = short_message(sentence * 20)
    assert len(out) <= MAX_CHARS
    assert out.count("explains") < 20 and "evidence" in out
    assert out.split(" (full detail")[0].endswith(".")


def test_many_quoted_lines_are_capped() -> None:
    out = short_message("Lines:\n" + "\n".join(f"    line {i}" for i in range(40)))
    assert len(out.splitlines()) <= MAX_LINES + 1


def test_the_engine_caps_every_finding(tmp_path: Path) -> None:
    name = "compute" + "".join(f"Part{i}" for i in range(150))  # a name of ~1,000 characters
    head = {"src/feature.ts": f"export function {name}(): number {{\n  return 1;\n}}\n"}
    repo = make_repo(tmp_path, {}, head, message="Add the feature function")
    result = scan(Target(repo=repo, base="main", head="feature"), Config(ruleset=load_ruleset("strict"), ignore=()))
    unused = [f for f in result.findings if f.rule == "js.dead-code.unused-export"]
    assert unused and all(len(f.message) <= MAX_CHARS and name in f.evidence for f in unused)
    report = json.loads(json_reporter.render(result))
    assert all(len(f["message"]) <= MAX_CHARS for f in report["findings"])
    assert any(name in f.get("evidence", "") for f in report["findings"])
