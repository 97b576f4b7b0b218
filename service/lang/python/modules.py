"""Python module resolution over the scanned side of the repository.

Import roots are found from the project files of that side (git objects, not the working tree):
the repository root, `src/` layouts, setuptools `package-dir` / `packages.find.where`
(pyproject.toml, setup.cfg, setup.py), Poetry `packages = [{include, from}]`, Hatch wheel
`packages`, and projects in sub-folders (every folder with a pyproject.toml / setup.py /
setup.cfg is a root, with its own `src/`). Modules are `x.py`, `x/__init__.py`, or a folder
without `__init__.py` (a namespace package). Relative imports (`.`, `..x`) start from the
importing file. `resolve` answers the file, `external` (no root holds the top-level name), or
`unresolved` (the top-level package is ours but the module is not found): a rule must then
abstain. One instance per scan and side (`RepoView.memo`).
"""

from __future__ import annotations

import configparser
import posixpath
import re
import tomllib
from dataclasses import dataclass
from typing import Any, Literal

from ...detector import RepoView
from ...models import Side

PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py")
_SKIP = frozenset({".venv", "venv", "node_modules", "site-packages", ".tox", "build", "dist", ".git"})
_SETUP_PY_DIR = re.compile(r"""package_dir\s*=\s*\{\s*['"]{2}\s*:\s*['"]([\w./-]+)['"]""")
_SETUP_PY_WHERE = re.compile(r"""find(?:_namespace)?_packages\(\s*(?:where\s*=\s*)?['"]([\w./-]+)['"]""")


@dataclass(frozen=True)
class PyResolution:
    kind: Literal["file", "namespace", "external", "unresolved"]
    path: str | None = None  # the file, or the folder of a namespace package


class PythonModules:
    def __init__(self, repo: RepoView, side: Side) -> None:
        self.repo = repo
        self.side = side
        self.known = frozenset(repo.paths(side))
        self.folders = _folders(self.known)
        self.roots = self._roots()
        self._resolved: dict[tuple[str, str], PyResolution] = {}

    # ------------------------------------------------------------------ import roots

    def _roots(self) -> tuple[str, ...]:
        projects = sorted(p for p in self.known if p.rsplit("/", 1)[-1] in PROJECT_FILES
                          and not any(part in _SKIP for part in p.split("/")[:-1]))
        self.repo.prefetch(self.side, projects)
        roots: list[str] = [""]
        for path in projects:
            folder = posixpath.dirname(path)
            declared = self._declared_roots(path)
            for rel in [*declared, "", "src"]:
                root = _join(folder, rel)
                if root in self.folders and root not in roots:
                    roots.append(root)
        if "src" in self.folders and "src" not in roots:
            roots.append("src")
        return tuple(roots)

    def _declared_roots(self, path: str) -> list[str]:
        src = self.repo.source(self.side, path)
        if src is None:
            return []
        text = src.text
        name = path.rsplit("/", 1)[-1]
        if name == "setup.py":
            return [m.group(1) for m in (*_SETUP_PY_DIR.finditer(text), *_SETUP_PY_WHERE.finditer(text))]
        if name == "setup.cfg":
            return _setup_cfg_roots(text)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return []
        return _pyproject_roots(data)

    # ------------------------------------------------------------------ resolution

    def resolve(self, importer: str, dotted: str) -> PyResolution:
        key = (posixpath.dirname(importer) if dotted.startswith(".") else "", dotted)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(importer, dotted)
        return self._resolved[key]

    def _resolve(self, importer: str, dotted: str) -> PyResolution:
        level = len(dotted) - len(dotted.lstrip("."))
        parts = [p for p in dotted[level:].split(".") if p]
        if level:
            base = posixpath.dirname(importer)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            found = self._module(base, parts)
            return found or PyResolution("unresolved")
        if not parts:
            return PyResolution("unresolved")
        ours = False
        for root in self.roots:
            found = self._module(root, parts)
            if found is not None:
                return found
            ours = ours or self._module(root, parts[:1]) is not None
        return PyResolution("unresolved" if ours else "external")

    def _module(self, root: str, parts: list[str]) -> PyResolution | None:
        stem = _join(root, "/".join(parts))
        if not stem:
            return PyResolution("namespace", root) if root in self.folders else None
        for option in (stem + ".py", stem + "/__init__.py", stem + ".pyi", stem + "/__init__.pyi"):
            if option in self.known:
                return PyResolution("file", option)
        if stem in self.folders:
            return PyResolution("namespace", stem)
        return None

    def file(self, importer: str, dotted: str) -> str | None:
        found = self.resolve(importer, dotted)
        return found.path if found.kind == "file" else None


def _setup_cfg_roots(text: str) -> list[str]:
    parser = configparser.ConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    out: list[str] = []
    package_dir = parser.get("options", "package_dir", fallback="")
    for line in package_dir.splitlines():
        key, _, value = line.partition("=")
        if value.strip() and not key.strip():
            out.append(value.strip())
    where = parser.get("options.packages.find", "where", fallback="").strip()
    return [*out, where] if where else out


def _table(data: object, *keys: str) -> dict[str, Any]:
    """A nested TOML table, {} when any level is missing or not a table."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _pyproject_roots(data: dict[str, Any]) -> list[str]:
    out: list[str] = []
    setuptools = _table(data, "tool", "setuptools")
    package_dir = setuptools.get("package-dir")
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        out.append(package_dir[""])
    out += [w for w in _table(setuptools, "packages", "find").get("where") or [] if isinstance(w, str)]
    for item in _table(data, "tool", "poetry").get("packages") or []:
        if isinstance(item, dict) and isinstance(item.get("from"), str):
            out.append(item["from"])
    for pkg in _table(data, "tool", "hatch", "build", "targets", "wheel").get("packages") or []:
        if isinstance(pkg, str) and "/" in pkg:
            out.append(posixpath.dirname(pkg))
    return out


def _folders(paths: frozenset[str]) -> frozenset[str]:
    """Every folder of the tree ("" for the root)."""
    out = {""}
    for path in paths:
        folder = posixpath.dirname(path)
        while folder not in out:
            out.add(folder)
            folder = posixpath.dirname(folder)
    return frozenset(out)


def _join(folder: str, rel: str) -> str:
    joined = posixpath.normpath(posixpath.join(folder, rel)) if rel or folder else ""
    return "" if joined == "." else joined


def python_modules(repo: RepoView, side: Side = "RIGHT") -> PythonModules:
    """The Python module resolver of one side of this scan, built on first use."""
    return repo.memo(f"python.modules.{side}", lambda: PythonModules(repo, side))
