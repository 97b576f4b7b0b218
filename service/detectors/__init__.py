"""Detectors, grouped by failure mode and discovered at run time.

Layout: one sub-package per category (`null_check`, `error_handling`, `excessive_io`,
`insecure_auth`, `dead_code`, `bloat`, `orthogonal_edit`, `test_tampering`). Discovery walks
those sub-packages in name order and, inside each, its modules in name order, and tells detector
modules from helper modules structurally:

- a module that defines exactly one `Detector` subclass is a detector module; the subclass is
  instantiated once;
- a module that defines none is a helper of its category (its own folder only; helpers shared
  by several categories live in `slopguard.lang.*` or `slopguard.analysis`);
- a module that defines more than one is an error, and so is a module placed directly in this
  package instead of in a category.

"Defines" means the class's `__module__` is the module itself; importing a detector class from
elsewhere does not count. The resulting order is deterministic; the engine's result does not
depend on it, since findings are ordered by `fingerprint.assign`.

A scan does not import every module: it reads the catalog (`slopguard.catalog`, generated from
`discover` and checked in) and imports a detector's module when the change needs it. `modules`
lists the modules without importing them; `detector_class` is the structural test of one module.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

from ..detector import Detector


def discover() -> list[Detector]:
    """Instantiate every detector of every category sub-package, in (category, module) order."""
    found: list[Detector] = []
    for name in modules():
        cls = detector_class(importlib.import_module(f"{__name__}.{name}"))
        found += [cls()] if cls is not None else []
    return found


def modules() -> list[str]:
    """Every module of every category ("bloat.js_copy_paste"), in (category, module) order, without
    importing them (a category package's `__init__` only)."""
    found: list[str] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.ispkg:
            raise RuntimeError(f"{__name__}.{info.name} must live in a category sub-package")
        category = importlib.import_module(f"{__name__}.{info.name}")
        found += [f"{info.name}.{sub.name}"
                  for sub in sorted(pkgutil.iter_modules(category.__path__), key=lambda m: m.name)]
    return found


def detector_class(module: ModuleType) -> type[Detector] | None:
    """The one Detector subclass `module` defines, None for a helper module."""
    classes = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Detector)
        and obj is not Detector
        and obj.__module__ == module.__name__
    ]
    if len(classes) > 1:
        raise RuntimeError(f"{module.__name__} must define at most one Detector subclass")
    return classes[0] if classes else None
