"""Rewrite one benchmark case consistently, for benchmarks/robustness.py.

Both sides of a case (base/ and head/) and its title and description get the same rewrite, so the
pull request means the same thing and only its spelling changes:
- identifiers the case itself defines (functions, classes, methods, parameters, variables,
  attributes it assigns) are renamed everywhere they occur; names from outside the case are kept
  everywhere: names bound by imports of other modules, attributes read on outside values, keyword
  names and object keys given to outside calls (all read from the syntax, benchmarks/case_bindings.py),
  builtins, well-known globals, methods overridden from a base class and framework entry points;
- module specifiers (`require('crypto')`, `from 'express'`) are kept, except that a relative one
  follows the renamed file;
- module files the case defines are renamed, and the imports that name them follow;
- a string naming the case's identifiers follows their rename, except a one-word data key
  (`row["stock"]`, `{"sku": ...}`, `row.get("stock")`): it may name a field of outside data;
- prose in string literals and in comments is replaced word for word by other words (format
  placeholders, markers `expect:` and tool directives are kept);
- indentation is halved (4 spaces -> 2), which changes every line's formatting.
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
from pathlib import Path, PurePosixPath

import yaml
from case_bindings import Outside, data_key, module_specifier
from case_bindings import text as _text
from slopguard.parsing import SourceFile, parse_source, walk
from tree_sitter import Node

CODE_SUFFIXES = (".py", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs")
CONFIG_SUFFIXES = (".cfg", ".ini", ".toml", ".yml", ".yaml", ".json", ".txt")
PY_DEFINING = {"function_definition", "class_definition"}
JS_DEFINING = {"function_declaration", "class_declaration", "method_definition", "interface_declaration",
               "type_alias_declaration", "enum_declaration", "generator_function_declaration"}
KEEP_NAMES = frozenset({
    "self", "cls", "main", "setUp", "tearDown", "setUpClass", "tearDownClass", "Meta", "objects",
    "default", "GET", "POST", "PUT", "PATCH", "DELETE", "getServerSideProps", "getStaticProps",
    "metadata", "config", "handler", "app", "router", "module", "exports", "require", "React",
    "describe", "it", "test", "expect", "beforeEach", "afterEach", "props", "children", "key",
    "constructor", "render", "then", "catch", "length", "prototype", "toString", "id", "name",
})
JS_GLOBALS = frozenset({"console", "process", "window", "document", "JSON", "Math", "Object", "Array",
                        "Promise", "Error", "Date", "Number", "String", "Boolean", "Map", "Set",
                        "fetch", "setTimeout", "clearTimeout", "Buffer", "undefined", "globalThis"})
KEEP_FILES = frozenset({"__init__", "conftest", "index", "page", "layout", "route", "middleware",
                        "setup", "manage", "settings", "wsgi", "asgi", "main", "app", "urls", "models",
                        "views", "admin", "apps", "__main__"})
PROSE = re.compile(r"[A-Za-z][A-Za-z ,.:;!?'()-]*")
WORD = re.compile(r"[A-Za-z]{3,}")
IDENT = re.compile(r"[A-Za-z_]\w*")
CODE_MARKS = re.compile(r"[(){};=\[\]]|=>")
DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")
DIRECTIVE = re.compile(r"expect(-removed)?:|noqa|type:|pragma|eslint|@ts-|prettier|istanbul|slopguard|#!|"
                       r"fmt:|isort|pylint|mypy|@param|@returns?|@type|TODO|FIXME")
SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pu", "da", "fe")


def _pseudo(word: str, salt: str) -> str:
    """A deterministic stand-in word of about the same length, keeping the capitalisation."""
    digest = hashlib.sha1((salt + word.lower()).encode()).digest()
    out = "".join(SYLLABLES[b % len(SYLLABLES)] for b in digest[: max(2, (len(word) + 1) // 2)])
    if word.isupper():
        return out.upper()
    return out.capitalize() if word[0].isupper() else out


def new_name(name: str) -> str:
    """The rename of an identifier, keeping what conventions read from a name: a leading
    underscore, `test_`/`Test` prefixes, React's `use` prefix and the case style."""
    prefix = re.match(r"^(_*(?:test_?|Test|use(?=[A-Z]))?)", name)
    head = prefix.group(1) if prefix else ""
    body = name[len(head):] or name
    parts = [p for p in re.split(r"_+|(?<=[a-z0-9])(?=[A-Z])", body) if p]
    # short parts of compound names are conventions (`coupon_id`, `created_at`), kept as they are
    renamed = [_pseudo(p, "id") if p.isalpha() and (len(p) > 2 or len(parts) == 1) else p for p in parts]
    if body.isupper() or ("_" in body.strip("_") and body == body.lower()):
        joined = "_".join(renamed)
    else:
        joined = "".join(r[0].upper() + r[1:] if i or body[0].isupper() else r for i, r in enumerate(renamed))
    return head + joined



