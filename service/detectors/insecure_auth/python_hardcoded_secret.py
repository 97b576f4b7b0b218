"""Hard-coded secrets and API keys in Python code.

## What it does
Flags a string literal that is a credential: a value assigned to (or passed as, or used as the
`os.environ.get`/`os.getenv` fallback of) a name such as `*_API_KEY`, `*_SECRET`, `*_TOKEN` or
`password`, when the literal looks like a real secret (long enough, mixed characters, not a
placeholder, not an environment variable name), and any literal shaped like a provider key
(`sk_live_...`, `AKIA...`, `ghp_...`, `xoxb-...`, a PEM private key). Test code is skipped.

## Why is this bad?
A secret in the repository is readable by everyone with access to the code, its forks, its CI
logs and every backup, forever; rotating it is the only fix once it is pushed. A literal fallback
in `os.environ.get("API_KEY", "...")` silently ships the committed key whenever the variable is
missing.

## Example
```python
PAYLANE_API_KEY = os.environ.get("PAYLANE_API_KEY", "8f2c4e91d7a35b06c1e9f4a2b7d803e5")
```

## Use instead
```python
PAYLANE_API_KEY = os.environ["PAYLANE_API_KEY"]  # injected from the secret store
```
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from tree_sitter import Node

from ...analysis import secret_patterns
from ...analysis.secrets import looks_secret, secret_name_kind
from ...detector import Detector, FileContext, Rule
from ...models import Finding, Severity
from ...parsing import SourceFile, walk
from .python_auth_syntax import call_name, is_test_path, last_segment, string_value
from .thresholds import HardcodedSecretSettings

RULE = Rule(
    id="python.insecure-auth.hardcoded-secret",
    category="insecure-auth",
    languages=("python",),
    severity=Severity.ERROR,
    summary="API key, token, password or signing secret committed as a string literal",
    settings=HardcodedSecretSettings(),
)

_FAKE = re.compile(r"(?i)(example|fake|dummy|xxxx|0000000|1234567|abcdef[g-z]|test|sample)")
_AUTH_SCHEME = re.compile(r"^(Bearer|Token|Basic|Bot)\s+(\S+)$", re.IGNORECASE)
_URL_CREDS = re.compile(r"^[a-z][a-z0-9+.-]*://([^:/@\s]+):([^@/\s]+)@([^/:?\s]+)")
_LOCAL_HOST = re.compile(r"(?i)^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|[a-z0-9_-]+)$|example\.|\.local$|\.test$")
_BASIC_AUTH_CALLS = frozenset({"HTTPBasicAuth", "HTTPDigestAuth", "BasicAuth", "login", "DigestAuth"})
_ENV_GETTERS = frozenset({"get", "getenv", "setdefault", "environ.get", "os.getenv"})


class HardcodedSecretDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        src = ctx.head
        if src is None or src.root is None or is_test_path(ctx.path) or not ctx.diff.added:
            return
        min_length = ctx.options.settings(RULE, HardcodedSecretSettings).min_length
        min_entropy = ctx.options.settings(RULE, HardcodedSecretSettings).min_entropy
        seen: set[int] = set()
        shapes = secret_patterns.for_repo(ctx.repo)  # provider key shapes, bundled and the repository's
        for node in walk(src.root):
            if node.type != "string" or not ctx.changed(node) or node.start_byte in seen:
                continue
            value = string_value(node, src)
            if value is None:
                continue
            name = _name_for(node, src)
            provider = shapes.search(value)
            if provider and not _FAKE.search(value):
                seen.add(node.start_byte)
                label = f"`{name}`" if name else "this literal"
                yield ctx.finding(RULE, node, f"The credential {label} is committed as a string literal "
                                  "shaped like a live provider key; revoke it and read it from the environment "
                                  "or the secret store instead.")
                continue
            kind = secret_name_kind(name) if name else None
            fallback = _is_env_fallback(node, src)
            if kind is None and fallback and looks_secret(value, "key", min_length, min_entropy):
                seen.add(node.start_byte)
                yield ctx.finding(RULE, node, "The fallback of this environment lookup is a random-looking "
                                  "literal (long, mixed letters and digits), i.e. a committed credential that "
                                  "ships whenever the variable is unset; rotate it and fail when the variable is "
                                  "missing instead.", confidence="medium")
                continue
            scheme = _AUTH_SCHEME.match(value)
            if name.lower() == "authorization" and scheme:
                kind, value = "secret", scheme.group(2)
            elif _URL_CREDS.match(value) and _url_password(value, min_length, min_entropy):
                seen.add(node.start_byte)
                yield ctx.finding(RULE, node, "This connection URL embeds a hard-coded password; build it from "
                                  "an environment variable or the secret store instead.")
                continue
            if kind and looks_secret(value, kind, min_length, min_entropy):
                seen.add(node.start_byte)
                yield ctx.finding(RULE, node, f"The secret `{name}` is hard-coded as a string literal; rotate "
                                  "it and load it from the environment or the secret store (failing when it is "
                                  "unset) instead of committing a value.")


def _url_password(url: str, min_length: int, min_entropy: float) -> bool:
    m = _URL_CREDS.match(url)
    if m is None or _LOCAL_HOST.search(m.group(3)):
        return False
    user, password = m.group(1), m.group(2)
    return password != user and looks_secret(password, "password", min_length, min_entropy)


def _name_for(node: Node, src: SourceFile) -> str:
    """The name a string literal is bound to: assignment target, keyword, dict key, parameter, or the
    variable name of an `os.environ.get(NAME, <literal>)` fallback."""
    parent = node.parent
    if parent is None:
        return ""
    if parent.type == "assignment" and parent.child_by_field_name("right") == node:
        return _target_name(parent.child_by_field_name("left"), src)
    if parent.type in ("keyword_argument", "default_parameter", "typed_default_parameter"):
        if parent.child_by_field_name("value") != node:
            return ""
        name = parent.child_by_field_name("name")
        if parent.type == "keyword_argument" and name is not None and src.node_text(name) == "default":
            return _env_name(parent.parent, src)
        return src.node_text(name) if name is not None else ""
    if parent.type == "pair" and parent.child_by_field_name("value") == node:
        return string_value(parent.child_by_field_name("key"), src) or ""
    if parent.type == "argument_list":
        args = [a for a in parent.named_children if a.type != "comment"]
        if len(args) >= 2 and args[1] == node:
            if parent.parent is not None and last_segment(call_name(parent.parent, src)) in _BASIC_AUTH_CALLS:
                return "password"
            return _env_name(parent, src)
    if parent.type == "tuple" and parent.parent is not None and parent.parent.type == "keyword_argument":
        items = [a for a in parent.named_children if a.type != "comment"]
        key = parent.parent.child_by_field_name("name")
        if len(items) == 2 and items[1] == node and key is not None and src.node_text(key) == "auth":
            return "password"
    return ""


def _is_env_fallback(node: Node, src: SourceFile) -> bool:
    """The literal is the default of `os.environ.get(X, <lit>)` / `os.getenv(X, default=<lit>)`."""
    parent = node.parent
    if parent is not None and parent.type == "keyword_argument" and parent.child_by_field_name("value") == node:
        name = parent.child_by_field_name("name")
        if name is None or src.node_text(name) != "default":
            return False
        parent = parent.parent
    elif parent is None or parent.type != "argument_list":
        return False
    else:
        args = [a for a in parent.named_children if a.type != "comment"]
        if len(args) < 2 or args[1] != node:
            return False
    if parent is None or parent.type != "argument_list" or parent.parent is None:
        return False
    callee = call_name(parent.parent, src)
    return callee in ("os.getenv", "getenv", "os.environ.get", "environ.get", "os.environ.setdefault")


def _target_name(left: Node | None, src: SourceFile) -> str:
    if left is None:
        return ""
    if left.type == "identifier":
        return src.node_text(left)
    if left.type == "attribute":
        attr = left.child_by_field_name("attribute")
        return src.node_text(attr) if attr is not None else ""
    if left.type == "subscript":
        return string_value(left.child_by_field_name("subscript"), src) or ""
    return ""


def _env_name(args: Node | None, src: SourceFile) -> str:
    """For `os.environ.get("X", ...)`, `os.getenv("X", ...)`, `settings.get("X", ...)`: "X"."""
    if args is None or args.type != "argument_list" or args.parent is None:
        return ""
    callee = call_name(args.parent, src)
    if last_segment(callee) not in _ENV_GETTERS and callee not in _ENV_GETTERS:
        return ""
    first = next(iter(args.named_children), None)
    return string_value(first, src) or ""
