"""`.slopguard.yml`: parsing, validation with line numbers, rulesets and rule selection.

Loaded once per scan and passed down; nothing in the engine reads global settings.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from . import settings as rule_settings
from .detector import Rule
from .errors import ConfigError
from .models import CATEGORIES, Severity

S = TypeVar("S")


def _rules_dir() -> Path:
    """The bundled rules: `slopguard/rules` inside an installed package, or the `rules/` folder
    beside `service/` in a source checkout (an editable install maps the package to `service/`)."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "rules", package.parent / "rules"):
        if (candidate / "rulesets").is_dir():
            return candidate
    return package / "rules"


RULES_DIR = _rules_dir()
BUILTIN_RULESETS = ("recommended", "strict", "security")
DEFAULT_IGNORES = (
    "**/migrations/**",
    "vendor/**",
    "**/vendor/**",
    "third_party/**",
    "node_modules/**",
    "**/node_modules/**",
    "**/*_pb2.py",
    "**/*_pb2_grpc.py",
    "**/*.min.js",
    "**/*.generated.*",
    "**/generated/**",
    "dist/**",
    "build/**",
)
_SEVERITIES = {s.value: s for s in Severity}
_TOP_KEYS = {"ruleset", "rules", "paths", "llm", "review"}
_LLM_KEYS = {"enabled": bool, "max_cost_usd": (int, float), "model": str, "provider": str, "base_url": str,
             "max_findings": int, "exclude": list}
_REVIEW_KEYS = {
    "event": str,
    "fail_check_on": str,
    "max_inline_comments": int,
    "review_drafts": bool,
    "demote_after": int,  # feedback calibration: marked inline comments before a rule can be demoted
    "demote_wrong_ratio": (int, float),  # ... and the share of them marked wrong that demotes it
}


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool | None = None
    severity: Severity | None = None
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ruleset:
    name: str
    select: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    ruleset: Ruleset
    rules: Mapping[str, RuleSetting] = field(default_factory=dict)
    ignore: tuple[str, ...] = DEFAULT_IGNORES
    llm_enabled: bool = True
    llm_max_cost_usd: float = 0.10
    llm_model: str = ""
    llm_provider: str = "anthropic"
    llm_base_url: str = ""
    llm_max_findings: int = 5
    llm_exclude: tuple[str, ...] = ()
    review_event: str = "COMMENT"
    fail_check_on: Severity | None = Severity.ERROR
    max_inline_comments: int = 25
    review_drafts: bool = False
    demote_after: int = 5  # 0: never demote a rule from this repository's feedback
    demote_wrong_ratio: float = 0.6
    source: str = "<defaults>"

    def is_ignored(self, path: str) -> bool:
        return any(_glob(path, pattern) for pattern in self.ignore)

    def llm_excluded(self, path: str) -> bool:
        return any(_glob(path, pattern) for pattern in self.llm_exclude)

    def _best(self, rule: Rule, table: Iterable[str]) -> str | None:
        """The most specific selector of `table` that matches `rule`."""
        best: tuple[int, str] | None = None
        for key in table:
            rank = _specificity(key, rule)
            if rank and (best is None or rank > best[0]):
                best = (rank, key)
        return best[1] if best else None

    def enabled(self, rule: Rule) -> bool:
        key = self._best(rule, [k for k, v in self.rules.items() if v.enabled is not None])
        if key is not None:
            return bool(self.rules[key].enabled)
        if self._best(rule, self.ruleset.exclude):
            return False
        return self._best(rule, self.ruleset.select) is not None

    def severity(self, rule: Rule) -> Severity:
        return self.severity_override(rule) or rule.severity

    def severity_override(self, rule: Rule) -> Severity | None:
        """The severity the configuration or ruleset sets for a rule, None when it sets none (a
        detector may then grade its findings itself, e.g. error for a bare `except: pass`)."""
        key = self._best(rule, [k for k, v in self.rules.items() if v.severity is not None])
        if key is not None:
            return self.rules[key].severity
        key = self._best(rule, self.ruleset.severity)
        return self.ruleset.severity[key] if key else None

    def settings(self, rule: Rule, kind: type[S]) -> S:
        """The rule's typed settings: the most specific configured value of each over its default."""
        if not isinstance(rule.settings, kind):
            raise TypeError(f"{rule.id}: settings are {type(rule.settings).__name__}, not {kind.__name__}")
        values: dict[str, Any] = {}
        for key in sorted(self.rules, key=lambda k: _specificity(k, rule)):
            if _specificity(key, rule):
                values.update(self.rules[key].params)
        configured = rule_settings.apply(rule, values)
        assert isinstance(configured, kind)
        return configured


