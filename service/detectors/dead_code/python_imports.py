"""What Python says about imports, for the unused-import detector (`unused_import.py`).

An import binds the last name of an alias (`import a as b`: `b`) or the first part of a dotted
module (`import os.path`: `os`). A use is any word of the module outside its import statements,
comments and docstrings (so f-strings, string annotations and `__all__` count). Left alone:
`__init__.py`, `conftest.py` and stubs (re-export surfaces and fixtures pytest injects by name),
modules made only of imports, `from __future__`, star imports, `import x as x`, imports inside
`try`, names a `# noqa` (bare or naming F401) covers as flake8 and ruff read it (on the name's
own line or the statement's first line, which covers every name of a multi-line statement),
modules of this repository (imported for their side effects: routes, commands, models) and
names another module imports from this one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePosixPath

from tree_sitter import Node

from ...analysis.imports import Imported, ImportSyntax
from ...detector import FileContext
from ...lang.python import symbols as sym
from ...parsing import SourceFile, line_of

# flake8's form: a bare noqa comment silences every code; one listing codes after a colon only those
NOQA = re.compile(r"#\s*noqa\b(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)
UNUSED_IMPORT_CODE = "F401"
IMPORTS = ("import_statement", "import_from_statement")


def _bound_names(stmt: Node) -> Iterator[tuple[str, Node]]:
    """(bound name, node to report) for every name an import statement binds."""
    module = stmt.child_by_field_name("module_name") if stmt.type == "import_from_statement" else None
    for child in stmt.children_by_field_name("name"):
        if child == module:
            continue
        if child.type == "aliased_import":
            alias = sym.text(child.child_by_field_name("alias"))
            original = sym.text(child.child_by_field_name("name"))
            if alias and alias != original.rsplit(".", 1)[-1]:
                yield alias, child
        elif child.type == "dotted_name":
            yield sym.text(child).split(".", 1)[0], child


def _imports(root: Node) -> list[Imported]:
    return [Imported(name, node, stmt) for stmt in sym.statements(root) if stmt.type in IMPORTS
            for name, node in _bound_names(stmt)]


def _module_path(ctx: FileContext, stmt: Node, child: Node) -> str:
    """The repository-relative path stem (no `.py`) a bound name would be a module at."""
    original = child.child_by_field_name("name") if child.type == "aliased_import" else child
    dotted = sym.text(original).replace(".", "/")
    if stmt.type == "import_statement":
        return dotted
    module = sym.text(stmt.child_by_field_name("module_name"))
    dots = len(module) - len(module.lstrip("."))
    rest = module.lstrip(".").replace(".", "/")
    if not dots:
        return f"{rest}/{dotted}"
    parts = list(PurePosixPath(ctx.path).parent.parts)
    parts = parts[: len(parts) - (dots - 1)] if dots > 1 else parts
    return "/".join([*parts, *([rest] if rest else []), dotted])


def _is_local_module(ctx: FileContext, index: sym.SideIndex, stmt: Node, child: Node) -> bool:
    """True when the import binds a module of this repository (a readable file): imported for its
    side effects (registering routes, commands, models, signal handlers)."""
    stem = _module_path(ctx, stmt, child)
    for candidate in (f"{stem}.py", f"{stem}/__init__.py"):
        if any((p == candidate or p.endswith("/" + candidate)) and p in index.masked for p in index.python_paths):
            return True
    return False


def _guarded(stmt: Node) -> bool:
    """Inside a `try` statement: an optional dependency or an availability check."""
    current = stmt.parent
    while current is not None and current.type not in ("function_definition", "module"):
        if current.type == "try_statement":
            return True
        current = current.parent
    return False


def _reexported(ctx: FileContext, name: str) -> bool:
    """True when another module imports `name` from this module."""
    module = re.escape(sym.module_name(ctx.path).encode())
    pattern = re.compile(
        rb"from[ \t]+[\w.]*\b" + module + rb"[ \t]+import[ \t]+\(?[^)]{0,600}?\b"
        + re.escape(name.encode()) + rb"\b"
    )
    index = sym.side_index(ctx.repo, "RIGHT")
    # only a file whose text holds the name can import it (masking blanks text, never adds any)
    return any(
        path != ctx.path and pattern.search(index.masked_of(path) or b"") is not None
        for path in index.candidates([name]) if path.endswith((".py", ".pyi"))
    )


def _kept(ctx: FileContext, imp: Imported) -> bool:
    return _is_local_module(ctx, sym.side_index(ctx.repo, "RIGHT"), imp.stmt, imp.node) or _reexported(ctx, imp.name)


def _applies(ctx: FileContext, head: SourceFile) -> bool:
    if PurePosixPath(ctx.path).name in ("__init__.py", "conftest.py") or ctx.path.endswith(".pyi"):
        return False  # re-export surfaces; conftest imports are fixtures pytest injects by name
    assert head.root is not None
    return not _only_imports(head.root)  # else a re-export or entry-point module


def _only_imports(root: Node) -> bool:
    for stmt in root.named_children:
        if stmt.type in IMPORTS or stmt.type in ("comment", "future_import_statement"):
            continue
        if stmt.type == "expression_statement" and stmt.named_children[0].type == "string":
            continue
        return False
    return True


def _uses(src: SourceFile) -> Counter[str]:
    """How often each word occurs in the module outside its import statements."""
    if src.root is None:
        return Counter()
    masked = sym.masked_bytes(src)
    uses = Counter(sym.WORD.findall(masked))
    for stmt in sym.statements(src.root):
        if stmt.type in IMPORTS:
            uses.subtract(sym.WORD.findall(masked[stmt.start_byte : stmt.end_byte]))
    return Counter({word.decode(): count for word, count in uses.items()})


def _silences(line: str) -> bool:
    """True when a line's noqa comment covers unused imports: bare, or naming F401."""
    m = NOQA.search(line)
    if m is None:
        return False
    codes = m.group("codes")
    return codes is None or UNUSED_IMPORT_CODE in re.split(r"[,\s]+", codes.upper())


def _noqa_lines(stmt: Node, imp: Imported) -> range | tuple[int, ...]:
    """The lines whose noqa comment covers `imp`, as flake8 and ruff read them: the statement's
    first line (where pyflakes reports every name of a multi-line import) and the name's own line;
    every line of a statement continued by backslashes (one logical line, no brackets)."""
    first, last = line_of(stmt), stmt.end_point[0] + 1
    if last > first and not any(c.type == "(" for c in stmt.children):
        return range(first, last + 1)
    return (first, line_of(imp.node))


def _exempt(ctx: FileContext, head: SourceFile, imp: Imported, uses: Counter[str]) -> bool:
    stmt = imp.stmt
    if any(_silences(head.line_text(line)) for line in _noqa_lines(stmt, imp)):
        return True
    if stmt.type == "import_from_statement":
        module = sym.text(stmt.child_by_field_name("module_name"))
        if module == "__future__" or any(c.type == "wildcard_import" for c in stmt.children):
            return True
    return _guarded(stmt)


PYTHON = ImportSyntax(
    applies=_applies, imports=_imports, uses=_uses, exempt=_exempt, kept=_kept,
    group="line", orphan_confidence="high",
)
