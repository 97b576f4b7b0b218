"""Every rule slopguard knows: tree-sitter detectors and semgrep rules, indexed by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import semgrep
from .detector import Detector, Rule
from .detectors import discover


@dataclass
class Registry:
    detectors: list[Detector]
    semgrep_rules: list[semgrep.SemgrepRule]
    extra_rules: list[Rule] = field(default_factory=list)  # rules of passes that are not detectors (LLM)
    rules: dict[str, Rule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for rule in self.extra_rules:
            self.rules[rule.id] = rule
        for detector in self.detectors:
            for rule in detector.rules:
                self.rules[rule.id] = rule
        for sg in self.semgrep_rules:
            self.rules[sg.rule.id] = sg.rule

    def with_semgrep(self, extra: Sequence[semgrep.SemgrepRule]) -> Registry:
        """A registry that also holds a repository's own semgrep rules."""
        return Registry(self.detectors, [*self.semgrep_rules, *extra], self.extra_rules)


def load() -> Registry:
    from .llm.assumptions import RULE as LLM_RULE

    return Registry(discover(), semgrep.load_bundled(), [LLM_RULE])
