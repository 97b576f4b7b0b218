"""Recognising an I/O call of the Python excessive-io detector: whether a call node of a parsed
file does I/O (per the sink list, `python_sink_list`) and of which category."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ...parsing import SourceFile
from .python_loops import _root_identifier
from .python_names import FileNames, constructed_category
from .python_sink_list import Category, text

# --- recognising an I/O call --------------------------------------------------------------


@dataclass(frozen=True)
class Sink:
    """One I/O call: its category and whether it opens a connection/client."""

    category: Category
    connect: bool = False
    receiver: Node | None = None  # the receiver of a method sink
    by_name: str = ""  # the receiver's name, when only its name says it is an I/O handle


_NOT_IO_ROOTS = ("flask", "werkzeug", "django.contrib")


def _receiver_name(src: SourceFile, obj: Node) -> str:
    if obj.type == "identifier":
        return text(src, obj)
    if obj.type == "attribute":
        return text(src, obj.child_by_field_name("attribute"))
    if obj.type == "call":
        return _receiver_name(src, obj.child_by_field_name("function") or obj)
    return ""


def _name_is_resource(names: FileNames, obj: Node) -> bool:
    """False for receivers that are known not to be I/O handles (flask's `session`,
    `request.session`)."""
    root = _root_identifier(obj)
    if root is None:
        return True
    imported = names.imports.get(text(names.src, root))
    if imported and imported.startswith(_NOT_IO_ROOTS):
        return False
    return "request" not in text(names.src, obj).split(".")[:-1]


def sink_of(names: FileNames, call: Node) -> Sink | None:
    """The I/O category of `call`, or None when it is not a known I/O call."""
    fn = call.child_by_field_name("function")
    if fn is None:
        return None
    dotted = names.dotted(fn)
    if dotted:
        cat = names.sinks.by_connect(dotted)
        if cat is not None:
            return Sink(cat, connect=True)
        cat = names.sinks.by_call(dotted)
        if cat is not None:
            return Sink(cat)
    if fn.type != "attribute":
        return None
    obj = fn.child_by_field_name("object")
    method = text(names.src, fn.child_by_field_name("attribute"))
    if obj is None or not method:
        return None
    return _method_sink(names, obj, method)


def _method_sink(names: FileNames, obj: Node, method: str) -> Sink | None:
    cat = names.resource(text(names.src, obj), obj) or constructed_category(names, obj)
    if cat is not None:
        return Sink(cat, receiver=obj) if names.sinks.typed_method(cat, method) else None
    if obj.type == "identifier" and text(names.src, obj) in ("self", "cls"):
        return None
    name = _receiver_name(names.src, obj).lower()
    if not name or not _name_is_resource(names, obj):
        return None
    cat = names.sinks.by_group(name, method)
    if cat is not None:
        return Sink(cat, receiver=obj)
    cat = names.sinks.by_name(name, method)
    return Sink(cat, receiver=obj, by_name=_receiver_name(names.src, obj)) if cat is not None else None


