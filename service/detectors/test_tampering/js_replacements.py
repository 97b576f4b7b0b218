"""JavaScript/TypeScript tests rewritten for the behaviour the change alters (for the deleted-test
rule, `js_deletions.py`; the counterpart of the Python `replacement`).

A deleted test is replaced when the change also edits non-test JS/TS code and a test it adds to
the same file calls a function the file imports, that the deleted test called with literal
arguments, with each of those literals again: as arguments, or as rows of the table the new test
runs over (`it.each([["x://{a,}/{b}"], ...])`). The same input is now checked against the new
behaviour; the reviewer confirms that change is the point (a low-confidence notice, not a warning).
"""

from __future__ import annotations

from tree_sitter import Node

from ...detector import ChangeContext, FileContext
from ...lang.js.testing import Block, call_args, source_changed, string_value, text_of
from ...parsing import SourceFile, walk

_LITERALS = frozenset({"string", "template_string", "number"})


def replacement(ctx: ChangeContext, f: FileContext, test: Block,
                added: list[tuple[SourceFile, Block]]) -> tuple[str, str] | None:
    """(title, call) of a test the change adds in `test`'s place, making its call again."""
    base, head = f.base, f.head
    if base is None or head is None or test.body is None or not source_changed(ctx.files):
        return None
    calls = [c for c in _calls(base, test.body, _imported(base) & _imported(head)) if c[1]]
    if not calls:
        return None
    for src, other in added:
        if src is not head:
            continue
        values = {_value(head, n) for n in walk(other.node) if n.type in _LITERALS}
        theirs = {name for name, _, _ in _calls(head, other.node, {name for name, _, _ in calls})}
        for name, literals, text in calls:
            if name in theirs and literals <= values:
                return other.title, text
    return None


def _calls(src: SourceFile, node: Node, names: set[str]) -> list[tuple[str, set[str], str]]:
    """(callee, literal argument values, the call shown with its literals only) of the calls of
    `names` under `node`: the new test makes that call again, whatever its other arguments."""
    out = []
    for n in walk(node):
        fn = n.child_by_field_name("function") if n.type == "call_expression" else None
        if fn is None or fn.type != "identifier" or text_of(src, fn) not in names:
            continue
        literals = {_value(src, a) for a in call_args(n) if a.type in _LITERALS}
        shown = ", ".join(text_of(src, a) if a.type in _LITERALS else "…" for a in call_args(n))
        out.append((text_of(src, fn), literals, f"{text_of(src, fn)}({shown})"))
    return out


def _value(src: SourceFile, node: Node) -> str:
    value = string_value(src, node)
    return value if value is not None else text_of(src, node)


def _imported(src: SourceFile) -> set[str]:
    """Names the file's import statements bind (the repository's or a package's code under test)."""
    out: set[str] = set()
    for stmt in src.root.named_children if src.root is not None else ():
        if stmt.type != "import_statement":
            continue
        for n in walk(stmt):
            if n.type == "identifier" and n.parent is not None and n.parent.type in (
                    "import_clause", "import_specifier", "namespace_import"):
                out.add(text_of(src, n))
    return out
