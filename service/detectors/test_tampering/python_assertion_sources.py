"""Where a Python test's assertions live and what they look at, beyond the test's own body.

A test often asserts through a helper of its own module (`compare_documents(actual, expected)`), and
an assertion often checks a value computed a line earlier (`msg = builder.build_user_message(x)`;
`assert x in msg`). Moving assertions into such a helper keeps them; an assertion about a value
that only a deleted function produced has nothing left to test; and a comparison kept as one
alternative of a wider `or` is still asserted.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from ...detector import FileContext
from ...lang.python.assertion_checks import Check, checks
from ...lang.python.testing import TestFunc, call_args, dotted_name, identifiers, is_test_path, norm, text_of
from ...parsing import SourceFile, walk

_DEPTH = 3
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


def helper_checks(src: SourceFile, test: TestFunc) -> list[Check]:
    """The assertions of the same-file functions (and same-class methods) that `test` calls,
    followed up to three calls deep."""
    functions = _module_functions(src)
    methods = _class_methods(src, test.cls_node)
    seen: set[int] = {test.node.id}
    out: list[Check] = []
    frontier = [test.node]
    for _ in range(_DEPTH):
        called: list[Node] = []
        for func in frontier:
            for callee in _callees(src, func, functions, methods):
                if callee.id not in seen:
                    seen.add(callee.id)
                    called.append(callee)
        for callee in called:
            out.extend(checks(src, callee))
        frontier = called
    return out


def value_inputs(src: SourceFile, test: TestFunc, check: Check) -> set[str]:
    """The identifiers an assertion uses, plus those of the test's assignments to them (one step)."""
    names = identifiers(src, check.node)
    body = test.node.child_by_field_name("body")
    if body is None:
        return names
    extra: set[str] = set()
    for node in walk(body):
        if node.type != "assignment" or node.start_byte >= check.node.start_byte:
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            continue
        targets = {text_of(src, n) for n in walk(left) if n.type == "identifier"}
        if targets & names:  # what the value is computed from (keyword names are not inputs)
            extra |= {text_of(src, n) for n in walk(right) if n.type == "identifier" and not (
                n.parent is not None and n.parent.type == "keyword_argument"
                and n.parent.child_by_field_name("name") == n)}
    return names | extra


def widened(base: SourceFile, head: SourceFile, old: Check, new: Check) -> bool:
    """`assert a is Union` -> `assert a is Union or a is UnionType`: the old comparison is kept,
    as one alternative of the new `or`."""
    expr = new.node.named_children[0] if new.node.type == "assert_statement" and new.node.named_children else None
    while expr is not None and expr.type == "parenthesized_expression" and expr.named_child_count == 1:
        expr = expr.named_children[0]
    if expr is None or expr.type != "boolean_operator" or old.node.type != "assert_statement":
        return False
    first = old.node.named_children[0] if old.node.named_children else None
    if first is None:
        return False
    want = norm(base.node_text(first))
    todo = [expr]
    while todo:
        cur = todo.pop()
        if cur.type == "boolean_operator" and head.node_text(cur).find(" or ") >= 0:
            todo.extend(cur.named_children)
        elif norm(head.node_text(cur)) == want:
            return True
    return False


def tag_to_class(base: SourceFile, head: SourceFile, old: Check, new: Check) -> bool:
    """`assert item.type == "text"` -> `assert isinstance(item, TextContent)`: the comparison of one
    field of an object with a literal (its tag) became a class check of that same object (or of a
    name the test binds to it): the variant may still be pinned, by class instead of by tag."""
    node = old.node.named_children[0] if old.node.type == "assert_statement" and old.node.named_children else None
    if old.kind != "eq" or new.kind != "isinstance" or node is None or node.type != "comparison_operator":
        return False
    operands = [c for c in node.named_children if c.type != "comment"]
    if len(operands) != 2 or operands[1].type != "string":
        return False
    field = operands[0]
    owner = field.child_by_field_name("object") if field.type == "attribute" else None
    if owner is None:
        return False
    target = norm(text_of(base, owner))
    return new.subject == target or new.subject in _aliases(head, new.node, target)


