"""Which names of a benchmark case come from outside it, for benchmarks/case_rewrite.py.

Renaming such a name changes what the code means (`require('crypto')`, `hash.digest()`,
`log.error()`), so the rewrite keeps them everywhere. They are read from the syntax:
- names bound by imports of modules that are not the case's own (`import`, `from ... import`,
  `import ... from '...'`, `const x = require('...')`, destructured or not);
- attribute names read on an outside value: an expression rooted at an imported name, a builtin
  or a well-known global, or a literal (`"".join`, `[].map`); a value assigned from such an
  expression (`log = logging.getLogger()`, `this.client = new S3Client()`), bound by `with ... as`,
  `except ... as`, a `for` over one, a `catch` parameter, or a parameter of a function passed to an
  outside call (`app.get('/', (req, res) => ...)`) or of a method of a class with an outside base;
- keyword arguments and object-literal keys given to an outside call.
Because a name is kept everywhere or renamed everywhere, the rewrite stays consistent.
"""

from __future__ import annotations

from collections.abc import Iterator

from slopguard.parsing import SourceFile, walk
from tree_sitter import Node

MEMBERS = {"attribute": ("object", "attribute"), "member_expression": ("object", "property")}
CALLS = {"call": "function", "call_expression": "function", "new_expression": "constructor"}
WRAPPERS = {"await", "await_expression", "parenthesized_expression", "non_null_expression", "as_expression",
            "satisfies_expression", "subscript", "subscript_expression"}
LITERALS = {"string", "concatenated_string", "template_string", "list", "dict", "set", "tuple", "integer", "float",
            "number", "array", "regex", "list_comprehension", "dictionary_comprehension", "set_comprehension"}
FUNCTION_LITERALS = {"arrow_function", "function_expression", "function", "lambda"}
DICT_METHODS = frozenset(n for n in dir(dict) if not n.startswith("_"))
NAMES = {"identifier", "property_identifier", "shorthand_property_identifier_pattern", "shorthand_property_identifier"}


def text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def own_import(node: Node, roots: set[str]) -> bool:
    """An import of the case's own code: relative, `@/`-aliased, or of one of its top-level names."""
    source = node.child_by_field_name("source") or node.child_by_field_name("module_name")
    if source is None:
        names = [text(n) for n in node.children_by_field_name("name")]
        return any(n.split(".")[0] in roots for n in names)
    return own_module(text(source).strip("\"'`"), roots)


def own_module(spec: str, roots: set[str]) -> bool:
    return spec.startswith((".", "@/", "~/")) or spec.split(".")[0].split("/")[0] in roots


def required(node: Node | None) -> str | None:
    """The module a `require('...')` call (possibly awaited) names, else None."""
    while node is not None and node.type in WRAPPERS:
        node = node.named_children[0] if node.named_children else None
    if node is None or node.type != "call_expression" or text(node.child_by_field_name("function")) != "require":
        return None
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    return text(first).strip("\"'`") if first is not None and first.type == "string" else None


def module_specifier(node: Node | None) -> bool:
    """A string node naming a module: an import's source or the argument of `require`/`import()`."""
    parent = node.parent if node is not None else None
    if parent is not None and parent.type == "import_statement":
        return True
    call = parent.parent if parent is not None and parent.type == "arguments" else None
    return call is not None and text(call.child_by_field_name("function")) in ("require", "import")


def data_key(string: Node | None) -> bool:
    """A string node used as a key of data: a subscript (`row["stock"]`), a dict or object literal's
    key (`{"sku": ...}`), or the first argument of a method dicts have (`row.get("stock")`)."""
    parent = string.parent if string is not None else None
    if parent is None:
        return False
    if parent.type in ("subscript", "subscript_expression"):
        return parent.child_by_field_name("value") != string and parent.child_by_field_name("object") != string
    if parent.type == "pair":
        return parent.child_by_field_name("key") == string
    call = parent.parent if parent.type in ("argument_list", "arguments") else None
    if call is None or not parent.named_children or parent.named_children[0] != string:
        return False
    function = call.child_by_field_name("function")
    if function is None or function.type not in MEMBERS:
        return False
    return text(function.child_by_field_name(MEMBERS[function.type][1])) in DICT_METHODS


def _names(node: Node | None) -> set[str]:
    return {text(n) for n in walk(node) if n.type in NAMES} if node is not None else set()


def _in_class_body(node: Node) -> bool:
    """A class attribute's declaration (`sku = db.Column(...)`, a dataclass field): its instances'
    values are the case's own, whatever declares them."""
    statement = node.parent
    block = statement.parent if statement is not None else None
    return block is not None and block.type == "block" and block.parent is not None and \
        block.parent.type == "class_definition"


