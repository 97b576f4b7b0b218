"""The package layout README.md describes: detectors grouped by category, module size, imports."""

from __future__ import annotations

import ast
import inspect
from importlib import import_module
from pathlib import Path

from slopguard.detector import Detector
from slopguard.detectors import discover

SERVICE = Path(__file__).resolve().parent.parent / "service"
CATEGORIES = {"null_check", "error_handling", "excessive_io", "insecure_auth", "dead_code", "bloat",
              "orthogonal_edit", "test_tampering"}


def _module(path: Path) -> list[str]:
    parts = list(path.relative_to(SERVICE).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(path: Path) -> set[str]:
    """Every module (dotted, under slopguard) a file imports relatively, names included."""
    here = _module(path) if path.name == "__init__.py" else _module(path)[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = here[: len(here) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
            found.add(".".join(target))
            found.update(".".join([*target, alias.name]) for alias in node.names)
    return found


def _detector_modules() -> set[str]:
    return {".".join(type(d).__module__.split(".")[1:]) for d in discover()}


def test_every_detector_lives_in_a_category_folder() -> None:
    modules = _detector_modules()
    assert len(modules) == len(discover())
    assert {m.split(".")[1] for m in modules} == CATEGORIES
    assert all(m.count(".") == 2 for m in modules)


def test_helper_modules_define_no_detector() -> None:
    for path in (SERVICE / "lang").rglob("*.py"):
        module = import_module("slopguard." + ".".join(_module(path)))
        assert not [c for c in vars(module).values()
                    if inspect.isclass(c) and issubclass(c, Detector) and c is not Detector], path


def test_no_module_above_400_lines() -> None:
    long = {str(p.relative_to(SERVICE)): n for p in SERVICE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 400}
    assert not long


def test_detectors_import_only_their_own_category_and_the_shared_layers() -> None:
    detectors = _detector_modules()
    problems = []
    for path in SERVICE.rglob("*.py"):
        parts = _module(path)
        me = ".".join(parts)
        for target in _imports(path):
            if target in detectors and target != me:
                problems.append(f"{me} imports the detector module {target}")
            if parts[0] == "detectors" and len(parts) > 2 and target.startswith("detectors.") \
                    and target.split(".")[1] != parts[1]:
                problems.append(f"{me} imports {target} of another category")
            if parts[0] in ("lang", "analysis") and target.startswith("detectors"):
                problems.append(f"{me} (a shared layer) imports {target}")
    assert not problems, "\n".join(problems)
