"""Whether a Python decorator or dependency authenticates, decided from what it does rather than
from what it is called.

A decorator (`@login_required`) or dependency (`Depends(get_current_user)`) counts as
authentication when the repository shows it: its definition, followed to the function or class of
this module or of a repository module it is imported from, reads the request's credentials (the
`Authorization` header, cookies, the session, `request.user`, a credential scheme such as
`OAuth2PasswordBearer`, a token verification call) or turns the caller away with 401/403
(`HTTPException(status_code=401)`, `abort(403)`, `return ..., 401`, `raise PermissionDenied`).
Calls and dependencies of the definition are followed a few levels deep. A library API known to
authenticate (`flask_login.login_required`) counts as shown too. The lists are rule data
(`rules/data/insecure-auth.yml`).

When nothing can be shown, only a name that suggests auth (`python_auth_names`) makes it count,
and then it is `named`: a finding that rests on it is reported at low confidence and names it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Literal

from tree_sitter import Node

from ...detector import RepoView
from ...lang.python.memo import cached, nodes_of
from ...lang.python.modules import python_modules
from ...models import Side
from ...parsing import SourceFile, line_of, walk
from ...ruledata import data_lists
from .python_principal import INJECTORS

_LISTS = data_lists("insecure-auth")
_NAMES = _LISTS.pattern("python_auth_names")
_CREDENTIALS = _LISTS.pattern("python_credential_reads", ignore_case=False)
_SCHEMES = _LISTS.get("python_credential_schemes")
_DENIALS = _LISTS.get("python_denial_exceptions")
_LIBRARY = _LISTS.get("python_library_auth")
_DENIED = frozenset({"401", "403"})
_DENIED_NAMES = frozenset({"HTTP_401_UNAUTHORIZED", "HTTP_403_FORBIDDEN", "UNAUTHORIZED", "FORBIDDEN"})
_DEPTH = 3

Kind = Literal["shown", "named"]
Check = Callable[[SourceFile, Node], str]  # what in a node shows the property, '' for nothing


@dataclass(frozen=True)
class Evidence:
    """Why a decorator or dependency counts as auth: `shown` (with where the repository shows it)
    or `named` (only its name suggests it)."""

    kind: Kind
    name: str
    where: str = ""

    def note(self) -> str:
        """The sentence a finding resting on this mark adds."""
        if self.kind == "shown":
            return f" `{self.name}` {self.where}." if self.where else ""
        return (f" Note: only the name of `{self.name}` suggests it authenticates; its definition is not in the "
                "repository or does not show it reading credentials or answering 401/403.")


class AuthResolver:
    """Resolves the decorators and dependencies of one file on one side of the scanned change."""

    def __init__(self, repo: RepoView | None, side: Side, path: str, src: SourceFile) -> None:
        self.repo, self.side, self.path, self.src = repo, side, path, src
        self._memo: dict[str, Evidence | None] = {}

    def evidence(self, callee: str) -> Evidence | None:
        """The evidence that the decorator/dependency named `callee` (as written, call arguments
        dropped) authenticates, None when there is none."""
        callee = _callee(callee)
        if not callee:
            return None
        if callee not in self._memo:
            self._memo[callee] = self._evidence(callee)
        return self._memo[callee]

    def _evidence(self, callee: str) -> Evidence | None:
        target = self._definition(self.path, self.src, callee, _DEPTH)
        if isinstance(target, str):
            return Evidence("shown", callee, "is a library API that authenticates")
        if target is not None:
            where = self._shows(target[0], target[1], target[2], _DEPTH, set())
            if where:
                return Evidence("shown", callee, where)
        if _NAMES.search(callee):
            return Evidence("named", callee)
        return None

    def shown_by(self, callee: str, check: Check, library: Collection[str]) -> str:
        """Where the definition of `callee` (followed like `evidence`) shows what `check` looks for;
        for a library API, whether it is one of `library`; '' when nothing shows it."""
        callee = _callee(callee)
        target = self._definition(self.path, self.src, callee, _DEPTH) if callee else None
        if isinstance(target, str):
            return f"is the library's `{target.lstrip('.')}`" if target.lstrip(".") in library else ""
        if target is None:
            return ""
        return self._shows(target[0], target[1], target[2], _DEPTH, set(), check, library)

    # ------------------------------------------------------------------ resolution

    def _definition(self, path: str, src: SourceFile, name: str,
                    depth: int) -> tuple[str, SourceFile, Node] | str | None:
        """(path, file, definition node) of `name` as `src` sees it, a qualified library name known to
        authenticate, or None."""
        head, _, rest = name.partition(".")
        local = _top_definitions(src).get(name)
        if local is None and rest:
            local = _top_definitions(src).get(head)  # `auth.login_required` where `auth = HTTPBasicAuth()`
            local = local if local is not None and local.type == "call" else None
        if local is not None:
            return path, src, local
        imported = _imports(src).get(head)
        if imported is None:
            return None
        qualified = f"{imported}.{rest}" if rest else imported
        if qualified.lstrip(".") in _LIBRARY:
            return qualified
        if self.repo is None or depth <= 0:
            return None
        module, _, attr = qualified.rpartition(".")
        found = self._module_source(path, module)
        if found is not None and attr:
            return self._definition(found[0], found[1], attr, depth - 1)
        return None

    def _module_source(self, importer: str, dotted: str) -> tuple[str, SourceFile] | None:
        if self.repo is None or not dotted:
            return None
        file = python_modules(self.repo, self.side).file(importer, dotted)
        other = self.repo.source(self.side, file) if file else None
        return (file, other) if file and other is not None and other.root is not None else None

    def _shows(self, path: str, src: SourceFile, node: Node, depth: int, seen: set[tuple[str, int]],
               check: Check | None = None, library: Collection[str] = _LIBRARY) -> str:
        """Where `node` (a function, a class, or the value a name is assigned) reads credentials or
        answers 401/403 (or shows what `check` looks for), followed through the calls and dependencies
        it makes (a library API counts when it is one of `library`); '' when it does not."""
        key = (path, node.start_byte)
        if key in seen:
            return ""
        seen.add(key)
        local = (check or direct_auth)(src, node)
        if local:
            return f"{local} ({path}:{line_of(node)})"
        if depth <= 0:
            return ""
        for callee in _callees(src, node):
            target = self._definition(path, src, callee, _DEPTH)
            if isinstance(target, str):
                if target.lstrip(".") in library:
                    return f"calls the library's `{callee}` ({path}:{line_of(node)})"
                continue
            if target is not None:
                found = self._shows(target[0], target[1], target[2], depth - 1, seen, check, library)
                if found:
                    return found
        return ""


def _callee(written: str) -> str:
    """A decorator or dependency as written (`@login_required`, `auth.login_required()`) -> its callee."""
    return written.split("(", 1)[0].strip().lstrip("@")


def _top_definitions(src: SourceFile) -> dict[str, Node]:
    """Module-level functions and classes, and names assigned at module level, by name."""

    def compute() -> dict[str, Node]:
        out: dict[str, Node] = {}
        for node in src.root.named_children if src.root is not None else ():
            inner = node
            if node.type == "decorated_definition":
                inner = node.child_by_field_name("definition") or node
            if inner.type in ("function_definition", "class_definition"):
                name = inner.child_by_field_name("name")
                if name is not None:
                    out.setdefault(src.node_text(name), inner)
            elif node.type == "expression_statement" and node.named_children \
                    and node.named_children[0].type == "assignment":
                assign = node.named_children[0]
                left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
                if left is not None and right is not None and left.type == "identifier":
                    out.setdefault(src.node_text(left), right)
        return out

    return cached(src, ("py_auth.top_definitions",), compute)


def _imports(src: SourceFile) -> dict[str, str]:
    """Local name -> qualified name of every import of the file (relative ones keep their dots)."""

    def compute() -> dict[str, str]:
        out: dict[str, str] = {}
        for node in nodes_of(src, "import_statement", "import_from_statement"):
            module = ""
            if node.type == "import_from_statement":
                mod = node.child_by_field_name("module_name")
                module = src.node_text(mod) if mod is not None else ""
            for item in node.children_by_field_name("name"):
                real = item.child_by_field_name("name") if item.type == "aliased_import" else item
                alias = item.child_by_field_name("alias") if item.type == "aliased_import" else None
                full = src.node_text(real) if real is not None else ""
                if not full:
                    continue
                qualified = (module + full if module.endswith(".") else f"{module}.{full}") if module else full
                local = src.node_text(alias) if alias is not None else (full if module else full.split(".")[0])
                out[local] = qualified if (module or alias is not None) else full.split(".")[0]
        return out

    return cached(src, ("py_auth.imports",), compute)


# ---------------------------------------------------------------------------- what a definition does


def direct_auth(src: SourceFile, node: Node, reads: bool = True) -> str:
    """What in `node` itself shows auth: 'reads X' (unless not `reads`), 'answers 401/403', '' for
    nothing."""
    if node.type == "class_definition":
        bases = node.child_by_field_name("superclasses")
        if bases is not None and any(src.node_text(b).rsplit(".", 1)[-1] in _SCHEMES for b in bases.named_children):
            return f"extends the credential scheme `{src.node_text(bases).strip('()')[:40]}`"
    for n in walk(node):
        kind = n.type
        if reads and kind in ("attribute", "subscript", "call", "string") and n.parent is not None \
                and n.parent.type not in ("attribute", "subscript"):
            text = src.node_text(n)
            match = _CREDENTIALS.search(text) if len(text) < 300 else None
            if match is not None:
                return f"reads `{match.group(0)[:40]}`"
        if kind == "call":
            fn = n.child_by_field_name("function")
            name = src.node_text(fn).rsplit(".", 1)[-1] if fn is not None else ""
            if name in _SCHEMES and reads:
                return f"reads credentials with `{name}`"
            if name in _DENIALS:
                return f"raises `{name}`"
            if _denies(src, n):
                return "answers 401/403"
        elif kind == "identifier" and src.node_text(n) in _DENIALS and n.parent is not None \
                and n.parent.type == "raise_statement":
            return f"raises `{src.node_text(n)}`"
        elif kind == "return_statement" and _denies(src, n):
            return "answers 401/403"
    return ""


def _denies(src: SourceFile, node: Node) -> bool:
    """A call or return whose own arguments carry the status 401/403 (`HTTPException(401)`,
    `abort(403)`, `status_code=status.HTTP_401_UNAUTHORIZED`, `return body, 401`)."""
    holder = node.child_by_field_name("arguments") if node.type == "call" else \
        (node.named_children[0] if node.named_children else None)
    if holder is None:
        return False
    values = list(holder.named_children) if holder.type in ("argument_list", "expression_list", "tuple") \
        else [holder]
    for value in values:
        if value.type == "keyword_argument":
            value = value.child_by_field_name("value") or value
        text = src.node_text(value)
        if (value.type == "integer" and text in _DENIED) or \
                (value.type in ("attribute", "identifier") and text.rsplit(".", 1)[-1] in _DENIED_NAMES):
            return True
    return False


def _callees(src: SourceFile, node: Node) -> list[str]:
    """The names `node` calls or injects (`Depends(get_current_user)`), in order, once each."""
    out: list[str] = []
    for n in walk(node):
        if n.type != "call":
            continue
        fn = n.child_by_field_name("function")
        name = src.node_text(fn) if fn is not None else ""
        if name.rsplit(".", 1)[-1] in INJECTORS:
            args = n.child_by_field_name("arguments")
            first = next(iter(args.named_children), None) if args is not None else None
            name = src.node_text(first) if first is not None and first.type in ("identifier", "attribute", "call") \
                else ""
        name = name.split("(", 1)[0]
        if name and name not in out and fn is not None and fn.type in ("identifier", "attribute"):
            out.append(name)
    return out
