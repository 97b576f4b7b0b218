"""The per-scan repository index of the Python null-check detector.

`RepoIndex` reads the head tree lazily (one parse per module, cached per scan), resolves imports
between the repository's modules and answers whether a function, method, field or payload key
may be None.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import PurePosixPath

from ...detector import RepoView
from ...lang.python.modules import python_modules
from ...ruledata import DataLists, data_lists
from .python_facts import ClassInfo, ModuleInfo, _read_module


class RepoIndex:
    """Module facts of the head tree, parsed on demand and kept for the whole scan."""

    def __init__(self, repo: RepoView) -> None:
        self.repo = repo
        self._modules: dict[str, ModuleInfo | None] = {}
        self._paths: list[str] | None = None
        self._resolved: dict[tuple[str, str], str | None] = {}
        self._related: dict[str, list[ModuleInfo]] = {}
        self._null_keys: dict[str, set[str]] = {}

    @functools.cached_property
    def lists(self) -> DataLists:
        """The name lists of `rules/data/null-check.yml`, with the repository's additions."""
        return data_lists("null-check", self.repo)

    # -- module resolution ------------------------------------------------------------------

    def py_paths(self) -> list[str]:
        if self._paths is None:
            self._paths = [p for p in self.repo.paths("RIGHT") if p.endswith(".py")]
        return self._paths

    def resolve_module(self, current: str, dotted: str) -> str | None:
        """The file path of module `dotted` imported from file `current` (`.x` relative)."""
        level = len(dotted) - len(dotted.lstrip("."))
        key = (PurePosixPath(current).parent.as_posix() if level else "", dotted)
        if key not in self._resolved:
            self._resolved[key] = self._resolve_module(current, dotted, level)
        return self._resolved[key]

    def _resolve_module(self, current: str, dotted: str, level: int) -> str | None:
        found = python_modules(self.repo).file(current, dotted)
        if found is not None:
            return found
        name = dotted[level:]
        if level:
            base = PurePosixPath(current).parent
            for _ in range(level - 1):
                base = base.parent
            stem = (base / name.replace(".", "/")).as_posix() if name else base.as_posix()
            stem = stem.lstrip("./") if stem.startswith("./") else stem
            return self._existing([stem])
        return self._existing([name.replace(".", "/")], suffix_ok=True)

    def _existing(self, stems: list[str], suffix_ok: bool = False) -> str | None:
        paths = self.py_paths()
        pool = set(paths)
        for stem in stems:
            for cand in (f"{stem}.py", f"{stem}/__init__.py"):
                cand = cand.lstrip("/") if not cand.startswith("./") else cand[2:]
                if cand in pool:
                    return cand
        if suffix_ok:
            for stem in stems:
                for cand in (f"/{stem}.py", f"/{stem}/__init__.py"):
                    hits = sorted(p for p in paths if p.endswith(cand))
                    if hits:
                        return hits[0]
        return None

    def module(self, path: str | None) -> ModuleInfo | None:
        if path is None:
            return None
        if path not in self._modules:
            src = self.repo.source("RIGHT", path)
            self._modules[path] = _read_module(self, path, src) if src and src.root else None
        return self._modules[path]

    def related(self, path: str) -> list[ModuleInfo]:
        """The module itself and every module it imports from the repository (do not modify
        the list: it is kept for the next question)."""
        found = self._related.get(path)
        if found is not None:
            return found
        own = self.module(path)
        if own is None:
            return []
        out = [own]
        for target in sorted({mod for mod, _ in own.imports.values()}):
            info = self.module(target)
            if info is not None and all(info is not known for known in out):
                out.append(info)
        self._related[path] = out
        return out

    # -- questions ---------------------------------------------------------------------------

    def lookup_class(self, path: str, name: str) -> ClassInfo | None:
        for info in self.related(path):
            if name in info.classes:
                return info.classes[name]
        return None

    def function_is_optional(self, path: str, name: str) -> bool | None:
        """A plain call `name(...)`: True/False when its definition is found, None otherwise."""
        own = self.module(path)
        if own is None:
            return None
        if name in own.funcs:
            return name in own.optional_funcs
        target = own.imports.get(name)
        if target is not None:
            info = self.module(target[0])
            real = target[1] or name
            if info is not None and real in info.funcs:
                return real in info.optional_funcs
        return None

    def module_function_is_optional(self, path: str, alias: str, name: str) -> bool | None:
        own = self.module(path)
        target = own.imports.get(alias) if own else None
        if target is None or target[1] is not None:
            return None
        info = self.module(target[0])
        if info is None or name not in info.funcs:
            return None
        return name in info.optional_funcs

    def method_is_optional(self, path: str, cls: ClassInfo | None, name: str) -> bool | None:
        """A method call on a value of class `cls` (None: unknown type, match by name)."""
        if cls is not None:
            for klass in self._mro(path, cls):
                if name in klass.methods:
                    return name in klass.optional_methods
            return None
        defs = [c for info in self.related(path) for c in info.classes.values() if name in c.methods]
        if not defs or name in self.lists.get("python_generic_methods"):
            return None
        return all(name in c.optional_methods for c in defs)

    def nullable_field(self, path: str, cls: ClassInfo, name: str) -> str | None:
        for klass in self._mro(path, cls):
            if name in klass.nullable_fields:
                return klass.nullable_fields[name]
            if name in klass.field_types or name in klass.methods:
                return None
        return None

    def _mro(self, path: str, cls: ClassInfo) -> Iterator[ClassInfo]:
        seen: set[str] = set()
        todo = [cls]
        while todo:
            cur = todo.pop(0)
            if cur.name in seen:
                continue
            seen.add(cur.name)
            yield cur
            for base in cur.bases:
                found = self.lookup_class(path, base)
                if found is not None:
                    todo.append(found)

    def null_keys(self, path: str) -> set[str]:
        """Payload keys documented as nullable (do not modify the set: it is shared)."""
        keys = self._null_keys.get(path)
        if keys is None:
            keys = set()
            for info in self.related(path):
                keys |= info.null_keys
            self._null_keys[path] = keys
        return keys

    def regex_names(self, path: str) -> set[str]:
        own = self.module(path)
        names = set(own.regex_names) if own else set()
        if own:
            for local, (mod, real) in own.imports.items():
                info = self.module(mod)
                if info is not None and real is not None and real in info.regex_names:
                    names.add(local)
        return names


def index_for(repo: RepoView) -> RepoIndex:
    """The index of this scan's head tree, built once per scan."""
    return repo.memo("python.null-check.index", lambda: RepoIndex(repo))
