"""Shared helpers of the JavaScript/TypeScript insecure-auth and excessive-io detectors: names,
string literals, loops and the route handlers of Express/Fastify/Koa routers and Next.js route
modules (tree-sitter JS, TS and TSX share the node types used here).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any

import yaml
from tree_sitter import Node

from ... import yamlsafe
from ...config import RULES_DIR
from ...parsing import SourceFile, walk
from . import testing
from .syntax import FUNCTIONS, call_args, text

LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement"})
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "del", "all", "head", "options"})
NEXT_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "type_assertion",
                       "non_null_expression"})
_TEST_PATH = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$|(^|/)(__tests__|__mocks__|tests?|e2e|fixtures?)/")
_NOT_ROUTER = re.compile(r"(?i)(^|\.)(\$|jquery|axios|https?|\w*client|cy|request|supertest|agent|nock|rest|graphql|"
                         r"ky|got|fetch\w*|api|\w*api|\w*service|cache|map|store|params|headers|searchParams)$")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def is_test_path(path: str) -> bool:
    """Test code: the language layer's answer (lang/js/testing.py), plus mocks and fixtures."""
    return testing.is_test_path(path) or _TEST_PATH.search(path) is not None


def words(name: str) -> list[str]:
    """`STRIPE_WEBHOOK_SECRET`, `stripeWebhookSecret`, `stripe-webhook-secret` -> [stripe, webhook, secret]."""
    return [w.lower() for w in _WORDS.findall(name)]


def unwrap(node: Node | None) -> Node | None:
    """Strip parentheses, TS casts and non-null assertions."""
    while node is not None and node.type in _WRAPPERS and node.named_children:
        node = node.named_children[0]
    return node


def call_name(src: SourceFile, call: Node) -> str:
    """`a.b?.c<T>(...)` -> `a.b.c`; `new X(...)` -> `X`; `(await x).y()` -> its text without spaces."""
    fn = unwrap(call.child_by_field_name("function") or call.child_by_field_name("constructor"))
    if fn is not None and fn.type == "await_expression" and fn.named_children:
        fn = unwrap(fn.named_children[0])  # TS parses `await f<T>(x)` as a call of `await f`
    return re.sub(r"\s+|\?|<[^<>()]*>$", "", text(src, fn))


def string_value(src: SourceFile, node: Node | None) -> str | None:
    """The value of a string literal or of a template literal without substitutions."""
    node = unwrap(node)
    if node is None or node.type not in ("string", "template_string"):
        return None
    if any(c.type == "template_substitution" for c in node.named_children):
        return None
    raw = text(src, node)
    return raw[1:-1] if len(raw) >= 2 else ""


@dataclass(frozen=True)
class Route:
    """One request handler: `router.get('/x', mw, handler)`, `fastify.get('/x', opts, handler)`,
    `fastify.route({...})` or a Next.js route module export (`export async function GET`)."""

    node: Node  # the registering call, or the exported function
    handler: Node  # the handler function
    method: str
    path: str
    router: str  # the receiver (`router`, `app`), "" for Next.js exports
    middleware: tuple[Node, ...]  # arguments between the path and the handler, route options

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.router, self.method, self.path)


def routes(src: SourceFile) -> list[Route]:
    """Every route handler of a module."""
    if src.root is None:
        return []
    found: list[Route] = []
    for node in src.nodes_of("call_expression"):
        route = _router_call(src, node)
        if route is not None:
            found.append(route)
    found += _next_exports(src)
    return found


def _router_call(src: SourceFile, call: Node) -> Route | None:
    name = call_name(src, call)
    receiver, _, method = name.rpartition(".")
    if not receiver or _NOT_ROUTER.search(receiver):
        return None
    args = call_args(call)
    if method == "route" and args and unwrap(args[0]) is not None and unwrap(args[0]).type == "object":  # type: ignore[union-attr]
        return _fastify_route(src, call, receiver, args[0])
    if method not in HTTP_METHODS or len(args) < 2:
        return None
    path = string_value(src, args[0])
    handler = unwrap(args[-1])
    if path is None or not path.startswith(("/", "*")) or handler is None or handler.type not in FUNCTIONS:
        return None
    return Route(call, handler, method.lower(), path, receiver, tuple(args[1:-1]))


