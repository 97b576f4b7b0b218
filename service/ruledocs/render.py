"""A rule's page (for `slopguard rules --explain` and `docs/rules/<rule-id>.md`) and the index.

The page is the rule's documentation (source.py) with what the code knows about the rule put
around it: summary, category, languages, default severity, confidence, the built-in rulesets that
enable it, its settings with their defaults, and the suppression mechanics every rule shares.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import settings as rule_settings
from ..config import BUILTIN_RULESETS, Config, load_ruleset
from ..detector import Rule
from ..models import CATEGORIES
from .source import SECTIONS, RuleDoc

GENERATED = ("<!-- Generated from rules/docs by `python -m slopguard.ruledocs --write docs/rules`; "
             "edit the source, not this file. -->")


def rulesets_enabling(rule: Rule) -> list[str]:
    return [name for name in BUILTIN_RULESETS if Config(ruleset=load_ruleset(name)).enabled(rule)]


def facts(rule: Rule) -> str:
    """The rule's metadata as a markdown table."""
    rulesets = ", ".join(rulesets_enabling(rule)) or "none (enable it in `.slopguard.yml`)"
    return "\n".join([
        "| Category | Languages | Default severity | Confidence | Enabled by rulesets |",
        "|---|---|---|---|---|",
        f"| {rule.category} | {', '.join(rule.languages)} | {rule.severity.value} | {rule.confidence} | {rulesets} |",
    ])


def settings_table(rule: Rule) -> str:
    schema = rule_settings.schema(rule)
    if not schema:
        return "This rule has no settings."
    rows = ["| Setting | Type | Default | Meaning |", "|---|---|---|---|"]
    for s in schema.values():
        default = list(s.default) if isinstance(s.default, tuple) else s.default
        rows.append(f"| `{s.name}` | {s.kind} | `{default}` | {s.help} |")
    example = ", ".join(f"{s.name}: {_yaml(s.default)}" for s in schema.values())
    rows += ["", "Set them per repository in `.slopguard.yml`:", "", "```yaml", "rules:",
             f"  {rule.id}: {{{example}}}", "```"]
    return "\n".join(rows)


def _yaml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def suppression(rule: Rule) -> str:
    marker = "#" if rule.languages == ("python",) else "//" if "python" not in rule.languages else "# (or //)"
    return "\n".join([
        f"One finding: put `{marker} slopguard: ignore[{rule.id}]` on the flagged line or the line above it"
        f" (`ignore[{rule.category}]` covers the category). A whole repository: in `.slopguard.yml`, which is"
        " read from the base commit so a pull request cannot switch off its own review:",
        "",
        "```yaml",
        "rules:",
        f"  {rule.id}: off        # or a severity: notice | warning | error",
        "```",
    ])


def page(rule: Rule, doc: RuleDoc) -> str:
    """The full page of one rule, in markdown."""
    out = [f"# {rule.id}", "", rule.summary.strip(), "", facts(rule), ""]
    for name in SECTIONS:
        out += [f"## {name}", "", doc.readable(name), ""]
        if name == "How to suppress":
            out += [suppression(rule), ""]
    out += ["## Settings", "", settings_table(rule), ""]
    return "\n".join(out)


def index(rules: Iterable[Rule]) -> str:
    """The index of every documented rule, by category."""
    by_category: dict[str, list[Rule]] = {}
    for rule in rules:
        by_category.setdefault(rule.category, []).append(rule)
    out = [GENERATED, "", "# slopguard rules", "",
           "Every rule slopguard reports, by the failure mode it looks for. Each page says what the rule flags,",
           "why it matters in AI-written code, an example that fires, the shape to use instead and how to",
           "suppress it. `slopguard rules --explain RULE` prints the same page.", ""]
    for category in [c for c in CATEGORIES if c in by_category] + sorted(set(by_category) - set(CATEGORIES)):
        out += [f"## {category}", "", "| Rule | Languages | Severity | Confidence | Flags |", "|---|---|---|---|---|"]
        for rule in sorted(by_category[category], key=lambda r: r.id):
            out.append(f"| [`{rule.id}`]({rule.id}.md) | {', '.join(rule.languages)} | {rule.severity.value} "
                       f"| {rule.confidence} | {rule.summary.strip()} |")
        out.append("")
    return "\n".join(out)
