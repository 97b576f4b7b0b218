"""What a Python test exercises: the calls of its body into the repository's own code.

A call is the repository's when the root name of its callee (`encode_request`, `httpx` of
`httpx.Client`) is bound by a module-level import of the test module that resolves to a module of
the repository (`modules.python_modules`), not to the standard library or a test framework. Two
tests exercise the same call when such calls have the same callee and the same arguments, literals
aside (`encode_request(data={}, files=files)`)."""

from __future__ import annotations

from tree_sitter import Node

from ...detector import RepoView
from ...models import Side
from ...parsing import SourceFile, walk
from .modules import python_modules
from .shapes import literal_shape
from .testing import dotted_name, text_of


def project_names(repo: RepoView, side: Side, path: str, src: SourceFile) -> frozenset[str]:
    """Local names that the module-level imports of `src` bind to modules of the repository."""
    root = src.root
    if root is None:
        return frozenset()
    modules = python_modules(repo, side)
    out: set[str] = set()
    for stmt in root.named_children:
        if stmt.type == "import_statement":
            for child in stmt.children_by_field_name("name"):
                original = child.child_by_field_name("name") if child.type == "aliased_import" else child
                alias = child.child_by_field_name("alias") if child.type == "aliased_import" else None
                dotted = text_of(src, original)
                if dotted and modules.resolve(path, dotted).kind != "external":
                    out.add(text_of(src, alias) if alias is not None else dotted.split(".", 1)[0])
        elif stmt.type == "import_from_statement":
            module = text_of(src, stmt.child_by_field_name("module_name"))
            if not module or modules.resolve(path, module).kind == "external":
                continue
            for child in stmt.children_by_field_name("name"):
                alias = child.child_by_field_name("alias") if child.type == "aliased_import" else None
                name = child.child_by_field_name("name") if child.type == "aliased_import" else child
                out.add(text_of(src, alias if alias is not None else name))
    return frozenset(out)


def project_calls(src: SourceFile, node: Node, names: frozenset[str]) -> dict[str, str]:
    """The calls below `node` whose callee's root name is one of `names`: their shape (callee and
    arguments, literals abstracted, blanks dropped) -> their source text."""
    out: dict[str, str] = {}
    for n in walk(node):
        if n.type != "call":
            continue
        callee = dotted_name(src, n)
        if callee and callee.split(".", 1)[0] in names:
            out.setdefault(literal_shape(src, n), " ".join(text_of(src, n).split()))
    return out