def _specificity(selector: str, rule: Rule) -> int:
    if selector in ("all", "*"):
        return 1
    if selector == rule.category:
        return 2
    if selector == rule.id:
        return 1000
    if rule.id.startswith(selector + "."):
        return 3 + selector.count(".")
    return 0


def _glob(path: str, pattern: str) -> bool:
    if fnmatch.fnmatchcase(path, pattern):
        return True
    if pattern.startswith("**/") and fnmatch.fnmatchcase(path, pattern[3:]):
        return True
    return pattern.endswith("/**") and path.startswith(pattern[:-2])


# ---------------------------------------------------------------- loading


def load_ruleset(name: str, base_dir: Path | None = None) -> Ruleset:
    """A built-in ruleset from rules/rulesets, or a ruleset file by path."""
    if name in BUILTIN_RULESETS:
        path = RULES_DIR / "rulesets" / f"{name}.yml"
    else:
        path = (base_dir or Path.cwd()) / name
        if not path.is_file():
            raise ConfigError(
                f"unknown ruleset {name!r} (built-in: {', '.join(BUILTIN_RULESETS)})"
            )
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", str(path)) from None
    parent = None
    if data.get("extends"):
        parent = load_ruleset(str(data["extends"]), path.parent)
    select = tuple(str(s) for s in data.get("select", parent.select if parent else ()))
    exclude = tuple(str(s) for s in data.get("exclude", parent.exclude if parent else ()))
    severity = dict(parent.severity) if parent else {}
    for key, value in (data.get("severity") or {}).items():
        if value not in _SEVERITIES:
            raise ConfigError(f"bad severity {value!r} for {key}", str(path))
        severity[str(key)] = _SEVERITIES[value]
    return Ruleset(name=str(data.get("name", name)), select=select, exclude=exclude, severity=severity)


def default_config() -> Config:
    return Config(ruleset=load_ruleset("recommended"))


