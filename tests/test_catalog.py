"""The detector catalog (rules/detectors.json): equal to discovery, and what it spares a scan."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from slopguard import catalog
from slopguard.catalog import Slot, StaleCatalog
from slopguard.detector import Detector
from slopguard.detectors import discover
from slopguard.llm.answers import RULE as LLM_RULE
from slopguard.registry import load

from .gitrepos import make_repo


def test_the_checked_in_catalog_is_what_discovery_finds() -> None:
    assert catalog.CATALOG.read_text(encoding="utf-8") == catalog.render(catalog.generate()), \
        f"rules/detectors.json is stale: run `{catalog.REGENERATE}`"


def test_the_registry_lists_every_rule_of_discovery_without_importing_a_detector() -> None:
    registry = load()
    found = discover()
    assert [(s.module, s.name, s.rules, s.hooks) for s in registry.slots] == \
        [(type(d).__module__, type(d).__name__, d.rules, catalog.hooks(type(d))) for d in found]
    expected = {r.id: r for d in found for r in d.rules} | {LLM_RULE.id: LLM_RULE}
    assert {k: v for k, v in registry.rules.items() if k in expected} == expected
    assert not any(slot.loaded for slot in registry.slots)


def _without(data: dict[str, object], module: str) -> dict[str, object]:
    entries = [e for e in data["detectors"] if e["module"] != module]  # type: ignore[attr-defined]
    modules = [m for m in data["modules"] if m != module]  # type: ignore[attr-defined]
    return {**data, "detectors": entries, "modules": modules}


def test_a_module_the_catalog_does_not_list_is_classified_at_load(tmp_path: Path) -> None:
    path = tmp_path / "detectors.json"
    data = catalog.generate()
    path.write_text(json.dumps(_without(data, "bloat.python_long_function")))
    slots, extra = catalog.load(path)
    assert [(s.module, s.name, s.rules) for s in slots] == \
        [(type(d).__module__, type(d).__name__, d.rules) for d in discover()]
    assert extra == [LLM_RULE]


def test_a_detector_whose_rules_changed_is_a_stale_catalog(tmp_path: Path) -> None:
    path = tmp_path / "detectors.json"
    data = catalog.generate()
    data["detectors"][0]["rules"][0]["summary"] = "an older summary"
    path.write_text(json.dumps(data))
    slots, _ = catalog.load(path)
    with pytest.raises(StaleCatalog, match="rules or hooks changed"):
        slots[0].detector()


def test_a_slot_of_an_instance_keeps_it() -> None:
    class Probe(Detector):
        pass

    probe = Probe()
    slot = Slot.of(probe)
    assert slot.loaded and slot.detector() is probe and slot.hooks == frozenset()


SCAN = """
import json, sys
from slopguard import cli
cli.main(["scan", "--repo", sys.argv[1], "--base", "main", "--head", "feature", "--no-llm", "--format", "json",
          "--fail-on", "never", "--output", sys.argv[2]])
print(json.dumps(sorted(sys.modules)))
"""


def _scan_modules(repo: Path) -> tuple[set[str], set[str]]:
    """The slopguard modules a fresh `slopguard scan --no-llm` process imports, and the rules it finds;
    it imports neither the LLM clients nor the App's web stack."""
    report = repo.parent / "report.json"
    out = subprocess.run([sys.executable, "-c", SCAN, str(repo), str(report)], capture_output=True, text=True,
                         check=True, env={**os.environ, "SLOPGUARD_CACHE_DIR": str(repo.parent / "cache")})
    modules = set(json.loads(out.stdout))
    assert not {m.split(".")[0] for m in modules} & {"anthropic", "openai", "github", "fastapi", "httpx", "uvicorn"}
    assert not {m for m in modules if m.startswith(("slopguard.llm", "slopguard.app"))}
    rules = {f["rule"] for f in json.loads(report.read_text())["findings"]}
    return {m for m in modules if m.startswith("slopguard.")}, rules


def _only(languages: set[str]) -> set[str]:
    """The detector modules all of whose rules are of `languages`."""
    return {s.module for s in load().slots if s.languages <= languages}


JS = {"javascript", "typescript", "tsx"}
PY_BASE = {"app/orders.py": "def total(order):\n    return sum(line.price for line in order.lines)\n"}
PY_HEAD = {"app/orders.py": PY_BASE["app/orders.py"]
           + "\n\ndef first(order):\n    try:\n        return order.lines[0]\n    except Exception:\n        pass\n"}
TS_BASE = {"web/orders.ts": "export function total(xs: number[]): number {\n  return xs.length;\n}\n"}
TS_HEAD = {"web/orders.ts": TS_BASE["web/orders.ts"]
           + "\nexport function first(xs: number[]) {\n  try {\n    return xs[0];\n  } catch (e) {}\n}\n"}


def test_a_python_change_imports_no_javascript_detector(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {**PY_BASE, **TS_BASE}, PY_HEAD)
    modules, rules = _scan_modules(repo)
    assert "python.error-handling.swallowed-exception" in rules
    assert _only(JS) and not modules & _only(JS)
    assert _only({"python"}) <= modules


def test_a_typescript_change_imports_no_python_detector(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {**PY_BASE, **TS_BASE}, TS_HEAD)
    modules, rules = _scan_modules(repo)
    assert "js.error-handling.empty-catch" in rules
    assert _only({"python"}) and not modules & _only({"python"})


def test_a_file_no_detector_language_claims_runs_every_change_wide_detector(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, PY_BASE, {**PY_HEAD, "next.config.json": "{}\n"})
    modules, _ = _scan_modules(repo)
    change_wide = {s.module for s in load().slots if "change" in s.hooks}
    assert change_wide & _only(JS) and change_wide <= modules
