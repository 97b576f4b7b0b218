"""What a pull request says it does, and how its hunks group, for the orthogonal-edit detector.

`Intent` turns the PR title and body (or the commit messages) into light-stemmed words and
answers two questions: does the description announce a refactor/rename/cleanup, and does it
mention a given identifier or value. `display_groups` groups zero-context hunks the way a reviewer
sees them in a unified diff with three lines of context.

The second half extracts change units: the definitions and statements a diff touches (a function
with everything nested in it, a class header, a module- or class-level assignment, import,
docstring, comment block or other statement), each with its normalised token sequence
(tree-sitter leaves; whitespace, quote style and trailing commas do not count; comments kept
apart). Node types come from a per-language `LangSpec`, so other grammars can plug in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from tree_sitter import Node

from ..models import Hunk
from ..parsing import SourceFile, end_line_of, line_of

STOP_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do", "does", "for",
        "from", "has", "have", "in", "into", "is", "it", "its", "no", "not", "now", "of", "on", "or",
        "so", "than", "that", "the", "their", "them", "then", "there", "these", "this", "those", "to",
        "too", "up", "was", "were", "when", "which", "while", "will", "with", "without", "you",
        "your", "we", "our", "us", "i", "me", "my", "all", "any", "also", "each", "get", "set", "new",
        "old", "use", "used", "using", "via", "per", "only", "just", "more", "most", "other", "some",
        "such", "very", "should", "would", "could", "may", "might", "must", "out", "self", "cls",
        "none", "true", "false", "return", "def", "class", "if", "else", "elif", "try", "except",
        "finally", "raise", "import", "pass",
    }
)

REFACTOR = re.compile(
    r"\b(refactor\w*|renam\w*|reformat\w*|formatting|restyl\w*|lint\w*|cosmetic\w*|"
    r"naming|housekeeping|tid(y|ies|ied|ying)|clean[- ]?up\w*|"
    r"no (functional|behaviou?r(al)?|logic) changes?|behaviou?r[- ]preserving)\b",
    re.IGNORECASE,
)
CLEANUP = re.compile(
    r"\b(clean[- ]?up\w*|tid(y|ies|ied|ying)|dead code|unused|remov\w*|delet\w*|drop\w*|"
    r"prun\w*|housekeeping|refactor\w*)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9][0-9_.]*")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # identifier-like tokens of any text
# How far apart (in unchanged lines) two zero-context hunks may be and still show as one hunk
# of a unified diff with three lines of context.
CONTEXT_GAP = 6


def stem(word: str) -> str:
    """A light, consistent stem: plural, -ing/-ed and a final -e dropped, lower case
    (`retries`/`retried`/`retry` -> `retry`, `enabled`/`enable` -> `enabl`)."""
    w = word.lower()
    if len(w) > 4 and w.endswith(("ies", "ied")):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and (w.endswith(("sses", "xes", "ches", "shes"))
                         or (w.endswith("ed") and not w.endswith("eed"))):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def split_identifier(name: str) -> list[str]:
    """`DEFAULT_TIMEOUT` -> [default, timeout]; `getUserName` -> [get, user, name]."""
    parts: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        parts += [p.lower() for p in _CAMEL.findall(chunk)]
    return parts


def content_stems(name: str) -> set[str]:
    """The stems of an identifier's words, stop words and one-letter words left out."""
    return {stem(w) for w in split_identifier(name) if len(w) > 1 and w not in STOP_WORDS}


@dataclass(frozen=True)
class Intent:
    """The PR's stated purpose as words."""

    text: str
    stems: frozenset[str]
    tokens: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Intent:
        stems: set[str] = set()
        for word in _WORD.findall(text):
            stems |= content_stems(word)
        tokens = {t.lower() for t in IDENTIFIER.findall(text)}
        return cls(text=text, stems=frozenset(stems), tokens=frozenset(tokens))

    @property
    def announces_refactor(self) -> bool:
        """A rename, reformat or refactor with no behaviour change is what the PR says it is."""
        return bool(REFACTOR.search(self.text))

    @property
    def announces_cleanup(self) -> bool:
        """The PR says it removes or tidies code."""
        return bool(CLEANUP.search(self.text))

    def mentions(self, identifier: str) -> bool:
        """The identifier itself, or every content word of it, appears in the description."""
        if not identifier:
            return False
        if identifier.lower() in self.tokens:
            return True
        words = content_stems(identifier)
        return bool(words) and words <= self.stems

    def mentions_any(self, identifiers: Iterable[str]) -> bool:
        return any(self.mentions(i) for i in identifiers)

    def mentions_value(self, value: str) -> bool:
        """A literal value (a number, a short string) quoted in the description."""
        value = value.strip().strip("'\"`").lower()
        if not value or (len(value) < 2 and not value.isdigit()):
            return False
        pattern = r"(?<![\w.])" + re.escape(value) + r"(?![\w])"
        return re.search(pattern, self.text.lower()) is not None


