"""Typed rule settings: what a rule's settings dataclass accepts, and configured values over it.

A rule declares its settings as a frozen dataclass instance (`Rule.settings`) whose field defaults
are the only defaults. Configuration values are checked against the field types here (config.py
reports the offending line) and applied with `apply`.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .detector import Rule


@dataclass(frozen=True)
class Setting:
    name: str
    kind: str  # "int", "float", "bool", "str" or "list of str"
    default: Any
    help: str


def schema(rule: Rule) -> dict[str, Setting]:
    """name -> Setting for every field of the rule's settings dataclass."""
    settings = rule.settings
    if not dataclasses.is_dataclass(settings):
        raise TypeError(f"{rule.id}: Rule.settings must be a dataclass instance")
    hints = typing.get_type_hints(type(settings))
    return {
        f.name: Setting(f.name, _kind(hints[f.name], rule.id, f.name), getattr(settings, f.name),
                        str(f.metadata.get("help", "")))
        for f in dataclasses.fields(settings)
    }


def _kind(hint: Any, rule_id: str, name: str) -> str:
    if hint in (int, float, bool, str):
        return str(hint.__name__)
    if typing.get_origin(hint) is tuple and typing.get_args(hint) == (str, ...):
        return "list of str"
    raise TypeError(f"{rule_id}: setting {name!r} has an unsupported type {hint!r}")


def accepts(kind: str, value: Any) -> bool:
    """Whether a configured (YAML) value fits a setting of `kind`."""
    if isinstance(value, bool):
        return kind == "bool"
    if kind == "float":
        return isinstance(value, (int, float))
    if kind == "list of str":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return type(value).__name__ == kind


def apply(rule: Rule, values: Mapping[str, Any]) -> object:
    """The rule's settings with `values` (already checked with `accepts`) over the defaults."""
    fields = schema(rule)
    changes = {k: (tuple(v) if fields[k].kind == "list of str" else float(v) if fields[k].kind == "float" else v)
               for k, v in values.items() if k in fields}
    return dataclasses.replace(rule.settings, **changes) if changes else rule.settings  # type: ignore[type-var]
