"""Change units of one version of a file, and their normalised tokens.

A unit is a definition or statement a diff can touch: a function with everything nested in it, a
class header, a module- or class-level assignment, import, docstring, comment block or other
statement. Each carries its normalised token sequence (tree-sitter leaves; whitespace, quote style
and trailing commas do not count; comments kept apart). Node types come from a `LangSpec`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tree_sitter import Node

from ...parsing import SourceFile, end_line_of, line_of
from .languages import LangSpec

QUOTES = "\"'`"


@dataclass(frozen=True)
class Tok:
    """One normalised token: `cls` is id (identifier), lit, str or p (keyword/punctuation)."""

    cls: str
    text: str
    node: Node = field(compare=False, repr=False)
    doc: bool = field(default=False, compare=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.cls, self.text)


@dataclass
class Unit:
    """One definition or statement of one version of a file."""

    key: str
    name: str
    kind: str  # def | class | assign | import | doc | comment | stmt
    node: Node
    src: SourceFile
    prefix: str = ""
    lines: set[int] = field(default_factory=set)
    tokens: list[Tok] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    next_key: str = ""  # for comment blocks: the unit they sit above
    start: int = 0
    end: int = 0
    skip: list[Node] | None = field(default=None, compare=False, repr=False)  # tokens not yet read: the
    # subtrees to leave out of them (the members of a class), see `fill`

    def __post_init__(self) -> None:
        self.start = self.start or line_of(self.node)
        self.end = self.end or end_line_of(self.node)

    @property
    def keys(self) -> list[tuple[str, str]]:
        return [t.key for t in self.tokens]

    @property
    def keys_without_doc(self) -> list[tuple[str, str]]:
        return [t.key for t in self.tokens if not t.doc]

    @property
    def has_doc(self) -> bool:
        return any(t.doc for t in self.tokens)

    def identifiers(self) -> set[str]:
        return {t.text for t in self.tokens if t.cls == "id"}

    def strings(self) -> set[str]:
        return {t.text for t in self.tokens if t.cls == "str"}

    def text(self) -> str:
        """The unit's own lines, trailing blanks and blank lines ignored."""
        rows = (self.src.line_text(n).rstrip() for n in sorted(self.lines))
        return "\n".join(r for r in rows if r)


def extract(src: SourceFile, spec: LangSpec, *, filled: bool = True) -> list[Unit]:
    """Every unit of a parsed file, outer units before the members they contain. With `filled`
    False, a unit's tokens and comments are read only by `fill` (a caller that looks at the few
    units a diff touches)."""
    root = src.root
    if root is None or root.type not in spec.containers:
        return []
    units: list[Unit] = []
    _collect(root, "", src, spec, units)
    if filled:
        for unit in units:
            fill(unit, spec)
    owner: dict[int, Unit] = {}
    for unit in units:  # members come after their class, so they overwrite its lines
        for n in range(unit.start, unit.end + 1):
            owner[n] = unit
    for n, unit in owner.items():
        unit.lines.add(n)
    return units


def _collect(container: Node, prefix: str, src: SourceFile, spec: LangSpec,
             units: list[Unit]) -> None:
    seen: dict[str, int] = {}
    pending_comment: Unit | None = None
    first = True
    code_end = -1  # the last row of the previous statement
    last: Unit | None = None
    for child in container.named_children:
        if child.type in spec.comment_types:
            if last is not None and child.start_point[0] == code_end:
                last.comments.append(src.node_text(child))  # a trailing comment: the statement's own
                continue
            if pending_comment is not None and line_of(child) == pending_comment.end + 1:
                pending_comment.comments.append(src.node_text(child))
                pending_comment.end = end_line_of(child)
                continue
            pending_comment = Unit(key="", name="", kind="comment", node=child, src=src,
                                   prefix=prefix, comments=[src.node_text(child)])
            units.append(pending_comment)
            continue
        unit = _unit_for(child, prefix, src, spec, first)
        first = False
        code_end = child.end_point[0]
        last = unit
        unit.key = _unique(unit.key, seen)
        if pending_comment is not None:
            pending_comment.next_key = unit.key
            pending_comment.key = _unique(prefix + "#comment:" + unit.key, seen)
            pending_comment = None
        units.append(unit)
        body = _class_body(child, spec)
        unit.skip = body.named_children if body is not None else []
        if body is not None:
            _collect(body, unit.key + ".", src, spec, units)
    if pending_comment is not None:
        pending_comment.key = _unique(prefix + "#comment:end", seen)


