"""Which LLM endpoint a scan may call, and with which key. Endpoints and keys belong to the operator
(the environment of the process); a repository may only pick one of them by name.

- `SLOPGUARD_LLM_BASE_URL` with `SLOPGUARD_LLM_API_KEY` (or `OPENAI_API_KEY`): the default
  OpenAI-compatible endpoint, named `default`.
- `SLOPGUARD_LLM_ENDPOINTS=name=url,name2=url2`: more endpoints a repository may choose with
  `llm.endpoint: name`; the key of `name` is `SLOPGUARD_LLM_API_KEY_<NAME>` (upper case, other
  characters as `_`), never another endpoint's.
- `ANTHROPIC_API_KEY` goes to `ANTHROPIC_BASE_URL` (default: Anthropic's API) and nowhere else.

A `base_url` in a trusted configuration (a local user's own `--config` file) is called without a
key unless it is the very URL an operator key was configured for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT = "default"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str
    key: str | None = None


class EndpointError(ValueError):
    """The configuration asks for an endpoint the operator does not allow (message safe to publish)."""


def same_url(a: str, b: str) -> bool:
    """Whether two base URLs name the same endpoint (scheme, host, port and path; case of host ignored)."""
    pa, pb = urlsplit(a.strip()), urlsplit(b.strip())
    return (pa.scheme.lower(), (pa.hostname or "").lower(), pa.port, pa.path.rstrip("/")) == (
        pb.scheme.lower(), (pb.hostname or "").lower(), pb.port, pb.path.rstrip("/"))


def operator_endpoints(env: Mapping[str, str]) -> dict[str, Endpoint]:
    """The OpenAI-compatible endpoints the operator configured, by name."""
    out: dict[str, Endpoint] = {}
    default_url = env.get("SLOPGUARD_LLM_BASE_URL", "").strip()
    if default_url:
        out[DEFAULT] = Endpoint(DEFAULT, default_url,
                                env.get("SLOPGUARD_LLM_API_KEY") or env.get("OPENAI_API_KEY") or None)
    for item in env.get("SLOPGUARD_LLM_ENDPOINTS", "").split(","):
        name, _, url = item.strip().partition("=")
        name, url = name.strip(), url.strip()
        if not name or not url or not _NAME.match(name):
            continue
        out[name] = Endpoint(name, url, env.get("SLOPGUARD_LLM_API_KEY_" + _env_suffix(name)) or None)
    return out


def choose(env: Mapping[str, str], name: str, trusted_url: str) -> Endpoint:
    """The endpoint for `llm.endpoint: name` (or the default), or for a trusted configuration's own
    `base_url`, which gets a key only when the operator configured that key for that same URL."""
    allowed = operator_endpoints(env)
    if trusted_url:
        for endpoint in allowed.values():
            if same_url(endpoint.url, trusted_url):
                return endpoint
        return Endpoint("configured", trusted_url, None)
    wanted = name or DEFAULT
    if wanted not in allowed:
        names = ", ".join(sorted(allowed)) or "none"
        if not name:
            raise EndpointError("llm.provider openai-compatible needs an endpoint from the operator "
                                "(SLOPGUARD_LLM_BASE_URL or SLOPGUARD_LLM_ENDPOINTS)")
        raise EndpointError(f"llm.endpoint {_shown(name)} is not an endpoint the operator allows "
                            f"(allowed: {names})")
    return allowed[wanted]


def _env_suffix(name: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def _shown(name: str) -> str:
    """A repository-chosen name, quoted only when it is a plain name (nothing else is echoed)."""
    return repr(name) if _NAME.match(name) else "(not a valid name)"
