"""GitHub's HTTP transport on PyGithub: its Requester (connection pool, `base_url` for GitHub
Enterprise Server and the tests' fake, 301s followed) and its App JWT (`Auth.AppAuth`).

Everything the App promises about GitHub calls stays in github_client.py on top of this: retries,
rate limits shared by the workers, write pacing and per-call metrics. So PyGithub's own retry is
switched off (its default GithubRetry repeats POSTs on a 5xx, which would post a review twice) and
so is its throttling (seconds_between_requests / seconds_between_writes; github_client paces).
Requests carry the caller's Authorization (an installation token or the App's JWT); the Requester
has no credentials of its own. A 307/308 (a renamed repository, for a method other than GET) is
followed here with the same method and body, which the Requester leaves to its caller.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests
from github import Auth, Github

from .. import __version__

API_VERSION = "2022-11-28"
MAX_REDIRECTS = 5


@dataclass(frozen=True)
class Answer:
    """One HTTP answer from GitHub."""

    status_code: int
    headers: Mapping[str, str]
    text: str
    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


class TransportFailure(Exception):
    """No answer: the connection failed or the request timed out."""


class Transport:
    def __init__(self, api_url: str, timeout_s: float) -> None:
        self.api_url = api_url.rstrip("/")
        github = Github(base_url=self.api_url, timeout=max(1, round(timeout_s)), user_agent=f"slopguard/{__version__}",
                        per_page=100, retry=None, seconds_between_requests=None, seconds_between_writes=None,
                        api_version=API_VERSION, lazy=True)
        self._requester = github.requester

    def send(self, method: str, url: str, *, auth: str, json_body: Any = None,
             params: Mapping[str, Any] | None = None) -> Answer:
        """`url`: a path below the API root, or an absolute URL GitHub handed out (Link, Location)."""
        target = url if url.startswith(("http://", "https://")) else "/" + url.lstrip("/")
        for _ in range(MAX_REDIRECTS):
            headers = {"Authorization": auth, "Accept": "application/vnd.github+json"}
            try:
                status, answer_headers, body = self._requester.requestJson(
                    method, target, parameters=dict(params or {}), headers=headers, input=json_body)
            except requests.RequestException as exc:
                raise TransportFailure(f"{type(exc).__name__}: {exc}") from None
            headers_lower = {k.lower(): str(v) for k, v in answer_headers.items()}
            location = headers_lower.get("location")
            if status in (307, 308) and location:
                target, params = urljoin(self.api_url + "/", location), None
                continue
            return Answer(status, headers_lower, body, _links(headers_lower.get("link", "")))
        raise TransportFailure(f"more than {MAX_REDIRECTS} redirects from {url}")

    def close(self) -> None:
        self._requester.close()


def app_auth(app_id: str, private_key: str) -> Auth.AppAuth:
    """The App's authentication: JWTs (RS256) valid for nine minutes, issued a minute back."""
    return Auth.AppAuth(app_id, private_key, jwt_expiry=540, jwt_issued_at=-60)


def _links(header: str) -> dict[str, dict[str, str]]:
    """RFC 8288 Link header -> {rel: {"url": ...}} (the shape httpx gives)."""
    out: dict[str, dict[str, str]] = {}
    for part in header.split(","):
        section = part.split(";")
        url = section[0].strip()
        if not (url.startswith("<") and url.endswith(">")):
            continue
        for attr in section[1:]:
            key, _, value = attr.strip().partition("=")
            if key == "rel":
                out[value.strip('"')] = {"url": url[1:-1]}
    return out
