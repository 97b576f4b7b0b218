"""Hard-coded secrets and API keys, in Python and in JavaScript/TypeScript: one rule per language,
one judgement; the languages differ only in how a literal is bound to a name
(`secret_binding_py`, `secret_binding_js`).

## What it does
Flags a string literal that is a credential: a literal shaped like a live provider key or
credential URL (`sk_live_...`, `whsec_...`, `AKIA...`, `ghp_...`, `xoxb-...`, a Slack incoming
webhook, a PEM private key; the shapes are data, `rules/data/secret-patterns.yml`), a connection
URL with a hard-coded password, a literal bound to a name such as `*_SECRET`, `*_API_KEY`,
`*Token` or `password` when it looks like a real secret, the literal fallback of a secret
environment variable (`process.env.JWT_SECRET || "..."`, `os.environ.get("JWT_SECRET", "...")`),
and, whatever the names, a random-looking literal as the fallback of an environment lookup.
Test code is skipped.

## Why is this bad?
A secret in the repository is readable by everyone with access to the code, its forks, its CI
logs and every backup, forever; rotating it is the only fix once it is pushed. A literal fallback
silently ships the committed key whenever the variable is missing from a deployment.

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
from typing import ClassVar, Protocol

from tree_sitter import Node

from ...analysis import secret_patterns
from ...analysis.secrets import looks_secret, secret_name_kind
from ...detector import Detector, FileContext, Rule
from ...lang.js.flow import is_test_path as js_test_path
from ...lang.js.syntax import LANGUAGES as JS_LANGUAGES
from ...models import Confidence, Finding, Severity
from ...parsing import SourceFile
from .python_auth_syntax import is_test_path as py_test_path
from .secret_binding_js import JsSecretBinding
from .secret_binding_py import PythonSecretBinding
from .thresholds import HardcodedSecretSettings

PY_RULE = Rule(
    id="python.insecure-auth.hardcoded-secret",
    category="insecure-auth",
    languages=("python",),
    severity=Severity.ERROR,
    summary="API key, token, password or signing secret committed as a string literal",
    settings=HardcodedSecretSettings(),
)
JS_RULE = Rule(
    id="js.insecure-auth.hardcoded-secret",
    category="insecure-auth",
    languages=JS_LANGUAGES,
    severity=Severity.ERROR,
    summary="API key, token, password or signing secret committed as a string literal (or as an env fallback)",
    settings=HardcodedSecretSettings(),
)

_FAKE = re.compile(r"(?i)example|fake|dummy|xxxx|0000000|1234567|abcdef[g-z]|test|sample|placeholder|redacted")
_PLACEHOLDER = re.compile(r"(?i)change[-_ ]?me|changeit|replace[-_ ]?me|^(todo|fixme|none|null|undefined)$|"
                          r"^your[-_ ]|<.*>|\$\{.*\}|^\*+$|^x+$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_URL_CREDS = re.compile(r"^[a-z][a-z0-9+.-]*://([^:/@\s]+):([^@/\s]+)@([^/:?\s]+)")
_LOCAL_HOST = re.compile(r"(?i)^(localhost|127\.0\.0\.1|0\.0\.0\.0|\[::1\]|[a-z0-9_-]+)$|example\.|\.local$|\.test$")
_AUTH_SCHEME = re.compile(r"^(Bearer|Token|Basic|Bot)\s+(\S{8,})$", re.IGNORECASE)


class SecretBinding(Protocol):
    """How a language binds a string literal to a name."""

    string_types: frozenset[str]

    def value(self, src: SourceFile, node: Node) -> str | None: ...

    def env_name(self, src: SourceFile, node: Node) -> str: ...

    def is_env_fallback(self, src: SourceFile, node: Node) -> bool: ...

    def bound_name(self, src: SourceFile, node: Node) -> str: ...


class HardcodedSecretDetector(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PY_RULE, JS_RULE)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        src = ctx.head
        if src is None or src.root is None or not ctx.diff.added:
            return
        binding: SecretBinding
        if ctx.language == "python":
            rule, binding, test = PY_RULE, PythonSecretBinding(), py_test_path(ctx.path)
        elif ctx.language in JS_LANGUAGES:
            rule, binding, test = JS_RULE, JsSecretBinding(), js_test_path(ctx.path)
        else:
            return
        if test:
            return
        settings = ctx.options.settings(rule, HardcodedSecretSettings)
        shapes = secret_patterns.for_repo(ctx.repo)  # provider key shapes, bundled and the repository's
        for node in src.nodes_of(*binding.string_types):
            if not ctx.changed(node):
                continue
            value = binding.value(src, node)
            if not value:
                continue
            verdict = _verdict(binding, src, node, value, settings, shapes)
            if verdict is not None:
                yield ctx.finding(rule, node, verdict[0], confidence=verdict[1])


def _verdict(binding: SecretBinding, src: SourceFile, node: Node, value: str, settings: HardcodedSecretSettings,
             shapes: re.Pattern[str]) -> tuple[str, Confidence | None] | None:
    """(message, confidence) when the literal is a committed credential, else None."""
    env = binding.env_name(src, node)
    name = env or binding.bound_name(src, node)
    label = f"`{name}`" if name else "this literal"
    if shapes.search(value) and not _FAKE.search(value):
        extra = " (as the fallback of the environment variable)" if env else ""
        return (f"The credential {label} is committed as a string literal shaped like a live provider key{extra}; "
                "revoke it and read it only from the environment or the secret store, failing when it is "
                "unset."), None
    kind = secret_name_kind(name) if name else None
    scheme = _AUTH_SCHEME.match(value)
    if name.lower() == "authorization" and scheme:
        kind, value = "secret", scheme.group(2)
    elif _URL_CREDS.match(value) and _url_password(value, settings):
        return ("This connection URL embeds a hard-coded password; build it from an environment variable or the "
                "secret store instead."), None
    if kind is None:
        if binding.is_env_fallback(src, node) \
                and looks_secret(value, "key", settings.min_length, settings.min_entropy):
            return ("The fallback of this environment lookup is a random-looking literal (long, mixed letters and "
                    "digits), i.e. a committed credential that ships whenever the variable is unset; rotate it "
                    "and fail when the variable is missing instead."), "medium"
        return None
    if env and kind in ("secret", "password") and _fallback_secret(value):
        return (f"The secret environment variable `{env}` falls back to a committed literal, so a deployment "
                "without the variable silently runs with a key everyone can read; fail at start-up when it is "
                "unset instead of defaulting."), None
    if looks_secret(value, kind, settings.min_length, settings.min_entropy):
        return (f"The secret {label} is hard-coded as a string literal; rotate it and load it from the "
                "environment or the secret store (failing when it is unset) instead of committing a value."), None
    return None


def _fallback_secret(value: str) -> bool:
    stripped = value.strip()
    return len(stripped) >= 6 and "://" not in stripped and not _ENV_NAME.match(stripped) \
        and not _PLACEHOLDER.search(stripped)


def _url_password(url: str, settings: HardcodedSecretSettings) -> bool:
    m = _URL_CREDS.match(url)
    if m is None or _LOCAL_HOST.search(m.group(3)):
        return False
    user, password = m.group(1), m.group(2)
    return password != user and looks_secret(password, "password", settings.min_length, settings.min_entropy)