def display_groups(hunks: Sequence[Hunk], gap: int = CONTEXT_GAP) -> list[int]:
    """For each zero-context hunk, the index of the context-3 hunk it would be shown in."""
    groups: list[int] = []
    group = -1
    prev_end: int | None = None
    for hunk in hunks:
        start = hunk.old_start if hunk.old_count else hunk.old_start + 1
        if prev_end is None or start - prev_end - 1 > gap:
            group += 1
        groups.append(group)
        prev_end = hunk.old_start + hunk.old_count - 1 if hunk.old_count else hunk.old_start
    return groups


@dataclass(frozen=True)
class LangSpec:
    """The node types of one grammar that the unit extraction needs."""

    containers: frozenset[str]  # nodes whose children are units (module, program)
    class_types: frozenset[str]  # class definitions: header unit + members as units
    class_bodies: frozenset[str]
    def_types: frozenset[str]  # function definitions: one unit with everything inside
    wrappers: frozenset[str]  # decorated definitions
    statement_wrappers: frozenset[str]  # expression statements around an assignment
    assign_types: frozenset[str]
    import_types: frozenset[str]
    string_types: frozenset[str]
    interpolations: frozenset[str]
    literal_types: frozenset[str]
    collection_types: frozenset[str]
    comment_types: frozenset[str]
    if_types: frozenset[str]
    exit_types: frozenset[str]
    binding_parents: frozenset[str]
    binding_fields: frozenset[str]  # "parent_type.field" of a name-introducing child
    family: str = "python"  # the rule-id prefix of findings in this language
    block_types: frozenset[str] = frozenset({"block"})  # statement blocks (if bodies)
    call_types: frozenset[str] = frozenset({"call"})
    argument_lists: frozenset[str] = frozenset({"argument_list"})
    keyed_types: frozenset[str] = frozenset({"keyword_argument", "default_parameter",
                                             "typed_default_parameter", "pair"})
    layout_tokens: frozenset[str] = frozenset()  # punctuation that is layout (JS semicolons)
    keyed_members: bool = False  # object members compare by key (a changed value is no membership change)


PYTHON = LangSpec(
    containers=frozenset({"module"}),
    class_types=frozenset({"class_definition"}),
    class_bodies=frozenset({"block"}),
    def_types=frozenset({"function_definition"}),
    wrappers=frozenset({"decorated_definition"}),
    statement_wrappers=frozenset({"expression_statement"}),
    assign_types=frozenset({"assignment", "augmented_assignment"}),
    import_types=frozenset({"import_statement", "import_from_statement", "future_import_statement"}),
    string_types=frozenset({"string"}),
    interpolations=frozenset({"interpolation"}),
    literal_types=frozenset({"integer", "float", "true", "false", "none"}),
    collection_types=frozenset({"set", "list", "tuple", "dictionary"}),
    comment_types=frozenset({"comment"}),
    if_types=frozenset({"if_statement"}),
    exit_types=frozenset({"raise_statement", "return_statement", "continue_statement",
                          "break_statement"}),
    binding_parents=frozenset({"parameters", "lambda_parameters", "typed_parameter",
                               "pattern_list", "tuple_pattern",
                               "list_pattern", "as_pattern_target", "list_splat_pattern",
                               "dictionary_splat_pattern", "global_statement",
                               "nonlocal_statement"}),
    binding_fields=frozenset({"assignment.left", "augmented_assignment.left", "for_statement.left",
                              "for_in_clause.left", "function_definition.name",
                              "class_definition.name", "default_parameter.name",
                              "typed_default_parameter.name", "named_expression.name",
                              "aliased_import.alias", "as_pattern.alias",
                              "with_item.alias", "lambda.parameters"}),
)