def _fastify_route(src: SourceFile, call: Node, receiver: str, options: Node) -> Route | None:
    obj = unwrap(options)
    if obj is None:
        return None
    fields = {text(src, p.child_by_field_name("key")).strip("'\""): p for p in obj.named_children
              if p.type == "pair"}
    handler_pair = fields.get("handler")
    handler = unwrap(handler_pair.child_by_field_name("value")) if handler_pair is not None else None
    if handler is None or handler.type not in FUNCTIONS:
        return None
    method = string_value(src, fields["method"].child_by_field_name("value")) if "method" in fields else "get"
    path = string_value(src, fields["url"].child_by_field_name("value")) if "url" in fields else ""
    marks = tuple(p for k, p in fields.items() if k not in ("handler", "method", "url", "schema"))
    return Route(call, handler, (method or "get").lower(), path or "", receiver, marks)


def _next_exports(src: SourceFile) -> list[Route]:
    """`export async function GET(request, { params })` in app/**/route.ts, and the default export of
    a pages/api module."""
    if src.root is None:
        return []
    pages_api = "/api/" in f"/{src.path}" and "pages/" in src.path
    found: list[Route] = []
    stem = PurePosixPath(src.path).stem
    for stmt in src.root.named_children:
        if stmt.type != "export_statement":
            continue
        decl = stmt.child_by_field_name("declaration")
        default = any(c.type == "default" for c in stmt.children)
        if decl is not None and decl.type == "function_declaration":
            name = text(src, decl.child_by_field_name("name"))
            if name in NEXT_METHODS and stem == "route":
                found.append(Route(decl, decl, name.lower(), src.path, "", ()))
            elif default and pages_api:
                found.append(Route(decl, decl, "all", src.path, "", ()))
        elif decl is not None and decl.type == "lexical_declaration" and stem == "route":
            for declarator in decl.named_children:
                value = unwrap(declarator.child_by_field_name("value"))
                name = text(src, declarator.child_by_field_name("name"))
                if name in NEXT_METHODS and value is not None and value.type in FUNCTIONS:
                    found.append(Route(declarator, value, name.lower(), src.path, "", ()))
    return found


def is_inside(node: Node, ancestor: Node) -> bool:
    return ancestor.start_byte <= node.start_byte and node.end_byte <= ancestor.end_byte


def module_functions(src: SourceFile) -> dict[str, Node]:
    """Top-level (and exported) functions of a module by name, including `const f = async () => ...`."""
    out: dict[str, Node] = {}
    if src.root is None:
        return out
    for stmt in src.root.named_children:
        node = stmt.child_by_field_name("declaration") if stmt.type == "export_statement" else stmt
        if node is None:
            continue
        if node.type in ("function_declaration", "generator_function_declaration"):
            out[text(src, node.child_by_field_name("name"))] = node
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for declarator in node.named_children:
                value = unwrap(declarator.child_by_field_name("value"))
                if value is not None and value.type in FUNCTIONS:
                    out[text(src, declarator.child_by_field_name("name"))] = value
        elif node.type == "class_declaration":
            body = node.child_by_field_name("body")
            for member in body.named_children if body is not None else ():
                if member.type == "method_definition":
                    out.setdefault(text(src, member.child_by_field_name("name")), member)
    return out


def imports(src: SourceFile) -> dict[str, tuple[str, str]]:
    """Local name -> (module specifier, imported name) for ES imports and `const {a} = require('m')`."""
    out: dict[str, tuple[str, str]] = {}
    if src.root is None:
        return out
    for stmt in src.root.named_children:
        if stmt.type == "import_statement":
            source = string_value(src, stmt.child_by_field_name("source")) or ""
            for node in walk(stmt):
                if node.type == "import_specifier":
                    name = node.child_by_field_name("name")
                    alias = node.child_by_field_name("alias") or name
                    out[text(src, alias)] = (source, text(src, name))
                elif node.type == "import_clause":
                    for child in node.named_children:
                        if child.type == "identifier":
                            out[text(src, child)] = (source, "default")
                        elif child.type == "namespace_import":
                            local = next((c for c in child.named_children if c.type == "identifier"), None)
                            if local is not None:
                                out[text(src, local)] = (source, "*")
        elif stmt.type in ("lexical_declaration", "variable_declaration"):
            for declarator in stmt.named_children:
                value = unwrap(declarator.child_by_field_name("value"))
                target = declarator.child_by_field_name("name")
                if value is None or target is None or value.type != "call_expression" \
                        or call_name(src, value) != "require":
                    continue
                args = call_args(value)
                required = string_value(src, args[0]) if args else None
                if required is None:
                    continue
                if target.type == "identifier":
                    out[text(src, target)] = (required, "default")
                for node in walk(target):
                    if node.type == "shorthand_property_identifier_pattern":
                        out[text(src, node)] = (required, text(src, node))
                    elif node.type == "pair_pattern":
                        value_node = node.child_by_field_name("value")
                        key = node.child_by_field_name("key")
                        if value_node is not None and value_node.type == "identifier":
                            out[text(src, value_node)] = (required, text(src, key))
    return out


