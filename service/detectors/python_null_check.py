"""Values that may be None, dereferenced without a check.

## What it does
Tracks values that can be None inside one function: `dict.get(key)` without a default,
`os.environ.get()`/`os.getenv()` without a default, `re.match/search/fullmatch` (also on a compiled
pattern), ORM lookups (`.first()`, `.one_or_none()`, `session.get(Model, id)`, `.fetchone()`),
`next(iterator, None)`, calls to functions of the repository annotated `-> Optional[...]` /
`-> X | None`, parameters declared Optional or defaulting to None, class fields declared Optional
or nullable (`Optional` annotations, `nullable=True` columns, relationships over a nullable
foreign key) and payload keys a module documents as null. It reports the first dereference of
such a value (attribute access, method call, subscript, arithmetic, iteration, `len()`) that no
check guards: no `if x:` / `if x is not None:` around it, no early `return`/`raise`/`continue`
when it is None, no `assert x`, no `try/except (AttributeError, TypeError)`.

## Why is this bad?
The None case is the one the happy-path test never hits: an unknown id, an unset environment
variable, a line the pattern does not match. It then fails as an `AttributeError` or `TypeError`
far from its cause (a 500 instead of a 404, a crash at start-up instead of a default).

## Example
```python
coupon = Coupon.query.filter_by(code=code).first()
if coupon.is_expired(now):
    abort(422)
```

## Use instead
```python
coupon = Coupon.query.filter_by(code=code).first()
if coupon is None:
    abort(422, description="unknown coupon")
if coupon.is_expired(now):
    abort(422)
```
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from tree_sitter import Node

from ..detector import Detector, FileContext, Rule
from ..models import Finding, Severity
from ..parsing import SourceFile, walk
from . import _py_nullflow as nf
from ._py_memo import nodes_of

RULE = Rule(
    id="python.null-check.unguarded-optional",
    category="null-check",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A value that may be None is dereferenced without a check.",
)

DEREF_FUNCS = frozenset({"len", "iter", "sorted", "list", "tuple", "set", "frozenset", "sum",
                         "enumerate", "int", "float", "reversed", "dict"})
ORDERING = frozenset({"<", ">", "<=", ">="})
ORM_NONE_METHODS = {
    "first": "returns None when nothing matches",
    "one_or_none": "returns None when nothing matches",
    "scalar_one_or_none": "returns None when nothing matches",
    "first_or_none": "returns None when nothing matches",
    "get_or_none": "returns None when nothing matches",
    "find_one": "returns None when nothing matches",
    "fetchone": "returns None when the query has no rows",
}
HTTP_RECEIVER = re.compile(
    r"(?i)(?:^|_)(?:session|sess|client|requests|httpx|http|api|router|app|bp|blueprint|browser|"
    r"driver|page|web|resource)$"
)
REGEX_RECEIVER = re.compile(r"(?i)(?:_re|_rx|_regex|_pattern|_pat|^re|^rx|^regex|^pattern|^pat)$")
SESSION_RECEIVER = re.compile(r"(?i)(?:session|^db|\.db|_db)$")
AGGREGATE = re.compile(r"(?i)\b(?:count|sum|max|min|avg|total|exists)\s*\(")
GROUP_BY = re.compile(r"(?i)\bgroup\s+by\b")
SCOPES = ("function_definition", "module")
NESTED = ("function_definition", "class_definition")


@dataclass(frozen=True)
class Source:
    """A tracked expression that may hold None from byte `start` on."""

    path: str
    start: int
    why: str
    attr_only: bool = False
    origin: Node | None = None  # the assignment or parameter that makes it nullable


@dataclass(frozen=True)
class Hit:
    """An unguarded dereference of a tracked value."""

    use: Node
    source: Source
    message: str


@dataclass
class Scope:
    """One function (or the module's top level) of the changed file."""

    src: SourceFile
    file_path: str
    index: nf.RepoIndex
    node: Node
    body: Node
    cls: nf.ClassInfo | None
    nodes: list[Node]
    types: dict[str, nf.ClassInfo]
    assigned: dict[str, list[int]]
    _uses: dict[str, list[Node]] | None = None

    def uses(self, path: str) -> list[Node]:
        """The nodes spelling `path` (names, attributes, subscripts), in source order."""
        if self._uses is None:
            self._uses = {}
            for node in self.nodes:
                if node.type in ("identifier", "attribute", "subscript"):
                    self._uses.setdefault(nf.text(self.src, node), []).append(node)
        return self._uses.get(path, [])


class PythonNullCheck(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        src = ctx.head
        if src is None or src.root is None or _is_test(ctx.path) or not (ctx.diff.added or ctx.diff.removed):
            return
        index = nf.index_for(ctx.repo)
        reported: set[tuple[int, str]] = set()
        base = _base_state(ctx, index)
        every = bool(base and ctx.diff.removed)
        for node, body in _scope_definitions(src):
            if not every and not ctx.changed(node):
                continue
            scope = _scope(src, ctx.path, index, node, body)
            for hit in _check_scope(scope):
                if "type: ignore" in src.line_text(hit.use.start_point[0] + 1):
                    continue
                finding = _report(ctx, scope, hit, base)
                if finding is None or (finding.line, hit.source.path) in reported:
                    continue
                reported.add((finding.line, hit.source.path))
                yield finding


class BaseState:
    """What the base version of the file already did: unguarded uses and tracked values, per
    scope name (worked out for the scopes a finding asks about only)."""

    def __init__(self, src: SourceFile, path: str, index: nf.RepoIndex) -> None:
        self.src, self.path, self.index = src, path, index
        self._facts: dict[str, tuple[set[str], set[str]]] = {}

    @functools.cached_property
    def definitions(self) -> dict[str, list[tuple[Node, Node]]]:
        found: dict[str, list[tuple[Node, Node]]] = {}
        for node, body in _scope_definitions(self.src):
            found.setdefault(_scope_name(self.src, node), []).append((node, body))
        return found

    def _of(self, name: str) -> tuple[set[str], set[str]]:
        """(tracked paths, paths used unguarded) of the base scopes called `name`."""
        if name not in self._facts:
            sources: set[str] = set()
            hits: set[str] = set()
            for node, body in self.definitions.get(name, []):
                scope = _scope(self.src, self.path, self.index, node, body)
                found = list(_sources(scope))
                sources |= {source.path for source in found}
                hits |= {hit.source.path for hit in _check_scope(scope, found)}
            self._facts[name] = (sources, hits)
        return self._facts[name]

    def has_hit(self, name: str, path: str) -> bool:
        return path in self._of(name)[1]

    def has_source(self, name: str, path: str) -> bool:
        return path in self._of(name)[0]

    def scope(self, name: str) -> Node | None:
        found = self.definitions.get(name)
        return found[-1][0] if found else None


def _base_state(ctx: FileContext, index: nf.RepoIndex) -> BaseState | None:
    src = ctx.base
    if src is None or src.root is None:
        return None
    return BaseState(src, ctx.diff.old_path or ctx.path, index)


def _scope_name(src: SourceFile, node: Node) -> str:
    names = []
    cur: Node | None = node
    while cur is not None:
        if cur.type in ("function_definition", "class_definition"):
            names.append(nf.text(src, cur.child_by_field_name("name")))
        cur = cur.parent
    return ".".join(reversed(names))


def _report(ctx: FileContext, scope: Scope, hit: Hit, base: BaseState | None) -> Finding | None:
    """Anchor the finding on the line a reviewer comments on (see `_anchor`)."""
    anchor = _anchor(ctx, hit)
    name = _scope_name(scope.src, scope.node)
    known = base is not None and base.has_hit(name, hit.source.path)
    if anchor is not None and (anchor == hit.use or not known):
        return ctx.finding(RULE, anchor, hit.message, end=anchor.start_point[0] + 1)
    if anchor is not None or known or base is None or not base.has_source(name, hit.source.path):
        return None
    line = _removed_guard_line(ctx, base.scope(name), hit.source.path)
    if line is None:
        return None
    use_line = hit.use.start_point[0] + 1
    return ctx.finding(RULE, line, f"This change removes the check of `{hit.source.path}`, so line "
                       f"{use_line} now dereferences it when it is None ({hit.source.why}); keep "
                       "the check.", side="LEFT")


def _removed_guard_line(ctx: FileContext, scope_node: Node | None, path: str) -> int | None:
    """The first removed base line of the function that tested `path`."""
    src = ctx.base
    if scope_node is None or src is None:
        return None
    first, last = scope_node.start_point[0] + 1, scope_node.end_point[0] + 1
    pattern = re.compile(rf"\b(?:if|elif|assert|while)\b.*{re.escape(path)}(?!\w)")
    for line in sorted(ctx.diff.removed):
        if first <= line <= last and pattern.search(src.line_text(line)):
            return line
    return None


def _anchor(ctx: FileContext, hit: Hit) -> Node | None:
    """The dereference when the change touches it, else the changed line that made it nullable
    (a default dropped from `.get()`, an Optional return now used unchecked)."""
    if ctx.changed(hit.use):
        return hit.use
    origin = hit.source.origin
    if origin is not None and ctx.changed(origin):
        return origin
    return None


# ---------------------------------------------------------------------------------------------
# scopes


def _is_test(path: str) -> bool:
    """Tests fail loudly on None anyway; a None dereference there is not a production bug."""
    parts = path.split("/")
    name = parts[-1]
    return (any(p in ("tests", "test", "testing") for p in parts[:-1]) or name.startswith("test_")
            or name.endswith("_test.py") or name == "conftest.py")


def _scope_definitions(src: SourceFile) -> list[tuple[Node, Node]]:
    """(node, body) of the module and of every function, in source order."""
    found = []
    for node in nodes_of(src, *SCOPES):
        body = node.child_by_field_name("body") if node.type == "function_definition" else node
        if body is not None:
            found.append((node, body))
    return found


def _scope(src: SourceFile, path: str, index: nf.RepoIndex, node: Node, body: Node) -> Scope:
    cls = _enclosing_class(src, path, index, node)
    nodes = list(_scope_nodes(body))
    scope = Scope(src, path, index, node, body, cls, nodes, {}, _assignments(src, nodes))
    scope.types = _local_types(scope)
    return scope


def _scope_nodes(body: Node) -> Iterator[Node]:
    """Every node of a scope, in source order, without nested functions and classes."""
    stack = list(reversed(body.children))
    while stack:
        cur = stack.pop()
        if cur.type in NESTED or (cur.type == "decorated_definition"):
            continue
        yield cur
        stack.extend(reversed(cur.children))


def _enclosing_class(src: SourceFile, path: str, index: nf.RepoIndex, node: Node) -> nf.ClassInfo | None:
    cur = node.parent
    while cur is not None and cur.type not in ("class_definition", "function_definition"):
        cur = cur.parent
    if cur is None or cur.type != "class_definition":
        return None
    own = index.module(path)
    name = nf.text(src, cur.child_by_field_name("name"))
    return own.classes.get(name) if own else None


def _assignments(src: SourceFile, nodes: list[Node]) -> dict[str, list[int]]:
    """Byte offsets where each assigned name/attribute gets a new value."""
    out: dict[str, list[int]] = {}
    for node in nodes:
        targets: list[Node] = []
        if node.type in ("assignment", "augmented_assignment"):
            left = node.child_by_field_name("left")
            targets = _target_leaves(left)
        elif node.type == "named_expression":
            targets = [n for n in [node.child_by_field_name("name")] if n is not None]
        elif node.type in ("for_statement", "for_in_clause"):
            targets = _target_leaves(node.child_by_field_name("left"))
        elif node.type == "as_pattern_target":
            targets = _target_leaves(node.named_children[0] if node.named_children else None)
        for target in targets:
            out.setdefault(nf.text(src, target), []).append(node.end_byte if node.type != "for_statement"
                                                            else target.end_byte)
    return out


def _target_leaves(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type in ("pattern_list", "tuple_pattern", "list_pattern", "tuple", "list",
                     "parenthesized_expression"):
        return [leaf for child in node.named_children for leaf in _target_leaves(child)]
    return [node]


def _local_types(scope: Scope) -> dict[str, nf.ClassInfo]:
    """What class a local name or parameter holds, where the code says so."""
    types: dict[str, nf.ClassInfo] = {}
    src, index, path = scope.src, scope.index, scope.file_path
    params = scope.node.child_by_field_name("parameters") if scope.node.type == "function_definition" else None
    for param in params.named_children if params is not None else []:
        ann = nf.text(src, param.child_by_field_name("type"))
        name = nf.text(src, param.child_by_field_name("name") or param)
        kind = nf.class_name_of(ann) if ann else None
        found = index.lookup_class(path, kind) if kind else None
        if found is not None:
            types[name] = found
    for node in scope.nodes:
        if node.type != "assignment":
            continue
        left = node.child_by_field_name("left")
        if left is None or left.type != "identifier":
            continue
        kind = _class_of_value(scope, node.child_by_field_name("right"))
        found = index.lookup_class(path, kind) if kind else None
        if found is not None:
            types.setdefault(nf.text(src, left), found)
    return types


def _class_of_value(scope: Scope, value: Node | None) -> str | None:
    value = nf.unwrap(value)
    if value is None or value.type != "call":
        return None
    fn = value.child_by_field_name("function")
    fn_text = nf.text(scope.src, fn)
    if fn is not None and fn.type == "identifier":
        if fn_text[:1].isupper():
            return fn_text
        own = scope.index.module(scope.file_path)
        if own and fn_text in own.returns:
            return own.returns[fn_text]
        target = own.imports.get(fn_text) if own else None
        info = scope.index.module(target[0]) if target else None
        if info is not None and target is not None:
            return info.returns.get(target[1] or fn_text)
        return None
    root = re.match(r"([A-Z]\w*)\.(?:query|objects)\b", fn_text)
    return root.group(1) if root else None


def _type_of(scope: Scope, obj: Node) -> nf.ClassInfo | None:
    obj_text = nf.text(scope.src, obj)
    if obj_text == "self":
        return scope.cls
    if obj.type == "identifier":
        if obj_text in scope.types:
            return scope.types[obj_text]
        if obj_text[:1].isupper():
            return scope.index.lookup_class(scope.file_path, obj_text)
        for info in scope.index.related(scope.file_path):
            for cls in info.classes.values():
                if nf.snake(cls.name) == obj_text:
                    return cls
        return None
    if obj.type == "attribute" and scope.cls is not None \
            and nf.text(scope.src, obj.child_by_field_name("object")) == "self":
        name = nf.text(scope.src, obj.child_by_field_name("attribute"))
        kind = scope.cls.field_types.get(name)
        return scope.index.lookup_class(scope.file_path, kind) if kind else None
    return None


# ---------------------------------------------------------------------------------------------
# what may be None


def _args(call: Node) -> tuple[list[Node], dict[str, Node]]:
    args = call.child_by_field_name("arguments")
    positional: list[Node] = []
    keywords: dict[str, Node] = {}
    for arg in args.named_children if args is not None else []:
        if arg.type == "keyword_argument":
            name = arg.child_by_field_name("name")
            value = arg.child_by_field_name("value")
            if name is not None and value is not None:
                keywords[name.text.decode() if name.text else ""] = value
        elif arg.type not in ("comment", "list_splat", "dictionary_splat"):
            positional.append(arg)
    return positional, keywords


def _is_none(node: Node | None) -> bool:
    node = nf.unwrap(node)
    return node is not None and node.type == "none"


def _short(scope: Scope, call: Node) -> str:
    """`Coupon.query.filter_by(...).first()` -> `Coupon.query...first()`."""
    fn = call.child_by_field_name("function")
    whole = nf.text(scope.src, fn)
    if fn is not None and fn.type == "attribute":
        obj = nf.text(scope.src, fn.child_by_field_name("object"))
        method = nf.text(scope.src, fn.child_by_field_name("attribute"))
        if "(" in obj or len(obj) > 30:
            head = re.match(r"[\w.]+", obj)
            stem = head.group(0).rstrip(".") if head else obj[:20]
            return f"{stem}...{method}()"
        return f"{obj}.{method}()"
    return f"{whole}()"


def nullable(scope: Scope, expr: Node | None) -> tuple[str, bool] | None:
    """Why `expr` may evaluate to None (and whether only attribute access proves a bug)."""
    expr = nf.unwrap(expr)
    if expr is not None and expr.type == "conditional_expression":
        return _nullable_conditional(scope, expr)
    if expr is not None and expr.type == "attribute":
        field = _nullable_field(scope, expr)
        if field is None or _guarded(scope, expr, Source(nf.text(scope.src, expr), scope.body.start_byte, field)):
            return None  # `if self.x is not None: y = self.x` - narrowed before the copy
        return field, False
    if expr is None or expr.type != "call":
        return None
    fn = expr.child_by_field_name("function")
    if fn is None:
        return None
    positional, keywords = _args(expr)
    if fn.type == "identifier":
        return _nullable_plain_call(scope, expr, nf.text(scope.src, fn), positional, keywords)
    if fn.type != "attribute":
        return None
    obj = fn.child_by_field_name("object")
    method = nf.text(scope.src, fn.child_by_field_name("attribute"))
    if obj is None:
        return None
    return _nullable_method_call(scope, expr, obj, method, positional, keywords)


def _nullable_conditional(scope: Scope, expr: Node) -> tuple[str, bool] | None:
    """`a if cond else None`: None whenever `cond` is false."""
    parts = [c for c in expr.named_children if c.type != "comment"]
    if len(parts) != 3:
        return None
    value, cond, other = parts
    if _is_none(other) and not _is_none(value):
        return f"it is None unless `{_clip(nf.text(scope.src, cond))}`", False
    if _is_none(value) and not _is_none(other):
        return f"it is None when `{_clip(nf.text(scope.src, cond))}`", False
    return None


def _clip(code: str, limit: int = 40) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."


def _nullable_plain_call(scope: Scope, call: Node, name: str, positional: list[Node],
                         keywords: dict[str, Node]) -> tuple[str, bool] | None:
    if name == "next" and len(positional) == 2 and _is_none(positional[1]):
        return "`next(..., None)` returns None when nothing is left", False
    if name == "getattr" and len(positional) == 3 and _is_none(positional[2]):
        return "`getattr(..., None)` returns None when the attribute is missing", False
    if name in ("min", "max") and _is_none(keywords.get("default")):
        return f"`{name}(..., default=None)` returns None for an empty input", False
    if name == "getenv" and _env_default_missing(positional, keywords):
        return "`getenv()` returns None when the variable is unset", False
    if scope.index.function_is_optional(scope.file_path, name):
        return f"`{name}()` is annotated to return None", False
    return None


def _env_default_missing(positional: list[Node], keywords: dict[str, Node]) -> bool:
    if "default" in keywords:
        return _is_none(keywords["default"])
    return len(positional) == 1 or (len(positional) == 2 and _is_none(positional[1]))


def _nullable_method_call(scope: Scope, call: Node, obj: Node, method: str, positional: list[Node],
                          keywords: dict[str, Node]) -> tuple[str, bool] | None:
    src = scope.src
    obj_text = nf.text(src, obj)
    short = _short(scope, call)
    verdict = _repo_method_verdict(scope, obj, method)
    if verdict is not None:
        return (f"`{short}` is annotated to return None", False) if verdict else None
    if method == "get":
        return _nullable_get(scope, call, obj_text, positional, keywords)
    if method == "getenv" and obj_text == "os" and _env_default_missing(positional, keywords):
        return f"`{short}` returns None when the variable is unset", False
    if method in ("match", "search", "fullmatch") and positional and _is_regex(scope, obj_text):
        return f"`{short}` returns None when the text does not match", False
    if method in ORM_NONE_METHODS and not positional and not keywords:
        if method == "fetchone" and AGGREGATE.search(obj_text) and not GROUP_BY.search(obj_text):
            return None  # an aggregate without GROUP BY always yields one row
        return f"`{short}` {ORM_NONE_METHODS[method]}", False
    if method == "scalar" and positional and "select(" in nf.text(src, positional[0]) \
            and "count(" not in nf.text(src, positional[0]):
        return f"`{short}` returns None when nothing matches", False
    if method == "get_json" and nf.text(src, keywords.get("silent")) == "True":
        return f"`{short}` returns None when the body is not JSON", False
    if method == "pop" and len(positional) == 2 and _is_none(positional[1]):
        return f"`{short}` returns None when the key is missing", False
    if method == "which" and obj_text == "shutil":
        return "`shutil.which()` returns None when the program is not installed", False
    if method in ("find", "select_one") and positional and obj.type != "string":
        # Element/soup lookups; `str.find` returns an int, which nobody reads attributes from
        return f"`{short}` returns None when nothing matches", True
    return None


def _is_regex(scope: Scope, obj_text: str) -> bool:
    if obj_text in ("re", "regex") or obj_text.startswith(("re.compile(", "regex.compile(")) \
            or obj_text in scope.index.regex_names(scope.file_path):
        return True
    return bool(REGEX_RECEIVER.search(obj_text.rsplit(".", 1)[-1]))


def _nullable_get(scope: Scope, call: Node, obj_text: str, positional: list[Node],
                  keywords: dict[str, Node]) -> tuple[str, bool] | None:
    short = _short(scope, call)
    last = obj_text.rsplit(".", 1)[-1]
    if "default" in keywords and not _is_none(keywords["default"]):
        return None
    if obj_text.endswith("environ"):
        if _env_default_missing(positional, keywords):
            return f"`{short}` returns None when the variable is unset", False
        return None
    if len(positional) == 2 and SESSION_RECEIVER.search(obj_text) and \
            re.fullmatch(r"(?:\w+\.)*[A-Z]\w*", nf.text(scope.src, positional[0])):
        return f"`{short}` returns None for an unknown id", False
    if len(positional) == 2 and _is_none(positional[1]):
        return f"`{short}` returns None when the key is missing", False
    if len(positional) != 1 or HTTP_RECEIVER.search(last) or last[:1].isupper():
        return None
    own = scope.index.module(scope.file_path)
    if own is not None and obj_text in own.module_aliases:
        return None  # a module's own get(), not a mapping
    key = positional[0]
    key_text = nf.text(scope.src, key)
    if (key.type == "string" and re.search(r"/|https?:", key_text)) or re.search(r"(?i)(?:url|uri)$", key_text):
        return None
    return f"`{short}` returns None when the key is missing", False


def _repo_method_verdict(scope: Scope, obj: Node, method: str) -> bool | None:
    """Is the repository's own definition of this method annotated Optional (None: not found)?"""
    obj_text = nf.text(scope.src, obj)
    index, path = scope.index, scope.file_path
    own = index.module(path)
    if obj.type == "identifier" and own is not None and own.imports.get(obj_text, ("", ""))[1] is None:
        return index.module_function_is_optional(path, obj_text, method)
    if obj_text in ("self", "cls"):
        return index.method_is_optional(path, scope.cls, method) if scope.cls else None
    return index.method_is_optional(path, _type_of(scope, obj), method)


# ---------------------------------------------------------------------------------------------
# collecting sources, checking uses


def _check_scope(scope: Scope, sources: Iterable[Source] | None = None) -> Iterator[Hit]:
    for source in _sources(scope) if sources is None else sources:
        found = _first_unguarded_use(scope, source)
        if found is not None:
            node, deref = found
            yield Hit(node, source, f"`{source.path}` may be None ({source.why}); check it before {deref}.")
    yield from _direct_derefs(scope)


def _sources(scope: Scope) -> Iterator[Source]:
    src = scope.src
    yield from _param_sources(scope)
    seen_fields: set[str] = set()
    null_keys = scope.index.null_keys(scope.file_path)
    for node in scope.nodes:
        if node.type == "assignment":
            left = node.child_by_field_name("left")
            if left is not None and left.type in ("identifier", "attribute"):
                why = nullable(scope, node.child_by_field_name("right"))
                if why is not None:
                    yield Source(nf.text(src, left), node.end_byte, why[0], why[1], node)
        elif node.type == "named_expression":
            why = nullable(scope, node.child_by_field_name("value"))
            if why is not None:
                yield Source(nf.text(src, node.child_by_field_name("name")), node.end_byte, why[0],
                             why[1], node)
        elif node.type == "attribute":
            field = _field_source(scope, node)
            if field is not None and field.path not in seen_fields:
                seen_fields.add(field.path)
                yield field
        elif node.type == "subscript" and null_keys:
            key_source = _payload_source(scope, node, null_keys)
            if key_source is not None and key_source.path not in seen_fields:
                seen_fields.add(key_source.path)
                yield key_source


def _param_sources(scope: Scope) -> Iterator[Source]:
    if scope.node.type != "function_definition" or \
            nf.text(scope.src, scope.node.child_by_field_name("name")) in ("__exit__", "__aexit__"):
        return
    params = scope.node.child_by_field_name("parameters")
    src = scope.src
    for param in params.named_children if params is not None else []:
        if param.type not in ("typed_parameter", "typed_default_parameter", "default_parameter"):
            continue
        name_node = param.child_by_field_name("name")
        if name_node is None and param.named_children:
            name_node = param.named_children[0]
        name = nf.text(src, name_node)
        ann = nf.text(src, param.child_by_field_name("type"))
        default = param.child_by_field_name("value")
        if ann and nf.is_optional_type(ann):
            yield Source(name, scope.body.start_byte, f"parameter `{name}` is declared `{ann}`",
                         origin=param)
        elif not ann and default is not None and _is_none(default):
            yield Source(name, scope.body.start_byte, f"parameter `{name}` defaults to None",
                         origin=param)


def _field_source(scope: Scope, node: Node) -> Source | None:
    if _deref_kind(scope, node) is None:
        return None
    why = _nullable_field(scope, node)
    if why is None:
        return None
    return Source(nf.text(scope.src, node), scope.body.start_byte, why)


def _nullable_field(scope: Scope, node: Node) -> str | None:
    """`obj.field` where the class of `obj` declares `field` Optional/nullable."""
    obj = node.child_by_field_name("object")
    if obj is None or obj.type not in ("identifier", "attribute"):
        return None
    cls = _type_of(scope, obj)
    if cls is None:
        return None
    name = nf.text(scope.src, node.child_by_field_name("attribute"))
    return scope.index.nullable_field(scope.file_path, cls, name)


def _payload_source(scope: Scope, node: Node, null_keys: set[str]) -> Source | None:
    key = node.child_by_field_name("subscript")
    if key is None or key.type != "string":
        return None
    name = nf.text(scope.src, key).strip("'\"")
    if name not in null_keys or _deref_kind(scope, node) is None:
        return None
    if any(f'get("{name}")' in nf.text(scope.src, n) or f"get('{name}')" in nf.text(scope.src, n)
           for n in scope.nodes if n.type == "call"):
        return None
    return Source(nf.text(scope.src, node), scope.body.start_byte,
                  f"the `{name}` field is documented as possibly null")


def _first_unguarded_use(scope: Scope, source: Source) -> tuple[Node, str] | None:
    assigned = scope.assigned.get(source.path, [])
    for node in scope.uses(source.path):
        if node.start_byte < source.start:
            continue
        if not _is_value_use(node) or _bound_by_comprehension(scope.src, node, source.path):
            continue
        owner = max((end for end in assigned if end <= node.start_byte), default=scope.body.start_byte)
        if owner != source.start:
            if owner > source.start:
                return None
            continue
        deref = _deref_kind(scope, node)
        if deref is None or (source.attr_only and not deref.startswith("`.")):
            continue
        if _guarded(scope, node, source):
            continue
        return node, deref
    return None


COMPREHENSIONS = ("list_comprehension", "generator_expression", "set_comprehension",
                  "dictionary_comprehension")


def _bound_by_comprehension(src: SourceFile, node: Node, path: str) -> bool:
    """`[cmd[0] for cmd in commands]`: this `cmd` is the comprehension's own variable."""
    cur = node.parent
    while cur is not None and cur.type not in ("function_definition", "module"):
        if cur.type in COMPREHENSIONS:
            for clause in cur.named_children:
                if clause.type == "for_in_clause" and any(
                        nf.text(src, leaf) == path
                        for leaf in _target_leaves(clause.child_by_field_name("left"))):
                    return True
        if cur.type == "lambda":
            params = cur.child_by_field_name("parameters")
            if params is not None and any(nf.text(src, p) == path for p in params.named_children):
                return True
        cur = cur.parent
    return False


def _is_value_use(node: Node) -> bool:
    if node.type not in ("identifier", "attribute", "subscript"):
        return False
    parent = node.parent
    if parent is None:
        return True
    if parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
        return False
    if parent.type == "keyword_argument" and parent.child_by_field_name("name") == node:
        return False
    if parent.type in ("assignment", "augmented_assignment") and parent.child_by_field_name("left") == node:
        return parent.type == "augmented_assignment"
    return parent.type not in ("parameters", "default_parameter", "typed_parameter",
                               "typed_default_parameter", "named_expression", "global_statement",
                               "nonlocal_statement", "dotted_name", "aliased_import")


def _direct_derefs(scope: Scope) -> Iterator[Hit]:
    for node in scope.nodes:
        if node.type != "call":
            continue
        parent = node.parent
        if parent is not None and parent.type in ("assignment", "named_expression"):
            continue
        deref = _deref_kind(scope, node)
        if deref is None:
            continue
        why = nullable(scope, node)
        if why is None or (why[1] and not deref.startswith("`.")):
            continue
        # a repeated pure lookup (`if d.get(k) is None: return` ... `d.get(k).x`) counts as checked
        source = Source(nf.text(scope.src, node), scope.body.start_byte, why[0], why[1])
        if _guarded(scope, node, source):
            continue
        yield Hit(node, source, f"{why[0][0].upper()}{why[0][1:]}; check the result before {deref}.")


# ---------------------------------------------------------------------------------------------
# dereferences and guards


def _outer(node: Node) -> tuple[Node, Node | None]:
    """Skip the parentheses around `node`."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        node, parent = parent, parent.parent
    return node, parent


def _deref_kind(scope: Scope, occurrence: Node) -> str | None:
    """How the use dereferences the value (`.attr`, `[...]`, arithmetic...), or None."""
    node, parent = _outer(occurrence)
    if parent is None:
        return None
    src = scope.src
    kind = parent.type
    if kind == "attribute" and parent.child_by_field_name("object") == node:
        attr = nf.text(src, parent.child_by_field_name("attribute"))
        grand = parent.parent
        called = grand is not None and grand.type == "call" and grand.child_by_field_name("function") == parent
        return f"`.{attr}()`" if called else f"`.{attr}`"
    if kind == "subscript" and parent.child_by_field_name("value") == node:
        return "subscripting it"
    if kind == "call" and parent.child_by_field_name("function") == node:
        return "calling it"
    if kind == "binary_operator":
        op = nf.text(src, parent.child_by_field_name("operator"))
        if op == "%" and parent.child_by_field_name("right") == node:
            return None
        return f"`{op}`"
    if kind == "unary_operator":
        return f"`{nf.text(src, parent.child_by_field_name('operator'))}`"
    if kind == "augmented_assignment" and parent.child_by_field_name("left") == node:
        return f"`{nf.text(src, parent.child_by_field_name('operator'))}`"
    if kind == "comparison_operator":
        return _comparison_deref(src, parent, node)
    if kind in ("for_statement", "for_in_clause") and parent.child_by_field_name("right") == node:
        return "iterating over it"
    if kind in ("list_splat", "dictionary_splat"):
        return "unpacking it"
    if kind == "argument_list":
        return _argument_deref(src, parent, node)
    return None


def _comparison_deref(src: SourceFile, parent: Node, node: Node) -> str | None:
    operands, ops = nf.comparison_parts(src, parent)
    ordering = [op for op in ops if op in ORDERING]
    if ordering:
        return f"comparing it with `{ordering[0]}`"
    if any(op in ("in", "not in") for op in ops) and operands and operands[0] != node:
        return "testing membership in it"
    return None


def _argument_deref(src: SourceFile, args: Node, node: Node) -> str | None:
    call = args.parent
    if call is None or call.type != "call":
        return None
    positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
    fn = nf.text(src, call.child_by_field_name("function"))
    if fn in DEREF_FUNCS and positional and positional[0] == node:
        return f"`{fn}()`"
    if fn.endswith(".join") and len(positional) == 1 and positional[0] == node and fn != "os.path.join":
        return "`.join()`"
    return None


def _guarded(scope: Scope, use: Node, source: Source) -> bool:
    """Is the use protected by a check between the source and the use?"""
    src, path, start = scope.src, source.path, source.start
    node = use
    while node.parent is not None and node != scope.body:
        parent = node.parent
        if _structural_guard(src, parent, node, path, start):
            return True
        if parent.type in ("block", "module"):
            for sibling in parent.named_children:
                if sibling.start_byte >= node.start_byte:
                    break
                if sibling.end_byte > start and _sequential_guard(src, sibling, path):
                    return True
        node = parent
    return False


def _condition_after(cond: Node | None, start: int) -> bool:
    return cond is not None and cond.end_byte >= start


def _structural_guard(src: SourceFile, parent: Node, child: Node, path: str, start: int) -> bool:
    kind = parent.type
    if kind in ("if_statement", "elif_clause", "while_statement"):
        cond = parent.child_by_field_name("condition")
        if child == parent.child_by_field_name("consequence") or (
                kind == "while_statement" and child == parent.child_by_field_name("body")):
            return _condition_after(cond, start) and nf.implies_not_none(src, cond, path, True)
        if kind == "if_statement" and child.type in ("elif_clause", "else_clause"):
            conds = [cond] + [alt.child_by_field_name("condition")
                              for alt in parent.children_by_field_name("alternative")
                              if alt.type == "elif_clause" and alt.start_byte < child.start_byte]
            return any(_condition_after(c, start) and nf.implies_not_none(src, c, path, False)
                       for c in conds)
        return False
    if kind == "conditional_expression":
        parts = [c for c in parent.named_children if c.type != "comment"]
        if len(parts) == 3 and _condition_after(parts[1], start):
            if child == parts[0]:
                return nf.implies_not_none(src, parts[1], path, True)
            if child == parts[2]:
                return nf.implies_not_none(src, parts[1], path, False)
        return False
    if kind == "boolean_operator" and child == parent.child_by_field_name("right"):
        left = parent.child_by_field_name("left")
        op = nf.text(src, parent.child_by_field_name("operator"))
        return _condition_after(left, start) and nf.implies_not_none(src, left, path, op == "and")
    if kind in ("list_comprehension", "generator_expression", "set_comprehension",
                "dictionary_comprehension"):
        return any(nf.implies_not_none(src, c.named_children[0] if c.named_children else None, path, True)
                   for c in parent.named_children if c.type == "if_clause")
    if kind == "try_statement" and child == parent.child_by_field_name("body"):
        return nf.catches_none_errors(src, parent)
    if kind == "case_clause":
        return _case_guards(src, parent, path)
    return False


def _breaks_only_when_set(src: SourceFile, loop: Node, path: str) -> bool:
    """`while True: ...; if x is not None: break` - after the loop `x` is set."""
    breaks = [n for n in walk(loop) if n.type == "break_statement"]
    if not breaks:
        return False
    for brk in breaks:
        block = brk.parent
        owner = block.parent if block is not None else None
        if owner is None or owner.type != "if_statement" or \
                not nf.implies_not_none(src, owner.child_by_field_name("condition"), path, True):
            return False
    return True


def _case_guards(src: SourceFile, case: Node, path: str) -> bool:
    """`match x: case str(): x.lower()` - a case other than `None`/`_` excludes None."""
    match = case.parent.parent if case.parent is not None else None
    if match is None or match.type != "match_statement":
        return False
    subject = match.child_by_field_name("subject")
    if not nf.refers_to(src, subject, path):
        return False
    pattern = " ".join(nf.text(src, c) for c in case.named_children if c.type == "case_pattern")
    return bool(pattern) and "None" not in pattern and pattern.strip() != "_"


def _sequential_guard(src: SourceFile, stmt: Node, path: str) -> bool:
    """A statement before the use after which the value cannot be None."""
    if stmt.type == "with_statement":
        body = stmt.child_by_field_name("body")
        return body is not None and any(_sequential_guard(src, s, path) for s in body.named_children)
    if stmt.type == "while_statement" and nf.text(src, stmt.child_by_field_name("condition")) == "True":
        return _breaks_only_when_set(src, stmt, path)
    if stmt.type == "assert_statement":
        cond = stmt.named_children[0] if stmt.named_children else None
        return nf.implies_not_none(src, cond, path, True)
    if stmt.type != "if_statement":
        return False
    branches = [(stmt.child_by_field_name("condition"), stmt.child_by_field_name("consequence"))]
    else_body = None
    for alt in stmt.children_by_field_name("alternative"):
        if alt.type == "elif_clause":
            branches.append((alt.child_by_field_name("condition"), alt.child_by_field_name("consequence")))
        else:
            else_body = alt.child_by_field_name("body")
    for i, (cond, body) in enumerate(branches):
        earlier_leave = all(nf.terminates(src, b) for _, b in branches[:i])
        if not earlier_leave:
            break
        if nf.implies_not_none(src, cond, path, False) and nf.restores(src, body, path):
            return True
    if else_body is not None and nf.restores(src, else_body, path):
        others_leave = all(nf.terminates(src, b) for _, b in branches[1:])
        return others_leave and nf.implies_not_none(src, branches[0][0], path, True)
    return False
