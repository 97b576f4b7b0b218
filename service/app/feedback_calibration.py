"""Per-repository calibration: from the feedback on a rule's inline comments to its demotion.

Every finding (fingerprint) with feedback gets one verdict, the strongest signal first:
- wrong: someone allowed to judge replied `/slopguard wrong`, or it has more 👎 than 👍 and its
  lines were not changed afterwards;
- acted on: its lines changed in a later push (thread outdated, or the finding gone);
- useful: more 👍 than 👎;  ignored: `/slopguard ignore` (true, but not worth changing);
- dismissed: its thread was resolved with the lines unchanged.
A rule's marked findings are those with a verdict; its estimated precision is the share of them not
marked wrong. A rule with at least `demote_after` marked findings (counted since a maintainer last
restored it) of which at least `demote_wrong_ratio` are wrong is demoted for the repository: its
findings appear in the summary only. Error-level insecure-auth rules are never demoted
automatically, nor a rule the repository's `.slopguard.yml` names under `rules:`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..models import Severity
from ..registry import Registry

VERDICTS = ("wrong", "acted_on", "useful", "ignored", "dismissed")


@dataclass
class RuleStats:
    rule: str
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    ups: int = 0
    downs: int = 0
    recent_marked: int = 0  # since the last restore
    recent_wrong: int = 0

    @property
    def marked(self) -> int:
        return sum(self.verdicts.values())

    @property
    def wrong(self) -> int:
        return self.verdicts["wrong"]

    @property
    def precision(self) -> float | None:
        return None if not self.marked else (self.marked - self.wrong) / self.marked


@dataclass(frozen=True)
class Calibration:
    """What a review of one repository must do differently: rules shown in the summary only."""

    summary_only: frozenset[str] = frozenset()
    note: str = ""


def verdict(kinds: Iterable[str], ups: int, downs: int) -> str | None:
    present = set(kinds)
    acted = "acted_on" in present
    if "wrong" in present or (downs > ups and not acted):
        return "wrong"
    if acted:
        return "acted_on"
    if ups > downs:
        return "useful"
    if "ignore" in present:
        return "ignored"
    if "resolved" in present:
        return "dismissed"
    return None


def rule_stats(signals: Iterable[Mapping[str, Any]], restored_at: Mapping[str, float]) -> dict[str, RuleStats]:
    """Per rule, the verdicts of its findings (and how many were marked after its last restore)."""
    by_finding: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for s in signals:
        by_finding[(str(s["rule"]), str(s["fingerprint"]))].append(s)
    out: dict[str, RuleStats] = {}
    for (rule, _), rows in by_finding.items():
        stats = out.setdefault(rule, RuleStats(rule))
        ups = sum(1 for r in rows if r["kind"] == "thumbs_up")
        downs = sum(1 for r in rows if r["kind"] == "thumbs_down")
        stats.ups += ups
        stats.downs += downs
        found = verdict((str(r["kind"]) for r in rows), ups, downs)
        if found is None:
            continue
        stats.verdicts[found] += 1
        if max(float(r["created_at"]) for r in rows) > restored_at.get(rule, 0.0):
            stats.recent_marked += 1
            stats.recent_wrong += found == "wrong"
    return out


def exempt(rule_id: str, config: Config, registry: Registry) -> str | None:
    """Why a rule is never demoted automatically in this configuration, or None."""
    rule = registry.rules.get(rule_id)
    if rule_id in config.rules:
        return "the repository's configuration names it"
    if rule is not None and rule.category == "insecure-auth" and config.severity(rule) is Severity.ERROR:
        return "error-level insecure-auth rules are never demoted automatically"
    return None


def should_demote(stats: RuleStats, config: Config) -> bool:
    if config.demote_after <= 0 or stats.recent_marked < config.demote_after:
        return False
    return stats.recent_wrong >= config.demote_wrong_ratio * stats.recent_marked


def note(demoted: Mapping[str, Mapping[str, Any]]) -> str:
    """The summary's paragraph about demoted rules and how to undo it."""
    if not demoted:
        return ""
    out = ["**Shown in this summary only, from this repository's feedback:**", ""]
    for rule, row in sorted(demoted.items()):
        out.append(f"- `{rule}`: {row['wrong']} of its {row['marks']} marked inline comments here were marked "
                   "wrong, so its findings get no inline comments in this repository.")
    out += ["", "To undo: `/slopguard restore RULE` in a pull request comment (needs write access), or name the "
            "rule under `rules:` in `.slopguard.yml` (or set `review: {demote_after: 0}` to turn demotion off)."]
    return "\n".join(out)
