"""Which names of a Python file are loggers, by how they are bound, not by what they are called.

A receiver is a logger when the file binds it to a logging library: `X = logging.getLogger(...)`
(at module or class level, or as `self.X = ...`), `import logging as X`, `from loguru import logger
as X`, `X = structlog.get_logger()`. A call on such a receiver is logging whatever the variable is
called and whichever method it calls. The factories and modules are well-known library APIs, listed
in `rules/data/error-handling.yml`.
"""

from __future__ import annotations

from tree_sitter import Node

from ...parsing import SourceFile
from ...ruledata import data_lists
from .memo import cached, nodes_of


def logger_names(src: SourceFile) -> frozenset[str]:
    """The names (`log`, `self._logger`, `logging`) this file binds to a logger or logging module."""
    return cached(src, "loggers.names", lambda: frozenset(_bound(src)))


def is_logger_receiver(src: SourceFile, receiver: str) -> bool:
    """`receiver` (as written before the method name) is a logger bound in this file."""
    if not receiver:
        return False
    names = logger_names(src)
    if receiver in names:
        return True
    head, _, attr = receiver.partition(".")
    return head in ("self", "cls") and f"self.{attr}" in names


def _bound(src: SourceFile) -> set[str]:
    lists = data_lists("error-handling")
    factories = lists.get("python_logger_factories")
    modules = lists.get("python_logging_modules")
    found: set[str] = set()
    for node in nodes_of(src, "import_statement", "import_from_statement", "assignment"):
        if node.type == "import_statement":
            found.update(_imported_modules(src, node, modules))
        elif node.type == "import_from_statement":
            found.update(_imported_from(src, node, modules, factories))
        else:
            target = _logger_target(src, node, factories)
            if target:
                found.add(target)
    found.update(n for n in list(found) if n.startswith("self."))
    return found


def _imported_modules(src: SourceFile, node: Node, modules: frozenset[str]) -> list[str]:
    names = []
    for child in node.named_children:
        if child.type == "dotted_name" and src.node_text(child) in modules:
            names.append(src.node_text(child))
        elif child.type == "aliased_import":
            name, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
            if name is not None and alias is not None and src.node_text(name) in modules:
                names.append(src.node_text(alias))
    return names


def _imported_from(src: SourceFile, node: Node, modules: frozenset[str], factories: frozenset[str]) -> list[str]:
    """`from loguru import logger [as X]`: a logger object imported from a logging module."""
    module = node.child_by_field_name("module_name")
    if module is None or src.node_text(module).split(".")[0] not in modules:
        return []
    names = []
    for child in node.named_children:
        if child == module:
            continue
        if child.type == "dotted_name":
            name = src.node_text(child)
            if name not in factories and not name[:1].isupper():
                names.append(name)
        elif child.type == "aliased_import":
            original, alias = child.child_by_field_name("name"), child.child_by_field_name("alias")
            if original is not None and alias is not None and src.node_text(original) not in factories \
                    and not src.node_text(original)[:1].isupper():
                names.append(src.node_text(alias))
    return names


def _logger_target(src: SourceFile, node: Node, factories: frozenset[str]) -> str:
    """`X = logging.getLogger(...)` / `self.X = structlog.get_logger()`: the bound name, or ''."""
    left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
    if left is None or right is None or right.type != "call":
        return ""
    func = right.child_by_field_name("function")
    name = src.node_text(func).replace(" ", "") if func is not None else ""
    if name not in factories and name.rsplit(".", 1)[-1] not in factories:
        return ""
    if left.type == "identifier":
        return src.node_text(left)
    if left.type == "attribute":
        obj, attr = left.child_by_field_name("object"), left.child_by_field_name("attribute")
        if obj is not None and attr is not None and src.node_text(obj) in ("self", "cls"):
            return f"self.{src.node_text(attr)}"
    return ""
