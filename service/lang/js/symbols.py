"""Shared JavaScript/TypeScript dead-code helpers: a repository-wide index of one tree.

The index holds, for one side (head or base) of the scan:
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

import functools
import json
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from tree_sitter import Node, Query, QueryCursor

from ...detector import RepoView
from ...models import Side
from ...parsing import SourceFile, grammar, line_of

WORD = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
TEXT_SUFFIXES = frozenset({
    ".json", ".yaml", ".yml", ".html", ".htm", ".vue", ".svelte", ".astro", ".md", ".mdx",
    ".toml", ".ejs", ".hbs", ".njk", ".pug", ".sh", ".graphql", ".gql",
})
TEXT_NAMES = frozenset({"Dockerfile", "Procfile", "Makefile", ".env"})
SKIP_PARTS = frozenset({"node_modules", "dist", "build", "coverage", "out", ".next", "vendor"})
MAX_TEXT_BYTES = 400_000
SPECIFIER = re.compile(
    rb"""(?:\b(import|export)\s+([^;'"`()]{0,2000}?)\s*\bfrom|\b(import\s*\(|require\s*\(|require\.resolve\s*\()"""
    rb"""|^\s*import)\s*['"`]([^'"`\n]+)['"`]""",
    re.M,
)
TEST_PATH = re.compile(r"\.(test|spec|stories|story|e2e|cy)\.[cm]?[jt]sx?$|(^|/)(__tests__|__mocks__|tests?|e2e|"
                       r"cypress|playwright|fixtures|__fixtures__|stories)/")
# Files a framework or tool loads by convention: every export is used by it.
CONVENTION_FILE = re.compile(
    r"(^|/)(pages|routes)/"
    r"|(^|/)app/(.*/)?(page|layout|route|loading|error|global-error|not-found|template|default|head|"
    r"opengraph-image|twitter-image|icon|apple-icon|sitemap|robots|manifest)\.[cm]?[jt]sx?$"
    r"|(^|/)(middleware|instrumentation|_app|_document|_error|worker|service-worker|sw)\.[cm]?[jt]sx?$"
    r"|[./](config|conf|rc|setup|workspace)\.[cm]?[jt]sx?$|(^|/)\.[\w.-]+rc\.[cm]?[jt]s$"
    r"|(^|/)(gatsby|nuxt|astro|svelte|remix|vite|vitest|jest|webpack|rollup|babel|eslint|prettier|"
    r"tailwind|postcss|next|playwright|cypress|tsup|esbuild|drizzle|knexfile|ormconfig)[\w.-]*\.[cm]?[jt]sx?$"
    r"|\.d\.[cm]?ts$|(^|/)migrations?/|(^|/)seeds?/"
)
# Exports frameworks look up by name (Next.js, Remix, SvelteKit, serverless handlers).
CONVENTION_EXPORTS = frozenset({
    "getServerSideProps", "getStaticProps", "getStaticPaths", "getInitialProps", "generateMetadata",
    "generateStaticParams", "generateViewport", "generateImageMetadata", "generateSitemaps",
    "metadata", "viewport", "revalidate", "dynamic", "dynamicParams", "runtime", "fetchCache",
    "preferredRegion", "maxDuration", "config", "loader", "action", "meta", "links", "headers",
    "handle", "ErrorBoundary", "HydrateFallback", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
    "OPTIONS", "handler", "middleware", "load", "prerender", "ssr", "csr", "register", "onRequest",
})


def is_test_path(path: str) -> bool:
    return TEST_PATH.search(path) is not None


def is_convention_file(path: str) -> bool:
    return CONVENTION_FILE.search(path) is not None


def is_js_path(path: str) -> bool:
    return path.endswith(JS_SUFFIXES)


def _skipped(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return any(p in SKIP_PARTS for p in parts[:-1]) or path.endswith((".min.js", ".bundle.js"))


def _is_text(path: str) -> bool:
    pure = PurePosixPath(path)
    return pure.suffix.lower() in TEXT_SUFFIXES or pure.name in TEXT_NAMES


def text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


@functools.cache
def _comment_query(language: str) -> Query:
    return Query(grammar(language), "(comment) @c")


def comments(src: SourceFile) -> list[Node]:
    """Every comment node of a JS/TS tree, in source order."""
    root = src.root
    if root is None or src.language is None:
        return []
    found = QueryCursor(_comment_query(src.language)).captures(root).get("c", [])
    return sorted(found, key=lambda n: n.start_byte)


def masked_bytes(src: SourceFile) -> bytes:
    """The file's bytes with comments blanked out (strings are kept: they can name things)."""
    data = bytearray(src.data or src.text.encode("utf-8", "surrogatepass"))
    for node in comments(src):
        data[node.start_byte : node.end_byte] = b" " * (node.end_byte - node.start_byte)
    return bytes(data)


@dataclass(frozen=True)
class Declaration:
    """A top-level binding of a module."""

    name: str
    node: Node  # the declaration (function/class/declarator) node
    statement: Node  # the top-level statement holding it (export_statement or the declaration)
    kind: str  # "function" | "class" | "const" | "type" | "enum"
    exported: bool
    default: bool = False

    @property
    def line(self) -> int:
        return line_of(self.node)


def declarations(root: Node) -> Iterator[Declaration]:
    """Top-level functions, classes, variables, enums and types, with their export status."""
    for stmt in root.named_children:
        exported = stmt.type == "export_statement"
        decl = stmt.child_by_field_name("declaration") if exported else stmt
        default = exported and any(c.type == "default" for c in stmt.children)
        if exported and decl is None and default:
            value = stmt.child_by_field_name("value")
            if value is not None and value.type in ("function_expression", "class", "function"):
                decl = value
        if decl is None:
            continue
        yield from _bindings(decl, stmt, exported, default)


def _bindings(decl: Node, stmt: Node, exported: bool, default: bool) -> Iterator[Declaration]:
    kind = decl.type
    if kind in ("lexical_declaration", "variable_declaration"):
        for declarator in decl.named_children:
            name = declarator.child_by_field_name("name")
            if declarator.type == "variable_declarator" and name is not None and name.type == "identifier":
                yield Declaration(text(name), declarator, stmt, "const", exported)
        return
    name_text = text(decl.child_by_field_name("name"))
    if not name_text and not default:
        return
    if kind in ("function_declaration", "generator_function_declaration", "function_expression", "function"):
        yield Declaration(name_text, decl, stmt, "function", exported, default)
    elif kind in ("class_declaration", "abstract_class_declaration", "class"):
        yield Declaration(name_text, decl, stmt, "class", exported, default)
    elif kind == "enum_declaration":
        yield Declaration(name_text, decl, stmt, "enum", exported, default)
    elif kind in ("interface_declaration", "type_alias_declaration"):
        yield Declaration(name_text, decl, stmt, "type", exported, default)


def export_list_spans(root: Node) -> list[tuple[int, int]]:
    """Byte spans that only list a module's exports: `export { a, b }`, `module.exports = {...}`,
    `exports.a = a`, `export default a` (a mention there is not a use)."""
    spans: list[tuple[int, int]] = []
    for stmt in root.named_children:
        if stmt.type == "export_statement" and stmt.child_by_field_name("source") is None:
            clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
            value = stmt.child_by_field_name("value")
            if clause is not None:
                spans.append((clause.start_byte, clause.end_byte))
            elif value is not None and value.type == "identifier":
                spans.append((value.start_byte, value.end_byte))
        elif stmt.type == "expression_statement" and stmt.named_children:
            expr = stmt.named_children[0]
            if expr.type != "assignment_expression":
                continue
            left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
            target = text(left).replace(" ", "")
            if right is None:
                continue
            whole = target == "module.exports" and right.type in ("object", "identifier")
            single = target.startswith(("exports.", "module.exports.")) and right.type == "identifier"
            if whole or single:
                spans.append((right.start_byte, right.end_byte))
    return spans


def commonjs_exports(root: Node) -> set[str]:
    """Names a CommonJS module exports by shorthand or `exports.x = x`."""
    names: set[str] = set()
    for stmt in root.named_children:
        if stmt.type != "expression_statement" or not stmt.named_children:
            continue
        expr = stmt.named_children[0]
        if expr.type != "assignment_expression":
            continue
        target = text(expr.child_by_field_name("left")).replace(" ", "")
        right = expr.child_by_field_name("right")
        if right is None:
            continue
        if target == "module.exports":
            if right.type == "identifier":
                names.add(text(right))
            for child in right.named_children if right.type == "object" else []:
                if child.type == "shorthand_property_identifier":
                    names.add(text(child))
                elif child.type == "pair":
                    names.add(text(child.child_by_field_name("value")))
        elif target.startswith(("exports.", "module.exports.")):
            names.add(text(right))
    return names


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
        """The repository file an import specifier of `importer` points to, if it is one of ours."""
        spec = spec.split("?", 1)[0]
        if spec.startswith("."):
            candidates = [posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))]
        elif spec.startswith(("@/", "~/", "#/")):
            candidates = [spec[2:], "src/" + spec[2:], "app/" + spec[2:]]
        elif spec.startswith("/"):
            candidates = [spec.lstrip("/")]
        else:
            candidates = ["src/" + spec, spec] if "/" in spec else []
        for base in candidates:
            found = self._file_for(base)
            if found is not None:
                return found
        return None

    def _file_for(self, base: str) -> str | None:
        stem = re.sub(r"\.[cm]?jsx?$", "", base)
        for option in (base, *(stem + e for e in JS_SUFFIXES), *(base + "/index" + e for e in JS_SUFFIXES)):
            if option in self.known:
                return option
        return None

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
            found = self._file_for(option)
            if found is not None:
                self.entries.add(found)

    def is_imported(self, path: str) -> bool:
        return self.imported.get(path, 0) > 0

    def is_default_imported(self, path: str) -> bool:
        """Some module imports the default export (or the whole module) of `path`."""
        return self.default_imported.get(path, 0) > 0


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
    index = SideIndex(known=set(js))
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
