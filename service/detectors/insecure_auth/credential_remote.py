"""A credential put into a git remote URL that git then keeps in the clone's `.git/config`.

## What it does
In a function the change touches (Python or JS/TS), finds a URL whose user-info is built from a
runtime value (`f"https://{user}:{token}@github.com/..."`, `` `https://${token}@host/x.git` ``,
`"https://" + token + "@host"`), directly or through a local variable, that reaches a call that
records it as a remote: `clone`/`addRemote` (simple-git, isomorphic-git), `Repo.clone_from`,
`create_remote`, or a `git clone` / `git remote add` command run through `subprocess` or
`child_process`. It is left alone when the same function removes or resets the remote afterwards
(`removeRemote`, `remote remove`, `set-url`, `delete_remote`) or when the clone goes into a
temporary directory (`os.tmpdir()`, `tempfile`, `mkdtemp`). Whatever the variables are called.

## Why is this bad?
git stores the remote URL, credential included, in plain text in `.git/config` of the clone, where
it outlives the operation: anyone who can read that folder (backups, a shared machine, a zip of
the project) gets the token.

## Example
```ts
const remote = `https://${login}:${token}@gist.github.com/${id}.git`;
await git(parentDirectory).clone(remote, directoryName);
```

## Use instead
Pass the token through a credential helper or a one-off header
(`git -c http.extraHeader="Authorization: Bearer ..." clone`), or reset the remote URL to the
credential-free one right after cloning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.js.syntax import FUNCTIONS as JS_FUNCTIONS
from ...lang.js.syntax import LANGUAGES as JS_LANGUAGES
from ...models import Finding, Severity
from ...parsing import SourceFile, ancestor, line_of, walk

_MESSAGE = ("The URL given to `{call}` here carries a credential in its user-info (built from a runtime value), "
            "and git stores that URL in plain text in the clone's .git/config, where it stays after this "
            "function returns; pass the token through a credential helper or an http.extraHeader, or reset "
            "the remote URL right after cloning.")
JS_RULE = Rule(
    id="js.insecure-auth.credential-in-git-remote",
    category="insecure-auth",
    languages=JS_LANGUAGES,
    severity=Severity.WARNING,
    summary="a token put into a git remote URL that git keeps in .git/config",
    confidence="medium",
)
PY_RULE = Rule(
    id="python.insecure-auth.credential-in-git-remote",
    category="insecure-auth",
    languages=("python",),
    severity=Severity.WARNING,
    summary="a token put into a git remote URL that git keeps in .git/config",
    confidence="medium",
)

HOLE = "\x00"
_CRED_URL = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]*" + HOLE + r"[^/@\s]*@")
_PERSIST_METHODS = frozenset({"clone", "addRemote", "clone_from", "create_remote", "mirror"})
_COMMAND_CALLS = frozenset({"run", "call", "check_call", "check_output", "Popen", "exec", "execSync", "spawn",
                            "spawnSync", "execFile", "execFileSync", "execa", "system"})
_GIT_COMMAND = re.compile(r"\b(clone|remote\s+add)\b")
_UNDO = re.compile(r"removeRemote|delete_remote|set_url|\bremote\b.{0,12}\b(remove|rm|set-url)\b")
_TEMP = re.compile(r"tmpdir\(|mkdtemp|tempfile\.|TemporaryDirectory|gettempdir")
_PY_FUNCTIONS = frozenset({"function_definition"})


def _pieces(node: Node | None, src: SourceFile) -> str | None:
    """The text of a string-building expression with every runtime value replaced by HOLE; None
    when the expression builds no string."""
    if node is None:
        return None
    if node.type in ("template_string", "string"):
        out = []
        for child in node.children:
            if child.type in ("template_substitution", "interpolation"):
                out.append(HOLE)
            elif child.type in ("string_fragment", "string_content"):
                out.append(src.node_text(child))
        return "".join(out)
    if node.type in ("binary_expression", "binary_operator"):
        op = node.child_by_field_name("operator")
        if op is None or src.node_text(op) != "+":
            return None
        left = _pieces(node.child_by_field_name("left"), src)
        right = _pieces(node.child_by_field_name("right"), src)
        if left is None and right is None:
            return None
        return (left if left is not None else HOLE) + (right if right is not None else HOLE)
    if node.type == "parenthesized_expression" and node.named_children:
        return _pieces(node.named_children[0], src)
    return None


def _bindings(func: Node, src: SourceFile) -> dict[str, Node]:
    """Local names bound to a value in the function: `const x = v`, `x = v`."""
    out: dict[str, Node] = {}
    for node in walk(func):
        if node.type == "variable_declarator":
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        elif node.type in ("assignment", "assignment_expression"):
            name, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        elif node.type == "as_pattern" and node.named_children:  # `with tempfile.TemporaryDirectory() as tmp`
            alias = node.child_by_field_name("alias")
            name = alias.named_children[0] if alias is not None and alias.named_children else None
            value = node.named_children[0]
        else:
            continue
        if name is not None and value is not None and name.type == "identifier":
            out[src.node_text(name)] = value
    return out


def _credential_url(node: Node, src: SourceFile, bound: dict[str, Node]) -> bool:
    """The expression is (or names a local bound to) a URL with a runtime value in its user-info."""
    if node.type == "identifier" and src.node_text(node) in bound:
        node = bound[src.node_text(node)]
    built = _pieces(node, src)
    return built is not None and _CRED_URL.search(built) is not None


def _arguments(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return [a for a in args.named_children if a.type != "comment"] if args is not None else []


def _persisting(call: Node, src: SourceFile, bound: dict[str, Node]) -> str | None:
    """The name of the call when it records a credential URL as a git remote, else None."""
    callee = call.child_by_field_name("function")
    name = src.node_text(callee).rsplit(".", 1)[-1] if callee is not None else ""
    args = _arguments(call)
    if name in _PERSIST_METHODS:
        if any(_credential_url(a, src, bound) for a in args):
            return name
        return None
    if name not in _COMMAND_CALLS or not args:
        return None
    first = args[0]
    items = first.named_children if first.type in ("list", "array") else args
    words = [src.node_text(i) for i in items]
    if not any(_GIT_COMMAND.search(w) for w in words) and not _GIT_COMMAND.search(src.node_text(first)):
        return None
    for item in [*items, first]:
        if _credential_url(item, src, bound) or _embedded_url(item, src):
            return f"git {'clone' if 'clone' in src.node_text(first) else 'remote add'}"
    return None


def _embedded_url(node: Node, src: SourceFile) -> bool:
    """`git clone https://${token}@host/x` inside one command string."""
    built = _pieces(node, src)
    if built is None:
        return False
    return any(_CRED_URL.search(part) for part in built.split())


def _temporary(call: Node, src: SourceFile, bound: dict[str, Node]) -> bool:
    """The clone goes to a temporary directory (in its receiver or arguments, or a local bound to one)."""
    spans = [src.node_text(call)]
    for node in walk(call):
        if node.type == "identifier" and src.node_text(node) in bound:
            spans.append(src.node_text(bound[src.node_text(node)]))
    return any(_TEMP.search(s) for s in spans)


class CredentialInGitRemote(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (JS_RULE, PY_RULE)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added:
            return
        python = ctx.language == "python"
        if not python and ctx.language not in JS_LANGUAGES:
            return
        rule = PY_RULE if python else JS_RULE
        kinds = _PY_FUNCTIONS if python else JS_FUNCTIONS
        call_type = "call" if python else "call_expression"
        for func in head.nodes_of(*kinds):
            if not ctx.changed(func):
                continue
            body = func.child_by_field_name("body")
            if body is None or _UNDO.search(head.node_text(body)):
                continue
            bound = _bindings(body, head)
            for node in head.nodes_of(call_type, under=body):
                if not ctx.changed(node) or _nested(node, func, kinds):
                    continue
                name = _persisting(node, head, bound)
                if name is not None and not _temporary(node, head, bound):
                    yield ctx.finding(rule, node, _MESSAGE.format(call=name), end=line_of(node))


def _nested(node: Node, func: Node, kinds: frozenset[str]) -> bool:
    """The node belongs to a function nested inside `func` (checked on its own)."""
    return ancestor(node, kinds, func) is not None
