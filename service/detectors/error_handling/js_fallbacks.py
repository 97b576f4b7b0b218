"""The stand-in values a JavaScript/TypeScript `catch` returns instead of the failure, for the
error-handling detector: a literal default (`null`, `[]`, `{ ok: true }`), a module constant bound
to one (`return DEFAULT_CONFIG`), the function's input returned unchanged (`return input` from a
transform), or a result shaped like the success result with its fields zeroed.

Everything here reads the syntax tree; what the values or variables are called never counts."""

from __future__ import annotations

import re
from enum import Enum

from tree_sitter import Node

from ...lang.js import syntax as js
from ...parsing import SourceFile

ERROR_KEY = re.compile(r"(?i)err|fail|reason|problem|invalid")
SUCCESS_KEY = re.compile(r"(?i)^(ok|success|succeeded|received|acknowledged|saved|done)$")
LITERALS = ("null", "undefined", "false", "true", "number", "string", "array", "object", "template_string")
EMPTY_VALUES = ("0", "[]", "null", "''", '""', "{}", "false", "undefined")


class Fallback(Enum):
    DEFAULT = "a default value"
    CONSTANT = "a constant default"
    INPUT = "its input unchanged"
    ZEROED = "a zeroed copy of the success result"


def is_default(src: SourceFile, value: Node | None, try_stmt: Node) -> bool:
    """`null`, a literal, an empty container, `{ ok: true }`-like objects without an error key, an empty
    `new Map()`; a bare `return` from a try whose body returns a value."""
    if value is None:
        body = try_stmt.child_by_field_name("body")
        return body is not None and any(n.type == "return_statement" and n.named_children
                                        for n in js.walk_scope(body))
    kind = value.type
    if kind in ("null", "undefined", "false", "true", "number", "string", "array"):
        return kind != "array" or all(c.type in ("number", "string", "null") for c in value.named_children)
    if kind == "object":
        pairs = [p for p in value.named_children if p.type == "pair"]
        values = {js.text(src, p.child_by_field_name("key")): js.text(src, p.child_by_field_name("value"))
                  for p in pairs}
        if any(ERROR_KEY.search(k) for k in values) or any(v in ("false", "'failed'", '"failed"')
                                                          for v in values.values()):
            return False
        return any(SUCCESS_KEY.match(k) or v in ("0", "[]", "null", "''", '""') for k, v in values.items()) \
            or not value.named_children
    return kind == "new_expression" and js.call_name(src, value) in ("Map", "Set") and not js.call_args(value)


def fallback(src: SourceFile, value: Node | None, try_stmt: Node) -> Fallback | None:
    """What kind of stand-in `value` (a catch's returned expression, unwrapped) is, or None."""
    if is_default(src, value, try_stmt):
        return Fallback.DEFAULT
    if value is None:
        return None
    if value.type == "identifier":
        if _module_constant(src, value) is not None:
            return Fallback.CONSTANT
        func = js.enclosing_function(try_stmt)
        if func is not None and _unchanged_input(src, js.text(src, value), func, try_stmt):
            return Fallback.INPUT
        return None
    if value.type == "object" and zeroed_copy(src, value, try_stmt):
        return Fallback.ZEROED
    return None


def _module_constant(src: SourceFile, ident: Node) -> Node | None:
    """The literal a top-level `const NAME = <literal>` binds `ident` to (`Object.freeze` and casts
    unwrapped), or None."""
    root = src.root
    name = js.text(src, ident)
    for stmt in root.named_children if root is not None else []:
        decl = stmt.named_children[0] if stmt.type == "export_statement" and stmt.named_children else stmt
        if decl.type != "lexical_declaration" or not js.text(src, decl).startswith("const"):
            continue
        for item in decl.named_children:
            if item.type == "variable_declarator" and js.text(src, item.child_by_field_name("name")) == name:
                value = js.unwrap(item.child_by_field_name("value"))
                if value is not None and value.type == "call_expression" \
                        and js.call_name(src, value) == "Object.freeze" and js.call_args(value):
                    value = js.unwrap(js.call_args(value)[0])
                return value if value is not None and value.type in LITERALS else None
    return None


def _unchanged_input(src: SourceFile, name: str, func: Node, try_stmt: Node) -> bool:
    """`name` is a parameter of `func` (or a const bound to one before the try) never reassigned."""
    params = func.child_by_field_name("parameters") or func.child_by_field_name("parameter")
    names = {js.text(src, n) for n in js.walk_scope(params) if n.type == "identifier"} if params is not None else set()
    if name not in names:
        names_before = _aliases(src, func, try_stmt, names)
        if name not in names_before:
            return False
    return not any(n.type in ("assignment_expression", "augmented_assignment_expression")
                   and js.text(src, n.child_by_field_name("left")) == name for n in js.walk_scope(func))


