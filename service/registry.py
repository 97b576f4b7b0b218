"""Every rule slopguard knows: tree-sitter detectors and semgrep rules, indexed by id.

The detectors are `catalog.Slot`s: their rules are known from the catalog, and a detector's
module is imported only when a scan runs it (`Slot.detector()`), so a scan of a Python change
never imports the JavaScript-only detectors. `rules` always holds every rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import catalog, semgrep
from .catalog import Slot
from .detector import Detector, Rule


class Registry:
    def __init__(self, detectors: Sequence[Slot | Detector], semgrep_rules: Sequence[semgrep.SemgrepRule],
                 extra_rules: Sequence[Rule] = ()) -> None:
        """`detectors`: slots, or Detector instances (tests, plugins); `extra_rules`: the rules
        of passes that are not detectors (the LLM pass)."""
        self.slots = [d if isinstance(d, Slot) else Slot.of(d) for d in detectors]
        self.semgrep_rules = list(semgrep_rules)
        self.extra_rules = list(extra_rules)
        self.rules: dict[str, Rule] = {}
        for rule in self.extra_rules:
            self.rules[rule.id] = rule
        for slot in self.slots:
            for rule in slot.rules:
                self.rules[rule.id] = rule
        for sg in self.semgrep_rules:
            self.rules[sg.rule.id] = sg.rule
        self.languages = frozenset(lang for slot in self.slots for lang in slot.languages)

    @property
    def detectors(self) -> list[Detector]:
        """Every detector, instantiated (this imports every detector module)."""
        return [slot.detector() for slot in self.slots]

    def with_semgrep(self, extra: Sequence[semgrep.SemgrepRule]) -> Registry:
        """A registry that also holds a repository's own semgrep rules."""
        return Registry(self.slots, [*self.semgrep_rules, *extra], self.extra_rules)


def load() -> Registry:
    slots, extra = catalog.load()
    return Registry(slots, semgrep.load_bundled(), extra)
