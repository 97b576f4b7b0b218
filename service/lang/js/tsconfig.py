"""TypeScript/JavaScript compiler configuration of a scanned tree: `tsconfig.json` / `jsconfig.json`
with `baseUrl`, `paths`, `extends` chains (relative files and configs shipped by workspace packages)
and project `references`.

Config files are read from the scanned side of the repository (git objects), never from the
working directory. Only the configs a resolution needs are read, and each is read once.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

CONFIG_NAMES = ("tsconfig.json", "jsconfig.json")
_MAX_EXTENDS = 12


def parse_jsonc(text: str) -> Any:
    """JSON with comments and trailing commas (the dialect of tsconfig files); ValueError when bad."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch in "}]":
            k = len(out) - 1
            while k >= 0 and out[k].isspace():
                k -= 1
            if k >= 0 and out[k] == ",":
                out[k] = " "
            out.append(ch)
            i += 1
        else:
            out.append(ch)
            i += 1
    return json.loads("".join(out))


@dataclass(frozen=True)
class Compiler:
    """The module-resolution options in effect for one config file, its `extends` chain applied."""

    config: str
    base_url: str | None  # repository folder ("" for the root), or None when unset
    paths: tuple[tuple[str, tuple[str, ...]], ...]  # pattern -> targets, targets repository paths
    references: tuple[str, ...]  # repository paths of referenced config files

    def aliases(self, spec: str) -> list[str]:
        """Candidate repository paths for `spec` through `paths`: an exact pattern first, then the
        wildcard pattern with the longest prefix (TypeScript's order)."""
        best: tuple[int, list[str]] | None = None
        for pattern, targets in self.paths:
            if "*" not in pattern:
                if pattern == spec:
                    return list(targets)
                continue
            prefix, _, suffix = pattern.partition("*")
            if spec.startswith(prefix) and spec.endswith(suffix) and len(spec) >= len(prefix) + len(suffix):
                star = spec[len(prefix) : len(spec) - len(suffix)]
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), [t.replace("*", star, 1) for t in targets])
        return best[1] if best else []


class ConfigReader:
    """Finds and loads the compiler config that governs a file.

    `read(path)` returns a file's text on the scanned side (None when absent); `known` is the set
    of paths of that side; `package_folder(name)` maps a workspace package name to its folder, for
    `"extends": "@scope/tsconfig/base.json"`.
    """

    def __init__(self, read: Callable[[str], str | None], known: frozenset[str],
                 package_folder: Callable[[str], str | None]) -> None:
        self._read = read
        self._known = known
        self._package_folder = package_folder
        self._loaded: dict[str, Compiler | None] = {}
        self._nearest: dict[str, tuple[Compiler, ...]] = {}

    def for_file(self, path: str) -> tuple[Compiler, ...]:
        """The configs to consult for a file: the nearest tsconfig/jsconfig upwards, then the
        projects it references whose folder holds the file (solution-style configs)."""
        folder = posixpath.dirname(path)
        if folder not in self._nearest:
            self._nearest[folder] = self._find(folder)
        return self._nearest[folder]

    def _find(self, folder: str) -> tuple[Compiler, ...]:
        current = folder
        while True:
            for name in CONFIG_NAMES:
                candidate = posixpath.join(current, name) if current else name
                if candidate in self._known:
                    found = self.load(candidate)
                    if found is not None:
                        return self._with_references(found, folder)
            if not current:
                return ()
            current = posixpath.dirname(current)

    def _with_references(self, config: Compiler, folder: str) -> tuple[Compiler, ...]:
        out = [config]
        for ref in config.references:
            ref_dir = posixpath.dirname(ref)
            if ref_dir and folder != ref_dir and not folder.startswith(ref_dir + "/"):
                continue
            loaded = self.load(ref)
            if loaded is not None and loaded not in out:
                out.append(loaded)
        # a config with no options of its own defers to the projects it references
        if not config.paths and config.base_url is None and len(out) > 1:
            out = out[1:] + out[:1]
        return tuple(out)

    def load(self, config: str, depth: int = 0) -> Compiler | None:
        if config in self._loaded:
            return self._loaded[config]
        self._loaded[config] = None  # cycle guard
        result = self._load(config, depth)
        self._loaded[config] = result
        return result

    def _load(self, config: str, depth: int) -> Compiler | None:
        text = self._read(config)
        if text is None:
            return None
        try:
            data = parse_jsonc(text)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        here = posixpath.dirname(config)
        options = data.get("compilerOptions")
        options = options if isinstance(options, dict) else {}
        parents = [] if depth >= _MAX_EXTENDS else [
            p for p in (self._extended(here, e, depth) for e in _as_list(data.get("extends"))) if p is not None
        ]
        base_url = _join(here, options["baseUrl"]) if isinstance(options.get("baseUrl"), str) else None
        raw_paths = options.get("paths") if isinstance(options.get("paths"), dict) else None
        inherited = next((p for p in reversed(parents) if p.paths), None)
        if base_url is None:
            base_url = next((p.base_url for p in reversed(parents) if p.base_url is not None), None)
        if raw_paths is not None:
            root = base_url if base_url is not None else here
            paths = tuple(
                (str(k), tuple(_join(root, t) for t in v if isinstance(t, str)))
                for k, v in raw_paths.items() if isinstance(v, list)
            )
        elif inherited is not None:
            paths = inherited.paths
        else:
            paths = ()
        return Compiler(config, base_url, paths, self._references(here, data.get("references")))

    def _extended(self, here: str, value: str, depth: int) -> Compiler | None:
        if value.startswith("."):
            target = _join(here, value)
        else:
            parts = value.split("/")
            count = 2 if value.startswith("@") else 1
            folder = self._package_folder("/".join(parts[:count]))
            if folder is None:
                return None
            rest = "/".join(parts[count:]) or "tsconfig.json"
            target = posixpath.join(folder, rest) if folder else rest
        for option in (target, target + ".json", posixpath.join(target, "tsconfig.json")):
            if option in self._known:
                return self.load(option, depth + 1)
        return None

    def _references(self, here: str, value: object) -> tuple[str, ...]:
        out: list[str] = []
        for item in value if isinstance(value, list) else []:
            path = item.get("path") if isinstance(item, dict) else None
            if not isinstance(path, str):
                continue
            target = _join(here, path)
            for option in (target, posixpath.join(target, "tsconfig.json")):
                if option in self._known and option.endswith(".json"):
                    out.append(option)
                    break
        return tuple(out)


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _join(folder: str, rel: str) -> str:
    joined = posixpath.normpath(posixpath.join(folder, rel))
    return "" if joined == "." else joined
