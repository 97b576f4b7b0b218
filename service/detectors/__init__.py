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
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.ispkg:
            raise RuntimeError(f"{__name__}.{info.name} must live in a category sub-package")
        category = importlib.import_module(f"{__name__}.{info.name}")
        for sub in sorted(pkgutil.iter_modules(category.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{category.__name__}.{sub.name}")
            classes = _detector_classes(module)
            if len(classes) > 1:
                raise RuntimeError(f"{module.__name__} must define at most one Detector subclass")
            found += [cls() for cls in classes]
    return found


def _detector_classes(module: ModuleType) -> list[type[Detector]]:
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Detector)
        and obj is not Detector
        and obj.__module__ == module.__name__
    ]
