"""JavaScript/TypeScript symbols of one file, for the dead-code and bloat detectors: which paths
are JS/TS, tests or convention files, comments and masked text, top-level declarations and what
a module exports (ES export lists, CommonJS `module.exports`/`exports.x`). The repository-wide
index of one side built from them lives in `repo_index`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node, Query, QueryCursor

from ...parsing import SourceFile, grammar, line_of
from . import testing

WORD = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
TEXT_SUFFIXES = frozenset({
    ".json", ".yaml", ".yml", ".html", ".htm", ".vue", ".svelte", ".astro", ".md", ".mdx",
    ".toml", ".ejs", ".hbs", ".njk", ".pug", ".sh", ".graphql", ".gql",
})
TEXT_NAMES = frozenset({"Dockerfile", "Procfile", "Makefile", ".env"})
SKIP_PARTS = frozenset({"node_modules", "dist", "build", "coverage", "out", ".next", "vendor"})
MAX_TEXT_BYTES = 400_000
_BLANK = bytes(b if b in b"\r\n" else 0x20 for b in range(256))  # `bytes.translate`: keeps line breaks
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


def is_test_path(path: str) -> bool:
    """Test and non-production code: the language layer's test files (lang/js/testing.py),
    plus stories, mocks, fixtures and browser-test folders."""
    return testing.is_test_path(path) or TEST_PATH.search(path) is not None


def is_convention_file(path: str) -> bool:
    return CONVENTION_FILE.search(path) is not None


def is_js_path(path: str) -> bool:
    return path.endswith(JS_SUFFIXES)


def _skipped(path: str) -> bool:
    """Asked of every file of a tree: string operations on a path as git lists it."""
    return any(p in SKIP_PARTS for p in path.split("/")[:-1]) or path.endswith((".min.js", ".bundle.js"))


def _is_text(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")  # `PurePosixPath.suffix`: none for `.env` or `name.`
    return (0 < dot < len(name) - 1 and name[dot:].lower() in TEXT_SUFFIXES) or name in TEXT_NAMES


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
    """The file's bytes with comments blanked, line breaks kept (every other byte of a comment
    becomes a blank; strings are kept: they can name things): offsets and line numbers are the file's."""
    data = src.data or src.text.encode("utf-8", "surrogatepass")
    out = bytearray(data)
    for node in comments(src):
        out[node.start_byte : node.end_byte] = data[node.start_byte : node.end_byte].translate(_BLANK)
    return bytes(out)


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


