"""The shapes of provider credentials as data: `rules/data/secret-patterns.yml` plus a repository's
own `.slopguard/secret-patterns.yml` (base tree), validated when loaded and compiled into one
pattern. A malformed file is a ConfigError naming the file (and the entry)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml

from ..config import RULES_DIR
from ..detector import RepoView
from ..errors import ConfigError
from ..yamlsafe import SHIPPED_LOADER

BUNDLED_FILE = RULES_DIR / "data" / "secret-patterns.yml"
REPO_FILE = ".slopguard/secret-patterns.yml"


def parse(text: str, where: str, shipped: bool = False) -> dict[str, str]:
    """name -> regex of every entry of a patterns file (`shipped`: slopguard's own, see `yamlsafe`)."""
    try:
        data = yaml.load(text, Loader=SHIPPED_LOADER if shipped else yaml.SafeLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError("invalid YAML", where, mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or set(data) != {"patterns"} or not isinstance(data["patterns"], list):
        raise ConfigError("expected exactly one top-level key, `patterns`, holding a list", where)
    out: dict[str, str] = {}
    for i, entry in enumerate(data["patterns"], 1):
        if not isinstance(entry, dict) or set(entry) != {"name", "regex"}:
            raise ConfigError(f"entry {i}: expected the keys `name` and `regex`", where)
        name, regex = entry["name"], entry["regex"]
        if not isinstance(name, str) or not isinstance(regex, str) or not name or not regex:
            raise ConfigError(f"entry {i}: `name` and `regex` must be non-empty strings", where)
        if name in out:
            raise ConfigError(f"entry {i}: duplicate name {name!r}", where)
        try:
            compiled = re.compile(regex)
        except re.error as exc:
            raise ConfigError(f"entry {i} ({name}): bad regex: {exc}", where) from None
        if compiled.search(""):
            raise ConfigError(f"entry {i} ({name}): the regex matches the empty string", where)
        out[name] = regex
    return out


@functools.cache
def bundled() -> re.Pattern[str]:
    return _compile(parse(Path(BUNDLED_FILE).read_text(encoding="utf-8"), str(BUNDLED_FILE), shipped=True))


def for_repo(repo: RepoView) -> re.Pattern[str]:
    """The bundled shapes plus the repository's own, if its base tree has the file."""
    extra = repo.source("LEFT", REPO_FILE)
    return _merged(extra.text) if extra is not None and extra.text.strip() else bundled()


@functools.lru_cache(maxsize=8)
def _merged(extra: str) -> re.Pattern[str]:
    own = parse(Path(BUNDLED_FILE).read_text(encoding="utf-8"), str(BUNDLED_FILE), shipped=True)
    return _compile({**own, **parse(extra, REPO_FILE)})


def _compile(patterns: dict[str, str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{regex})" for regex in patterns.values()))
