"""Which JS/TS test files the package's test runner (jest or vitest) collects.

For a file, the nearest package (the closest directory above it with a package.json) decides.
Its runner is the one its package.json scripts invoke (`"test": "vitest run"`); a script that
invokes a runner this model does not read (mocha, `node --test`, ava, playwright ...; the list is
`js_other_runners` in rules/data/test-tampering.yml) or passes `--config` makes it unknown, and
nothing is claimed. With no runner in the scripts: vitest when a `vitest.config.*` exists there or
package.json depends on vitest, jest when a `jest.config.*` exists, package.json has a `jest` key or
depends on jest; otherwise unknown.

The patterns come from the parsed config object, never from its text: jest `testMatch` (default
`**/__tests__/**/*.[jt]s?(x)` and `**/?(*.)+(spec|test).[jt]s?(x)`, widened to `.?([mc])[jt]s?(x)`
from jest 30 on) and `roots`; vitest's `test.include` (default `**/*.{test,spec}.?(c|m)[jt]s?(x)`)
and `test.dir`, read from `vitest.config.*`, else `vite.config.*`. A config that computes them,
extends another config, or defines projects/workspaces is unknown. A file a script names is
collected whatever its name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from tree_sitter import Node

from ...analysis.collection import Uncollected
from ...detector import FileContext, RepoView
from ...parsing import line_of, walk
from ...ruledata import data_lists
from .testing import blocks, tests_only

JEST_DEFAULT = ("**/__tests__/**/*.[jt]s?(x)", "**/?(*.)+(spec|test).[jt]s?(x)")
JEST30_DEFAULT = ("**/__tests__/**/*.?([mc])[jt]s?(x)", "**/?(*.)+(spec|test).?([mc])[jt]s?(x)")
VITEST_DEFAULT = ("**/*.{test,spec}.?(c|m)[jt]s?(x)",)
CONFIG_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".mts", ".cts")
OTHER_RUNNERS = re.compile(r"(^|/)(e2e|cypress|playwright|integration-tests?)/|\.test-d\.[cm]?tsx?$")
_SEPARATORS = re.compile(r"&&|\|\||[;|&()]")
EXTGLOB = {"?": "?", "+": "+", "*": "*", "@": ""}


@dataclass(frozen=True)
class Runner:
    name: str  # "jest" | "vitest"
    root: str  # the package directory ("" for the repository root)
    patterns: tuple[str, ...]
    dirs: tuple[str, ...] = ()  # jest `roots` / vitest `test.dir`, relative to the package
    named: str = ""  # the package's scripts, where explicit file names appear

    def collects(self, path: str) -> bool:
        rel = path[len(self.root) + 1:] if self.root else path
        if rel in self.named:
            return True
        if self.dirs and not any(d in ("", ".") or rel.startswith(d.rstrip("/") + "/") for d in self.dirs):
            return False
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
    for suffix in (*CONFIG_SUFFIXES, ".json"):
        candidate = f"{root}/{tool}.config{suffix}" if root else f"{tool}.config{suffix}"
        if candidate in paths and (suffix != ".json" or tool == "jest"):
            return candidate
    return None


def invoked_runners(scripts: dict[str, object], repo: RepoView | None) -> set[str] | None:
    """The runners the package's scripts invoke: a subset of {"jest", "vitest"}, or None when a
    script invokes another runner or names its own config file (the model cannot tell)."""
    others = [entry.split() for entry in data_lists("test-tampering", repo).ordered("js_other_runners")]
    found: set[str] = set()
    for command in scripts.values():
        for part in _SEPARATORS.split(str(command)):
            words = [PurePosixPath(w).name for w in part.split()]
            for i, word in enumerate(words):
                rest = words[i + 1:]
                if any(word == other[0] and all(w in rest for w in other[1:]) for other in others):
                    return None
                if word in ("jest", "vitest"):
                    if any(w in ("--config", "-c") or w.startswith("--config=") for w in rest):
                        return None
                    found.add(word)
    return found


def _pairs(node: Node | None, src_text: bytes) -> dict[str, Node]:
    """The `key: value` pairs of an object literal, by key."""
    out: dict[str, Node] = {}
    for pair in node.named_children if node is not None and node.type == "object" else ():
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        value = pair.child_by_field_name("value")
        if key is not None and value is not None:
            out[src_text[key.start_byte:key.end_byte].decode(errors="replace").strip("\"'")] = value
    return out


def _strings(node: Node, src_text: bytes) -> tuple[str, ...] | None:
    """The elements of an array of plain string literals (or one string); None otherwise."""
    items = node.named_children if node.type == "array" else [node]
    out = []
    for item in items:
        if item.type == "comment":
            continue
        if item.type not in ("string", "template_string") or any(
                c.type == "template_substitution" for c in item.named_children):
            return None
        out.append(src_text[item.start_byte + 1:item.end_byte - 1].decode(errors="replace"))
    return tuple(out)


def _extends_other(text: str) -> bool:
    """The config imports another local config or merges configs: its settings may come from there."""
    return bool(re.search(r"""(from|require\()\s*["']\.{1,2}/|\bmergeConfig\b""", text))