def _aliases(src: SourceFile, node: Node, target: str) -> set[str]:
    """Names that assignments of the enclosing function bind to `target` (normalised text) before
    `node`, through other such names (`message = result.messages[0]`; `content = message.content`)."""
    func = node.parent
    while func is not None and func.type != "function_definition":
        func = func.parent
    bound: dict[str, set[str]] = {}  # name -> the texts it stands for, as written and through other names
    for n in walk(func) if func is not None else ():
        if n.type == "assignment" and n.start_byte < node.start_byte:
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if left is not None and right is not None and left.type == "identifier":
                value = norm(text_of(src, right))
                root = _ROOT.match(value)
                forms = {value}
                if root is not None:
                    forms |= {f + value[root.end():] for f in bound.get(root.group(0), ())}
                bound[text_of(src, left)] = forms
    return {name for name, forms in bound.items() if target in forms}


_ROOT = re.compile(r"[^\W\d]\w*")


def _callees(src: SourceFile, func: Node, functions: dict[str, Node], methods: dict[str, Node]) -> list[Node]:
    out: list[Node] = []
    body = func.child_by_field_name("body")
    for node in walk(body) if body is not None else ():
        if node.type != "call":
            continue
        target = node.child_by_field_name("function")
        if target is None:
            continue
        if target.type == "identifier" and text_of(src, target) in functions:
            out.append(functions[text_of(src, target)])
        elif target.type == "attribute":
            obj, attr = target.child_by_field_name("object"), target.child_by_field_name("attribute")
            if obj is not None and attr is not None and text_of(src, obj) in ("self", "cls") \
                    and text_of(src, attr) in methods:
                out.append(methods[text_of(src, attr)])
    return out


def _definitions(block: Node | None) -> list[Node]:
    out: list[Node] = []
    for stmt in block.children if block is not None else ():
        node = stmt.child_by_field_name("definition") if stmt.type == "decorated_definition" else stmt
        if node is not None and node.type == "function_definition":
            out.append(node)
    return out


def _named(src: SourceFile, defs: list[Node]) -> dict[str, Node]:
    return {text_of(src, d.child_by_field_name("name")): d for d in defs}


def _module_functions(src: SourceFile) -> dict[str, Node]:
    return _named(src, _definitions(src.root))


def _class_methods(src: SourceFile, cls: Node | None) -> dict[str, Node]:
    return _named(src, _definitions(cls.child_by_field_name("body") if cls is not None else None))


def removed_defaults(files: tuple[FileContext, ...]) -> set[str]:
    """Class fields of non-test code that the change removes, or whose default value it removes (the
    field became required): a test of the old field or default has nothing left to test."""
    out: set[str] = set()
    for f in files:
        if f.language != "python" or is_test_path(f.path) or f.base is None or f.head is None:
            continue
        before, after = _field_defaults(f.base), _field_defaults(f.head)
        out |= {name for name, has in before.items() if name not in after or (has and after[name] is False)}
    return out


def _field_defaults(src: SourceFile) -> dict[str, bool]:
    """Every annotated class-level field of a file: does it have a default?"""
    out: dict[str, bool] = {}
    for node in walk(src.root) if src.root is not None else ():
        if node.type != "assignment" or node.child_by_field_name("type") is None:
            continue
        block = node.parent.parent if node.parent is not None else None
        if block is None or block.type != "block" or block.parent is None or block.parent.type != "class_definition":
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or left.type != "identifier":
            continue
        out[text_of(src, left)] = right is not None and not _required_field(src, right)
    return out


def _required_field(src: SourceFile, right: Node) -> bool:
    """`Field(description=...)` / `field(...)` with neither a default nor a default factory."""
    if right.type != "call" or dotted_name(src, right).split(".")[-1] not in ("Field", "field"):
        return False
    positional, keywords = call_args(right)
    return not positional and "default" not in keywords and "default_factory" not in keywords


def fed_by_removed(src: SourceFile, test: TestFunc, removed: frozenset[int], gone: set[str]) -> set[str]:
    """Names that `test` bound only in statements the change deletes and that used a name the change
    removes from the source (`@app.before_first_request` setting `called = True`): an assertion on
    such a name checked the removed feature."""
    body = test.node.child_by_field_name("body")
    out: set[str] = set()
    for stmt in walk(body) if body is not None else ():
        if stmt.type not in _STATEMENTS or not _all_removed(stmt, removed) or not identifiers(src, stmt) & gone:
            continue
        for node in walk(stmt):
            if node.type in ("assignment", "augmented_assignment"):
                left = node.child_by_field_name("left")
                out |= {text_of(src, n) for n in walk(left) if n.type == "identifier"} if left is not None else set()
            elif node.type == "function_definition":
                out.add(text_of(src, node.child_by_field_name("name")))
    return out