SINKS_FILE = RULES_DIR / "data" / "js-io-sinks.yml"
_GLOBALS = frozenset({"Object", "Array", "Promise", "Math", "JSON", "Date", "Number", "String", "Reflect", "Map",
                      "Set", "Symbol", "Buffer", "URL", "Intl", "BigInt", "Boolean", "RegExp", "Error", "console",
                      "process", "NextResponse", "Response", "z"})


@dataclass(frozen=True)
class Category:
    name: str
    label: str
    advice: str
    calls: frozenset[str]
    receivers: tuple[str, ...]
    methods: tuple[str, ...]
    model_methods: frozenset[str]
    invariant_only: bool
    packages: tuple[str, ...] = ()
    handle_types: tuple[str, ...] = ()


@functools.cache
def _sinks_data() -> Mapping[str, Any]:
    """`js-io-sinks.yml`, parsed once and shared: read-only at its top level."""
    return MappingProxyType(yaml.load(SINKS_FILE.read_text(), Loader=yamlsafe.SHIPPED_LOADER) or {})


@functools.cache
def sink_categories() -> tuple[Category, ...]:
    data = _sinks_data()
    out = []
    for name, spec in (data.get("categories") or {}).items():
        out.append(Category(
            name=str(name),
            label=str(spec.get("label", name)),
            advice=str(spec.get("advice", "")),
            calls=frozenset(str(c) for c in spec.get("calls", ())),
            receivers=tuple(str(r).lower() for r in spec.get("receivers", ())),
            methods=tuple(str(m).lower() for m in spec.get("methods", ())),
            model_methods=frozenset(str(m).lower() for m in spec.get("model_methods", ())),
            invariant_only=bool(spec.get("invariant_only", False)),
            packages=tuple(str(p) for p in spec.get("packages", ())),
            handle_types=tuple(str(t) for t in spec.get("handle_types", ())),
        ))
    return tuple(out)


def direct_sink(name: str) -> Category | None:
    """The I/O category of a call by its callee name alone (`pool.query`, `fetch`, `User.findById`)."""
    found = name_sink(name)
    return found[0] if found is not None else None


def name_sink(name: str) -> tuple[Category, str] | None:
    """`direct_sink` with the receiver name that matched a `receivers` pattern ("" when the callee is
    a well-known function such as `fetch`, or a model method on a class such as `User.findById`)."""
    receiver, _, method = name.rpartition(".")
    segments = [s for s in receiver.split(".") if s and s != "this"]
    for cat in sink_categories():
        if not receiver and name in cat.calls:
            return cat, ""
        if not segments:
            continue
        lowered = method.lower()
        if any(fnmatchcase(lowered, m) for m in cat.methods):
            matched = next((seg for seg in segments for r in cat.receivers if fnmatchcase(seg.lower(), r)), None)
            if matched is not None:
                return cat, matched
        if len(segments) == 1 and segments[0][:1].isupper() and segments[0] not in _GLOBALS \
                and lowered in cat.model_methods:
            return cat, ""
    return None


@dataclass(frozen=True)
class Hooks:
    """React data hooks of `js-io-sinks.yml` (`hooks`): which hooks fetch, which run effects."""

    data: tuple[str, ...]
    not_data: tuple[str, ...]
    effects: frozenset[str]
    wrappers: frozenset[str]
    request_categories: frozenset[str]

    def is_data_hook(self, name: str) -> bool:
        return any(fnmatchcase(name, p) for p in self.data) and not any(fnmatchcase(name, p) for p in self.not_data)


@functools.cache
def data_hooks() -> Hooks:
    data = _sinks_data()
    spec = data.get("hooks") or {}
    return Hooks(
        data=tuple(str(h) for h in spec.get("data", ())),
        not_data=tuple(str(h) for h in spec.get("not_data", ())),
        effects=frozenset(str(h) for h in spec.get("effects", ())),
        wrappers=frozenset(str(h) for h in spec.get("wrappers", ())),
        request_categories=frozenset(str(h) for h in spec.get("request_categories", ())),
    )


@functools.cache
def batching_functions() -> frozenset[str]:
    """`module:export` of the utility functions that split a list into batches (`lodash:chunk`)."""
    data = _sinks_data()
    return frozenset(str(f) for f in data.get("batching", ()))
