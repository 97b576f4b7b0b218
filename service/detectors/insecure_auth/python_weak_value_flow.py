"""A predictable value (a fast digest or the `random` module) that becomes a session, a cookie or
an application's signing key, followed by data flow within one function.

## What it does
Inside a function the change touches, marks as weak the result of `hashlib.md5` / `hashlib.sha1`
(also `hashlib.new("md5")` and their `.hexdigest()`), of the `random` module's generators
(`random.random`, `randint`, `getrandbits`, `randbytes`, and `choice`/`choices`/`sample` when
joined into a string: one pick from a list is a variant, not an identifier) and of
`uuid.uuid1()`, then follows it through assignments, f-strings, `str()`/`.hex()` and string
concatenation, whatever the variables are called. It reports the line where a weak value reaches
a sink: a session entry (`session[...] = v`, `request.session[...] = v`), a cookie
(`response.set_cookie(name, v)` or `value=v`) or the application's signing key
(`app.secret_key = v`, `app.config["SECRET_KEY"] = v`) or a JWT signing key (`jwt.encode(payload, v)`).

## Why is this bad?
md5/sha1 of guessable input and the Mersenne Twister behind `random` are predictable: an attacker
who sees a few values (or knows the input) forges the session id, the cookie or the signature.

## Example
```python
sid = hashlib.md5(f"{user.id}{time.time()}".encode()).hexdigest()
response.set_cookie("sid", sid)
```

## Use instead
`secrets.token_urlsafe(32)` for identifiers and keys; let the framework's session handle
session ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...detector import Detector, FileContext, Rule
from ...lang.python import symbols as sym
from ...models import Finding, Severity
from ...parsing import walk

RULE = Rule(
    id="python.insecure-auth.weak-value-to-session",
    category="insecure-auth",
    languages=("python",),
    severity=Severity.WARNING,
    summary="An md5/sha1 digest or a `random` value flows into a session, a cookie or a signing key",
)

RANDOM = frozenset({"random", "randint", "randrange", "choice", "choices", "getrandbits", "randbytes", "sample",
                    "uniform"})
PICKS = frozenset({"choice", "choices", "sample"})
DIGESTS = frozenset({"md5", "sha1"})
SESSIONS = frozenset({"session", "request.session", "self.request.session", "flask.session"})
KEY_CONFIG = frozenset({"SECRET_KEY", "JWT_SECRET_KEY", "SESSION_SECRET"})


def _source(node: Node) -> str | None:
    """What makes a call weak: 'md5', 'random.choice', 'uuid1'; None for other calls."""
    name = sym.text(node.child_by_field_name("function"))
    parts = name.split(".")
    if len(parts) == 2 and parts[0] == "hashlib" and parts[1] in DIGESTS:
        return parts[1]
    if name == "hashlib.new":
        args = node.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_children else None
        if first is not None and sym.text(first).strip("\"'").lower() in DIGESTS:
            return sym.text(first).strip("\"'").lower()
    if len(parts) == 2 and parts[0] == "random" and parts[1] in RANDOM:
        if parts[1] in PICKS and not _inside_join(node):
            return None  # one pick from a list (a colour, an A/B variant) is not an identifier
        return name
    if name == "uuid.uuid1":
        return name
    return None


def _inside_join(node: Node) -> bool:
    """Inside `"".join(...)`: picks assembled into a string, i.e. a generated code or token."""
    current = node.parent
    while current is not None and current.type not in ("expression_statement", "function_definition"):
        if current.type == "call" and sym.text(current.child_by_field_name("function")).endswith(".join"):
            return True
        current = current.parent
    return False


def _weakness(expr: Node, tainted: dict[str, str]) -> str | None:
    """Why `expr` is weak: it contains a weak call or a tainted name."""
    for node in walk(expr):
        if node.type == "call":
            found = _source(node)
            if found:
                return found
        elif node.type == "identifier" and sym.text(node) in tainted:
            parent = node.parent
            if parent is not None and parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
                continue
            return tainted[sym.text(node)]
    return None


def _sink(stmt: Node) -> tuple[str, Node] | None:
    """(what the sink is, the value expression) for a session, cookie or signing-key write."""
    for node in walk(stmt):
        if node.type == "assignment":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                continue
            if left.type == "subscript":
                target = sym.text(left.child_by_field_name("value"))
                key = sym.text(left.child_by_field_name("subscript")).strip("\"'")
                if target in SESSIONS:
                    return "the session", right
                if target.endswith(".config") and key in KEY_CONFIG:
                    return f"the application's {key}", right
            elif left.type == "attribute" and sym.text(left.child_by_field_name("attribute")) == "secret_key":
                return "the application's secret key", right
        elif node.type == "call" and sym.text(node.child_by_field_name("function")) == "jwt.encode":
            signing_key = _argument(node, 1, "key")
            if signing_key is not None:
                return "the JWT signing key", signing_key
        elif node.type == "call" and sym.text(node.child_by_field_name("function")).endswith(".set_cookie"):
            args = node.child_by_field_name("arguments")
            if args is None:
                continue
            positional = [a for a in args.named_children if a.type != "keyword_argument"]
            for arg in args.named_children:
                if arg.type == "keyword_argument" and sym.text(arg.child_by_field_name("name")) == "value":
                    value = arg.child_by_field_name("value")
                    if value is not None:
                        return "a cookie", value
            if len(positional) > 1:
                return "a cookie", positional[1]
    return None


def _argument(call: Node, position: int, keyword: str) -> Node | None:
    """The argument at `position` (0-based, positional) or passed as `keyword=`."""
    args = call.child_by_field_name("arguments")
    if args is None:
        return None
    for arg in args.named_children:
        if arg.type == "keyword_argument" and sym.text(arg.child_by_field_name("name")) == keyword:
            return arg.child_by_field_name("value")
    positional = [a for a in args.named_children if a.type not in ("keyword_argument", "comment")]
    return positional[position] if len(positional) > position else None


def _statements(func: Node) -> Iterator[Node]:
    """The simple statements of a function body in source order (nested blocks included)."""
    for node in walk(func):
        if node.type in ("expression_statement", "return_statement") and node != func:
            yield node


class WeakValueFlow(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        head = ctx.head
        if head is None or head.root is None or not ctx.diff.added:
            return
        for func in head.nodes_of("function_definition"):
            if ctx.changed(func):
                yield from self._function(ctx, func)

    @staticmethod
    def _function(ctx: FileContext, func: Node) -> Iterator[Finding]:
        tainted: dict[str, str] = {}
        for stmt in _statements(func):
            sink = _sink(stmt)
            if sink is not None:
                weak = _weakness(sink[1], tainted)
                if weak and ctx.changed(stmt):
                    yield ctx.finding(
                        RULE, stmt,
                        f"A value derived from `{weak}` (predictable) becomes {sink[0]} here; "
                        f"generate it with `secrets.token_urlsafe()` instead.",
                    )
                    continue
            for node in walk(stmt):
                if node.type != "assignment":
                    continue
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                if left is None or right is None or left.type != "identifier":
                    continue
                weak = _weakness(right, tainted)
                if weak:
                    tainted[sym.text(left)] = weak
                else:
                    tainted.pop(sym.text(left), None)
