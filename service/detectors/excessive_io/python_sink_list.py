"""The sink list of the Python excessive-io detector: `rules/data/io-sinks.yml`, extended by a
repository's own `.slopguard/io-sinks.yml`, loaded and validated into categories of I/O calls."""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from tree_sitter import Node

from ...config import RULES_DIR
from ...errors import ConfigError
from ...parsing import SourceFile

# libyaml's safe loader when PyYAML was built with it (same data, a fraction of the time)
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


SINKS_FILE = RULES_DIR / "data" / "io-sinks.yml"


REPO_SINKS_FILE = ".slopguard/io-sinks.yml"


_LIST_KEYS = ("calls", "connects", "types", "factories", "statements", "receivers", "methods", "typed_methods",
              "exclude_methods")


_KEYS = {*_LIST_KEYS, "label", "advice", "groups", "invariant_only"}


@dataclass(frozen=True)
class Category:
    """One kind of I/O (db, http, file, ...) and how to recognise its calls."""

    name: str
    label: str = "I/O call"
    advice: str = "hoist it out of the loop or batch it"
    calls: tuple[str, ...] = ()
    connects: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    factories: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    groups: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    # the bundled `receivers`/`methods`: variable names a handle usually has (a fallback named in
    # the message: the name is the user's choice, not the library's)
    named: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    typed_methods: tuple[str, ...] = ()
    exclude_methods: frozenset[str] = frozenset()
    invariant_only: bool = False

    def merged(self, other: Category) -> Category:
        return Category(
            name=self.name,
            label=other.label if other.label != Category.label else self.label,
            advice=other.advice if other.advice != Category.advice else self.advice,
            calls=self.calls + other.calls,
            connects=self.connects + other.connects,
            types=self.types + other.types,
            factories=self.factories + other.factories,
            statements=self.statements + other.statements,
            groups=self.groups + other.groups,
            named=self.named + other.named,
            typed_methods=self.typed_methods + other.typed_methods,
            exclude_methods=self.exclude_methods | other.exclude_methods,
            invariant_only=self.invariant_only or other.invariant_only,
        )


@dataclass(frozen=True)
class Sinks:
    categories: tuple[Category, ...]
    # answers of by_call/by_connect/by_type/by_group, by question (the list is immutable)
    _memo: dict[tuple[str, str, str], Category | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False)

    def merged(self, other: Sinks) -> Sinks:
        mine = {c.name: c for c in self.categories}
        for cat in other.categories:
            mine[cat.name] = mine[cat.name].merged(cat) if cat.name in mine else cat
        return Sinks(tuple(mine.values()))

    def _first(self, kind: str, dotted: str) -> Category | None:
        """The first category with a `kind` entry (a list of dotted patterns) matching `dotted`."""
        key = (kind, dotted, "")
        if key not in self._memo:
            self._memo[key] = next((cat for cat in self.categories if any(
                _dotted_match(dotted, p) for p in _DOTTED[kind](cat))), None)
        return self._memo[key]

    def by_call(self, dotted: str) -> Category | None:
        return self._first("call", dotted)

    def by_connect(self, dotted: str) -> Category | None:
        return self._first("connect", dotted)

    def by_type(self, dotted: str) -> Category | None:
        return self._first("type", dotted)

    def by_factory(self, dotted: str) -> Category | None:
        """The category of the handles made by calling what `dotted(...)` returns (`sessionmaker`)."""
        return self._first("factory", dotted)

    def by_statement(self, dotted: str) -> Category | None:
        """The category of the calls that run a statement built by `dotted(...)` (`sqlalchemy.select`)."""
        return self._first("statement", dotted)

    def _receiver(self, kind: str, name: str, method: str) -> Category | None:
        key = (kind, name, method)
        if key not in self._memo:
            self._memo[key] = next((cat for cat in self.categories
                                    for receivers, methods in (cat.groups if kind == "group" else cat.named)
                                    if _matches(name, receivers) and _matches(method, methods)), None)
        return self._memo[key]

    def by_group(self, name: str, method: str) -> Category | None:
        """The first category with a receiver/method group matching `name.method(...)` (library
        attributes such as Django's `objects`, or receivers the repository's own list declares)."""
        return self._receiver("group", name, method)

    def by_name(self, name: str, method: str) -> Category | None:
        """The fallback: the first category whose usual variable names match `name.method(...)`."""
        return self._receiver("named", name, method)

    def typed_method(self, cat: Category, method: str) -> bool:
        """`method` is an I/O method of a handle of category `cat`."""
        key = ("typed", cat.name, method)
        if key not in self._memo:
            ok = method not in cat.exclude_methods and _matches(method, cat.typed_methods)
            self._memo[key] = cat if ok else None
        return self._memo[key] is cat


_DOTTED: dict[str, Callable[[Category], tuple[str, ...]]] = {
    "call": lambda c: c.calls,
    "connect": lambda c: c.connects,
    "type": lambda c: (*c.types, *c.connects),
    "factory": lambda c: c.factories,
    "statement": lambda c: c.statements,
}


def _dotted_match(dotted: str, pattern: str) -> bool:
    if pattern.endswith(".*"):
        return dotted.startswith(pattern[:-1]) and "." not in dotted[len(pattern) - 1 :]
    return dotted == pattern


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of strings", where)
    return tuple(value)


def _category(name: str, data: Any, where: str, bundled: bool) -> Category:
    if not isinstance(data, dict):
        raise ConfigError(f"category `{name}` must be a mapping", where)
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"category `{name}`: unknown keys {sorted(unknown)}", where)
    lists = {k: _strings(data.get(k), where, k) for k in _LIST_KEYS}
    top = [(lists["receivers"], lists["methods"])] if lists["receivers"] else []
    groups = [] if bundled else top
    for group in data.get("groups") or []:
        if not isinstance(group, dict):
            raise ConfigError(f"category `{name}`: each group must be a mapping", where)
        groups.append((_strings(group.get("receivers"), where, "receivers"),
                       _strings(group.get("methods"), where, "methods")))
    return Category(
        name=name,
        label=str(data.get("label") or Category.label),
        advice=str(data.get("advice") or Category.advice),
        calls=lists["calls"],
        connects=lists["connects"],
        types=lists["types"],
        factories=lists["factories"],
        statements=lists["statements"],
        groups=tuple(groups),
        named=tuple(top) if bundled else (),
        typed_methods=lists["typed_methods"] or lists["methods"],
        exclude_methods=frozenset(lists["exclude_methods"]),
        invariant_only=bool(data.get("invariant_only", False)),
    )


def parse_sinks(text: str, where: str, bundled: bool = False) -> Sinks:
    """The sink list in `text` (YAML); raises ConfigError naming `where` when it is malformed."""
    try:
        data = yaml.load(text, Loader=_FAST_LOADER) or {}
    except yaml.YAMLError:
        try:  # the pure-Python loader words its errors as before
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"invalid YAML: {exc}", where) from exc
    cats = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(cats, dict):
        raise ConfigError("expected a top-level `categories` mapping", where)
    return Sinks(tuple(_category(str(n), d, where, bundled) for n, d in cats.items()))


@functools.cache
def builtin_sinks(path: Path = SINKS_FILE) -> Sinks:
    return parse_sinks(path.read_text(encoding="utf-8"), str(path), bundled=True)


# --- names in one parsed file -------------------------------------------------------------


def text(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


def _matches(name: str, patterns: Mapping[str, None] | tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)
