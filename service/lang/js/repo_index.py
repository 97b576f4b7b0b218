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
from pathlib import PurePosixPath

from ...detector import RepoView
from ...models import Side
from ...parsing import SourceFile
from ..lookup import Lookup
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


class SideIndex:
    """Words, import targets, entry points and declarations of one tree.

    The import graph (which files some import, re-export or `require()` reaches) covers every
    JS/TS and text file: it is built from each file's import specifiers, kept by blob id so that
    a later scan reads them without parsing. Words and declarations are looked up per name: the
    files that can hold the name are found by `git grep` and only those are read."""

    def __init__(self, repo: RepoView, side: Side, resolver: ModuleResolver | None) -> None:
        self.repo = repo
        self.side = side
        paths = [p for p in repo.paths(side) if not _skipped(p)]
        self.js_paths = [p for p in paths if is_js_path(p)]
        self.text_paths = [p for p in paths if _is_text(p)]
        self.known = set(self.js_paths)
        self._searchable = frozenset(self.js_paths) | frozenset(self.text_paths)
        self.resolver = resolver
        self.unresolved: set[str] = set()  # last segments of unresolved specifiers
        self.imported: Counter[str] = Counter()
        self.default_imported: Counter[str] = Counter()
        self.entries: set[str] = set()
        self.sources: Lookup[SourceFile] = Lookup(self._source, self._all_sources)
        self.masked: Lookup[bytes] = Lookup(self.masked_of, lambda: list(self._readable))
        self.defs: Lookup[list[tuple[str, int]]] = Lookup(lambda n: self.declared(n) or None, self._names)
        self._counts: dict[str, int] = {}
        self._file_counts: dict[str, Counter[bytes]] = {}
        self._readable: list[str] = []
        self._graphed = False

    def build(self) -> SideIndex:
        """Which JS/TS files can be read (known by blob id, else read without parsing them) and
        the text files' import specifiers and entry points; the import graph of the JS/TS files is
        read on first use (`_graph`)."""
        repo, side = self.repo, self.side
        known = repo.cached_paths(side, self.js_paths, _READABLE)
        texts = repo.cached_paths(side, self.text_paths, _TEXT_SPECIFIERS)
        manifests = [p for p in self.text_paths if PurePosixPath(p).name == "package.json"]
        repo.prefetch(side, [p for p in self.js_paths if p not in known]
                      + [p for p in self.text_paths if p not in texts] + manifests)
        self._readable = [p for p in self.js_paths if repo.derived(side, p, _READABLE, _readable) is not None]
        for path in self.text_paths:
            found = repo.derived(side, path, _TEXT_SPECIFIERS, _text_specifiers)
            if found is not None:
                self._add_specifiers(path, found)
        for path in manifests:
            src = repo.source(side, path)
            data = (src.data or src.text.encode("utf-8", "replace")) if src is not None else b""
            if src is not None and len(data) <= MAX_TEXT_BYTES:
                self._add_package(path, data)
        return self

    def _graph(self) -> None:
        """Read every JS/TS file's specifiers (by blob id when known) into the import graph: only a
        question about who imports a file needs it (it parses every file not read before)."""
        if self._graphed:
            return
        self._graphed = True
        known = self.repo.cached_paths(self.side, self._readable, _SPECIFIERS)
        self.repo.prefetch(self.side, [p for p in self._readable if p not in known])
        for path in self._readable:
            found = self.repo.derived(self.side, path, _SPECIFIERS, _specifiers)
            if found is not None:
                self._add_specifiers(path, found)

    def _candidates(self, name: str) -> list[str]:
        found = self.repo.files_containing(self.side, [name], word_chars=_WORD_CHARS)
        hits = sorted(found & self._searchable)
        js = [p for p in hits if p in self.known]
        cached = self.repo.cached_paths(self.side, js, _MASKED)
        self.repo.prefetch(self.side, [p for p in hits if p not in cached])
        return hits

    def masked_of(self, path: str) -> bytes | None:
        if path not in self.known:
            return None
        return self.repo.derived(self.side, path, _MASKED, masked_bytes)

    def _words_of(self, path: str) -> Counter[bytes]:
        if path not in self._file_counts:
            if path in self.known:
                data = self.masked_of(path)
            else:
                src = self.repo.source(self.side, path)
                data = None
                if src is not None:
                    data = src.data or src.text.encode("utf-8", "replace")
                    data = data if len(data) <= MAX_TEXT_BYTES else None
            self._file_counts[path] = Counter(WORD.findall(data)) if data else Counter()
        return self._file_counts[path]

    def count(self, name: str) -> int:
        if name not in self._counts:
            key = name.encode()
            self._counts[name] = sum(self._words_of(p)[key] for p in self._candidates(name))
        return self._counts[name]

    def declared(self, name: str) -> list[tuple[str, int]]:
        """(path, line) of the top-level declarations named `name`, in path order."""
        out = []
        for path in self._candidates(name):
            for decl_name, line in (self.repo.derived(self.side, path, _DECLS, _declared) or ()
                                    if path in self.known else ()):
                if decl_name == name:
                    out.append((path, line))
        return out

    def _source(self, path: str) -> SourceFile | None:
        return self.repo.source(self.side, path) if path in self.known else None

    def _all_sources(self) -> list[str]:
        """Every readable JS/TS file, read and parsed in one batch (a detector iterating them all)."""
        self.repo.prefetch(self.side, self._readable)
        return list(self._readable)

    def readable_paths(self) -> list[str]:
        """Every readable JS/TS file, in path order, without reading them."""
        return list(self._readable)

    def _names(self) -> list[str]:
        """Every declared name (reads every file)."""
        return sorted({n for p in self._readable for n, _ in self.repo.derived(self.side, p, _DECLS, _declared) or ()})

    def count_in(self, path: str, start: int, end: int, name: str) -> int:
        """Occurrences of `name` between two byte offsets of one JS/TS file."""
        data = (self.masked_of(path) or b"")[start:end]
        key = name.encode()
        return sum(1 for m in WORD.finditer(data) if m.group(0) == key)

    def files_mentioning(self, name: str) -> list[str]:
        """The searchable files that may mention `name` (a superset, found by text search)."""
        return self._candidates(name)

    def count_file(self, path: str, name: str) -> int:
        if path not in self.known:
            return 0
        return self._words_of(path).get(name.encode(), 0)

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
        self._graph()
        pure = PurePosixPath(path)
        stem = pure.name.split(".", 1)[0]
        names = {stem, pure.parent.name} if stem == "index" else {stem}
        return bool(names & self.unresolved)

    def _add_specifiers(self, path: str, found: list[Specifier]) -> None:
        for keyword, clause_text, call, spec in found:
            target = self.resolve(path, spec.decode("utf-8", "replace"))
            if target is None or target == path:
                continue
            self.imported[target] += 1
            clause = (clause_text or b"").strip()
            if call or (keyword == b"import" and clause and not clause.startswith((b"{", b"type {"))) \
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
        self._graph()
        return self.imported.get(path, 0) > 0

    def is_default_imported(self, path: str) -> bool:
        """Some module imports the default export (or the whole module) of `path`."""
        self._graph()
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


