"""Rulesets: a built-in name (rules/rulesets/NAME.yml) or a file inside the repository.

A repository's configuration names a ruleset file by a relative path that stays inside the
repository; it is read from the base commit through a `Reader` (never from the machine that runs
the scan), and error messages quote nothing but that path and line. Only a local user's own
configuration (`scan --config FILE`) may name a file on disk, relative to that file.
A ruleset file must be a mapping with `select` (or `extends`); an empty file is an error.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlsafe
from .errors import ConfigError
from .models import Severity


def _rules_dir() -> Path:
    """The bundled rules: `slopguard/rules` inside an installed package, or the `rules/` folder
    beside `service/` in a source checkout (an editable install maps the package to `service/`)."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "rules", package.parent / "rules"):
        if (candidate / "rulesets").is_dir():
            return candidate
    return package / "rules"


RULES_DIR = _rules_dir()
Reader = Callable[[str], bytes | None]  # a repository path -> its content at the base commit, None if absent
BUILTIN_RULESETS = ("recommended", "strict", "security")
MAX_RULESET_BYTES = 64_000
_MAX_DEPTH = 8
_KEYS = {"name", "extends", "select", "exclude", "severity"}
_SEVERITIES = {s.value: s for s in Severity}


@dataclass(frozen=True)
class Ruleset:
    name: str
    select: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)


def repository_path(name: str, relative_to: str = "") -> str:
    """`name` as a normalised path inside the repository; ConfigError when it would leave it."""
    if not name or "\0" in name or "\\" in name or name.startswith("/") or ":" in name.split("/")[0]:
        raise ConfigError(f"ruleset {_shown(name)} must be a built-in name ({', '.join(BUILTIN_RULESETS)}) "
                          "or a relative path inside the repository")
    path = posixpath.normpath(posixpath.join(relative_to, name))
    if path == ".." or path.startswith("../") or path == ".":
        raise ConfigError(f"ruleset {_shown(name)} is outside the repository")
    return path


def load_ruleset(name: str, base_dir: Path | None = None, read: Reader | None = None) -> Ruleset:
    """A built-in ruleset; else a repository file read through `read`; else (a local user's own
    configuration) a file relative to `base_dir`."""
    return _load(name, base_dir, read, "", 0)


def _load(name: str, base_dir: Path | None, read: Reader | None, relative_to: str, depth: int) -> Ruleset:
    if depth > _MAX_DEPTH:
        raise ConfigError(f"ruleset {_shown(name)}: `extends` is nested more than {_MAX_DEPTH} deep")
    if name in BUILTIN_RULESETS:
        path = RULES_DIR / "rulesets" / f"{name}.yml"
        return _parse(path.read_bytes(), str(path), name, base_dir, read, relative_to, depth)
    if read is not None:
        where = repository_path(name, relative_to)
        data = read(where)
        if data is None:
            raise ConfigError(f"unknown ruleset {_shown(name)}: no file {where} in the base commit "
                              f"(built-in: {', '.join(BUILTIN_RULESETS)})")
        return _parse(data, where, name, base_dir, read, posixpath.dirname(where), depth)
    if base_dir is None:
        raise ConfigError(f"unknown ruleset {_shown(name)} (built-in: {', '.join(BUILTIN_RULESETS)})")
    file = base_dir / relative_to / name
    if not file.is_file():
        raise ConfigError(f"unknown ruleset {_shown(name)} (built-in: {', '.join(BUILTIN_RULESETS)})")
    return _parse(file.read_bytes(), str(file), name, base_dir, read, str(Path(relative_to) / Path(name).parent),
                  depth)


def _parse(data: bytes, source: str, name: str, base_dir: Path | None, read: Reader | None,
           relative_to: str, depth: int) -> Ruleset:
    loaded = yamlsafe.load(data.decode("utf-8", "replace"), source, MAX_RULESET_BYTES, max_nodes=20_000)
    if not isinstance(loaded, dict) or not loaded:
        raise ConfigError("a ruleset file must be a mapping with `select` or `extends` (this one is "
                          f"{'empty' if not loaded else 'not a mapping'})", source)
    unknown = sorted(str(k) for k in loaded if k not in _KEYS)
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r} in a ruleset (expected: {', '.join(sorted(_KEYS))})", source)
    if "select" not in loaded and "extends" not in loaded:
        raise ConfigError("a ruleset file needs `select` or `extends`", source)
    parent = _load(str(loaded["extends"]), base_dir, read, relative_to, depth + 1) if loaded.get("extends") else None
    select = _names(loaded, "select", parent.select if parent else (), source)
    exclude = _names(loaded, "exclude", parent.exclude if parent else (), source)
    severity = dict(parent.severity) if parent else {}
    table = loaded.get("severity") or {}
    if not isinstance(table, dict):
        raise ConfigError("severity must be a mapping of selector: severity", source)
    for key, value in table.items():
        if value not in _SEVERITIES:
            raise ConfigError(f"bad severity for {str(key)[:100]!r}: expected notice, warning or error", source)
        severity[str(key)] = _SEVERITIES[value]
    return Ruleset(name=str(loaded.get("name", name))[:100], select=select, exclude=exclude, severity=severity)


def _names(loaded: dict[object, object], key: str, default: tuple[str, ...], source: str) -> tuple[str, ...]:
    if key not in loaded:
        return default
    value = loaded[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of rule ids, prefixes or categories", source)
    return tuple(value)


def _shown(name: str) -> str:
    """A ruleset name as it may appear in a published error: short, printable."""
    clean = "".join(c if c.isprintable() else "?" for c in name)
    return repr(clean[:80] + ("…" if len(clean) > 80 else ""))
