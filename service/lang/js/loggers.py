"""Which JavaScript/TypeScript calls are logging: by the well-known logging APIs (`console.*`,
Sentry's `captureException`) and by how the file binds a receiver, not by what it is called.

A name is a logger when the file binds it to a logging library: `import X from 'pino'`,
`import * as X from 'loglevel'`, `const X = require('winston')`, `const X = pino()`,
`const X = winston.createLogger(...)`. Any method call on such a name is logging. Receivers the
file does not bind (a logger passed in, `this.logger`, `req.log`) count when their last name is a
usual logger name. The lists are in `rules/data/error-handling.yml`.
"""

from __future__ import annotations

from tree_sitter import Node

from ...parsing import SourceFile, walk
from ...ruledata import data_lists
from .syntax import call_name, text, unwrap


def is_log_call(name: str, loggers: frozenset[str] = frozenset()) -> bool:
    """`name` (a call's callee as written) logs; `loggers`: the file's `logger_names`."""
    lists = data_lists("error-handling")
    receiver, _, method = name.rpartition(".")
    if method in lists.get("js_report_methods"):
        return True
    if method == "log" and receiver:
        return True
    if not receiver:
        return method in lists.get("js_bare_loggers") or method in loggers
    if receiver.split(".")[0] in loggers:
        return True
    return method in lists.get("js_log_methods") \
        and receiver.rsplit(".", 1)[-1].lower() in lists.get("js_log_receivers")


def logger_names(src: SourceFile) -> frozenset[str]:
    """Names this file binds to a logging library or to a logger it creates (walks the file: ask once)."""
    return frozenset(_bound(src))


def _bound(src: SourceFile) -> set[str]:
    lists = data_lists("error-handling")
    modules, factories = lists.get("js_logging_modules"), lists.get("js_logger_factories")
    found: set[str] = set()
    root = src.root
    if root is None:
        return found
    for node in src.nodes_of("import_statement", "variable_declarator"):
        if node.type == "import_statement":
            source = node.child_by_field_name("source")
            if source is not None and text(src, source).strip("'\"`") in modules:
                found.update(_import_names(src, node))
        elif node.type == "variable_declarator":
            value = unwrap(node.child_by_field_name("value"))
            name = node.child_by_field_name("name")
            if value is None or name is None or name.type != "identifier" or value.type != "call_expression":
                continue
            callee = call_name(src, value)
            args = value.child_by_field_name("arguments")
            first = args.named_children[0] if args is not None and args.named_children else None
            required = callee == "require" and first is not None and text(src, first).strip("'\"`") in modules
            if required or callee in factories or callee.rsplit(".", 1)[-1] in factories \
                    or callee.split(".")[0] in found:
                found.add(text(src, name))
    return found


def _import_names(src: SourceFile, node: Node) -> list[str]:
    names = []
    for sub in walk(node):
        if sub.type == "identifier" and sub.parent is not None and sub.parent.type in (
                "import_clause", "namespace_import"):
            names.append(text(src, sub))
        elif sub.type == "import_specifier":
            alias = sub.child_by_field_name("alias") or sub.child_by_field_name("name")
            if alias is not None:
                names.append(text(src, alias))
    return names
