"""Which class a method call's receiver is an instance of, for the Python excessive-io resolver:
`self`/`cls`, a parameter annotation or constructor, and attribute chains followed through class
attribute annotations (`self.ap.bot_service` with `ap: app.Application` on the class and
`bot_service: BotService` on `Application`). A receiver whose class is only guessed from its
name (`client` -> `PimClient`) is remembered, for the finding to say so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tree_sitter import Node

from ...lang.python.memo import node_key
from ...parsing import walk
from .python_sink_list import text

if TYPE_CHECKING:
    from .python_resolver import Unit


def enclosing(node: Node, kind: str) -> Node | None:
    current = node.parent
    while current is not None and current.type != kind:
        current = current.parent
    return current


class ReceiverTypes:
    """The receiver-typing half of `Resolver` (which provides `lookup`, `class_named`, `methods`)."""

    guessed: dict[tuple[str, int, int], str]  # call site -> the receiver name its class was guessed from

    def lookup(self, unit: Unit, qualified: str) -> tuple[Unit, Node] | None:
        raise NotImplementedError

    def class_named(self, unit: Unit, name: str) -> tuple[Unit, Node] | None:
        raise NotImplementedError

    def methods(self, unit: Unit, cls: Node) -> dict[str, Node]:
        raise NotImplementedError

    def _resolve_method(self, unit: Unit, fn: Node, site: Node) -> tuple[Unit, Node] | None:
        obj = fn.child_by_field_name("object")
        method = text(unit.src, fn.child_by_field_name("attribute"))
        if obj is None:
            return None
        owner: tuple[Unit, Node] | None = None
        if obj.type == "identifier" and text(unit.src, obj) in ("self", "cls"):
            cls = enclosing(site, "class_definition")
            owner = (unit, cls) if cls is not None else None
        elif obj.type == "identifier" and text(unit.src, obj) in unit.names.imports:
            dotted = unit.names.dotted(fn)
            return self.lookup(unit, dotted) if dotted else None
        else:
            owner = self._class_of(unit, obj, site, method)
        if owner is None:
            return None
        target = self.methods(owner[0], owner[1]).get(method)
        return (owner[0], target) if target is not None else None

    def _class_of(self, unit: Unit, obj: Node, site: Node, method: str) -> tuple[Unit, Node] | None:
        key = text(unit.src, obj)
        if obj.type == "identifier" and key in unit.classes:
            return unit, unit.classes[key]
        for name in _declared_types(unit, key, site):
            found = self.class_named(unit, name)
            if found is not None:
                return found
        if obj.type == "attribute":
            inner = obj.child_by_field_name("object")
            owner = self._type_of(unit, inner, site, 0) if inner is not None else None
            attr = text(unit.src, obj.child_by_field_name("attribute"))
            found = self._attribute_class(owner[0], owner[1], attr) if owner is not None else None
            if found is not None:
                return found
        guess = self._similar_class(unit, key, method)
        if guess is not None:
            self.guessed[(unit.path, *node_key(site))] = key.rsplit(".", 1)[-1]
        return guess

    def _type_of(self, unit: Unit, node: Node, site: Node, depth: int) -> tuple[Unit, Node] | None:
        """The class of `self`, of an annotated/constructed name, or of an attribute chain on them."""
        if depth > 4:
            return None
        key = text(unit.src, node)
        if node.type == "identifier":
            if key in ("self", "cls"):
                cls = enclosing(site, "class_definition")
                return (unit, cls) if cls is not None else None
            for name in _declared_types(unit, key, site):
                found = self.class_named(unit, name)
                if found is not None:
                    return found
            return None
        if node.type == "attribute":
            inner = node.child_by_field_name("object")
            owner = self._type_of(unit, inner, site, depth + 1) if inner is not None else None
            attr = text(unit.src, node.child_by_field_name("attribute"))
            return self._attribute_class(owner[0], owner[1], attr) if owner is not None else None
        return None

    def _attribute_class(self, unit: Unit, cls: Node, attr: str) -> tuple[Unit, Node] | None:
        """The class of attribute `attr` of `cls`: a class-level `attr: T`, or `self.attr: T = ...` /
        `self.attr = T(...)` in one of its methods."""
        body = cls.child_by_field_name("body")
        for node in walk(body) if body is not None else ():
            if node.type != "assignment" or text(unit.src, node.child_by_field_name("left")) not in (
                    attr, f"self.{attr}"):
                continue
            annotation = node.child_by_field_name("type")
            value = node.child_by_field_name("right")
            candidates = list(walk(annotation)) if annotation is not None else []
            if value is not None and value.type == "call":
                candidates.append(value.child_by_field_name("function") or value)
            for cand in candidates:
                found = self._class_at(unit, cand)
                if found is not None:
                    return found
        return None

    def _class_at(self, unit: Unit, node: Node) -> tuple[Unit, Node] | None:
        if node.type == "identifier":
            return self.class_named(unit, text(unit.src, node))
        if node.type == "attribute":
            dotted = unit.names.dotted(node)
            found = self.lookup(unit, dotted) if dotted else None
            return found if found is not None and found[1].type == "class_definition" else None
        return None

    def _similar_class(self, unit: Unit, key: str, method: str) -> tuple[Unit, Node] | None:
        """`client.get_product()` with `PimClient` imported: the only known class whose name
        contains the receiver's name and that defines the method."""
        receiver = key.rsplit(".", 1)[-1].replace("_", "").lower()
        if len(receiver) < 3:
            return None
        names = [n for n in (*unit.classes, *unit.names.imports) if n[:1].isupper()]
        hits = []
        for name in names:
            if receiver not in name.lower() and name.lower() not in receiver:
                continue
            found = self.class_named(unit, name)
            if found is not None and method in self.methods(found[0], found[1]):
                hits.append(found)
        return hits[0] if len(hits) == 1 else None


def _declared_types(unit: Unit, key: str, site: Node) -> Iterator[str]:
    """Class names a receiver is declared or constructed as: a parameter annotation of the
    enclosing function, or an assignment `key = Class(...)` anywhere in the file."""
    func = enclosing(site, "function_definition")
    params = func.child_by_field_name("parameters") if func is not None else None
    for param in params.named_children if params is not None else []:
        ident = next((c for c in param.named_children if c.type == "identifier"), None)
        annotation = param.child_by_field_name("type")
        if ident is not None and annotation is not None and text(unit.src, ident) == key:
            yield from (text(unit.src, n) for n in walk(annotation) if n.type == "identifier")
    yield from unit.constructed().get(key, ())


