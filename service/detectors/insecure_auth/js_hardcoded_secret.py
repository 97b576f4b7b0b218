"""Hard-coded secrets and API keys in JavaScript and TypeScript code.

## What it does
Flags a string literal that is a credential: a literal shaped like a live provider key or
credential URL (`sk_live_...`, `whsec_...`, `AKIA...`, `ghp_...`, `xoxb-...`, a Slack incoming
webhook, a PEM private key), a literal assigned to a name such as `*_SECRET`, `*_API_KEY`,
`*Token` or `password` when it looks like a real secret, and the literal fallback of a secret
environment variable (`process.env.JWT_SECRET || "..."`, `?? "..."`). Test code is skipped.

## Why is this bad?
A secret in the repository is readable by everyone with access to the code, its forks, its CI
logs and every backup, forever; rotating it is the only fix once it is pushed. A literal fallback
silently ships the committed key whenever the variable is missing from a deployment, so anyone
can forge what the secret protects (webhook events, session cookies, JWTs).

## Example
```ts
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_8f2b1c0e4d7a49e6b3c5a1f0';
```

## Use instead
```ts
const webhookSecret = requireEnv('STRIPE_WEBHOOK_SECRET'); // fails fast when it is not set
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
from ...lang.js.flow import is_test_path, string_value, unwrap
from ...lang.js.syntax import LANGUAGES, text
from ...models import Finding, Severity
from ...parsing import SourceFile, walk
from .thresholds import HardcodedSecretSettings

RULE = Rule(
    id="js.insecure-auth.hardcoded-secret",
    category="insecure-auth",
    languages=LANGUAGES,
    severity=Severity.ERROR,
    summary="API key, token, password or signing secret committed as a string literal (or as an env fallback)",
    settings=HardcodedSecretSettings(),
)

_FAKE = re.compile(r"(?i)example|fake|dummy|xxxx|0000000|1234567|abcdefg|test_|sample|placeholder|redacted")
_PLACEHOLDER = re.compile(r"(?i)^(change[-_ ]?me|changeit|replace[-_ ]?me|todo|fixme|none|null|undefined|"
                          r"your[-_ ].*|<.*>|\$\{.*\}|\*+|x+)$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_URL_CREDS = re.compile(r"^[a-z][a-z0-9+.-]*://([^:/@\s]+):([^@/\s]+)@([^/:?\s]+)")
_LOCAL_HOST = re.compile(r"(?i)^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|[a-z0-9_-]+)$|example\.|\.local$|\.test$")
_AUTH_SCHEME = re.compile(r"^(Bearer|Token|Basic|Bot)\s+(\S{8,})$", re.IGNORECASE)
_ENV_OBJECT = re.compile(r"^(process\.env|import\.meta\.env|Bun\.env)$")
_STRING_TYPES = frozenset({"string", "template_string"})


class JsHardcodedSecretDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (RULE,)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        src = ctx.head
        if src is None or src.root is None or is_test_path(ctx.path) or not ctx.diff.added:
            return
        min_length = ctx.options.settings(RULE, HardcodedSecretSettings).min_length
        min_entropy = ctx.options.settings(RULE, HardcodedSecretSettings).min_entropy
        shapes = secret_patterns.for_repo(ctx.repo)  # provider key shapes, bundled and the repository's
        for node in walk(src.root):
            if node.type not in _STRING_TYPES or not ctx.changed(node):
                continue
            value = string_value(src, node)
            if not value:
                continue
            message = _verdict(src, node, value, min_length, min_entropy, shapes)
            if message:
                yield ctx.finding(RULE, node, message)


def _verdict(src: SourceFile, node: Node, value: str, min_length: int, min_entropy: float,
             shapes: re.Pattern[str]) -> str | None:
    """The finding message when the literal is a committed credential, else None."""
    env = _env_fallback_name(src, node)
    name = env or _bound_name(src, node)
    label = f"`{name}`" if name else "this literal"
    if shapes.search(value) and not _FAKE.search(value):
        extra = " (as the fallback of the environment variable)" if env else ""
        return (f"The credential {label} is committed as a string literal shaped like a live provider key{extra}; "
                "revoke it and read it only from the environment or the secret store, failing when it is unset.")
    if _URL_CREDS.match(value) and _url_password(value, min_length, min_entropy):
        return ("This connection URL embeds a hard-coded password; build it from an environment variable or the "
                "secret store instead.")
    kind = secret_name_kind(name) if name else None
    scheme = _AUTH_SCHEME.match(value)
    if name.lower() == "authorization" and scheme:
        kind, value = "secret", scheme.group(2)
    if kind is None:
        return None
    if env and kind in ("secret", "password") and _fallback_secret(value):
        return (f"The secret environment variable `{env}` falls back to a committed literal, so a deployment "
                "without the variable silently runs with a key everyone can read; fail at start-up when it is "
                "unset instead of defaulting.")
    if looks_secret(value, kind, min_length, min_entropy):
        return (f"The secret {label} is hard-coded as a string literal; rotate it and load it from the "
                "environment or the secret store (failing when it is unset) instead of committing a value.")
    return None


def _fallback_secret(value: str) -> bool:
    stripped = value.strip()
    return len(stripped) >= 6 and "://" not in stripped and not _ENV_NAME.match(stripped) \
        and not _PLACEHOLDER.match(stripped)


def _url_password(url: str, min_length: int, min_entropy: float) -> bool:
    m = _URL_CREDS.match(url)
    if m is None or _LOCAL_HOST.search(m.group(3)):
        return False
    user, password = m.group(1), m.group(2)
    return password != user and looks_secret(password, "password", min_length, min_entropy)


def _env_fallback_name(src: SourceFile, node: Node) -> str:
    """`process.env.X || "lit"` / `?? "lit"` -> "X"."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    if parent is None or parent.type != "binary_expression":
        return ""
    operator = parent.child_by_field_name("operator")
    if text(src, operator) not in ("||", "??") or unwrap(parent.child_by_field_name("right")) != node:
        return ""
    left = unwrap(parent.child_by_field_name("left"))
    if left is None:
        return ""
    if left.type == "member_expression" and _ENV_OBJECT.match(text(src, left.child_by_field_name("object"))):
        return text(src, left.child_by_field_name("property"))
    if left.type == "subscript_expression" and _ENV_OBJECT.match(text(src, left.child_by_field_name("object"))):
        return string_value(src, left.child_by_field_name("index")) or ""
    return ""


