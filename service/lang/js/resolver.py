"""Module resolution for JavaScript/TypeScript, as the compiler and bundlers do it, over the
scanned side of the repository.

`module_resolver(repo, side).resolve(importer, spec)` answers one of:
- `file`: the repository file the specifier reaches (relative paths, tsconfig `paths` and `baseUrl`
  through `extends` chains and project references, workspace packages by `name` with `exports` /
  `types` / `main`, package.json `imports`, the common `@/`, `~/`, `#/` aliases); extensions and
  index files are probed (`.ts .tsx .d.ts .js .jsx .mjs .cjs .mts .cts`, `./x.js` finds `x.ts`);
- `external`: a Node built-in or a package some package.json declares as a dependency;
- `unresolved`: anything else. It may be ours: a rule must then abstain or lower its confidence,
  never conclude "unused" or "not async".

`origin(path, name)` follows re-exports (`export * from`, `export { x as y } from`, re-exported
imports) to the file that declares an export. Only the config files a question needs are read,
and each file only when a question reaches it: the cost follows the diff, not the repository.
One resolver per scan and side, kept in `RepoView.memo`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Literal

from ...detector import RepoView
from ...models import Side
from ...parsing import SourceFile
from .exports import export_edges
from .tsconfig import CONFIG_NAMES, ConfigReader
from .workspaces import Workspace, entry_targets, manifest_paths, subpath_import_targets

PROBE = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
_JS_EXT = re.compile(r"\.([cm]?)jsx?$")
_CONVENTION_ALIASES = ("@/", "~/", "#/")
_MAX_DEPTH = 10
NODE_BUILTINS = frozenset({
    "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "constants", "crypto", "dgram",
    "diagnostics_channel", "dns", "domain", "events", "fs", "http", "http2", "https", "inspector", "module", "net",
    "os", "path", "perf_hooks", "process", "punycode", "querystring", "readline", "repl", "stream", "string_decoder",
    "sys", "timers", "tls", "trace_events", "tty", "url", "util", "v8", "vm", "wasi", "worker_threads", "zlib",
})

Kind = Literal["file", "external", "unresolved"]


@dataclass(frozen=True)
class Resolution:
    kind: Kind
    path: str | None = None

    @property
    def unresolved(self) -> bool:
        return self.kind == "unresolved"


EXTERNAL = Resolution("external")
UNRESOLVED = Resolution("unresolved")


class ModuleResolver:
    def __init__(self, repo: RepoView, side: Side) -> None:
        self.repo = repo
        self.side = side
        self.known = frozenset(repo.paths(side))
        repo.prefetch(side, [p for p in self.known if p.rsplit("/", 1)[-1] in (*CONFIG_NAMES, "package.json")]
                      + [p for p in ("pnpm-workspace.yaml", "lerna.json") if p in self.known])
        self.workspace = Workspace(self._read, frozenset(manifest_paths(self.known)))
        self.configs = ConfigReader(self._read, self.known, self._package_folder)
        self._resolved: dict[tuple[str, str], Resolution] = {}
        # first folders of the tree and of src/: a bare `utils/x` may name one of them
        self._top_folders = {p.split("/", 1)[0] for p in self.known if "/" in p} | {
            p.split("/", 2)[1] for p in self.known if p.startswith("src/") and p.count("/") >= 2}
        self._origins: dict[tuple[str, str], tuple[str, str] | None] = {}

    def _read(self, path: str) -> str | None:
        if path not in self.known:
            return None
        src = self.repo.source(self.side, path)
        return src.text if src is not None else None

    def _package_folder(self, name: str) -> str | None:
        package = self.workspace.packages.get(name)
        return package.folder if package is not None else None

    def file(self, base: str) -> str | None:
        """The file a path without (or with a JS) extension names: itself, with an extension, an index."""
        if base in self.known:
            return base
        stems = [base]
        m = _JS_EXT.search(base)
        if m:  # TypeScript's ESM convention: `./x.js` is written for `x.ts`
            stem = base[: m.start()]
            stems = [stem] + ([stem + ".m"] if m.group(1) == "m" else []) + ([stem + ".c"] if m.group(1) == "c" else [])
        for stem in stems:
            for ext in PROBE:
                if stem + ext in self.known:
                    return stem + ext
        for ext in PROBE:
            if base + "/index" + ext in self.known:
                return base + "/index" + ext
        return None

    def resolve(self, importer: str, spec: str) -> Resolution:
        key = (importer, spec)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(importer, spec.split("?", 1)[0])
        return self._resolved[key]

    def _resolve(self, importer: str, spec: str) -> Resolution:
        if not spec:
            return UNRESOLVED
        if spec.startswith("."):
            return self._found(self.file(_join(posixpath.dirname(importer), spec)))
        if spec.startswith("/"):
            return self._found(self.file(spec.lstrip("/")))
        if spec.startswith("node:") or spec.split("/", 1)[0] in NODE_BUILTINS:
            return EXTERNAL
        configs = self.configs.for_file(importer)
        for config in configs:
            for target in config.aliases(spec):
                found = self.file(target)
                if found is not None:
                    return Resolution("file", found)
        if spec.startswith("#"):
            found = self._subpath_import(importer, spec)
            if found is not None:
                return Resolution("file", found)
        workspace = self.workspace.package_for(spec)
        if workspace is not None:
            for target in entry_targets(*workspace):
                found = self.file(target)
                if found is not None:
                    return Resolution("file", found)
        for config in configs:
            if config.base_url is not None:
                found = self.file(_join(config.base_url, spec))
                if found is not None:
                    return Resolution("file", found)
        if workspace is not None:
            return UNRESOLVED  # a package of the workspace, but not a path it exports
        if spec.startswith(_CONVENTION_ALIASES):
            rest = spec[2:]
            return self._found(self.file("src/" + rest) or self.file(rest) or self.file("app/" + rest))
        if self.workspace.is_dependency(spec):
            return EXTERNAL
        if "/" in spec:  # a bundler alias to the source root, the common convention
            found = self.file("src/" + spec) or self.file(spec)
            if found is not None:
                return Resolution("file", found)
        return UNRESOLVED if self._may_be_ours(spec, bool(configs)) else EXTERNAL

    def _may_be_ours(self, spec: str, configured: bool) -> bool:
        """An unknown bare specifier that could be a path alias of this repository: a scoped or
        aliased name nobody declares as a dependency, or a name like a top-level folder."""
        head = spec.split("/", 1)[0]
        if head.startswith(("@", "~", "#", "$")) and (not self.workspace.dependencies or "/" in spec):
            return True
        return configured and head in self._top_folders

    def _subpath_import(self, importer: str, spec: str) -> str | None:
        folder = posixpath.dirname(importer)
        while True:
            imports = self.workspace.imports.get(folder)
            if imports is not None:
                for target in subpath_import_targets(imports, folder, spec):
                    found = self.file(target)
                    if found is not None:
                        return found
                return None
            if not folder:
                return None
            folder = posixpath.dirname(folder)

    @staticmethod
    def _found(path: str | None) -> Resolution:
        return Resolution("file", path) if path is not None else UNRESOLVED

    # ------------------------------------------------------------------ re-exports

    def source(self, path: str) -> SourceFile | None:
        src = self.repo.source(self.side, path)
        return src if src is not None and src.root is not None else None

    def origin(self, path: str, name: str, depth: int = 0) -> tuple[str, str] | None:
        """The file and name that declare export `name` of module `path`, through re-exports;
        None when the chain leaves the repository or cannot be followed."""
        key = (path, name)
        if key in self._origins:
            return self._origins[key]
        self._origins[key] = None  # cycle guard
        found = self._origin(path, name, depth) if depth < _MAX_DEPTH else None
        self._origins[key] = found
        return found

    def _origin(self, path: str, name: str, depth: int) -> tuple[str, str] | None:
        src = self.source(path)
        if src is None:
            return None
        edges = export_edges(src)
        if name in edges.local:
            return path, name
        for spec, imported in edges.named.get(name, ()):
            target = self.resolve(path, spec)
            if target.path is not None:
                return (target.path, imported) if imported == "*" else self.origin(target.path, imported, depth + 1)
            return None
        if name == "default":
            return None
        for spec in edges.star:
            target = self.resolve(path, spec)
            if target.path is not None:
                found = self.origin(target.path, name, depth + 1)
                if found is not None:
                    return found
        return None


def _join(folder: str, rel: str) -> str:
    joined = posixpath.normpath(posixpath.join(folder, rel))
    return "" if joined == "." else joined


def module_resolver(repo: RepoView, side: Side = "RIGHT") -> ModuleResolver:
    """The resolver of one side of this scan, built on first use."""
    return repo.memo(f"js.resolver.{side}", lambda: ModuleResolver(repo, side))