def fill(unit: Unit, spec: LangSpec) -> None:
    """Read the tokens and comments of a unit `extract` left unfilled (once): its own comments
    come before the trailing comments of its statement that `_collect` gathered meanwhile."""
    if unit.skip is None:
        return
    unit.tokens, own = tokens(unit.node, unit.src, spec, skip=unit.skip)
    unit.comments = own + unit.comments
    unit.skip = None


def _unique(key: str, seen: dict[str, int]) -> str:
    count = seen.get(key, 0)
    seen[key] = count + 1
    return key if count == 0 else f"{key}#{count + 1}"


def _definition(node: Node, spec: LangSpec) -> Node:
    if node.type in spec.wrappers:
        inner = node.child_by_field_name("definition") or node.child_by_field_name("declaration")
        if inner is not None:
            return inner
    return node


def _class_body(node: Node, spec: LangSpec) -> Node | None:
    inner = _definition(node, spec)
    if inner.type not in spec.class_types:
        return None
    body = inner.child_by_field_name("body")
    return body if body is not None and body.type in spec.class_bodies else None


def _unit_for(node: Node, prefix: str, src: SourceFile, spec: LangSpec, first: bool) -> Unit:
    inner = _definition(node, spec)
    if inner.type in spec.def_types or inner.type in spec.class_types:
        name_node = inner.child_by_field_name("name")
        name = src.node_text(name_node) if name_node is not None else ""
        kind = "class" if inner.type in spec.class_types else "def"
        return Unit(key=prefix + name, name=name, kind=kind, node=node, src=src, prefix=prefix)
    if node.type in spec.import_types:
        text = " ".join(src.node_text(node).split())
        return Unit(key="import:" + text, name="", kind="import", node=node, src=src, prefix=prefix)
    assign = assignment_of(node, spec)
    if assign is not None:
        left = assign_target(assign)
        target = " ".join(src.node_text(left).split()) if left is not None else ""
        name = target.rsplit(".", 1)[-1]
        value = assign_value(assign)
        kind = "def" if value is not None and value.type in spec.def_types else "assign"
        return Unit(key=prefix + target, name=name, kind=kind, node=node, src=src, prefix=prefix)
    if first and _is_docstring(node, spec):
        return Unit(key=prefix + "__doc__", name="", kind="doc", node=node, src=src, prefix=prefix)
    head = " ".join(src.line_text(line_of(node)).split())
    return Unit(key=f"{prefix}{node.type}:{head}", name="", kind="stmt", node=node, src=src,
                prefix=prefix)


def assignment_of(node: Node, spec: LangSpec) -> Node | None:
    """The assignment a (module- or class-level) statement consists of, if any."""
    node = _definition(node, spec)
    if node.type in spec.assign_types:
        return node
    if node.type in spec.statement_wrappers and node.named_child_count == 1:
        inner = node.named_children[0]
        if inner.type in spec.assign_types:
            return inner
    return None


def assign_target(assign: Node) -> Node | None:
    """The target of an assignment (`left`) or of a declarator or field (`name`)."""
    return assign.child_by_field_name("left") or assign.child_by_field_name("name") \
        or assign.child_by_field_name("property")


def assign_value(assign: Node) -> Node | None:
    """The assigned value (`right` of an assignment, `value` of a declarator or field)."""
    return assign.child_by_field_name("right") or assign.child_by_field_name("value")


def _is_docstring(node: Node, spec: LangSpec) -> bool:
    return (
        node.type in spec.statement_wrappers
        and node.named_child_count == 1
        and node.named_children[0].type in spec.string_types
    )


