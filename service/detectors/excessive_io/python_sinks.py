"""Recognising an I/O call of the Python excessive-io detector: whether a call node of a parsed
file does I/O (per the sink list, `python_sink_list`) and of which category."""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from ...parsing import SourceFile
from .python_loops import _root_identifier
from .python_names import FileNames, constructed_category, walk_scope
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
        if names.sinks.by_statement(dotted) is not None:
            return None  # building a statement is not running it
    obj = fn.child_by_field_name("object") if fn.type == "attribute" else None
    method = text(names.src, fn.child_by_field_name("attribute")) if fn.type == "attribute" else ""
    found = _method_sink(names, obj, method) if obj is not None and method else None
    if found is not None and not found.by_name:
        return found
    cat = _runs_statement(names, call)
    return Sink(cat) if cat is not None else found


_NOT_RUNNERS = ("print", "str", "repr", "len", "isinstance", "type", "bool", "list", "tuple")


def _runs_statement(names: FileNames, call: Node) -> Category | None:
    """`mgr.execute_async(sqlalchemy.update(Bot).where(...))`: a call given a statement to run (a built
    one, or a name assigned one in the function), unless the call is itself an argument (`X.in_(select(...))`
    inside a statement, `str(stmt)`)."""
    parent = call.parent
    while parent is not None and parent.type in ("await", "parenthesized_expression"):
        parent = parent.parent
    args = call.child_by_field_name("arguments")
    first = next((a for a in args.named_children if a.type not in ("comment", "keyword_argument")), None) \
        if args is not None and args.type == "argument_list" else None
    if first is None or (parent is not None and parent.type == "argument_list") or \
            text(names.src, call.child_by_field_name("function")) in _NOT_RUNNERS:
        return None
    if first.type == "identifier":
        first = _assigned_in_function(names, first)
    return _statement_of(names, first) if first is not None else None


def _statement_of(names: FileNames, node: Node) -> Category | None:
    """The category of a statement chain `select(X).where(...).order_by(...)`."""
    while node.type == "call":
        fn = node.child_by_field_name("function")
        dotted = names.dotted(fn)
        cat = names.sinks.by_statement(dotted) if dotted else None
        if cat is not None:
            return cat
        if fn is None or fn.type != "attribute":
            return None
        inner = fn.child_by_field_name("object")
        if inner is None:
            return None
        node = inner
    return None


def _assigned_in_function(names: FileNames, ident: Node) -> Node | None:
    """The value last assigned to a plain name in the enclosing function before `ident`."""
    func = ident.parent
    while func is not None and func.type != "function_definition":
        func = func.parent
    if func is None:
        return None
    key = text(names.src, ident)
    found = None
    for node in walk_scope(func):
        if node.type == "assignment" and node.start_byte < ident.start_byte \
                and text(names.src, node.child_by_field_name("left")) == key:
            found = node.child_by_field_name("right")
    return found


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