def _bound_name(src: SourceFile, node: Node) -> str:
    """The name a literal is bound to: a variable, an assigned property, an object key or a parameter."""
    parent = node.parent
    while parent is not None and parent.type in ("as_expression", "satisfies_expression", "parenthesized_expression"):
        node, parent = parent, parent.parent
    if parent is None:
        return ""
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
        return _target_name(src, parent.child_by_field_name("name"))
    if parent.type in ("assignment_expression", "assignment_pattern") and parent.child_by_field_name("right") == node:
        return _target_name(src, parent.child_by_field_name("left"))
    if parent.type == "pair" and parent.child_by_field_name("value") == node:
        key = parent.child_by_field_name("key")
        return string_value(src, key) or text(src, key)
    if parent.type in ("public_field_definition", "property_signature") and parent.child_by_field_name("value") == node:
        return text(src, parent.child_by_field_name("name"))
    return ""


def _target_name(src: SourceFile, target: Node | None) -> str:
    if target is None:
        return ""
    if target.type in ("identifier", "shorthand_property_identifier_pattern"):
        return text(src, target)
    if target.type == "member_expression":
        return text(src, target.child_by_field_name("property"))
    if target.type == "subscript_expression":
        return string_value(src, target.child_by_field_name("index")) or ""
    return ""