def _aliases(src: SourceFile, func: Node, try_stmt: Node, params: set[str]) -> set[str]:
    """Consts declared before the try whose value is a parameter (`const input = raw as string`)."""
    found = set()
    for node in js.walk_scope(func):
        if node.type == "variable_declarator" and node.start_byte < try_stmt.start_byte:
            value = js.unwrap(node.child_by_field_name("value"))
            if value is not None and value.type == "identifier" and js.text(src, value) in params:
                found.add(js.text(src, node.child_by_field_name("name")))
    return found


def zeroed_copy(src: SourceFile, value: Node, try_stmt: Node) -> bool:
    """`value` has exactly the keys of an object the try body returns, and sets at least one of the
    fields the success result computes to an empty value (0, [], null, '')."""
    body = try_stmt.child_by_field_name("body")
    if body is None:
        return False
    mine = _fields(src, value)
    if not mine or any(ERROR_KEY.search(k) for k in mine):
        return False
    for ret in (n for n in js.walk_scope(body) if n.type == "return_statement" and n.named_children):
        success = js.unwrap(ret.named_children[0])
        if success is None or success.type != "object":
            continue
        theirs = _fields(src, success)
        if set(theirs) != set(mine):
            continue
        if any(mine[k] in EMPTY_VALUES and theirs[k] not in EMPTY_VALUES for k in mine):
            return True
    return False


def _fields(src: SourceFile, obj: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    for child in obj.named_children:
        if child.type == "pair":
            out[js.text(src, child.child_by_field_name("key"))] = js.text(src, child.child_by_field_name("value"))
        elif child.type == "shorthand_property_identifier":
            out[js.text(src, child)] = js.text(src, child)
        elif child.type == "comment":
            continue
        else:
            return {}  # a spread or a method: not a plain record
    return out


def usual_result(src: SourceFile, clause: Node, value: Node | None) -> bool:
    """The function returns the same value outside the catch too: it is part of its contract."""
    func = js.enclosing_function(clause)
    if func is None or value is None:
        return False
    wanted = js.text(src, value)
    return any(n.type == "return_statement" and n.named_children and js.text(src, n.named_children[0]) == wanted
               and not (clause.start_byte <= n.start_byte < clause.end_byte)
               for n in js.walk_scope(func))


def probe_fallback(src: SourceFile, try_stmt: Node) -> bool:
    """`let x = default; try { x = parse(...) } catch {}`: the variable keeps a real default, or code
    after the try tests it (`if (!x)`, `x ?? other`): the failure is handled as "no value"."""
    body = try_stmt.child_by_field_name("body")
    stmts = [c for c in body.named_children if c.type != "comment"] if body is not None else []
    if len(stmts) != 1 or stmts[0].type != "expression_statement" or not stmts[0].named_children:
        return False
    expr = stmts[0].named_children[0]
    if expr.type != "assignment_expression":
        return False
    target = js.text(src, expr.child_by_field_name("left"))
    if any(_tests(src, stmt, target) for stmt in js.following_statements(try_stmt)):
        return True
    sib = try_stmt.prev_named_sibling
    while sib is not None:
        if sib.type in ("lexical_declaration", "variable_declaration"):
            for decl in sib.named_children:
                if decl.type == "variable_declarator" and js.text(src, decl.child_by_field_name("name")) == target:
                    value = decl.child_by_field_name("value")
                    return value is not None and value.type not in ("null", "undefined")
        sib = sib.prev_named_sibling
    return False


def _tests(src: SourceFile, stmt: Node, name: str) -> bool:
    """`stmt` tests `name` for a missing value: `!name`, `name == null`, `name ?? x`, `if (name)`."""
    for node in js.walk_scope(stmt):
        if node.type not in ("identifier", "member_expression") or js.text(src, node) != name:
            continue
        parent = js.value_parent(node)
        if parent is None:
            continue
        if parent.type == "unary_expression" and js.text(src, parent).startswith("!"):
            return True
        if parent.type == "binary_expression":
            op = parent.child_by_field_name("operator")
            if op is not None and js.text(src, op) in ("??", "||", "&&", "==", "===", "!=", "!=="):
                return True
        if parent.type in ("if_statement", "ternary_expression") and \
                parent.child_by_field_name("condition") is not None and \
                js.unwrap(parent.child_by_field_name("condition")) == node:
            return True
    return False
