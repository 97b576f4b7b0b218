"""What a JavaScript/TypeScript module exports and where each export comes from: declared here,
re-exported from another module (`export { x as y } from`, `export * as ns from`, an imported
binding exported again) or forwarded wholesale (`export * from`). The resolver follows these edges."""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from ...parsing import SourceFile
from .flow import imports, string_value
from .symbols import declarations, text


@dataclass
class ExportEdges:
    local: set[str] = field(default_factory=set)  # exported names declared in this module
    named: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # name -> (specifier, name there)
    star: list[str] = field(default_factory=list)  # specifiers of `export * from`


def export_edges(src: SourceFile) -> ExportEdges:
    edges = ExportEdges()
    root = src.root
    if root is None:
        return edges
    declared = set()
    for decl in declarations(root):
        declared.add(decl.name)
        if decl.exported:
            edges.local.add("default" if decl.default else decl.name)
    bindings = imports(src)
    for stmt in root.named_children:
        if stmt.type != "export_statement":
            continue
        source = string_value(src, stmt.child_by_field_name("source"))
        if any(c.type == "default" for c in stmt.children):
            edges.local.add("default")
        clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
        if clause is None:
            if source is not None:
                namespace = next((c for c in stmt.named_children if c.type == "namespace_export"), None)
                if namespace is None:
                    edges.star.append(source)
                else:
                    alias = next((c for c in namespace.named_children), None)
                    edges.named.setdefault(_name(alias), []).append((source, "*"))
            continue
        for spec in clause.named_children:
            if spec.type != "export_specifier":
                continue
            inner = _name(spec.child_by_field_name("name"))
            outer = _name(spec.child_by_field_name("alias")) or inner
            if source is not None:
                edges.named.setdefault(outer, []).append((source, inner))
            elif inner in bindings:
                edges.named.setdefault(outer, []).append(bindings[inner])
            elif inner in declared:
                edges.local.add(outer)
    return edges


def _name(node: Node | None) -> str:
    value = text(node)
    return value.strip("'\"")