def parse_config(text: str, source: str, known: Iterable[Rule], base_dir: Path | None = None) -> Config:
    """Validate and load a `.slopguard.yml`; ConfigError carries the offending line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"invalid YAML: {problem}", source, mark.line + 1 if mark else None) from None
    if root is None:
        return Config(ruleset=load_ruleset("recommended"), source=source)
    check = _Checker(source)
    top = check.mapping(root, "the configuration")
    for key, (knode, _) in top.items():
        if key not in _TOP_KEYS:
            check.fail(knode, f"unknown key {key!r} (expected one of: {', '.join(sorted(_TOP_KEYS))})")
    kwargs: dict[str, Any] = {"source": source}
    ruleset_name = "recommended"
    if "ruleset" in top:
        ruleset_name = check.string(top["ruleset"][1], "ruleset")
        try:
            kwargs["ruleset"] = load_ruleset(ruleset_name, base_dir)
        except ConfigError as exc:
            check.fail(top["ruleset"][1], str(exc))
    else:
        kwargs["ruleset"] = load_ruleset(ruleset_name)
    if "rules" in top:
        kwargs["rules"] = _rules(check, top["rules"][1], list(known))
    if "paths" in top:
        paths = check.mapping(top["paths"][1], "paths")
        for key, (knode, vnode) in paths.items():
            if key != "ignore":
                check.fail(knode, f"unknown key {key!r} in paths (expected: ignore)")
            items = check.sequence(vnode, "paths.ignore")
            kwargs["ignore"] = DEFAULT_IGNORES + tuple(check.string(i, "a path pattern") for i in items)
    if "llm" in top:
        llm = check.section(top["llm"][1], "llm", _LLM_KEYS)
        node = check.mapping(top["llm"][1], "llm")
        if llm.get("provider", "anthropic") not in ("anthropic", "openai-compatible"):
            check.fail(node["provider"][1], "llm.provider must be anthropic or openai-compatible")
        if llm.get("max_cost_usd", 0) < 0:
            check.fail(node["max_cost_usd"][1], "llm.max_cost_usd must be >= 0")
        if llm.get("max_findings", 1) < 1:
            check.fail(node["max_findings"][1], "llm.max_findings must be >= 1")
        if "exclude" in llm:
            items = check.sequence(node["exclude"][1], "llm.exclude")
            llm["exclude"] = tuple(check.string(i, "a path pattern") for i in items)
        for key, value in llm.items():
            kwargs["llm_max_cost_usd" if key == "max_cost_usd" else f"llm_{key}"] = value
    if "review" in top:
        review = check.section(top["review"][1], "review", _REVIEW_KEYS)
        node = check.mapping(top["review"][1], "review")
        if "event" in review:
            if review["event"] not in ("COMMENT", "REQUEST_CHANGES", "APPROVE"):
                check.fail(node["event"][1], "review.event must be COMMENT, REQUEST_CHANGES or APPROVE")
            kwargs["review_event"] = review["event"]
        if "fail_check_on" in review:
            value = review["fail_check_on"]
            if value != "never" and value not in _SEVERITIES:
                check.fail(node["fail_check_on"][1], "review.fail_check_on must be notice, warning, error or never")
            kwargs["fail_check_on"] = None if value == "never" else _SEVERITIES[value]
        if "max_inline_comments" in review:
            if review["max_inline_comments"] < 0:
                check.fail(node["max_inline_comments"][1], "review.max_inline_comments must be >= 0")
            kwargs["max_inline_comments"] = review["max_inline_comments"]
        if "review_drafts" in review:
            kwargs["review_drafts"] = review["review_drafts"]
        if review.get("demote_after", 0) < 0:
            check.fail(node["demote_after"][1], "review.demote_after must be >= 0")
        if not 0 < review.get("demote_wrong_ratio", 0.6) <= 1:
            check.fail(node["demote_wrong_ratio"][1], "review.demote_wrong_ratio must be above 0 and at most 1")
        for key in ("demote_after", "demote_wrong_ratio"):
            if key in review:
                kwargs[key] = review[key]
    return Config(**kwargs)


def _rules(check: _Checker, node: yaml.Node, known: list[Rule]) -> dict[str, RuleSetting]:
    ids = {r.id for r in known}
    out: dict[str, RuleSetting] = {}
    for key, (knode, vnode) in check.mapping(node, "rules").items():
        matching = [r for r in known if _specificity(key, r)]
        if key not in CATEGORIES and key not in ("all", "*") and not matching:
            check.fail(knode, f"unknown rule or category {key!r}")
        if isinstance(vnode, yaml.ScalarNode):
            value = check.scalar(vnode)
            if isinstance(value, bool) or value in ("on", "off"):
                out[key] = RuleSetting(enabled=value in (True, "on"))
            elif value in _SEVERITIES:
                out[key] = RuleSetting(enabled=True, severity=_SEVERITIES[str(value)])
            else:
                check.fail(vnode, f"{key}: expected on, off, a severity or a mapping")
            continue
        enabled: bool | None = None
        severity: Severity | None = None
        params: dict[str, Any] = {}
        schemas = [rule_settings.schema(r) for r in matching]
        allowed = {p for schema in schemas for p in schema}
        for pkey, (pk, pv) in check.mapping(vnode, key).items():
            value = check.scalar(pv) if isinstance(pv, yaml.ScalarNode) else check.plain(pv)
            if pkey == "enabled":
                if not isinstance(value, bool):
                    check.fail(pv, f"{key}.enabled must be true or false")
                enabled = bool(value)
            elif pkey == "severity":
                if value not in _SEVERITIES:
                    check.fail(pv, f"{key}.severity must be notice, warning or error")
                severity = _SEVERITIES[str(value)]
            elif pkey in allowed:
                kinds = {schema[pkey].kind for schema in schemas if pkey in schema}
                if not any(rule_settings.accepts(kind, value) for kind in kinds):
                    check.fail(pv, f"{key}.{pkey} must be {' or '.join(sorted(kinds))}")
                params[pkey] = value
            else:
                hint = f" (parameters: {', '.join(sorted(allowed))})" if allowed else ""
                check.fail(pk, f"unknown setting {pkey!r} for {key}{hint}")
        if key in ids or matching:
            out[key] = RuleSetting(enabled=enabled, severity=severity, params=params)
    return out


class _Checker:
    """Typed access to YAML nodes that fails with the node's line number."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, node: yaml.Node, message: str) -> Any:
        raise ConfigError(message, self.source, node.start_mark.line + 1)

    def mapping(self, node: yaml.Node, what: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping")
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for knode, vnode in node.value:
            key = str(knode.value)
            if key in out:
                self.fail(knode, f"duplicate key {key!r}")
            out[key] = (knode, vnode)
        return out

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, "expected a single value")
        if node.tag.endswith(":bool") and node.value in ("on", "off", "yes", "no"):
            return node.value == "on" or node.value == "yes"
        return yaml.safe_load(yaml.serialize(node))

    def plain(self, node: yaml.Node) -> Any:
        return yaml.safe_load(yaml.serialize(node))

    def string(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node)
        if not isinstance(value, str) or not value:
            self.fail(node, f"{what} must be a string")
        return str(value)

    def section(self, node: yaml.Node, name: str, keys: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, (knode, vnode) in self.mapping(node, name).items():
            if key not in keys:
                self.fail(knode, f"unknown key {key!r} in {name} (expected: {', '.join(keys)})")
            expected = keys[key]
            if expected is list:
                out[key] = self.sequence(vnode, f"{name}.{key}")
                continue
            value = self.scalar(vnode)
            if (isinstance(value, bool) and expected is not bool) or not isinstance(value, expected):
                self.fail(vnode, f"{name}.{key} has the wrong type")
            out[key] = value
        return out