Specifier = tuple[bytes | None, bytes | None, bytes | None, bytes]
_WORD_CHARS = "A-Za-z0-9_$"
_SPECIFIERS = "js.specifiers"
_READABLE = "js.readable"  # True for a text file: JS/TS files that are not (None stands for "not readable")
_TEXT_SPECIFIERS = "js.text-specifiers"
_MASKED = "js.masked"
_DECLS = "js.declarations"


def _matches(data: bytes) -> list[Specifier]:
    """The import/export keyword, import clause, call and specifier of each SPECIFIER match."""
    return [(m.group(1), m.group(2), m.group(3), m.group(4)) for m in SPECIFIER.finditer(data)]


def _specifiers(src: SourceFile) -> list[Specifier]:
    return _matches(masked_bytes(src))


def _readable(src: SourceFile) -> bool:
    return True  # `derived` gives None for a file that is absent, binary or over the size cap


def _text_specifiers(src: SourceFile) -> list[Specifier]:
    """The import specifiers of a text file that may name JS modules (none over MAX_TEXT_BYTES)."""
    data = src.data or src.text.encode("utf-8", "replace")
    return _matches(data) if len(data) <= MAX_TEXT_BYTES else []


def _declared(src: SourceFile) -> list[tuple[str, int]]:
    root = src.root
    return [] if root is None else [(d.name, d.line) for d in declarations(root) if d.name]


def side_index(repo: RepoView, side: Side) -> SideIndex:
    """The index of one side of this scan, built on first use and shared by the detectors."""
    return repo.memo(f"js.symbols.{side}", lambda: SideIndex(repo, side, module_resolver(repo, side)).build())


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
