"""JavaScript/TypeScript tests restructured without asking less: where an `expect` a changed test
lost went (the counterpart of `python_reshaped_tests.py`).

For the removed-assertion rule (`js_assertion_changes.py`): a lost assertion is not a removal when
the test now feeds a table of cases, grown by the change, through a loop (`for (const x of cases)`,
`cases.forEach/every/some/map(...)`, `it.each(cases)`) into an `expect`, and either the lost
assertion's literal inputs are rows of that table, or the loop exercises the same subject (a local
bound to the same expression, `const email = z.string().email()`) with cases of the same kind,
and the loop does not assert the opposite (`.not.toThrow()` for a lost `.toThrow()`); or
when the identical assertion now stands in a test the change adds to the file (a test split up).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from ...analysis.assertions import in_added_test
from ...lang.js.assertion_checks import Check, checks
from ...lang.js.testing import Block, blocks, call_args, chain, norm, string_value, tests_only, text_of
from ...parsing import SourceFile, walk

_ITERATORS = frozenset({"forEach", "every", "some", "map", "filter", "flatMap"})
_STRINGS = frozenset({"string", "template_string"})


@dataclass(frozen=True)
class _Table:
    name: str  # the variable holding the table ("" for an inline array)
    rows: list[Node]
    var: str  # the loop variable ("" when not a plain identifier)
    body: Node  # where the loop variable is used


def tabled(base: SourceFile, old: Block, check: Check, head: SourceFile, new: Block) -> bool:
    """The lost `check` of `old` now runs over a table of cases in `new` (see the module docstring)."""
    if new.body is None:
        return False
    lost = _literals(check.node)
    if not lost:
        return False
    wanted = {_value(base, n) for n in lost}
    for table in _fed_tables(head, new):
        if table.name and len(table.rows) <= len(_declared(base, table.name)):
            continue  # the change added no case: the lost check went nowhere
        values = {_value(head, n) for row in table.rows for n in [row, *_literals(row)]}
        if wanted <= values:
            return True
        kinds = {_kind(r) for r in table.rows}
        if ({_kind(n) for n in lost} <= kinds and _same_outcome(check, head, table)
                and _same_subject(base, old, check, head, new, table)):
            return True
    return False


def moved_to_new_test(base: SourceFile, check: Check, head: SourceFile) -> bool:
    """The same assertion now stands in a test the change adds to the file (a test split up)."""
    return in_added_test(check.text, {b.qualname for b in tests_only(blocks(base))},
                         ((b.qualname, checks(head, b.body)) for b in tests_only(blocks(head))
                          if b.body is not None))


def _fed_tables(src: SourceFile, block: Block) -> Iterator[_Table]:
    assert block.body is not None
    if block.modifiers and "each" in chain(src, block.callee):
        args = call_args(block.callee) if block.callee.type == "call_expression" else []
        params = _params(src, block.body)
        if args:
            yield from _table(src, block, args[0], params[0] if params else "", block.body)
    for node in walk(block.body):
        if node.type == "for_in_statement" and _has_expect(src, node.child_by_field_name("body")):
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            var = text_of(src, left) if left is not None and left.type == "identifier" else ""
            body = node.child_by_field_name("body")
            if right is not None and body is not None:
                yield from _table(src, block, right, var, body)
        elif node.type == "call_expression":
            fn = node.child_by_field_name("function")
            names = chain(src, fn)
            args = call_args(node)
            if fn is None or fn.type != "member_expression" or not names or names[-1] not in _ITERATORS \
                    or not args or args[0].type not in ("arrow_function", "function_expression"):
                continue
            if not (_has_expect(src, args[0]) or _inside_expect(src, node)):
                continue
            params = _params(src, args[0])
            obj = fn.child_by_field_name("object")
            if obj is not None:
                yield from _table(src, block, obj, params[0] if params else "", args[0])


def _table(src: SourceFile, block: Block, node: Node, var: str, body: Node) -> Iterator[_Table]:
    if node.type == "array":
        yield _Table("", _rows(node), var, body)
    elif node.type == "identifier":
        rows = _declared(src, text_of(src, node))
        if rows:
            yield _Table(text_of(src, node), rows, var, body)


def _declared(src: SourceFile, name: str) -> list[Node]:
    """The rows of the array literal `name` is declared with in the file ([] when none)."""
    value = _value_of(src, src.root, name)
    return _rows(value) if value is not None and value.type == "array" else []


def _value_of(src: SourceFile, scope: Node | None, name: str) -> Node | None:
    """The expression the first declaration of `name` under `scope` binds it to."""
    for n in walk(scope) if scope is not None else ():
        if n.type == "variable_declarator":
            ident, value = n.child_by_field_name("name"), n.child_by_field_name("value")
            if ident is not None and value is not None and text_of(src, ident) == name:
                return value
    return None


def _rows(array: Node) -> list[Node]:
    return [c for c in array.named_children if c.type != "comment"]


def _params(src: SourceFile, fn: Node) -> list[str]:
    single = fn.child_by_field_name("parameter")
    if single is not None:
        return [text_of(src, single)]
    params = fn.child_by_field_name("parameters")
    return [text_of(src, p) for p in params.named_children] if params is not None else []


def _has_expect(src: SourceFile, node: Node | None) -> bool:
    return node is not None and bool(checks(src, node))


def _inside_expect(src: SourceFile, node: Node) -> bool:
    cur = node.parent
    while cur is not None and cur.type in ("arguments", "arrow_function", "statement_block",
                                           "return_statement", "parenthesized_expression",
                                           "binary_expression", "call_expression"):
        if cur.type == "call_expression" and chain(src, cur.child_by_field_name("function")) == ["expect"]:
            return True
        cur = cur.parent
    return False


def _literals(node: Node) -> list[Node]:
    return [n for n in walk(node) if n.type in _STRINGS or n.type == "number"]


def _kind(node: Node) -> str:
    return "string" if node.type in _STRINGS else node.type


def _value(src: SourceFile, node: Node) -> str:
    value = string_value(src, node)
    return value if value is not None else norm(text_of(src, node))


def _same_outcome(check: Check, head: SourceFile, table: _Table) -> bool:
    """The loop does not ask the opposite of the lost check: a table fed into `.not.toThrow()` does
    not replace a lost `.toThrow()` (one that must fail is not checked by cases that must pass)."""
    same = [c for c in checks(head, table.body) if c.matcher == check.matcher]
    return not same or any(c.negated == check.negated for c in same)


def _same_subject(base: SourceFile, old: Block, check: Check, head: SourceFile, new: Block,
                  table: _Table) -> bool:
    """The lost check called a method of a local that the loop body calls with the loop variable,
    both locals bound to the same expression."""
    if not table.var or old.body is None or new.body is None:
        return False
    before = {_binding(base, old.body, r) for r in _receivers(base, check.node, None)}
    after = {_binding(head, new.body, r) for r in _receivers(head, table.body, table.var)}
    return bool((before & after) - {""})


def _receivers(src: SourceFile, node: Node, var: str | None) -> set[str]:
    """Root identifiers of method calls under `node` given a literal (var None) or `var` as argument."""
    out = set()
    for n in walk(node):
        if n.type != "call_expression":
            continue
        names = chain(src, n.child_by_field_name("function"))
        args = call_args(n)
        if len(names) < 2 or not args:
            continue
        if (var is None and any(_literals(a) for a in args)) or any(text_of(src, a) == var for a in args):
            out.add(names[0])
    return out


def _binding(src: SourceFile, scope: Node, name: str) -> str:
    """The normalised expression `name` is declared with, in the test or the file ('' when none)."""
    value = _value_of(src, scope, name) or _value_of(src, src.root, name)
    return norm(text_of(src, value)) if value is not None else ""
