"""The packages of a JavaScript/TypeScript repository: package.json `name` to folder (workspace
members of package.json `workspaces`, `pnpm-workspace.yaml` and `lerna.json` first), the dependencies
they declare, and the source file a package specifier (`@scope/ui`, `@scope/ui/button`) reaches
through `exports`, `types`, `main` or a plain sub-path.

Built from the manifests of the scanned side (git objects), read in one batch.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

import yaml

MANIFEST = "package.json"
_SKIP = frozenset({"node_modules", "dist", "build", "coverage", "out", ".next", "vendor", "bower_components"})
_OUT_DIRS = ("dist/", "lib/", "build/", "out/", "esm/", "cjs/", "es/", "umd/", "types/", "typings/", "module/")
_ENTRY_KEYS = ("types", "typings", "source", "module", "main", "browser")
# conditions of `exports`, the ones that point at sources or type declarations first
_CONDITIONS = ("source", "types", "typings", "development", "import", "module", "default", "require", "node",
               "browser", "worker", "production")


@dataclass(frozen=True)
class Package:
    name: str
    folder: str  # repository folder ("" for the root)
    manifest: dict[str, Any] = field(compare=False)


def manifest_paths(paths: frozenset[str]) -> list[str]:
    """Every package.json of the tree outside installed or built folders."""
    return [p for p in paths if (p == MANIFEST or p.endswith("/" + MANIFEST))
            and not any(part in _SKIP for part in p.split("/")[:-1])]


def _load_json(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class Workspace:
    def __init__(self, read: Callable[[str], str | None], paths: frozenset[str]) -> None:
        self.packages: dict[str, Package] = {}
        self.dependencies: set[str] = set()
        self.imports: dict[str, dict[str, Any]] = {}  # folder -> package.json `imports`
        globs = self._globs(read)
        members: list[Package] = []
        others: list[Package] = []
        for path in sorted(manifest_paths(paths)):
            manifest = _load_json(read(path))
            if manifest is None:
                continue
            folder = posixpath.dirname(path)
            for key in ("dependencies", "devDependencies", "peerDependencies", "optionalDependencies"):
                deps = manifest.get(key)
                if isinstance(deps, dict):
                    self.dependencies.update(str(k) for k in deps)
            if isinstance(manifest.get("imports"), dict):
                self.imports[folder] = manifest["imports"]
            name = manifest.get("name")
            if isinstance(name, str) and name:
                package = Package(name, folder, manifest)
                (members if any(fnmatchcase(folder, g) for g in globs) else others).append(package)
        for package in others + members:  # members win a name both declare
            self.packages[package.name] = package

    @staticmethod
    def _globs(read: Callable[[str], str | None]) -> list[str]:
        found: list[str] = []
        root = _load_json(read(MANIFEST)) or {}
        spaces = root.get("workspaces")
        if isinstance(spaces, dict):
            spaces = spaces.get("packages")
        found += [s for s in spaces or [] if isinstance(s, str)] if isinstance(spaces, list) else []
        lerna = _load_json(read("lerna.json")) or {}
        found += [s for s in lerna.get("packages") or [] if isinstance(s, str)]
        pnpm = read("pnpm-workspace.yaml")
        if pnpm is not None:
            try:
                data = yaml.safe_load(pnpm)
            except yaml.YAMLError:
                data = None
            if isinstance(data, dict) and isinstance(data.get("packages"), list):
                found += [s for s in data["packages"] if isinstance(s, str)]
        return [posixpath.normpath(g.lstrip("!").removeprefix("./")).replace("**", "*") for g in found
                if not g.startswith("!")]

    def package_for(self, spec: str) -> tuple[Package, str] | None:
        """The workspace package a bare specifier names, and the sub-path after its name."""
        parts = spec.split("/")
        count = 2 if spec.startswith("@") else 1
        package = self.packages.get("/".join(parts[:count]))
        return (package, "/".join(parts[count:])) if package is not None else None

    def is_dependency(self, spec: str) -> bool:
        parts = spec.split("/")
        return "/".join(parts[: 2 if spec.startswith("@") else 1]) in self.dependencies


def entry_targets(package: Package, subpath: str) -> Iterator[str]:
    """Repository paths (not yet probed for extensions) a package sub-path may point to, best first."""
    folder = package.folder
    manifest = package.manifest
    exports = manifest.get("exports")
    key = "./" + subpath if subpath else "."
    if exports is not None:
        for target in _export_targets(exports, key):
            yield from source_candidates(_rel(folder, target), folder)
        if not isinstance(exports, dict) or any(k.startswith(".") for k in exports):
            return  # an `exports` map hides every sub-path it does not list
    if not subpath:
        for entry in _ENTRY_KEYS:
            value = manifest.get(entry)
            if isinstance(value, str):
                yield from source_candidates(_rel(folder, value), folder)
        for option in ("src/index", "index"):
            yield _rel(folder, option)
        return
    yield _rel(folder, subpath)
    yield _rel(folder, "src/" + subpath)


def subpath_import_targets(imports: dict[str, Any], folder: str, spec: str) -> Iterator[str]:
    """package.json `imports` (`#internal/*`) of the package at `folder`."""
    for target in _export_targets(imports, spec):
        yield from source_candidates(_rel(folder, target), folder)


def _export_targets(exports: Any, key: str) -> list[str]:
    if isinstance(exports, (str, list)) or (isinstance(exports, dict) and not any(k.startswith((".", "#"))
                                                                                  for k in exports)):
        return _condition_values(exports) if key == "." else []
    if not isinstance(exports, dict):
        return []
    if key in exports:
        return _condition_values(exports[key])
    best: tuple[int, list[str]] | None = None
    for pattern, value in exports.items():
        if "*" not in pattern:
            continue
        prefix, _, suffix = pattern.partition("*")
        if key.startswith(prefix) and key.endswith(suffix) and len(key) >= len(prefix) + len(suffix):
            star = key[len(prefix): len(key) - len(suffix)]
            if best is None or len(prefix) > best[0]:
                best = (len(prefix), [v.replace("*", star) for v in _condition_values(value)])
    return best[1] if best else []


def _condition_values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for item in value for v in _condition_values(item)]
    if not isinstance(value, dict):
        return []
    ordered = [k for k in _CONDITIONS if k in value] + [k for k in value if k not in _CONDITIONS]
    return [v for k in ordered for v in _condition_values(value[k])]


def source_candidates(target: str, folder: str) -> Iterator[str]:
    """A declared entry and, for built output (`dist/index.js`), the sources it is built from."""
    yield target
    stem = re.sub(r"(\.d)?\.[cm]?[jt]sx?$", "", target)
    if stem != target:
        yield stem
    prefix = folder + "/" if folder else ""
    rest = stem[len(prefix):] if stem.startswith(prefix) else stem
    while rest.startswith(_OUT_DIRS):
        rest = rest.split("/", 1)[1]
        yield prefix + "src/" + rest
        yield prefix + rest


def _rel(folder: str, value: str) -> str:
    joined = posixpath.normpath(posixpath.join(folder, value))
    return "" if joined == "." else joined
