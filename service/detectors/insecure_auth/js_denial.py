"""Which names of a JS/TS route module are auth middleware, decided from what they do rather than
from what they are called.

A middleware whose body answers 401 or 403 (the number as a call argument, an assignment, a thrown
or returned value: `res.status(401)`, `res.sendStatus(403)`, `reply.code(401)`,
`next(createError(403))`, `throw new HttpError(401, ...)`), or reads the caller's credentials (the
`Authorization` header, cookies, the session, a JWT verification: `js_credential_reads` in
rules/data/insecure-auth.yml), authenticates or authorises the caller, whatever it is named. This
module follows a name used as a middleware to its definition: a function of the module itself, a
factory returning one (`requireRole('admin')`: the function it returns is part of its body), an
array of middleware (`const adminOnly = [requireAuth, ...]`), or a function imported from a file of
the repository (`require('../middleware/auth')`, `import { requireAuth } from './auth'`).
"""

from __future__ import annotations

from collections.abc import Callable

from tree_sitter import Node

from ...detector import RepoView
from ...lang.js.flow import imports, module_functions, unwrap
from ...lang.js.resolver import module_resolver
from ...lang.js.syntax import text
from ...models import Side
from ...parsing import SourceFile, walk
from ...ruledata import data_lists

_DENIED = frozenset({"401", "403"})
_CREDENTIALS = data_lists("insecure-auth").pattern("js_credential_reads", ignore_case=False)


def answers_denied(src: SourceFile, func: Node) -> bool:
    """The function's body uses the status 401 or 403 (as a call argument, an assignment, a
    thrown or returned value)."""
    body = func.child_by_field_name("body") or func
    for node in walk(body):
        if node.type == "number" and text(src, node) in _DENIED and node.parent is not None \
                and node.parent.type in ("arguments", "assignment_expression", "pair", "return_statement",
                                         "binary_expression"):
            return True
    return False


def shows_auth(src: SourceFile, func: Node) -> bool:
    """The function answers 401/403 or reads the caller's credentials."""
    if answers_denied(src, func):
        return True
    body = func.child_by_field_name("body") or func
    return _CREDENTIALS.search(text(src, body)) is not None


Shows = Callable[[SourceFile, Node], bool]


def _local(src: SourceFile, shows: Shows) -> set[str]:
    """Functions of this module that authenticate (that `shows` holds for)."""
    return {name for name, func in module_functions(src).items() if shows(src, func)}


def denying_names(repo: RepoView, side: Side, path: str, src: SourceFile,
                  shows: Shows = shows_auth) -> frozenset[str]:
    """The names usable as middleware in `src` that answer 401/403 or read credentials (or that
    `shows` holds for): its own functions and arrays, and functions imported from files of the
    repository."""
    found = _local(src, shows)
    imported = imports(src)
    if not imported:
        return frozenset(found)
    resolver = module_resolver(repo, side)
    for local, (spec, name) in imported.items():
        if not spec.startswith("."):
            continue
        resolution = resolver.resolve(path, spec)
        if resolution.kind != "file" or resolution.path is None:
            continue
        other = repo.source(side, resolution.path)
        if other is None:
            continue
        func = module_functions(other).get(name)
        if func is not None and shows(other, func):
            found.add(local)
    return frozenset(found) | frozenset(_arrays_of(src, found))


def _arrays_of(src: SourceFile, names: set[str]) -> set[str]:
    """`const adminOnly = [requireAuth, requireRole('admin')]` when an element denies."""
    out: set[str] = set()
    if src.root is None:
        return out
    for node in walk(src.root):
        if node.type != "variable_declarator":
            continue
        value = unwrap(node.child_by_field_name("value"))
        if value is None or value.type != "array":
            continue
        for item in value.named_children:
            head = item.child_by_field_name("function") if item.type == "call_expression" else item
            if head is not None and text(src, head) in names:
                out.add(text(src, node.child_by_field_name("name")))
                break
    return out
