"""Shared helpers of the Python null-check detector: what the repository says may be None.

`RepoIndex` reads the head tree lazily (one parse per module, cached per scan) and answers:
which functions and methods are annotated to return an Optional, which class fields are declared
nullable (Optional annotations, `= None` defaults, `nullable=True` columns, relationships over a
nullable foreign key) and which payload keys a module documents as possibly null.

The flow helpers (`implies_not_none`, `terminates`, `catches_none_errors`) decide whether a
condition or a block guards a use of a value against None.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from tree_sitter import Node

from ..detector import RepoView
from ..parsing import SourceFile
from ._py_memo import nodes_of

# ---------------------------------------------------------------------------------------------
# small syntax helpers


def text(src: SourceFile, node: Node | None) -> str:
    return src.node_text(node) if node is not None else ""


def unwrap(node: Node | None) -> Node | None:
    """The expression inside parentheses (and `await`)."""
    while node is not None and node.type in ("parenthesized_expression", "await"):
        inner = [c for c in node.named_children if c.type != "comment"]
        if len(inner) != 1:
            return node
        node = inner[0]
    return node


def split_top(annotation: str, sep: str) -> list[str]:
    """Split a type expression on `sep` outside brackets."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in annotation:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return parts


_OPTIONAL_PREFIX = re.compile(r"^(?:typing\.|t\.)?Optional\[")
_UNION_PREFIX = re.compile(r"^(?:typing\.|t\.)?Union\[(.*)\]$", re.S)
_MAPPED = re.compile(r"^(?:\w+\.)?Mapped\[(.*)\]$", re.S)


def is_optional_type(annotation: str) -> bool:
    """True for `Optional[X]`, `X | None`, `Union[X, None]` (also quoted, also inside Mapped[])."""
    ann = annotation.strip().strip("'\"").strip()
    mapped = _MAPPED.match(ann)
    if mapped:
        ann = mapped.group(1).strip().strip("'\"")
    if _OPTIONAL_PREFIX.match(ann):
        return True
    if "None" in split_top(ann, "|") and len(split_top(ann, "|")) > 1:
        return True
    union = _UNION_PREFIX.match(ann)
    return bool(union and "None" in split_top(union.group(1), ","))


def class_name_of(annotation: str) -> str | None:
    """`Foo`, `models.Foo`, `Optional[Foo]`, `"Foo"` -> `Foo`; containers -> None."""
    ann = annotation.strip().strip("'\"").strip()
    inner = re.match(r"^(?:typing\.)?Optional\[(.*)\]$", ann)
    if inner:
        ann = inner.group(1).strip().strip("'\"")
    parts = [p for p in split_top(ann, "|") if p != "None"]
    if len(parts) != 1:
        return None
    m = re.fullmatch(r"(?:\w+\.)*([A-Z]\w*)", parts[0])
    return m.group(1) if m else None


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# ---------------------------------------------------------------------------------------------
# flow helpers

PREDICATE = re.compile(r"^_?(?:is|has|check|valid|validate)(?:_|[A-Z]|$)")
NORETURN_CALLS = frozenset({"abort", "exit", "_exit", "fail", "skip", "exit_json", "fail_json"})
NONE_ERRORS = ("AttributeError", "TypeError", "Exception", "BaseException")


def _named(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type != "comment"]


def refers_to(src: SourceFile, node: Node | None, path: str) -> bool:
    """`node` is the tracked value itself (also `(path := ...)`)."""
    node = unwrap(node)
    if node is None:
        return False
    if node.type == "named_expression":
        return text(src, node.child_by_field_name("name")) == path
    return text(src, node) == path


