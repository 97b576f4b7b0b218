"""Classes, interfaces and structural type uses of a JS/TS tree, for the single-implementation rule.

`shapes(index, changed)` gathers them for every readable file of the head: the changed files'
from their syntax trees (the rule reports on their nodes), the others' from a summary kept by blob
id, so that an unchanged file is parsed once per content, not once per scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from ...lang.js import repo_index
from ...lang.js import symbols as sym
from ...parsing import SourceFile, line_of, walk

CLASSES = frozenset({"class_declaration", "abstract_class_declaration", "class"})
NOT_IMPLEMENTED = re.compile(r"(?i)not\s*implemented|must\s+(be\s+)?(implement|override)|abstract")
ERROR_NAME = re.compile(r"(Error|Exception)$")


@dataclass
class ClassInfo:
    name: str
    path: str
    line: int
    node: Node | None  # kept for the changed files only
    abstract: bool
    extends: list[str] = field(default_factory=list)
    implements: list[str] = field(default_factory=list)


@dataclass
class RepoShapes:
    classes: list[ClassInfo] = field(default_factory=list)
    interfaces: dict[str, list[tuple[str, Node | None]]] = field(default_factory=dict)
    interface_parents: set[str] = field(default_factory=set)
    structural: set[str] = field(default_factory=set)  # types some object literal implements

    def subclasses(self, name: str) -> list[ClassInfo]:
        return [c for c in self.classes if name in c.extends or name in c.implements]

    @property
    def class_names(self) -> set[str]:
        return {c.name for c in self.classes if not ERROR_NAME.search(c.name)}


def type_name(node: Node) -> str:
    raw = sym.text(node).split("<", 1)[0].strip()
    return raw.rsplit(".", 1)[-1]


def _heritage(node: Node) -> tuple[list[str], list[str]]:
    extends: list[str] = []
    implements: list[str] = []
    for child in node.children:
        if child.type != "class_heritage":
            continue
        for clause in child.named_children:
            if clause.type == "extends_clause":
                value = clause.child_by_field_name("value")
                extends += [type_name(value)] if value is not None else []
            elif clause.type == "implements_clause":
                implements += [type_name(t) for t in clause.named_children]
            else:  # plain JS: `class A extends B`
                extends.append(type_name(clause))
    return extends, implements


def _looks_abstract(node: Node) -> bool:
    if node.type == "abstract_class_declaration":
        return True
    name = sym.text(node.child_by_field_name("name"))
    if not name.startswith(("Base", "Abstract")):
        return False
    return any(n.type == "throw_statement" and NOT_IMPLEMENTED.search(sym.text(n)) for n in walk(node))


_SHAPES = "js.single-implementation.shapes-1"
_SHAPE_NODES = (*CLASSES, "interface_declaration", "as_expression", "satisfies_expression", "variable_declarator")


def file_shapes(src: SourceFile, shapes: RepoShapes, path: str, keep_nodes: bool) -> None:
    """Add one file's classes, interfaces and structural uses to `shapes`: a changed file's (`keep_nodes`)
    from its node index, another file's (read once, for a summary) by one walk, indexing nothing."""
    root = src.root
    if root is None or not (b"class" in src.data or b"interface" in src.data):
        return
    for node in src.nodes_of(*_SHAPE_NODES) if keep_nodes else walk(root):
        kind = node.type
        if kind in CLASSES:
            name = sym.text(node.child_by_field_name("name"))
            extends, implements = _heritage(node)
            shapes.classes.append(ClassInfo(name, path, line_of(node), node if keep_nodes else None,
                                            _looks_abstract(node), extends, implements))
        elif kind == "interface_declaration":
            shapes.interfaces.setdefault(sym.text(node.child_by_field_name("name")), []).append(
                (path, node if keep_nodes else None))
            for clause in node.children:
                if clause.type == "extends_type_clause":
                    shapes.interface_parents.update(type_name(t) for t in clause.named_children)
        elif kind in ("as_expression", "satisfies_expression") and len(node.named_children) == 2:
            shapes.structural.add(type_name(node.named_children[1]))
        elif kind == "variable_declarator":
            value = node.child_by_field_name("value")
            annotation = node.child_by_field_name("type")
            if value is not None and annotation is not None and value.type in ("object", "arrow_function"):
                shapes.structural.add(type_name(annotation.named_children[0]) if annotation.named_children
                                      else "")


def _summary(src: SourceFile) -> tuple[list[Any], list[str], list[str], list[str]]:
    """One file's shapes as plain data (kept by blob id: an unchanged file is not parsed again)."""
    shapes = RepoShapes()
    file_shapes(src, shapes, src.path, keep_nodes=False)
    return ([(c.name, c.line, c.abstract, c.extends, c.implements) for c in shapes.classes],
            [name for name, found in shapes.interfaces.items() for _ in found],
            sorted(shapes.interface_parents), sorted(shapes.structural))


def shapes(index: repo_index.SideIndex, changed: set[str]) -> RepoShapes:
    """Every file's shapes: the changed files' from their trees (their nodes are reported on), the
    others' from summaries kept by blob id."""
    shapes = RepoShapes()
    repo = index.repo
    paths = index.readable_paths()
    known = repo.cached_paths("RIGHT", paths, _SHAPES)
    repo.prefetch("RIGHT", [p for p in paths if p not in known and p not in changed])
    for path in paths:
        if path in changed:
            src = index.sources.get(path)
            if src is not None:
                file_shapes(src, shapes, path, keep_nodes=True)
            continue
        summary = repo.derived("RIGHT", path, _SHAPES, _summary)
        if summary is None:
            continue
        classes, interfaces, parents, structural = summary
        for name, line, abstract, extends, implements in classes:
            shapes.classes.append(ClassInfo(name, path, line, None, abstract, list(extends), list(implements)))
        for name in interfaces:
            shapes.interfaces.setdefault(name, []).append((path, None))
        shapes.interface_parents.update(parents)
        shapes.structural.update(structural)
    return shapes
