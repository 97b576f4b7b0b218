"""Which JS/TS test files the package's test runner (jest or vitest) collects.

For a file, the nearest package (the closest directory above it with a package.json) decides:
its runner is vitest when a `vitest.config.*` exists there or package.json depends on vitest,
jest when a `jest.config.*` exists, package.json has a `jest` key or depends on jest; otherwise
unknown (mocha, playwright, node:test... are not modelled, and nothing is claimed). The patterns
are `testMatch` (jest; default `**/__tests__/**/*.[jt]s?(x)` and `**/?(*.)+(spec|test).[jt]s?(x)`)
or `test.include` (vitest; default `**/*.{test,spec}.?(c|m)[jt]s?(x)`), read as string literals
from the config file; a config that computes its patterns is treated as unknown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ...detector import RepoView

JEST_DEFAULT = ("**/__tests__/**/*.[jt]s?(x)", "**/?(*.)+(spec|test).[jt]s?(x)")
VITEST_DEFAULT = ("**/*.{test,spec}.?(c|m)[jt]s?(x)",)
CONFIG_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
ARRAY = r"\s*[:=]\s*\[([^\]]*)\]"
EXTGLOB = {"?": "?", "+": "+", "*": "*", "@": ""}
STRING = re.compile(r"""["'`]([^"'`]+)["'`]""")


@dataclass(frozen=True)
class Runner:
    name: str  # "jest" | "vitest"
    root: str  # the package directory ("" for the repository root)
    patterns: tuple[str, ...]

    def collects(self, path: str) -> bool:
        rel = path[len(self.root) + 1:] if self.root else path
        return any(glob_regex(p).fullmatch(rel) for p in self.patterns)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """A micromatch-style glob as a regex: `**`, `*`, `?`, `[...]`, `{a,b}`, `?(..)`, `+(..)`,
    `*(..)`, `@(..)` (alternatives separated by `|`)."""
    pattern = pattern.removeprefix("<rootDir>/").removeprefix("./")
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c in "?+*@" and pattern[i + 1 : i + 2] == "(":
            end = pattern.index(")", i)
            alts = "|".join(glob_regex(a).pattern for a in pattern[i + 2 : end].split("|"))
            out.append(f"(?:{alts}){EXTGLOB[c]}")
            i = end + 1
        elif pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            end = pattern.index("]", i)
            out.append(pattern[i : end + 1])
            i = end + 1
        elif c == "{":
            end = pattern.index("}", i)
            out.append("(?:" + "|".join(glob_regex(a).pattern for a in pattern[i + 1 : end].split(",")) + ")")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out))


def _package_root(paths: set[str], path: str) -> str | None:
    parent = PurePosixPath(path).parent
    while True:
        root = "" if str(parent) == "." else str(parent)
        if (f"{root}/package.json" if root else "package.json") in paths:
            return root
        if not root:
            return None
        parent = parent.parent


def _config(paths: set[str], root: str, tool: str) -> str | None:
    for suffix in CONFIG_SUFFIXES:
        candidate = f"{root}/{tool}.config{suffix}" if root else f"{tool}.config{suffix}"
        if candidate in paths:
            return candidate
    return None


def _patterns(text: str, key: str) -> tuple[str, ...] | None:
    """The string literals of `key: [...]`; None when the key is absent or not a literal list."""
    match = re.search(rf"\b{key}{ARRAY}", text)
    if match is None:
        return None
    found = tuple(STRING.findall(match.group(1)))
    return found or None


def _runner(repo: RepoView, paths: set[str], root: str) -> Runner | None:
    manifest = repo.source("RIGHT", f"{root}/package.json" if root else "package.json")
    try:
        package = json.loads(manifest.text) if manifest is not None else {}
    except ValueError:
        return None
    deps = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
    vitest = _config(paths, root, "vitest")
    if vitest or "vitest" in deps:
        src = repo.source("RIGHT", vitest) if vitest else None
        if src is not None and re.search(r"\binclude\s*:", src.text):
            found = _patterns(src.text, "include")
            return Runner("vitest", root, found) if found else None
        return Runner("vitest", root, VITEST_DEFAULT)
    jest = _config(paths, root, "jest")
    if jest or "jest" in package or "jest" in deps:
        config = repo.source("RIGHT", jest) if jest else None
        text = config.text if config is not None else json.dumps(package.get("jest", {}))
        if re.search(r"\btestRegex\b", text):
            return None
        if re.search(r"\btestMatch\b", text):
            found = _patterns(text.replace('"testMatch"', "testMatch"), "testMatch")
            return Runner("jest", root, found) if found else None
        return Runner("jest", root, JEST_DEFAULT)
    return None


def runner_for(repo: RepoView, path: str) -> Runner | None:
    """The runner that would collect `path`, or None when it cannot be told."""
    paths = repo.memo("js.collection.paths", lambda: set(repo.paths("RIGHT")))
    root = _package_root(paths, path)
    if root is None:
        return None
    cache: dict[str, Runner | None] = repo.memo("js.collection.runners", dict)
    if root not in cache:
        cache[root] = _runner(repo, paths, root)
    return cache[root]
