"""A repository-wide index of one side (head or base) of a JavaScript/TypeScript change.

The index holds, for that side of the scan:
- the parsed JS/TS files (one batched read through `RepoView.prefetch`), skipping vendored and
  generated paths (node_modules, dist, build, minified bundles);
- a count of every identifier-like word, in JS/TS files with comments blanked out (a name in a
  string, `import("./x")` or `obj["name"]`, still counts) and in text files that name JS objects
  (JSON/YAML config, HTML, Vue/Svelte templates, Markdown);
- which files some import, re-export, `require()` or dynamic `import()` resolves to;
- the entry points that package.json files declare (main/module/exports/bin/scripts);
- where top-level declarations are, by name.
It is built once per scan and side and shared by the dead-code and bloat detectors through a
cache keyed by the repository view.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ...detector import RepoView
from ...models import Side
from ...parsing import SourceFile
from .resolver import ModuleResolver, module_resolver
from .symbols import (
    MAX_TEXT_BYTES,
    SPECIFIER,
    WORD,
    Declaration,
    _is_text,
    _skipped,
    declarations,
    is_js_path,
    masked_bytes,
)


@dataclass
class SideIndex:
    """Words, import targets, entry points and declarations of one whole tree."""

    known: set[str] = field(default_factory=set)
    sources: dict[str, SourceFile] = field(default_factory=dict)
    masked: dict[str, bytes] = field(default_factory=dict)
    counts: Counter[bytes] = field(default_factory=Counter)
    file_counts: dict[str, Counter[bytes]] = field(default_factory=dict)
    imported: Counter[str] = field(default_factory=Counter)
    default_imported: Counter[str] = field(default_factory=Counter)
    entries: set[str] = field(default_factory=set)
    defs: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    resolver: ModuleResolver | None = None
    unresolved: set[str] = field(default_factory=set)  # last segments of unresolved specifiers

    def count(self, name: str) -> int:
        return self.counts.get(name.encode(), 0)

    def count_in(self, path: str, start: int, end: int, name: str) -> int:
        """Occurrences of `name` between two byte offsets of one JS/TS file."""
        data = self.masked.get(path, b"")[start:end]
        key = name.encode()
        return sum(1 for m in WORD.finditer(data) if m.group(0) == key)

    def count_file(self, path: str, name: str) -> int:
        return self.file_counts.get(path, Counter()).get(name.encode(), 0)

    def resolve(self, importer: str, spec: str) -> str | None:
        """The repository file an import specifier of `importer` points to, if it is one of ours;
        a specifier that may be ours but cannot be followed is remembered (`might_import`)."""
        if self.resolver is None:
            return None
        found = self.resolver.resolve(importer, spec)
        if found.unresolved:
            self.unresolved.add(_last_segment(spec))
        return found.path

    def might_import(self, path: str) -> bool:
        """Some import the resolver could not follow may name `path` (same file or folder name):
        a rule must not call its exports unused."""
        pure = PurePosixPath(path)
        stem = pure.name.split(".", 1)[0]
        names = {stem, pure.parent.name} if stem == "index" else {stem}
        return bool(names & self.unresolved)

    def add_source(self, path: str, src: SourceFile) -> None:
        self.sources[path] = src
        data = masked_bytes(src)
        self.masked[path] = data
        words = Counter(WORD.findall(data))
        self.file_counts[path] = words
        self.counts.update(words)
        self._add_specifiers(path, data)
        root = src.root
        if root is None:
            return
        for decl in declarations(root):
            if decl.name:
                self.defs.setdefault(decl.name, []).append((path, decl.line))

    def add_text(self, path: str, data: bytes) -> None:
        if len(data) > MAX_TEXT_BYTES:
            return
        self.counts.update(WORD.findall(data))
        self._add_specifiers(path, data)
        if PurePosixPath(path).name == "package.json":
            self._add_package(path, data)

    def _add_specifiers(self, path: str, data: bytes) -> None:
        for m in SPECIFIER.finditer(data):
            target = self.resolve(path, m.group(4).decode("utf-8", "replace"))
            if target is None or target == path:
                continue
            self.imported[target] += 1
            clause = (m.group(2) or b"").strip()
            if m.group(3) or (m.group(1) == b"import" and clause and not clause.startswith((b"{", b"type {"))) \
                    or b"default" in clause:
                self.default_imported[target] += 1

    def _add_package(self, path: str, data: bytes) -> None:
        try:
            manifest = json.loads(data.decode("utf-8", "replace"))
        except ValueError:
            return
        if not isinstance(manifest, dict):
            return
        root = posixpath.dirname(path)
        values: list[str] = []
        for key in ("main", "module", "browser", "types", "typings", "source", "exports", "bin"):
            values.extend(_strings(manifest.get(key)))
        for script in _strings(manifest.get("scripts")):
            values.extend(re.findall(r"[\w./@-]+\.[cm]?[jt]sx?\b", script))
        for value in values:
            self._add_entry(root, value)

    def _add_entry(self, root: str, value: str) -> None:
        rel = posixpath.normpath(posixpath.join(root, value.lstrip("./") if value.startswith("./") else value))
        stem = re.sub(r"(\.d)?\.[cm]?[jt]sx?$", "", rel)
        options = [stem]
        for out in ("dist/", "lib/", "build/", "out/", "esm/", "cjs/"):
            prefix = posixpath.join(root, out) if root else out
            if stem.startswith(prefix):
                rest = stem[len(prefix):]
                options += [posixpath.join(root, "src", rest), posixpath.join(root, rest)]
        for option in options:
            found = self.resolver.file(option) if self.resolver is not None else None
            if found is not None:
                self.entries.add(found)

    def is_imported(self, path: str) -> bool:
        return self.imported.get(path, 0) > 0

    def is_default_imported(self, path: str) -> bool:
        """Some module imports the default export (or the whole module) of `path`."""
        return self.default_imported.get(path, 0) > 0


def _last_segment(spec: str) -> str:
    last = spec.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last.split(".", 1)[0]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _build(repo: RepoView, side: Side) -> SideIndex:
    paths = [p for p in repo.paths(side) if not _skipped(p)]
    js = [p for p in paths if is_js_path(p)]
    texts = [p for p in paths if _is_text(p)]
    repo.prefetch(side, js + texts)
    index = SideIndex(known=set(js), resolver=module_resolver(repo, side))
    for path in js:
        src = repo.source(side, path)
        if src is not None:
            index.add_source(path, src)
    for path in texts:
        src = repo.source(side, path)
        if src is not None:
            index.add_text(path, src.data or src.text.encode("utf-8", "replace"))
    return index


def side_index(repo: RepoView, side: Side) -> SideIndex:
    """The index of one side of this scan, built on first use and shared by the detectors."""
    return repo.memo(f"js.symbols.{side}", lambda: _build(repo, side))


# ---- small syntax helpers shared by the JS dead-code and bloat detectors --------------------


def inside(spans: Iterable[tuple[int, int]], start: int) -> bool:
    return any(a <= start < b for a, b in spans)


def external_mentions(index: SideIndex, path: str, decl: Declaration, spans: list[tuple[int, int]]) -> int:
    """Mentions of a declaration's name outside its own declaration and the export lists of its
    file (anywhere in the repository, this file included)."""
    name = decl.name
    key = name.encode()
    data = index.masked.get(path, b"")
    own = 0
    start, end = decl.node.start_byte, decl.node.end_byte
    if decl.node.type == "variable_declarator":
        start, end = decl.statement.start_byte, decl.statement.end_byte
    for m in WORD.finditer(data):
        if m.group(0) == key and (start <= m.start() < end or inside(spans, m.start())):
            own += 1
    return index.count(name) - own
