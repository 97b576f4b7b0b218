"""The facts of one JS/TS file joined with those of the modules it imports, through the module
resolver: which imported names are async functions or may return null, following re-exports and
barrel files across packages to the declaring module. Imports the resolver cannot follow are
listed, so a rule can abstain instead of concluding from missing knowledge."""

from __future__ import annotations

from ...detector import RepoView
from ...parsing import SourceFile
from .flow import imports, string_value
from .resolver import module_resolver
from .symbols import declarations
from .syntax import EXTENSIONS, FileFacts, facts_of


def related_facts(repo: RepoView, src: SourceFile, path: str) -> FileFacts:
    """The facts of `src`, plus those of the files it imports (one level, merged by name), plus
    every imported binding whose declaring module (through re-exports) makes it async/nullable.
    Built once per file and scan (do not modify the result: detectors share it)."""
    return repo.memo(f"js.related-facts.{path}", lambda: _related(repo, src, path))


def _facts(repo: RepoView, src: SourceFile) -> FileFacts:
    """The facts of one file of the head tree, computed once per scan (shared: do not modify)."""
    return repo.memo(f"js.facts.{src.path}", lambda: facts_of(src))


def _related(repo: RepoView, src: SourceFile, path: str) -> FileFacts:
    resolver = module_resolver(repo, "RIGHT")
    merged = FileFacts()
    _merge(merged, facts_of(src))
    seen: set[str] = set()
    for local, (spec, name) in imports(src).items():
        found = resolver.resolve(path, spec)
        if found.unresolved:
            merged.unresolved.add(local)
        target = found.path
        if target is None or not target.endswith(EXTENSIONS):
            continue
        if target not in seen:
            seen.add(target)
            parsed = resolver.source(target)
            if parsed is not None:
                _merge(merged, _facts(repo, parsed))
        if name == "*":
            continue
        origin = resolver.origin(target, name)
        if origin is None:
            continue
        declared = resolver.source(origin[0])
        if declared is None:
            continue
        facts = _facts(repo, declared)
        real = origin[1] if origin[1] != "default" else _default_name(declared)
        if real in facts.async_functions:
            merged.async_functions.add(local)
        if real in facts.never_rejects:
            merged.never_rejects.add(local)
        if real in facts.nullable_functions:
            merged.nullable_functions.add(local)
    for spec in _side_effect_imports(src):
        found = resolver.resolve(path, spec)
        parsed = resolver.source(found.path) if found.path and found.path not in seen else None
        if parsed is not None and found.path is not None:
            seen.add(found.path)
            _merge(merged, _facts(repo, parsed))
    return merged


def _merge(merged: FileFacts, facts: FileFacts) -> None:
    merged.async_functions |= facts.async_functions
    merged.nullable_functions |= facts.nullable_functions
    merged.nullable_methods |= facts.nullable_methods
    merged.maps |= facts.maps
    merged.never_rejects |= facts.never_rejects
    for name, props in facts.types.items():
        merged.types.setdefault(name, props)


def _default_name(src: SourceFile) -> str:
    assert src.root is not None
    return next((d.name for d in declarations(src.root) if d.default), "")


def _side_effect_imports(src: SourceFile) -> list[str]:
    """Specifiers of import and re-export statements that bind no name here (`import "./x"`,
    `export * from "./y"`)."""
    assert src.root is not None
    out = []
    for stmt in src.root.named_children:
        if stmt.type in ("import_statement", "export_statement"):
            spec = string_value(src, stmt.child_by_field_name("source"))
            if spec is not None:
                out.append(spec)
    return out