def implies_not_none(src: SourceFile, cond: Node | None, path: str, outcome: bool) -> bool:
    """Does `cond` evaluating to `outcome` prove that `path` is not None?"""
    cond = unwrap(cond)
    if cond is None:
        return False
    if refers_to(src, cond, path):
        return outcome
    kind = cond.type
    if kind == "not_operator":
        return implies_not_none(src, cond.child_by_field_name("argument"), path, not outcome)
    if kind == "boolean_operator":
        return _bool_implies(src, cond, path, outcome)
    if kind == "comparison_operator":
        return _comparison_implies(src, cond, path, outcome)
    if kind == "call":
        fn = text(src, cond.child_by_field_name("function"))
        args = _named(cond.child_by_field_name("arguments") or cond)
        if outcome and fn in ("isinstance", "bool", "len") and args:
            return refers_to(src, args[0], path)
        if PREDICATE.search(fn.rsplit(".", 1)[-1]) or fn in ("callable", "hasattr", "getattr"):
            # a type/shape check of the value: either way it was looked at on purpose
            return any(refers_to(src, a, path) or _mentions(src, a, path) for a in args)
    return False


def _mentions(src: SourceFile, node: Node, path: str) -> bool:
    return node.type == "call" and any(refers_to(src, a, path) for a in _named(
        node.child_by_field_name("arguments") or node))


def _bool_implies(src: SourceFile, cond: Node, path: str, outcome: bool) -> bool:
    op = text(src, cond.child_by_field_name("operator"))
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    left_t, right_t = (implies_not_none(src, n, path, outcome) for n in (left, right))
    if op == "and":
        return (left_t or right_t) if outcome else (left_t and right_t)
    return (left_t and right_t) if outcome else (left_t or right_t)


def comparison_parts(src: SourceFile, cond: Node) -> tuple[list[Node], list[str]]:
    """The operands and the normalised operators (`is not`, `<`...) of a comparison."""
    op_nodes = cond.children_by_field_name("operators")
    starts = {(o.start_byte, o.end_byte) for o in op_nodes}
    operands = [c for c in cond.named_children
                if c.type != "comment" and (c.start_byte, c.end_byte) not in starts]
    return operands, [" ".join(text(src, o).split()) for o in op_nodes]


def _comparison_implies(src: SourceFile, cond: Node, path: str, outcome: bool) -> bool:
    operands, ops = comparison_parts(src, cond)
    if len(operands) != 2 or len(ops) != 1:
        # a chained comparison such as `0 < x < 10` only holds for a real value
        plain = all(op not in ("is", "is not", "==", "!=") for op in ops)
        return outcome and plain and any(refers_to(src, o, path) for o in operands)
    op = ops[0]
    left, right = operands
    if refers_to(src, right, path):
        if op in ("in", "not in"):
            return False
        left, right = right, left
    if not refers_to(src, left, path):
        return False
    other = unwrap(right)
    if other is not None and other.type == "none":
        return outcome if op in ("is not", "!=") else (not outcome) if op in ("is", "==") else False
    literal = _non_none_literal(src, other)
    if op == "in":
        return outcome  # collections of real values rarely hold None
    if op in ("is", "=="):
        return outcome and literal
    if op in ("is not", "!=", "not in"):
        return (not outcome) and literal
    # ordering only succeeds on a real value
    return outcome


_LITERALS = ("string", "concatenated_string", "integer", "float", "true", "false")


def _non_none_literal(src: SourceFile, node: Node | None) -> bool:
    """A literal (or a literal collection without None) that None never equals or belongs to."""
    if node is None:
        return False
    if node.type in _LITERALS:
        return True
    if node.type in ("tuple", "list", "set"):
        return not any(c.type == "none" for c in node.named_children)
    if node.type in ("attribute", "identifier"):
        return text(src, node).rsplit(".", 1)[-1].isupper()
    return False


def terminates(src: SourceFile, block: Node | None) -> bool:
    """Does the block always leave (return, raise, continue, break, abort(), sys.exit())?"""
    if block is None:
        return False
    for stmt in _named(block):
        if stmt.type in ("return_statement", "raise_statement", "continue_statement",
                         "break_statement"):
            return True
        if stmt.type == "expression_statement" and _is_noreturn_call(src, stmt):
            return True
        if stmt.type == "if_statement" and _if_always_leaves(src, stmt):
            return True
    return False