class Outside:
    """The names of one case that come from outside it (see the module docstring)."""

    def __init__(self, sources: list[SourceFile], roots: set[str], globals_: frozenset[str]) -> None:
        self.roots = roots
        self.imported: set[str] = set()
        self.valued: set[str] = set()  # names holding an outside value
        self.attributes: set[str] = set()  # attribute names read on an outside value
        self.globals = globals_
        nodes = [n for src in sources if src.root is not None for n in walk(src.root)]
        for node in nodes:
            self._imports(node)
        size = -1
        while size != len(self.valued) + len(self.attributes):  # values flow through assignments
            size = len(self.valued) + len(self.attributes)
            for node in nodes:
                self._flow(node)

    def names(self) -> set[str]:
        return self.imported | self.attributes

    def is_outside(self, node: Node | None, literals: bool = True) -> bool:
        """Whether expression `node` is rooted at something from outside the case. A literal's
        attributes are the language's, but what its methods return may be the case's own
        values (`rows.get(key)` on a dict), so for values `literals` is False."""
        while node is not None:
            kind = node.type
            if kind in CALLS:
                node = node.child_by_field_name(CALLS[kind])
            elif kind in WRAPPERS:
                node = node.named_children[0] if node.named_children else None
            elif kind in MEMBERS:
                if text(node.child_by_field_name(MEMBERS[kind][1])) in self.valued:
                    return True
                node = node.child_by_field_name(MEMBERS[kind][0])
            elif kind == "identifier":
                name = text(node)
                return name in self.imported or name in self.valued or name in self.globals
            else:
                return literals and kind in LITERALS
        return False

    def _imports(self, node: Node) -> None:
        if node.type in ("import_from_statement", "import_statement") and not own_import(node, self.roots):
            self.imported |= {text(n) for n in walk(node) if n.type == "identifier"}
        elif node.type == "variable_declarator":
            spec = required(node.child_by_field_name("value"))
            if spec is not None and not own_module(spec, self.roots):
                self.imported |= _names(node.child_by_field_name("name"))

    def _flow(self, node: Node) -> None:
        kind = node.type
        if kind in MEMBERS:
            obj, attr = MEMBERS[kind]
            if self.is_outside(node.child_by_field_name(obj)):
                self.attributes.add(text(node.child_by_field_name(attr)))
        elif kind in ("assignment", "assignment_expression", "variable_declarator", "for_statement",
                      "for_in_statement"):
            left = node.child_by_field_name("left") or node.child_by_field_name("name")
            right = node.child_by_field_name("right") or node.child_by_field_name("value")
            if left is not None and right is not None and not _in_class_body(node) and self.is_outside(
                    right, literals=False):
                self.valued |= set(self._bound(left))
                if left.type == "object_pattern":  # keys of an outside object
                    self.attributes |= _names(left)
        elif kind == "as_pattern" and node.named_children and self.is_outside(node.named_children[0], False):
            self.valued |= _names(node.child_by_field_name("alias"))
        elif kind == "catch_clause":
            self.valued |= _names(node.child_by_field_name("parameter"))
        elif kind in CALLS and self.is_outside(node.child_by_field_name(CALLS[kind])):
            self._outside_call(node)
        elif kind in ("class_definition", "class_declaration"):
            bases = node.child_by_field_name("superclasses") or next(
                (c for c in node.children if c.type == "class_heritage"), None)
            if bases is not None and any(self.is_outside(b) for b in walk(bases) if b.type in NAMES | set(MEMBERS)):
                body = node.child_by_field_name("body")
                for member in walk(body) if body is not None else ():
                    if member.type in ("function_definition", "method_definition"):
                        self.valued |= _names(member.child_by_field_name("parameters")) - {"self", "cls"}

    def _outside_call(self, call: Node) -> None:
        """Keyword names and object keys given to an outside call, and the parameters of the
        functions passed to it."""
        args = call.child_by_field_name("arguments")
        for arg in args.named_children if args is not None else ():
            if arg.type == "keyword_argument":
                self.attributes.add(text(arg.child_by_field_name("name")))
            elif arg.type == "object":
                self.attributes |= {text(p.child_by_field_name("key") or p) for p in arg.named_children
                                    if p.type in ("pair", "shorthand_property_identifier")}
            elif arg.type in FUNCTION_LITERALS:
                params = arg.child_by_field_name("parameters") or arg.child_by_field_name("parameter")
                self.valued |= _names(params)

    def _bound(self, target: Node) -> Iterator[str]:
        """The names an assignment target binds: identifiers, and an attribute's last name."""
        if target.type in MEMBERS:
            yield text(target.child_by_field_name(MEMBERS[target.type][1]))
            return
        yield from _names(target)