def defined_names(sources: list[SourceFile], roots: set[str]) -> set[str]:
    """Names the case defines, minus what comes from outside it (`roots`: its top-level packages
    and modules): see `Outside`; also keyword names of calls to functions the case does not
    define, and methods that may override a library's."""
    defined: set[str] = set()
    keep = KEEP_NAMES | JS_GLOBALS | set(dir(builtins)) | set(keyword.kwlist)
    external: set[str] = Outside(sources, roots, JS_GLOBALS | frozenset(dir(builtins))).names()
    keywords: list[tuple[str, str]] = []
    for src in sources:
        if src.root is None:
            continue
        for node in walk(src.root):
            if node.type in PY_DEFINING or node.type in JS_DEFINING:
                name = node.child_by_field_name("name")
                if name is not None:
                    defined.add(_text(name))
                if node.type in ("class_definition", "class_declaration"):
                    external |= _overridden(node)
            elif node.type in ("parameters", "formal_parameters", "lambda_parameters"):
                defined |= {_text(n) for n in walk(node) if n.type == "identifier"}
            elif node.type == "assignment":
                left = node.child_by_field_name("left")
                defined |= {_text(n) for n in walk(left) if n.type == "identifier"} if left is not None else set()
            elif node.type == "variable_declarator":
                name = node.child_by_field_name("name")
                if name is not None:
                    defined |= {_text(n) for n in walk(name)
                                if n.type in ("identifier", "shorthand_property_identifier_pattern")}
            elif node.type == "keyword_argument" and node.parent is not None and node.parent.parent is not None:
                func = node.parent.parent.child_by_field_name("function")
                keywords.append((_text(func).rsplit(".", 1)[-1], _text(node.child_by_field_name("name"))))
    external |= {kw for func, kw in keywords if func not in defined}
    return {n for n in defined - external - keep if len(n) > 2 and not n.startswith("__")}


def _overridden(cls: Node) -> set[str]:
    """Method names of a class with a base class: they may override a library's methods."""
    has_base = cls.child_by_field_name("superclasses") is not None or any(
        c.type == "class_heritage" for c in cls.children)
    if not has_base:
        return set()
    body = cls.child_by_field_name("body")
    names = set()
    for member in walk(body) if body is not None else ():
        if member.type in ("function_definition", "method_definition"):
            names.add(_text(member.child_by_field_name("name")))
    return names


def _rewrite_string(text: str, names: dict[str, str], key: bool) -> str:
    """A string that names the case's identifiers (`"Coupon"`, `"coupon.id"`, `backref="order"`)
    follows their rename, unless it is one word used as a data key (`key`: `product["stock"]`,
    `{"sku": ...}`, `row.get("stock")`), which may name a field of outside data (an API's JSON)
    and is kept. Prose of three or more words is rewritten word for word; anything else is data."""
    if DOTTED.fullmatch(text):
        if key and "." not in text:
            return text
        return ".".join(names.get(part, part) for part in text.split("."))
    if not PROSE.fullmatch(text) or len(text.split()) < 3:
        return text
    return WORD.sub(lambda m: _pseudo(m.group(0), "str"), text)


def _rewrite_comment(text: str, names: dict[str, str]) -> str:
    """Prose comments are rewritten word for word; a comment holding code (commented-out code)
    only follows the identifier renames, so it stays the same code."""
    if DIRECTIVE.search(text):
        return text
    if CODE_MARKS.search(text):
        return IDENT.sub(lambda m: names.get(m.group(0), m.group(0)), text)
    return WORD.sub(lambda m: _pseudo(m.group(0), "cmt"), text)