def _is_noreturn_call(src: SourceFile, stmt: Node) -> bool:
    expr = unwrap(stmt.named_children[0]) if stmt.named_children else None
    if expr is None or expr.type != "call":
        return False
    fn = text(src, expr.child_by_field_name("function"))
    return fn.rsplit(".", 1)[-1] in NORETURN_CALLS


def _if_always_leaves(src: SourceFile, stmt: Node) -> bool:
    if not terminates(src, stmt.child_by_field_name("consequence")):
        return False
    has_else = False
    for alt in stmt.children_by_field_name("alternative"):
        body = alt.child_by_field_name("consequence") or alt.child_by_field_name("body")
        if not terminates(src, body):
            return False
        has_else = has_else or alt.type == "else_clause"
    return has_else


def assigns(src: SourceFile, block: Node | None, path: str) -> bool:
    """Does the block (at any depth) assign `path`?"""
    if block is None:
        return False
    for node in _walk(block):
        if node.type in ("assignment", "augmented_assignment") \
                and text(src, node.child_by_field_name("left")) == path:
            return True
    return False


def restores(src: SourceFile, block: Node | None, path: str) -> bool:
    """After this block the value is set again: it assigns it, asserts it, or (for `self.x`)
    calls a method of `self` that is expected to set it."""
    if block is None:
        return False
    if terminates(src, block) or assigns(src, block, path):
        return True
    for node in _walk(block):
        if node.type == "assert_statement" and node.named_children \
                and implies_not_none(src, node.named_children[0], path, True):
            return True
        if path.startswith("self.") and node.type == "call" \
                and text(src, node.child_by_field_name("function")).startswith("self."):
            return True
    return False


def catches_none_errors(src: SourceFile, try_stmt: Node) -> bool:
    """Does one of the except clauses catch what dereferencing None raises?"""
    for clause in try_stmt.named_children:
        if clause.type not in ("except_clause", "except_group_clause"):
            continue
        caught = [c for c in clause.named_children if c.type != "block"]
        if not caught:
            return True  # bare except
        names = text(src, caught[0])
        if any(re.search(rf"\b{err}\b", names) for err in NONE_ERRORS):
            return True
    return False


