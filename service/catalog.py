"""The detector catalog: every detector's class, hooks and rules, known without importing it.

A scan process would otherwise import every detector module (and compile their regular
expressions) before it knows which languages the change has. `rules/detectors.json` lists what
discovery (`slopguard.detectors.discover`) finds: for each detector module its class name, its
hooks ("file": `check_file`, "change": `check_change`) and its rules (a rule's settings by the
dotted name of their dataclass, whose defaults they are), every module of every category (helpers
too) and the rules of the passes that are not detectors (the LLM pass). It is generated and checked
in: `python -m slopguard.catalog` writes it, and a test fails when it differs from discovery.

A stale catalog does not change a scan's findings silently: a module the catalog does not list (a
new detector or helper) is imported and classified at load time, one it lists that is gone is
dropped, and a detector whose class, hooks or rules differ from the catalog's raises `StaleCatalog`
when it is imported. Only a listed helper module that has become a detector module is left to the
test (tests/test_catalog.py) to notice.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import detectors
from .detector import NO_SETTINGS, Detector, Rule
from .models import Severity
from .rulesets import RULES_DIR

CATALOG = RULES_DIR / "detectors.json"
PACKAGE = detectors.__name__  # "slopguard.detectors"
REGENERATE = "python -m slopguard.catalog"


class StaleCatalog(RuntimeError):
    """The catalog says something else of a detector than its module: regenerate it."""


def hooks(cls: type[Detector]) -> frozenset[str]:
    """The hooks a detector class overrides: "file" (`check_file`), "change" (`check_change`)."""
    return frozenset(name for name, hook in (("file", "check_file"), ("change", "check_change"))
                     if getattr(cls, hook) is not getattr(Detector, hook))


class Slot:
    """One detector as the catalog lists it; its module is imported when `detector()` is first
    called (an instance given up front is used as it is)."""

    def __init__(self, module: str, name: str, rules: Sequence[Rule], hooks: frozenset[str],
                 instance: Detector | None = None) -> None:
        self.module = module  # dotted, "slopguard.detectors.bloat.js_copy_paste"
        self.name = name  # the class name (what notices name)
        self.rules = tuple(rules)
        self.hooks = hooks
        self.languages = frozenset(lang for rule in self.rules for lang in rule.languages)
        self._instance = instance

    @classmethod
    def of(cls, detector: Detector) -> Slot:
        kind = type(detector)
        return cls(kind.__module__, kind.__name__, detector.rules, hooks(kind), detector)

    @property
    def loaded(self) -> bool:
        return self._instance is not None

    def detector(self) -> Detector:
        if self._instance is None:
            kind = detectors.detector_class(importlib.import_module(self.module))
            if kind is None or kind.__name__ != self.name:
                raise StaleCatalog(f"{self.module} no longer defines the detector {self.name}: run `{REGENERATE}`")
            if tuple(kind.rules) != self.rules or hooks(kind) != self.hooks:
                raise StaleCatalog(f"{self.module}.{self.name}: its rules or hooks changed: run `{REGENERATE}`")
            self._instance = kind()
        return self._instance


def load(path: Path = CATALOG) -> tuple[list[Slot], list[Rule]]:
    """The detectors (in discovery's order) and the other passes' rules the catalog lists; the
    modules it does not know are imported and classified here, so the list is discovery's."""
    data = json.loads(path.read_text(encoding="utf-8"))
    settings: dict[str, object] = {}
    listed = {f"{PACKAGE}.{entry['module']}": entry for entry in data["detectors"]}
    present = detectors.modules()
    unknown = sorted(set(present) - set(data["modules"]))
    slots = []
    for name in present:
        module = f"{PACKAGE}.{name}"
        if module in listed:
            entry = listed[module]
            slots.append(Slot(module, entry["class"], [_rule(r, settings) for r in entry["rules"]],
                              frozenset(entry["hooks"])))
        elif name in unknown:  # not in the catalog (it is stale): classified as discovery would
            kind = detectors.detector_class(importlib.import_module(module))
            slots += [Slot.of(kind())] if kind is not None else []
    return slots, [_rule(r, settings) for r in data["extra"]]


def _rule(data: Mapping[str, Any], settings: dict[str, object]) -> Rule:
    kind = data["settings"]
    if kind is not None and kind not in settings:
        module, _, qualname = kind.partition(":")
        settings[kind] = getattr(importlib.import_module(module), qualname)()
    return Rule(id=data["id"], category=data["category"], languages=tuple(data["languages"]),
                severity=Severity(data["severity"]), summary=data["summary"], confidence=data["confidence"],
                settings=NO_SETTINGS if kind is None else settings[kind])


def generate() -> dict[str, Any]:
    """The catalog of the detectors discovery finds now (imports every detector module)."""
    from .llm.answers import RULE as LLM_RULE

    entries = []
    for name in detectors.modules():
        kind = detectors.detector_class(importlib.import_module(f"{PACKAGE}.{name}"))
        if kind is not None:
            entries.append({"module": name, "class": kind.__name__, "hooks": sorted(hooks(kind)),
                            "rules": [_rule_data(r) for r in kind.rules]})
    return {"modules": detectors.modules(), "detectors": entries, "extra": [_rule_data(LLM_RULE)]}


def _rule_data(rule: Rule) -> dict[str, Any]:
    settings = None
    if rule.settings is not NO_SETTINGS:
        kind = type(rule.settings)
        if rule.settings != kind():
            raise ValueError(f"{rule.id}: a rule's settings must be its settings type's defaults")
        settings = f"{kind.__module__}:{kind.__qualname__}"
    return {"id": rule.id, "category": rule.category, "languages": list(rule.languages),
            "severity": rule.severity.value, "summary": rule.summary, "confidence": rule.confidence,
            "settings": settings}


def render(catalog: Mapping[str, Any]) -> str:
    return json.dumps(catalog, indent=1, ensure_ascii=False) + "\n"


def main(argv: Sequence[str]) -> int:
    """`python -m slopguard.catalog [--check]`: write the catalog, or (--check) fail when it is stale."""
    text = render(generate())
    if "--check" in argv:
        stale = CATALOG.read_text(encoding="utf-8") != text
        print(f"{CATALOG}: {'stale, run `' + REGENERATE + '`' if stale else 'up to date'}")
        return 1 if stale else 0
    CATALOG.write_text(text, encoding="utf-8")
    print(f"wrote {CATALOG}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
