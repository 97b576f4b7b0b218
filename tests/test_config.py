"""`.slopguard.yml`: rulesets, selection, parameters and line-numbered errors."""

from __future__ import annotations

import pytest
from slopguard.config import parse_config
from slopguard.detector import Rule
from slopguard.detectors.bloat.thresholds import LongFunctionSettings
from slopguard.errors import ConfigError
from slopguard.models import Severity

RULES = [
    Rule("python.bloat.long-function", "bloat", ("python",), Severity.WARNING, "long",
         settings=LongFunctionSettings()),
    Rule("python.null-check.unguarded-optional", "null-check", ("python",), Severity.WARNING, "none"),
    Rule("python.insecure-auth.jwt-unverified", "insecure-auth", ("python",), Severity.ERROR, "jwt"),
]
LONG, NULL, JWT = RULES


def _parse(text: str):  # type: ignore[no-untyped-def]
    return parse_config(text, ".slopguard.yml", RULES)


def test_design_example_parses() -> None:
    cfg = _parse(
        """
ruleset: recommended
rules:
  python.bloat.long-function: {severity: notice, max_lines: 120}
  dead-code: off
paths:
  ignore: ["migrations/**", "**/*_pb2.py", "vendor/**"]
llm: {enabled: true, max_cost_usd: 0.10}
review: {event: COMMENT, fail_check_on: error, max_inline_comments: 25}
"""
    )
    assert cfg.severity(LONG) == Severity.NOTICE
    limits = cfg.settings(LONG, LongFunctionSettings)
    assert (limits.max_lines, limits.max_branches) == (120, 15)  # configured, then the one default
    assert cfg.enabled(NULL) and cfg.enabled(LONG)
    assert cfg.is_ignored("vendor/lib/x.py") and cfg.is_ignored("app/proto/x_pb2.py")
    assert cfg.is_ignored("app/migrations/0001.py")  # a default ignore
    assert not cfg.is_ignored("app/models.py")
    assert cfg.llm_max_cost_usd == 0.10 and cfg.max_inline_comments == 25


def test_settings_follow_the_most_specific_selector_and_accept_ints_for_floats() -> None:
    cfg = _parse("rules:\n  bloat: {percentile_factor: 3, max_lines: 50}\n"
                 "  python.bloat.long-function: {max_lines: 90}\n")
    limits = cfg.settings(LONG, LongFunctionSettings)
    assert (limits.max_lines, limits.percentile_factor) == (90, 3.0)
    assert isinstance(limits.percentile_factor, float)
    assert _parse("").settings(LONG, LongFunctionSettings) == LongFunctionSettings()


def test_category_off_and_rule_on_most_specific_wins() -> None:
    cfg = _parse("rules:\n  null-check: off\n  python.null-check.unguarded-optional: on\n  insecure-auth: off\n")
    assert cfg.enabled(NULL)
    assert not cfg.enabled(JWT)


def test_security_ruleset_selects_security_only() -> None:
    cfg = _parse("ruleset: security\n")
    assert cfg.enabled(JWT) and not cfg.enabled(LONG)
    assert cfg.severity(JWT) == Severity.ERROR


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("ruleset: recommended\nfoo: 1\n", 2, "unknown key 'foo'"),
        ("rules:\n  python.nope.rule: off\n", 2, "unknown rule or category"),
        ("rules:\n  python.bloat.long-function: {max_line: 3}\n", 2, "unknown setting 'max_line'"),
        ("rules:\n  python.bloat.long-function:\n    max_lines: lots\n", 3, "must be int"),
        ("rules:\n  python.bloat.long-function:\n    max_lines: true\n", 3, "must be int"),
        ("rules:\n  bloat:\n    percentile_factor: [2]\n", 3, "must be float"),
        ("rules:\n  null-check: loud\n", 2, "expected on, off"),
        ("llm:\n  enabled: true\n  budget: 3\n", 3, "unknown key 'budget'"),
        ("llm:\n  max_findings: 0\n", 2, "llm.max_findings must be >= 1"),
        ("review:\n  fail_check_on: sometimes\n", 2, "fail_check_on"),
        ("ruleset: paranoid\n", 1, "unknown ruleset"),
        ("rules: [a\n", 2, "invalid YAML"),
        ("paths:\n  ignore: vendor\n", 2, "must be a list"),
    ],
)
def test_errors_carry_line_numbers(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        _parse(text)
    assert info.value.line == line
    assert fragment in str(info.value)
    assert str(info.value).startswith(f".slopguard.yml:{line}: ")


def test_empty_file_is_defaults() -> None:
    cfg = _parse("")
    assert cfg.ruleset.name == "recommended"