def docstring_node(node: Node, spec: LangSpec) -> Node | None:
    """The docstring statement of a function or class, if it has one."""
    inner = _definition(node, spec)
    body = inner.child_by_field_name("body")
    if body is None or not body.named_children:
        return None
    first = body.named_children[0]
    return first if _is_docstring(first, spec) else None


def tokens(node: Node, src: SourceFile, spec: LangSpec,
           skip: list[Node] | None = None) -> tuple[list[Tok], list[str]]:
    """The normalised tokens and the comments of `node`, leaving out the `skip` subtrees."""
    skipped = {(n.start_byte, n.end_byte) for n in skip or []}
    doc = docstring_node(node, spec) if _definition(node, spec).type in spec.def_types else None
    doc_span = (doc.start_byte, doc.end_byte) if doc is not None else None
    out: list[Tok] = []
    comments: list[str] = []
    for leaf, in_doc in _leaves(node, spec, skipped, doc_span):
        if leaf.type in spec.comment_types:
            comments.append(src.node_text(leaf).strip())
            continue
        if leaf.type in spec.layout_tokens:
            continue
        out.append(_token(leaf, src, spec, in_doc))
    return _drop_trailing_commas(out), comments


def _leaves(node: Node, spec: LangSpec, skipped: set[tuple[int, int]],
            doc_span: tuple[int, int] | None) -> Iterator[tuple[Node, bool]]:
    stack: list[Node] = [node]
    while stack:
        cur = stack.pop()
        span = (cur.start_byte, cur.end_byte)
        if span in skipped and cur is not node:
            continue
        in_doc = doc_span is not None and doc_span[0] <= cur.start_byte < doc_span[1]
        if cur.child_count == 0 or _plain_string(cur, spec) or cur.type in spec.comment_types:
            yield cur, in_doc
            continue
        stack.extend(reversed(cur.children))


def _plain_string(node: Node, spec: LangSpec) -> bool:
    """A string literal without interpolations: one token."""
    if node.type not in spec.string_types:
        return False
    return not any(c.type in spec.interpolations for c in node.children)


def _token(leaf: Node, src: SourceFile, spec: LangSpec, in_doc: bool) -> Tok:
    text = src.node_text(leaf)
    if leaf.type in spec.string_types:
        return Tok("str", string_value(leaf, src), leaf, in_doc)
    if leaf.type.endswith("identifier"):
        return Tok("id", text, leaf, in_doc)
    if leaf.type in spec.literal_types and leaf.is_named:  # not the TS `number` type keyword
        return Tok("lit", text.replace("_", "").lower(), leaf, in_doc)
    if text and text.strip(QUOTES + "bBrRuUfF") == "" and any(q in text for q in QUOTES):
        return Tok("p", text.lower().strip(QUOTES) + "Q", leaf, in_doc)  # string delimiters
    return Tok("p", text, leaf, in_doc)


def string_value(node: Node, src: SourceFile) -> str:
    """The content of a string literal with its quotes (and prefix) removed."""
    children = node.children
    if len(children) >= 2:
        start, end = children[0], children[-1]
        prefix = src.node_text(start).lower().strip(QUOTES)
        inner = src.data[start.end_byte : end.start_byte].decode("utf-8", "replace")
        return prefix + ":" + inner if prefix else inner
    return src.node_text(node).strip(QUOTES)


def _drop_trailing_commas(toks: list[Tok]) -> list[Tok]:
    out: list[Tok] = []
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if tok.key == ("p", ",") and nxt is not None and nxt.text in (")", "]", "}"):
            parent = tok.node.parent
            if parent is None or parent.type != "tuple" or parent.named_child_count > 1:
                continue  # the comma of a one-element tuple is syntax, not layout
        out.append(tok)
    return out


def is_binding(tok: Tok, spec: LangSpec) -> bool:
    """An identifier occurrence that introduces the name (parameter, assignment target, def)."""
    node = tok.node
    parent = node.parent
    if parent is None:
        return False
    if parent.type in spec.binding_parents:
        return True
    for i, child in enumerate(parent.children):
        if child.start_byte == node.start_byte and child.end_byte == node.end_byte:
            return f"{parent.type}.{parent.field_name_for_child(i)}" in spec.binding_fields
    return False
