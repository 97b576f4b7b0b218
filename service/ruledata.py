"""Word, name and sink lists of the detectors as data: `rules/data/<name>.yml`, extended by a
repository's own `.slopguard/<name>.yml` read from the base tree.

A data file holds named lists:

    lists:
      log_methods:
        description: what the entries are and how a detector matches them
        entries: [debug, info, warning]

A repository's file has the same shape and adds entries to lists the bundled file declares; a
list the bundled file does not declare is a ConfigError naming the repository's file, so a typo
never passes silently. Repository files are loaded size-capped with alias expansion bounded
(`yamlsafe`). Results are cached per file content, never in module-level mutable state that a
scan could change.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from . import yamlsafe
from .config import RULES_DIR
from .detector import RepoView
from .errors import ConfigError

DATA_DIR = RULES_DIR / "data"
REPO_DIR = ".slopguard"
MAX_REPO_BYTES = 256 * 1024
MAX_ENTRY_CHARS = 200


@dataclass(frozen=True)
class DataLists:
    """The named lists of one data file, each in file order (bundled entries first)."""

    name: str
    lists: Mapping[str, tuple[str, ...]]
    extended: bool = False  # with a repository's own entries

    def ordered(self, key: str) -> tuple[str, ...]:
        """The entries of list `key` in file order; KeyError for a list the file does not declare."""
        try:
            return self.lists[key]
        except KeyError:
            raise KeyError(f"rules/data/{self.name}.yml declares no list {key!r}") from None

    def get(self, key: str) -> frozenset[str]:
        """The entries of list `key` as a set."""
        return _as_set(self.ordered(key))

    def pattern(self, key: str, *, literal: bool = False, ignore_case: bool = True,
                within: str = "{}") -> re.Pattern[str]:
        """The entries of list `key` as one pattern matching any of them (case-insensitive unless
        `ignore_case` is False): each entry a regular-expression fragment, or (`literal`) a plain
        word. `within` places the alternation in a fixed context (`{}` marks it, e.g.
        `\\.(?:{})\\b` for an attribute name). A fragment that is not a valid regular expression
        is a ConfigError naming the list and the files it comes from. A bundled list's pattern is
        compiled at its first use (slopguard's own lists are valid; a test compiles them)."""
        if self.extended:
            return _compiled(self.ordered(key), literal, self.name, key, ignore_case, within)
        return _lazy(self.ordered(key), literal, self.name, key, ignore_case, within)


@functools.lru_cache(maxsize=256)
def _lazy(entries: tuple[str, ...], literal: bool, name: str, key: str, ignore_case: bool,
          within: str) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _LazyPattern((entries, literal, name, key, ignore_case, within)))


class _LazyPattern:
    """A list's pattern compiled at its first use: a detector module names its patterns when it is
    imported, and a scan uses few of them (a long alternation takes milliseconds to compile).
    It answers what an `re.Pattern` answers; `pattern` (the source) needs no compilation. Once
    compiled, the pattern's methods are its own attributes (no look-up per call)."""

    def __init__(self, args: tuple[tuple[str, ...], bool, str, str, bool, str]) -> None:
        self._args = args
        entries, literal, _, _, _, within = args
        self.pattern = within.replace("{}", _alternation(entries, literal))

    def __getattr__(self, name: str) -> Any:  # only while not compiled, or for a name it lacks
        compiled = _compiled(*self._args)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"<pattern of rules/data/{self._args[2]}.yml list {self._args[3]!r}>"


_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "scanner",
            "flags", "groups", "groupindex")


def _alternation(entries: tuple[str, ...], literal: bool) -> str:
    return "|".join(f"(?:{re.escape(e) if literal else e})" for e in entries)


@functools.cache
def _as_set(entries: tuple[str, ...]) -> frozenset[str]:
    return frozenset(entries)


@functools.lru_cache(maxsize=128)
def _compiled(entries: tuple[str, ...], literal: bool, name: str, key: str,
              ignore_case: bool = True, within: str = "{}") -> re.Pattern[str]:
    try:
        return re.compile(within.replace("{}", _alternation(entries, literal)), re.IGNORECASE if ignore_case else 0)
    except re.error as err:
        raise ConfigError(f"list {key!r}: an entry is not a valid regular expression ({err})",
                          f"rules/data/{name}.yml or {REPO_DIR}/{name}.yml") from None


