"""One pattern repeated on adjacent lines is one finding. Pure: no I/O, separately tested.

Findings of the same rule, file and side become one finding when they lie in the same enclosing
function of that side's syntax tree (the innermost function, method or callback around the line;
or all outside any function) on adjacent lines: between one member's statement and the next member there are at most
`MAX_GAP` lines, each blank or a comment. Two findings with a line of other code between them are
two places (two unguarded values, two weakened assertions with kept ones between), each reported.
The grouped finding is the first member (its line, code and fingerprint) with the highest severity
and confidence of the group; its message says how many lines and which, and its evidence lists
every member's line and message. Findings that carry a mechanical fix stay apart (one suggestion
cannot edit several places), as do findings anchored to a definition.

The stage runs after suppressions and the diff filter, so every member is a finding the change is
responsible for and no suppressed line is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from tree_sitter import Node

from .brevity import MAX_CHARS, short_message
from .models import CONFIDENCE_RANK, Finding
from .parsing import SourceFile, end_line_of, walk

MAX_GAP = 3  # blank or comment lines between two adjacent members
MAX_LISTED = 8  # lines named in the message; the evidence names all
FUNCTIONS = frozenset({
    # python
    "function_definition", "lambda",
    # javascript / typescript
    "function_declaration", "function_expression", "function", "arrow_function", "method_definition",
    "generator_function_declaration", "generator_function",
    # go, java
    "method_declaration", "func_literal", "constructor_declaration", "lambda_expression",
})
_BLOCKS = frozenset({"block", "module", "statement_block", "program", "class_body", "switch_case", "switch_default"})
Sources = Callable[[Finding], SourceFile | None]


def enclosing_function(source: SourceFile | None, line: int) -> Node | None:
    """The innermost function around the first code character of 1-based `line`, or None."""
    node = _first_node(source, line)
    while node is not None and node.type not in FUNCTIONS:
        node = node.parent
    return node


def group(findings: Iterable[Finding], sources: Sources) -> list[Finding]:
    """`findings` with each run of one rule on adjacent lines of one function made one finding."""
    out: list[Finding] = []
    runs: dict[tuple[str, str, str, tuple[int, int] | None], list[list[Finding]]] = {}
    for finding in sorted(findings, key=lambda f: (f.path, f.side, f.rule, f.line, f.last_line)):
        if finding.fix is not None or finding.anchor == "definition":
            out.append(finding)
            continue
        fn = enclosing_function(sources(finding), finding.line)
        key = (finding.rule, finding.path, finding.side, (fn.start_byte, fn.end_byte) if fn is not None else None)
        chains = runs.setdefault(key, [])
        if chains and _adjacent(sources(finding), max(_extent(sources(f), f) for f in chains[-1]), finding.line):
            chains[-1].append(finding)
        else:
            chains.append([finding])
    for (_, _, _, span), chains in runs.items():
        for chain in chains:
            if len(chain) == 1:
                out.append(chain[0])
                continue
            name = _name(sources(chain[0]), chain[0].line) if span is not None else None
            out.append(merge(chain, name, span is not None))
    return sorted(out, key=lambda f: (f.path, f.side, f.line, f.rule))


def merge(members: list[Finding], function: str | None, in_function: bool) -> Finding:
    """One finding for `members` (same rule, file and side; sorted by line)."""
    first = members[0]
    lines = [f.line for f in members]
    listed = ", ".join(str(n) for n in lines[:MAX_LISTED]) + (
        f" and {len(lines) - MAX_LISTED} more" if len(lines) > MAX_LISTED else "")
    where = "adjacent lines" + ((f" of `{function}`" if function else " of one function") if in_function else "")
    head = f"This rule fires on {len(lines)} {where} ({listed}); line {first.line}: "
    body = short_message(first.message, max_chars=max(MAX_CHARS - len(head), MAX_CHARS // 2))
    details = "\n".join(f"line {f.line}: {f.message}" for f in members)
    evidence = f"{len(lines)} findings of {first.rule} at lines {', '.join(map(str, lines))}:\n{details}"
    if first.evidence:
        evidence += f"\n\n{first.evidence}"
    return replace(
        first,
        message=head + body,
        evidence=evidence,
        severity=max((f.severity for f in members), key=lambda s: s.rank),
        confidence=max((f.confidence for f in members), key=lambda c: CONFIDENCE_RANK[c]),
        also=tuple((f.line, f.last_line) for f in members[1:]),
    )


def _adjacent(source: SourceFile | None, last: int, line: int) -> bool:
    """Whether only blank or comment lines (at most MAX_GAP) lie between `last` and `line`."""
    between = range(last + 1, line)
    return len(between) <= MAX_GAP and all(_filler(source, n) for n in between)


def _extent(source: SourceFile | None, finding: Finding) -> int:
    """The last line of the finding, or of the statement starting where it starts if that ends later
    (a finding on the first line of a multi-line assertion covers the whole assertion)."""
    node = _first_node(source, finding.line)
    while node is not None and node.parent is not None and node.parent.start_point == node.start_point \
            and node.parent.type not in FUNCTIONS and node.parent.type not in _BLOCKS:
        node = node.parent
    if node is None or any(c.type in _BLOCKS for c in node.children) \
            or any(node.child_by_field_name(f) is not None for f in ("body", "consequence")) \
            or any(n.type in FUNCTIONS for n in walk(node)):
        return finding.last_line  # a compound statement (if, for) or a definition is not one place
    return max(finding.last_line, end_line_of(node))


def _first_node(source: SourceFile | None, line: int) -> Node | None:
    """The smallest node at the first code character of 1-based `line`."""
    root = source.root if source is not None else None
    if root is None or source is None:
        return None
    text = source.line_text(line)
    column = len(text.encode("utf-8", "surrogatepass")) - len(text.lstrip().encode("utf-8", "surrogatepass"))
    return root.descendant_for_point_range((line - 1, column), (line - 1, column))


def _filler(source: SourceFile | None, line: int) -> bool:
    if source is None:
        return False
    text = source.line_text(line)
    if not text.strip():
        return True
    node = _first_node(source, line)
    return node is not None and "comment" in node.type and node.end_point[0] == line - 1


def _name(source: SourceFile | None, line: int) -> str | None:
    fn = enclosing_function(source, line)
    name = fn.child_by_field_name("name") if fn is not None else None
    if name is None or source is None:
        return None
    text = source.node_text(name)
    return text if len(text) <= 60 and "`" not in text else None
