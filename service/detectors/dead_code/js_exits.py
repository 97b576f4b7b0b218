"""Which JavaScript/TypeScript statements always leave their block: the JS side of the
unreachable-code detector (`unreachable_code.py`)."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from ...analysis.unreachable import Flow, describe_exit
from ...lang.js import symbols as sym
from ...parsing import SourceFile, walk

EXITS = frozenset({"return_statement", "throw_statement", "break_statement", "continue_statement"})
HARMLESS = frozenset({
    "empty_statement", "comment", "function_declaration", "generator_function_declaration",
    "interface_declaration", "type_alias_declaration", "class_declaration", "ambient_declaration",
})
BLOCKS = frozenset({"statement_block", "switch_case", "switch_default"})
SCOPES = frozenset({
    "function_declaration", "function_expression", "arrow_function", "method_definition", "function",
    "generator_function_declaration", "generator_function", "class_body",
})
LOOPS = frozenset({"for_statement", "for_in_statement", "while_statement", "do_statement", "switch_statement"})


def _terminates(stmt: Node, calls: frozenset[str]) -> bool:
    """True when control never falls through `stmt` to the next statement of its block."""
    kind = stmt.type
    if kind in EXITS:
        return True
    if kind == "expression_statement":
        expr = stmt.named_children[0] if stmt.named_children else None
        return expr is not None and expr.type == "call_expression" and \
            sym.text(expr.child_by_field_name("function")).replace(" ", "") in calls
    if kind == "statement_block":
        return _block_terminates(stmt, calls)
    if kind == "if_statement":
        alternative = stmt.child_by_field_name("alternative")
        consequence = stmt.child_by_field_name("consequence")
        if alternative is None or consequence is None:
            return False
        other = next((c for c in alternative.named_children if c.type != "comment"), None)
        return _terminates(consequence, calls) and other is not None and _terminates(other, calls)
    if kind == "try_statement":
        return _try_terminates(stmt, calls)
    if kind in ("while_statement", "for_statement"):
        return _endless(stmt)
    return False


def _block_terminates(block: Node, calls: frozenset[str]) -> bool:
    return any(_terminates(c, calls) for c in block.named_children if c.type != "comment")


def _try_terminates(stmt: Node, calls: frozenset[str]) -> bool:
    final = stmt.child_by_field_name("finalizer")
    final_body = final.child_by_field_name("body") if final is not None else None
    if final_body is not None and _block_terminates(final_body, calls):
        return True
    body = stmt.child_by_field_name("body")
    handler = stmt.child_by_field_name("handler")
    handler_body = handler.child_by_field_name("body") if handler is not None else None
    if body is None or not _block_terminates(body, calls):
        return False
    return handler_body is None or _block_terminates(handler_body, calls)


def _endless(loop: Node) -> bool:
    if loop.type == "while_statement":
        condition = sym.text(loop.child_by_field_name("condition")).strip("() \n")
        if condition not in ("true", "1"):
            return False
    else:
        cond = loop.child_by_field_name("condition")
        if cond is not None and sym.text(cond).strip(" ;") not in ("", "true"):
            return False
    body = loop.child_by_field_name("body")
    return body is not None and not _breaks_out(body)


def _breaks_out(body: Node) -> bool:
    """A `break` (or a labelled break) that leaves the loop owning `body`."""
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "break_statement":
            return True
        if node.type in SCOPES:
            continue
        if node.type in LOOPS:
            stack.extend(n for n in walk(node) if n.type == "break_statement" and n.named_children)
            continue
        stack.extend(node.named_children)
    return False


def _describe(stmt: Node) -> str:
    call = stmt.named_children[0] if stmt.type == "expression_statement" and stmt.named_children else None
    name = sym.text(call.child_by_field_name("function")) if call is not None else ""
    others = {"expression_statement": f"`{name}()`", "statement_block": "a block that always exits"}
    return describe_exit(stmt, EXITS, others, "an endless loop without `break`")


def _dead(stmt: Node) -> bool:
    if stmt.type in HARMLESS:
        return False
    if stmt.type == "variable_declaration":  # `var` is hoisted; only its initialiser is dead
        return any(d.child_by_field_name("value") is not None for d in stmt.named_children)
    return True


def _blocks(src: SourceFile) -> Iterator[Node]:
    return iter(src.nodes_of(*BLOCKS))


def _statements(block: Node) -> list[Node]:
    stmts = [c for c in block.named_children if c.type != "comment"]
    if block.type in ("switch_case", "switch_default"):
        stmts = [s for s in stmts if s != block.child_by_field_name("value")]
    return stmts


JS = Flow(exit_calls="js_exit_calls", blocks=_blocks, statements=_statements, terminates=_terminates,
          dead=_dead, describe=_describe)