_JS_STATEMENTS = frozenset({"expression_statement", "lexical_declaration", "variable_declaration"})
JAVASCRIPT = LangSpec(
    containers=frozenset({"program"}),
    class_types=frozenset({"class_declaration", "abstract_class_declaration", "interface_declaration",
                           "type_alias_declaration", "enum_declaration"}),
    class_bodies=frozenset({"class_body"}),
    def_types=frozenset({"function_declaration", "generator_function_declaration", "method_definition",
                         "function_signature", "arrow_function", "function_expression"}),
    wrappers=frozenset({"export_statement"}),
    statement_wrappers=_JS_STATEMENTS,
    assign_types=frozenset({"variable_declarator", "assignment_expression",
                            "augmented_assignment_expression", "public_field_definition",
                            "field_definition"}),
    import_types=frozenset({"import_statement"}),
    string_types=frozenset({"string", "template_string"}),
    interpolations=frozenset({"template_substitution"}),
    literal_types=frozenset({"number", "true", "false", "null", "undefined"}),
    collection_types=frozenset({"array", "object"}),
    comment_types=frozenset({"comment"}),
    if_types=frozenset({"if_statement"}),
    exit_types=frozenset({"return_statement", "throw_statement", "continue_statement",
                          "break_statement"}),
    binding_parents=frozenset({"formal_parameters", "array_pattern", "rest_pattern"}),
    binding_fields=frozenset({"variable_declarator.name", "function_declaration.name",
                              "generator_function_declaration.name", "function_expression.name",
                              "class_declaration.name", "method_definition.name",
                              "required_parameter.pattern", "optional_parameter.pattern",
                              "assignment_pattern.left", "arrow_function.parameter",
                              "catch_clause.parameter", "for_in_statement.left",
                              "pair_pattern.value", "import_specifier.alias"}),
    family="js",
    block_types=frozenset({"statement_block"}),
    call_types=frozenset({"call_expression", "new_expression"}),
    argument_lists=frozenset({"arguments"}),
    keyed_types=frozenset({"pair", "assignment_pattern", "public_field_definition"}),
    layout_tokens=frozenset({";"}),
    keyed_members=True,
)

SPECS: dict[str, LangSpec] = {"python": PYTHON, "javascript": JAVASCRIPT, "typescript": JAVASCRIPT,
                              "tsx": JAVASCRIPT}
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


def extract(src: SourceFile, spec: LangSpec) -> list[Unit]:
    """Every unit of a parsed file, outer units before the members they contain."""
    root = src.root
    if root is None or root.type not in spec.containers:
        return []
    units: list[Unit] = []
    _collect(root, "", src, spec, units)
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
    for child in container.named_children:
        if child.type in spec.comment_types:
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
        unit.key = _unique(unit.key, seen)
        if pending_comment is not None:
            pending_comment.next_key = unit.key
            pending_comment.key = _unique(prefix + "#comment:" + unit.key, seen)
            pending_comment = None
        units.append(unit)
        body = _class_body(child, spec)
        skip = body.named_children if body is not None else []
        unit.tokens, unit.comments = tokens(unit.node, src, spec, skip=skip)
        if body is not None:
            _collect(body, unit.key + ".", src, spec, units)
    if pending_comment is not None:
        pending_comment.key = _unique(prefix + "#comment:end", seen)


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


# ---- removals the description announces ("remove the legacy exporter") ----------------------

_REMOVAL = re.compile(r"\b(remov|delet|drop|retir|prun)\w*\b([^.;:,()\n]{1,60})", re.IGNORECASE)
# words that say nothing about *which* tests go: "remove flaky tests" names no test
_VAGUE = frozenset({"test", "spec", "suite", "case", "file", "code", "old", "obsolet", "deprecat", "flaky",
                    "broken", "fail", "unus", "dead", "redundant", "duplicat", "some", "few", "stal",
                    "support", "unnecessary", "useles", "legacy"})


@dataclass(frozen=True)
class Removal:
    """One "remove/delete/drop <what>" phrase of the description."""

    words: frozenset[str]  # stems naming <what>, vague words left out
    tests: bool  # the phrase says it removes tests ("remove the host tests")


def announced_removals(intent: str) -> list[Removal]:
    """The removal phrases of the description that name what they remove."""
    out = []
    for m in _REMOVAL.finditer(intent):
        stems = content_stems(m.group(2))
        words = frozenset(w for w in stems if w not in _VAGUE)
        if words:
            out.append(Removal(words, bool(stems & {"test", "spec", "suite"})))
    return out


def announced(removals: list[Removal], *names: str, body: str = "") -> bool:
    """True when one announced removal names the thing: every word of a one- or two-word phrase,
    or at least two words of a longer one, occur in `names` (a path, a suite or test title); or
    the phrase removes tests and one of its words occurs in the test's `body`."""
    have: set[str] = set()
    for name in names:
        have |= content_stems(name)
    inside = content_stems(body) if body else set()
    return any(len(r.words & have) >= min(2, len(r.words)) or (r.tests and r.words & inside)
               for r in removals)