def _walk(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        stack.extend(reversed(cur.children))


# ---------------------------------------------------------------------------------------------
# the repository index


@dataclass
class ClassInfo:
    name: str
    nullable_fields: dict[str, str] = field(default_factory=dict)  # field -> why
    field_types: dict[str, str] = field(default_factory=dict)  # field -> class name
    optional_methods: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    returns: dict[str, str] = field(default_factory=dict)  # method -> class name
    bases: list[str] = field(default_factory=list)


@dataclass
class ModuleInfo:
    path: str
    optional_funcs: set[str] = field(default_factory=set)
    funcs: set[str] = field(default_factory=set)
    returns: dict[str, str] = field(default_factory=dict)  # function -> class name
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local -> (module, name)
    null_keys: set[str] = field(default_factory=set)  # payload keys documented as nullable
    regex_names: set[str] = field(default_factory=set)  # names bound to re.compile(...)
    module_aliases: set[str] = field(default_factory=set)  # names bound by `import x [as y]`


_NULL_DOC = re.compile(
    r"[`'\"](\w+)[`'\"]\s*(?:is|may be|can be|will be|might be|could be)\s+(?:null|None|nil)\b"
    r"|[\"'](\w+)[\"']\s*:\s*null\b"
)


class RepoIndex:
    """Module facts of the head tree, parsed on demand and kept for the whole scan."""

    def __init__(self, repo: RepoView) -> None:
        self.repo = repo
        self._modules: dict[str, ModuleInfo | None] = {}
        self._paths: list[str] | None = None
        self._resolved: dict[tuple[str, str], str | None] = {}
        self._related: dict[str, list[ModuleInfo]] = {}
        self._null_keys: dict[str, set[str]] = {}

    # -- module resolution ------------------------------------------------------------------

    def py_paths(self) -> list[str]:
        if self._paths is None:
            self._paths = [p for p in self.repo.paths("RIGHT") if p.endswith(".py")]
        return self._paths

    def resolve_module(self, current: str, dotted: str) -> str | None:
        """The file path of module `dotted` imported from file `current` (`.x` relative)."""
        level = len(dotted) - len(dotted.lstrip("."))
        key = (PurePosixPath(current).parent.as_posix() if level else "", dotted)
        if key not in self._resolved:
            self._resolved[key] = self._resolve_module(current, dotted, level)
        return self._resolved[key]

    def _resolve_module(self, current: str, dotted: str, level: int) -> str | None:
        name = dotted[level:]
        if level:
            base = PurePosixPath(current).parent
            for _ in range(level - 1):
                base = base.parent
            stem = (base / name.replace(".", "/")).as_posix() if name else base.as_posix()
            stem = stem.lstrip("./") if stem.startswith("./") else stem
            return self._existing([stem])
        return self._existing([name.replace(".", "/")], suffix_ok=True)

    def _existing(self, stems: list[str], suffix_ok: bool = False) -> str | None:
        paths = self.py_paths()
        pool = set(paths)
        for stem in stems:
            for cand in (f"{stem}.py", f"{stem}/__init__.py"):
                cand = cand.lstrip("/") if not cand.startswith("./") else cand[2:]
                if cand in pool:
                    return cand
        if suffix_ok:
            for stem in stems:
                for cand in (f"/{stem}.py", f"/{stem}/__init__.py"):
                    hits = sorted(p for p in paths if p.endswith(cand))
                    if hits:
                        return hits[0]
        return None

    def module(self, path: str | None) -> ModuleInfo | None:
        if path is None:
            return None
        if path not in self._modules:
            src = self.repo.source("RIGHT", path)
            self._modules[path] = _read_module(self, path, src) if src and src.root else None
        return self._modules[path]

    def related(self, path: str) -> list[ModuleInfo]:
        """The module itself and every module it imports from the repository (do not modify
        the list: it is kept for the next question)."""
        found = self._related.get(path)
        if found is not None:
            return found
        own = self.module(path)
        if own is None:
            return []
        out = [own]
        for target in sorted({mod for mod, _ in own.imports.values()}):
            info = self.module(target)
            if info is not None and all(info is not known for known in out):
                out.append(info)
        self._related[path] = out
        return out

    # -- questions ---------------------------------------------------------------------------

    def lookup_class(self, path: str, name: str) -> ClassInfo | None:
        for info in self.related(path):
            if name in info.classes:
                return info.classes[name]
        return None

    def function_is_optional(self, path: str, name: str) -> bool | None:
        """A plain call `name(...)`: True/False when its definition is found, None otherwise."""
        own = self.module(path)
        if own is None:
            return None
        if name in own.funcs:
            return name in own.optional_funcs
        target = own.imports.get(name)
        if target is not None:
            info = self.module(target[0])
            real = target[1] or name
            if info is not None and real in info.funcs:
                return real in info.optional_funcs
        return None

    def module_function_is_optional(self, path: str, alias: str, name: str) -> bool | None:
        own = self.module(path)
        target = own.imports.get(alias) if own else None
        if target is None or target[1] is not None:
            return None
        info = self.module(target[0])
        if info is None or name not in info.funcs:
            return None
        return name in info.optional_funcs

    def method_is_optional(self, path: str, cls: ClassInfo | None, name: str) -> bool | None:
        """A method call on a value of class `cls` (None: unknown type, match by name)."""
        if cls is not None:
            for klass in self._mro(path, cls):
                if name in klass.methods:
                    return name in klass.optional_methods
            return None
        defs = [c for info in self.related(path) for c in info.classes.values() if name in c.methods]
        if not defs or name in GENERIC_METHOD_NAMES:
            return None
        return all(name in c.optional_methods for c in defs)

    def nullable_field(self, path: str, cls: ClassInfo, name: str) -> str | None:
        for klass in self._mro(path, cls):
            if name in klass.nullable_fields:
                return klass.nullable_fields[name]
            if name in klass.field_types or name in klass.methods:
                return None
        return None

    def _mro(self, path: str, cls: ClassInfo) -> Iterator[ClassInfo]:
        seen: set[str] = set()
        todo = [cls]
        while todo:
            cur = todo.pop(0)
            if cur.name in seen:
                continue
            seen.add(cur.name)
            yield cur
            for base in cur.bases:
                found = self.lookup_class(path, base)
                if found is not None:
                    todo.append(found)

    def null_keys(self, path: str) -> set[str]:
        """Payload keys documented as nullable (do not modify the set: it is shared)."""
        keys = self._null_keys.get(path)
        if keys is None:
            keys = set()
            for info in self.related(path):
                keys |= info.null_keys
            self._null_keys[path] = keys
        return keys

    def regex_names(self, path: str) -> set[str]:
        own = self.module(path)
        names = set(own.regex_names) if own else set()
        if own:
            for local, (mod, real) in own.imports.items():
                info = self.module(mod)
                if info is not None and real is not None and real in info.regex_names:
                    names.add(local)
        return names


GENERIC_METHOD_NAMES = frozenset({"get", "pop", "find", "first", "match", "search", "next", "one",
                                  "load", "read", "fetch", "run", "call", "__call__", "__init__"})

def index_for(repo: RepoView) -> RepoIndex:
    """The index of this scan's head tree, built once per scan."""
    return repo.memo("python.null-check.index", lambda: RepoIndex(repo))


# ---------------------------------------------------------------------------------------------
# reading one module


def _read_module(index: RepoIndex, path: str, src: SourceFile) -> ModuleInfo:
    info = ModuleInfo(path=path)
    root = src.root
    assert root is not None
    for node in nodes_of(src, "import_statement", "import_from_statement"):
        _read_import(index, path, src, node, info)
    for stmt in _named(root):
        node = _undecorate(stmt)
        if node.type == "function_definition":
            _read_function(src, node, info.funcs, info.optional_funcs, info.returns)
        elif node.type == "class_definition":
            cls = _read_class(src, node)
            info.classes[cls.name] = cls
        elif node.type == "expression_statement":
            _read_module_assignment(src, stmt, info)
    for m in _NULL_DOC.finditer(src.text):
        if m.group(1):
            info.null_keys.add(m.group(1))
        elif m.group(2) and _is_doc_line(src.text, m.start()):
            info.null_keys.add(m.group(2))
    return info


def _is_doc_line(whole: str, pos: int) -> bool:
    """Is the `"key": null` example inside a docstring or comment (not code)?"""
    line_start = whole.rfind("\n", 0, pos) + 1
    line = whole[line_start:pos]
    return "#" in line or whole.count('"""', 0, pos) % 2 == 1 or whole.count("'''", 0, pos) % 2 == 1


def _undecorate(node: Node) -> Node:
    if node.type == "decorated_definition":
        inner = node.child_by_field_name("definition")
        return inner if inner is not None else node
    return node


def _read_import(index: RepoIndex, path: str, src: SourceFile, node: Node, info: ModuleInfo) -> None:
    if node.type == "import_statement":
        for item in node.named_children:
            if item.type == "aliased_import":
                dotted = text(src, item.child_by_field_name("name"))
                local = text(src, item.child_by_field_name("alias"))
            elif item.type == "dotted_name":
                dotted = local = text(src, item)
            else:
                continue
            info.module_aliases.add(local.split(".")[0])
            target = index.resolve_module(path, dotted)
            if target:
                info.imports[local] = (target, None)
        return
    module_node = node.child_by_field_name("module_name")
    dotted = text(src, module_node)
    for item in node.children_by_field_name("name"):
        if item.type == "aliased_import":
            real = text(src, item.child_by_field_name("name"))
            local = text(src, item.child_by_field_name("alias"))
        else:
            real = local = text(src, item)
        sub = index.resolve_module(path, f"{dotted}.{real}" if not dotted.endswith(".") else dotted + real)
        if sub is not None:
            info.imports[local] = (sub, None)
            continue
        target = index.resolve_module(path, dotted)
        if target:
            info.imports[local] = (target, real)


def _return_annotation(src: SourceFile, fn: Node) -> str:
    return text(src, fn.child_by_field_name("return_type"))


def _read_function(src: SourceFile, fn: Node, funcs: set[str], optional: set[str],
                   returns: dict[str, str]) -> None:
    """Record a definition; with overloads or redefinitions, Optional only if every one is."""
    name = text(src, fn.child_by_field_name("name"))
    first = name not in funcs
    funcs.add(name)
    ann = _return_annotation(src, fn)
    if (ann and is_optional_type(ann)) or (not ann and _returns_none_or_value(fn)):
        if first:
            optional.add(name)
        return
    optional.discard(name)
    if ann:
        cls = class_name_of(ann)
        if cls:
            returns[name] = cls


def _returns_none_or_value(fn: Node) -> bool:
    """An unannotated function with both `return None` and `return <value>`."""
    body = fn.child_by_field_name("body")
    if body is None:
        return False
    explicit_none = value = False
    stack = list(body.children)
    while stack:
        node = stack.pop()
        if node.type in ("function_definition", "class_definition", "lambda"):
            continue
        if node.type == "return_statement":
            returned = [c for c in node.named_children if c.type != "comment"]
            if returned and returned[0].type == "none":
                explicit_none = True
            elif returned:
                value = True
        elif node.type == "yield":
            return False
        stack.extend(node.children)
    return explicit_none and value


def _read_class(src: SourceFile, node: Node) -> ClassInfo:
    cls = ClassInfo(name=text(src, node.child_by_field_name("name")))
    supers = node.child_by_field_name("superclasses")
    if supers is not None:
        for base in supers.named_children:
            if base.type in ("identifier", "attribute"):
                cls.bases.append(text(src, base).rsplit(".", 1)[-1])
    body = node.child_by_field_name("body")
    if body is None:
        return cls
    columns: dict[str, Node] = {}
    relationships: dict[str, Node] = {}
    for stmt in _named(body):
        inner = _undecorate(stmt)
        if inner.type == "function_definition":
            _read_function(src, inner, cls.methods, cls.optional_methods, cls.returns)
            if text(src, inner.child_by_field_name("name")) == "__init__":
                _read_init_fields(src, inner, cls)
        elif stmt.type == "expression_statement" and stmt.named_children:
            assign = stmt.named_children[0]
            if assign.type == "assignment":
                _read_field(src, assign, cls, columns, relationships)
    _read_relationships(src, cls, columns, relationships)
    return cls


_COLUMN_CALLS = ("Column", "mapped_column")
_RELATIONSHIP_CALLS = ("relationship", "relation")


def _call_name(src: SourceFile, node: Node | None) -> str:
    node = unwrap(node)
    if node is None or node.type != "call":
        return ""
    return text(src, node.child_by_field_name("function")).rsplit(".", 1)[-1]


def _keyword(src: SourceFile, call: Node, name: str) -> str | None:
    args = call.child_by_field_name("arguments")
    for arg in args.named_children if args is not None else []:
        if arg.type == "keyword_argument" and text(src, arg.child_by_field_name("name")) == name:
            return text(src, arg.child_by_field_name("value"))
    return None


def _read_field(src: SourceFile, assign: Node, cls: ClassInfo, columns: dict[str, Node],
                relationships: dict[str, Node]) -> None:
    left = assign.child_by_field_name("left")
    if left is None or left.type != "identifier":
        return
    name = text(src, left)
    if name.startswith("__"):
        return  # framework internals (`__pydantic_extra__`), not model fields
    ann = text(src, assign.child_by_field_name("type"))
    right = unwrap(assign.child_by_field_name("right"))
    if ann and is_optional_type(ann):
        cls.nullable_fields[name] = f"`{cls.name}.{name}` is declared Optional"
        return
    if right is not None and right.type == "none" and ann:
        cls.nullable_fields[name] = f"`{cls.name}.{name}` defaults to None"
        return
    called = _call_name(src, right)
    if right is not None and called in _COLUMN_CALLS:
        columns[name] = right
        if _keyword(src, right, "nullable") == "True":
            cls.nullable_fields[name] = f"`{cls.name}.{name}` is a nullable column"
            return
    elif right is not None and called in _RELATIONSHIP_CALLS:
        relationships[name] = right
        return
    elif right is not None and called.endswith(("Field", "ForeignKey")) \
            and _keyword(src, right, "null") == "True":
        cls.nullable_fields[name] = f"`{cls.name}.{name}` is declared with null=True"
        return
    kind = class_name_of(ann) if ann else None
    if kind:
        cls.field_types[name] = kind
    else:
        cls.field_types.setdefault(name, "")


def _read_relationships(src: SourceFile, cls: ClassInfo, columns: dict[str, Node],
                        relationships: dict[str, Node]) -> None:
    """A many-to-one relationship over a nullable foreign key may be None."""
    for name, call in relationships.items():
        uselist = _keyword(src, call, "uselist")
        if uselist == "True":
            continue
        fk_names = [f"{name}_id"]
        fks = _keyword(src, call, "foreign_keys")
        if fks:
            fk_names += re.findall(r"\b(\w+)\b", fks.split(".")[-1])
        fk = next((columns[n] for n in fk_names if n in columns), None)
        if fk is not None and _keyword(src, fk, "nullable") == "True":
            cls.nullable_fields[name] = (
                f"`{cls.name}.{name}` is a relationship over the nullable column `{name}_id`"
            )
        elif fk is None and uselist == "False" and not _keyword(src, call, "back_populates"):
            cls.nullable_fields[name] = f"`{cls.name}.{name}` is a one-to-one relationship"
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        target = text(src, first).strip("'\"") if first is not None else ""
        cls.field_types[name] = target if re.fullmatch(r"[A-Z]\w*", target) else ""


def _read_init_fields(src: SourceFile, init: Node, cls: ClassInfo) -> None:
    """`self.x: Optional[T] = ...` and `self.repo = repo` (with `repo: Repo`) in `__init__`."""
    body = init.child_by_field_name("body")
    if body is None:
        return
    params = _param_types(src, init)
    for node in _walk(body):
        if node.type != "assignment":
            continue
        left = node.child_by_field_name("left")
        if left is None or left.type != "attribute" or text(src, left.child_by_field_name("object")) != "self":
            continue
        name = text(src, left.child_by_field_name("attribute"))
        ann = text(src, node.child_by_field_name("type")) or params.get(
            text(src, node.child_by_field_name("right")), "")
        if not ann:
            continue
        if is_optional_type(ann) and node.child_by_field_name("type") is not None:
            cls.nullable_fields[name] = f"`{cls.name}.{name}` is declared Optional"
        else:
            cls.field_types[name] = class_name_of(ann) or ""


def _param_types(src: SourceFile, fn: Node) -> dict[str, str]:
    out: dict[str, str] = {}
    params = fn.child_by_field_name("parameters")
    for param in params.named_children if params is not None else []:
        ann = param.child_by_field_name("type")
        name = param.child_by_field_name("name")
        if ann is not None and name is not None:
            out[text(src, name)] = text(src, ann)
    return out


def _read_module_assignment(src: SourceFile, stmt: Node, info: ModuleInfo) -> None:
    assign = stmt.named_children[0] if stmt.named_children else None
    if assign is None or assign.type != "assignment":
        return
    left = assign.child_by_field_name("left")
    right = unwrap(assign.child_by_field_name("right"))
    if left is None or left.type != "identifier" or right is None or right.type != "call":
        return
    if text(src, right.child_by_field_name("function")) in ("re.compile", "regex.compile", "compile"):
        info.regex_names.add(text(src, left))