_STATEMENTS = frozenset({"expression_statement", "with_statement", "decorated_definition", "function_definition",
                         "if_statement", "for_statement"})


def _all_removed(node: Node, removed: frozenset[int]) -> bool:
    return all(n in removed for n in range(node.start_point[0] + 1, node.end_point[0] + 2))


_DEPRECATION = frozenset({"DeprecationWarning", "PendingDeprecationWarning", "FutureWarning"})


def deprecated_definitions(files: tuple[FileContext, ...]) -> set[str]:
    """Functions of non-test code into which the change adds a `warnings.warn(..., DeprecationWarning)`:
    the feature is still there but now warns, so a test may stop exercising it."""
    out: set[str] = set()
    for f in files:
        head = f.head
        if f.language != "python" or is_test_path(f.path) or head is None or head.root is None:
            continue
        for node in walk(head.root):
            if node.type == "call" and f.changed(node) and dotted_name(head, node) in ("warnings.warn", "warn") \
                    and identifiers(head, node) & _DEPRECATION:
                func = node.parent
                while func is not None and func.type != "function_definition":
                    func = func.parent
                if func is not None:
                    out.add(text_of(head, func.child_by_field_name("name")))
    return out


def tolerance(src: SourceFile, check: Check) -> float:
    """The tolerance of an approx-style check (0 when none is given: the default, tightest)."""
    call = check.expected_node if check.expected_node is not None and check.expected_node.type == "call" \
        else check.node
    _, keywords = call_args(call) if call.type == "call" else ([], {})
    best = 0.0
    for key in ("abs", "rel", "delta", "atol", "rtol"):
        if key in keywords:
            m = _NUMBER.search(text_of(src, keywords[key]))
            if m:
                best = max(best, float(m.group(0)))
    if "places" in keywords:
        m = _NUMBER.search(text_of(src, keywords["places"]))
        if m:
            best = max(best, 10 ** -float(m.group(0)))
    return best


def removed_parameters(files: tuple[FileContext, ...]) -> set[str]:
    """Parameters that the change removes from the signature of a function of non-test code that
    stays: a test of the old parameter has nothing left to test."""
    out: set[str] = set()
    for f in files:
        if f.language != "python" or is_test_path(f.path) or f.base is None or f.head is None:
            continue
        before, after = _signatures(f.base), _signatures(f.head)
        for name, params in before.items():
            if name in after:
                out |= params - after[name]
    return out - {"self", "cls"}


def _signatures(src: SourceFile) -> dict[str, set[str]]:
    """The named parameters of every function of a file, by function name."""
    out: dict[str, set[str]] = {}
    for node in walk(src.root) if src.root is not None else ():
        params = node.child_by_field_name("parameters") if node.type == "function_definition" else None
        if params is None:
            continue
        names: set[str] = set()
        for p in params.named_children:
            target = p if p.type == "identifier" else p.child_by_field_name("name")
            if target is None and p.type == "typed_parameter":
                target = next((c for c in p.named_children if c.type == "identifier"), None)
            if target is not None and target.type == "identifier":
                names.add(text_of(src, target))
        out.setdefault(text_of(src, node.child_by_field_name("name")), set()).update(names)
    return out


def parameter_uses(src: SourceFile, node: Node) -> set[str]:
    """Names `node` passes as keyword arguments (`connect(timeout=5)`) or reads as attributes
    (`client.timeout`): how a test exercises a parameter."""
    out: set[str] = set()
    for n in walk(node):
        if n.type == "keyword_argument" or n.type == "attribute":
            name = n.child_by_field_name("name" if n.type == "keyword_argument" else "attribute")
            if name is not None:
                out.add(text_of(src, name))
    return out


def column_merged(base: SourceFile, old: TestFunc, check: Check, head: SourceFile, new: TestFunc,
                  after: list[Check]) -> bool:
    """`assert f() == expected_a` lost while `assert f() == expect` stays, both comparing with
    parameters of the test: the expected values come from the parametrize table, whose rows
    `removed-assertion` checks on its own; two exact checks of one subject merged into one column."""
    if check.kind != "eq" or check.expected not in _parameters(base, old):
        return False
    params = _parameters(head, new)
    return any(c.kind == "eq" and c.subject == check.subject and c.expected in params for c in after)


def _parameters(src: SourceFile, test: TestFunc) -> set[str]:
    params = test.node.child_by_field_name("parameters")
    return {text_of(src, p) for p in params.named_children if p.type == "identifier"} if params is not None else set()