def rewrite_source(path: str, text: str, names: dict[str, str], files: dict[str, str]) -> str:
    """`text` with identifiers, prose strings, comments and relative import paths rewritten."""
    src = parse_source(path, text)
    if src.root is None:
        return text
    data = src.data or text.encode()
    edits: list[tuple[int, int, str]] = []
    for node in walk(src.root):
        kind = node.type
        if kind in ("identifier", "property_identifier", "type_identifier", "shorthand_property_identifier",
                    "shorthand_property_identifier_pattern") and _text(node) in names:
            edits.append((node.start_byte, node.end_byte, names[_text(node)]))
        elif kind in ("string_content", "string_fragment"):
            value = _text(node)
            if value.startswith("."):
                new = _relative_path(value, files)
            else:  # another module's name is kept
                new = value if module_specifier(node.parent) else _rewrite_string(value, names, data_key(node.parent))
            if new != value:
                edits.append((node.start_byte, node.end_byte, new))
        elif kind == "comment":
            value = _text(node)
            new = _rewrite_comment(value, names)
            if new != value:
                edits.append((node.start_byte, node.end_byte, new))
    out = bytearray(data)
    for start, end, new in sorted(edits, reverse=True):
        out[start:end] = new.encode()
    return _halve_indent(out.decode("utf-8", "replace"))


def _relative_path(spec: str, files: dict[str, str]) -> str:
    parts = spec.split("/")
    last = parts[-1]
    stem = re.sub(r"\.[cm]?[jt]sx?$", "", last)
    if stem in files:
        parts[-1] = last.replace(stem, files[stem], 1)
    return "/".join(parts)


def _halve_indent(text: str) -> str:
    lines = []
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip(" ")
        lines.append(" " * ((len(line) - len(stripped)) // 2) + stripped)
    return "".join(lines)


def file_renames(paths: list[str]) -> dict[str, str]:
    """Module stems of the case renamed (tests keep their test prefix or suffix)."""
    stems: dict[str, str] = {}
    for path in paths:
        p = PurePosixPath(path)
        if p.suffix not in CODE_SUFFIXES:
            continue
        stem = p.name[: -len(p.suffix)]
        core = stem.split(".")[0]
        if core in KEEP_FILES:
            continue
        stems[core] = new_name(core)
    return stems


def _renamed_mentions(text: str, stems: dict[str, str]) -> str:
    """Configuration text with the renamed module files' names (`refunds.py`) following them."""
    for stem, new in stems.items():
        text = re.sub(rf"\b{re.escape(stem)}(\.(?:py|[cm]?[jt]sx?))\b", new + r"\1", text)
    return text


def renamed_path(path: str, files: dict[str, str]) -> str:
    p = PurePosixPath(path)
    core = p.name.split(".")[0]
    if p.suffix in CODE_SUFFIXES and core in files:
        return str(p.with_name(files[core] + p.name[len(core):]))
    return path


def rewrite_case(case: Path, out: Path) -> None:
    """Write the rewritten copy of `case` (a directory with case.yaml, base/, head/) to `out`."""
    sides = [s for s in ("base", "head") if (case / s).is_dir()]
    files = {s: sorted(p for p in (case / s).rglob("*") if p.is_file()) for s in sides}
    sources = [parse_source(str(p), p.read_text()) for s in sides for p in files[s] if p.suffix in CODE_SUFFIXES]
    rels = [p.relative_to(case / s).as_posix() for s in sides for p in files[s]]
    roots = {PurePosixPath(r).parts[0].split(".")[0] for r in rels}
    names = {n: new_name(n) for n in sorted(defined_names(sources, roots))}
    stems = file_renames(rels)
    names.update({stem: new for stem, new in stems.items() if stem not in names})
    for side in sides:
        for path in files[side]:
            rel = path.relative_to(case / side).as_posix()
            target = out / side / renamed_path(rel, stems)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix in CODE_SUFFIXES:
                target.write_text(rewrite_source(rel, path.read_text(), names, stems))
            elif path.suffix in CONFIG_SUFFIXES or path.name in ("Makefile", ".coveragerc"):
                target.write_text(_renamed_mentions(path.read_text(), stems))
            else:
                target.write_bytes(path.read_bytes())
    meta = yaml.safe_load((case / "case.yaml").read_text())
    if names:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")
        for key in ("title", "description"):
            if isinstance(meta.get(key), str):
                meta[key] = pattern.sub(lambda m: names[m.group(1)], meta[key])
    (out / "case.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