def _vitest(repo: RepoView, paths: set[str], root: str) -> Runner | None:
    path = _config(paths, root, "vitest") or _config(paths, root, "vite")
    src = repo.source("RIGHT", path) if path else None
    if src is None or src.root is None:
        return Runner("vitest", root, VITEST_DEFAULT)
    data = src.data or src.text.encode()
    if any(p.startswith(f"{root}/vitest.workspace." if root else "vitest.workspace.") for p in paths):
        return None
    tests = [pair.child_by_field_name("value") for pair in walk(src.root) if pair.type == "pair"
             and (k := pair.child_by_field_name("key")) is not None
             and data[k.start_byte:k.end_byte].decode(errors="replace").strip("\"'") == "test"]
    objects = [t for t in tests if t is not None and t.type == "object"]
    if len(objects) != 1 or len(tests) != 1:
        return None if tests or _extends_other(src.text) else Runner("vitest", root, VITEST_DEFAULT)
    options = _pairs(objects[0], data)
    if "projects" in options or "workspace" in options:
        return None
    include = _strings(options["include"], data) if "include" in options else VITEST_DEFAULT
    folder = _strings(options["dir"], data) if "dir" in options else ()
    if not include or folder is None:
        return None
    return Runner("vitest", root, include, folder)


def _jest_options(repo: RepoView, paths: set[str], root: str, package: dict[str, object]) -> dict[str, object] | None:
    """jest's options as plain values ({} for none); None when the config cannot be read."""
    path = _config(paths, root, "jest")
    if path is None:
        options = package.get("jest", {})
        return options if isinstance(options, dict) else None
    src = repo.source("RIGHT", path)
    if src is None:
        return None
    if path.endswith(".json"):
        try:
            loaded = json.loads(src.text)
        except ValueError:
            return None
        return loaded if isinstance(loaded, dict) else None
    if src.root is None or _extends_other(src.text):
        return None
    data = src.data or src.text.encode()
    objects = [n for n in walk(src.root) if n.type == "object" and (
        n.parent is not None and n.parent.type in ("variable_declarator", "assignment_expression", "arguments",
                                                    "export_statement", "satisfies_expression", "as_expression"))]
    if len(objects) != 1:
        return None
    out: dict[str, object] = {}
    for key, value in _pairs(objects[0], data).items():
        out[key] = _strings(value, data) if value.type in ("array", "string", "template_string") else value.type
    return out


def _jest(repo: RepoView, paths: set[str], root: str, package: dict[str, object],
          deps: dict[str, object]) -> Runner | None:
    options = _jest_options(repo, paths, root, package)
    if options is None or {"testRegex", "projects"} & set(options):
        return None
    preset = options.get("preset")
    if preset is not None and not (isinstance(preset, (str, tuple)) and "ts-jest" in str(preset)):
        return None
    version = re.search(r"\d+", str(deps.get("jest", "")))
    default = JEST_DEFAULT if version is not None and int(version.group()) < 30 else JEST30_DEFAULT
    match = options.get("testMatch", default)
    roots = options.get("roots", ())
    if not isinstance(match, (list, tuple)) or not match or not isinstance(roots, (list, tuple)):
        return None
    dirs = tuple(str(r).removeprefix("<rootDir>").strip("/") for r in roots)
    return Runner("jest", root, tuple(str(m) for m in match), dirs)


def _runner(repo: RepoView, paths: set[str], root: str) -> Runner | None:
    manifest = repo.source("RIGHT", f"{root}/package.json" if root else "package.json")
    try:
        package = json.loads(manifest.text) if manifest is not None else {}
    except ValueError:
        return None
    if not isinstance(package, dict):
        return None
    raw = package.get("scripts")
    scripts: dict[str, object] = raw if isinstance(raw, dict) else {}
    deps = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
    invoked = invoked_runners(scripts, repo)
    if invoked is None or len(invoked) > 1:
        return None
    if invoked == {"vitest"} or (not invoked and (_config(paths, root, "vitest") or "vitest" in deps)):
        found = _vitest(repo, paths, root)
    elif invoked == {"jest"} or _config(paths, root, "jest") or "jest" in package or "jest" in deps:
        found = _jest(repo, paths, root, package, deps)
    else:
        return None
    named = "\n".join(str(s) for s in scripts.values())
    return Runner(found.name, root, found.patterns, found.dirs, named) if found is not None else None


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


def uncollected(repo: RepoView, file: FileContext) -> Uncollected | None:
    """A new JS/TS file with test blocks that its package's jest or vitest does not collect; None
    otherwise. End-to-end folders (`e2e/`, `cypress/`, `playwright/`), in-source tests
    (`import.meta.vitest`) and type tests (`*.test-d.ts`) are left alone."""
    src = file.head
    if OTHER_RUNNERS.search(file.path) or src is None or src.root is None \
            or b"import.meta.vitest" in (src.data or b""):
        return None
    found = blocks(src)
    tests = tests_only(found)
    if not tests:
        return None
    runner = runner_for(repo, file.path)
    if runner is None or runner.collects(file.path):
        return None
    why = f"it matches none of the package's test patterns ({', '.join(runner.patterns)})"
    return Uncollected(runner.name, why, len(tests), line_of(found[0].node), "Rename it or widen the patterns.")
