"""Detectors: one module per detector, discovered at run time.

A module here whose name does not start with `_` must define exactly one `Detector` subclass.
Modules starting with `_` hold logic shared between detectors of one language.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from ..detector import Detector


def discover() -> list[Detector]:
    """Instantiate every detector in this package, in module-name order."""
    found: list[Detector] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        classes = [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj)
            and issubclass(obj, Detector)
            and obj is not Detector
            and obj.__module__ == module.__name__
        ]
        if len(classes) != 1:
            raise RuntimeError(f"{module.__name__} must define exactly one Detector subclass")
        found.append(classes[0]())
    return found