def data_lists(name: str, repo: RepoView | None = None, data_dir: Path = DATA_DIR) -> DataLists:
    """The bundled lists of `rules/data/<name>.yml`, plus the entries of the repository's own
    `.slopguard/<name>.yml` in the base tree when `repo` is given and has that file."""
    base = bundled(name, data_dir)
    if repo is None:
        return base
    extra = repo.source("LEFT", f"{REPO_DIR}/{name}.yml")
    if extra is None or not extra.text.strip():
        return base
    return _extended(name, extra.text, data_dir)


@functools.cache
def bundled(name: str, data_dir: Path = DATA_DIR) -> DataLists:
    """The lists shipped with slopguard; a malformed bundled file is a ConfigError."""
    path = data_dir / f"{name}.yml"
    if not path.is_file():
        raise ConfigError("no such data file", f"rules/data/{name}.yml")
    text = path.read_text(encoding="utf-8")
    return DataLists(name, parse(text, f"rules/data/{name}.yml", known=None, shipped=True))


@functools.lru_cache(maxsize=32)
def _extended(name: str, text: str, data_dir: Path) -> DataLists:
    base = bundled(name, data_dir)
    where = f"{REPO_DIR}/{name}.yml"
    own = parse(text, where, known=frozenset(base.lists), max_bytes=MAX_REPO_BYTES)
    merged = {key: _merge(entries, own.get(key, ())) for key, entries in base.lists.items()}
    return DataLists(name, merged, extended=True)


def _merge(first: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    """`first`, then the entries of `more` it lacks (a repository may repeat a bundled entry)."""
    present = set(first)
    return first + tuple(entry for entry in more if entry not in present)


def parse(text: str, where: str, known: frozenset[str] | None,
          max_bytes: int = 4 * 1024 * 1024, shipped: bool = False) -> dict[str, tuple[str, ...]]:
    """list name -> entries of one data file. `known`: the list names a repository file may extend
    (None for a bundled file, which declares them). Errors name `where` and the list."""
    data = yamlsafe.load(text, where, max_bytes, shipped=shipped)
    if not isinstance(data, dict) or set(data) != {"lists"} or not isinstance(data["lists"], dict):
        raise ConfigError("expected exactly one top-level key, `lists`, holding a mapping", where)
    out: dict[str, tuple[str, ...]] = {}
    for key, body in data["lists"].items():
        if not isinstance(key, str) or not key:
            raise ConfigError("list names must be non-empty strings", where)
        if known is not None and key not in known:
            raise ConfigError(f"list {key!r} is not a list slopguard reads (known: "
                              f"{', '.join(sorted(known))})", where)
        out[key] = _entries(key, body, where, bundled_file=known is None)
    return out


def _entries(key: str, body: Any, where: str, bundled_file: bool) -> tuple[str, ...]:
    if not isinstance(body, dict):
        raise ConfigError(f"list {key!r}: expected a mapping with `entries`", where)
    allowed = {"description", "entries"}
    if set(body) - allowed or "entries" not in body:
        raise ConfigError(f"list {key!r}: expected the keys `entries` and optionally `description`",
                          where)
    if bundled_file and not isinstance(body.get("description"), str):
        raise ConfigError(f"list {key!r}: a bundled list needs a `description`", where)
    entries = body["entries"]
    if not isinstance(entries, list):
        raise ConfigError(f"list {key!r}: `entries` must be a list of strings", where)
    out: list[str] = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, str) or not entry.strip() or len(entry) > MAX_ENTRY_CHARS:
            raise ConfigError(f"list {key!r}: entry {i} must be a non-empty string of at most "
                              f"{MAX_ENTRY_CHARS} characters", where)
        if entry in out:
            raise ConfigError(f"list {key!r}: duplicate entry {entry!r}", where)
        out.append(entry)
    return tuple(out)


def bundled_names() -> tuple[str, ...]:
    """The bundled data files in the `lists` format (the sink and secret-pattern files have
    loaders of their own)."""
    names = []
    for path in sorted(DATA_DIR.glob("*.yml")):
        data = yamlsafe.load(path.read_text(encoding="utf-8"), f"rules/data/{path.name}", 4 * 1024 * 1024,
                             shipped=True)
        if isinstance(data, dict) and "lists" in data:
            names.append(path.stem)
    return tuple(names)
