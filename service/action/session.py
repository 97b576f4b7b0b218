"""GitHub requests with the workflow's token (`GITHUB_TOKEN`) where the App uses an installation token.

Everything else (retries, rate-limit waits, write pacing, pagination) is the App's client: the
Action's session is an `Installation` whose token is given rather than fetched with the App's JWT.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..app.github_client import GitHubClient, Installation, RetryPolicy
from ..app.transport import Answer


class TokenSession(Installation):
    def __init__(self, api_url: str, token: str, policy: RetryPolicy | None = None) -> None:
        super().__init__(GitHubClient(api_url, "", "", policy=policy), 0)
        self._token = token

    def request(self, method: str, path: str, *, json: Any = None,
                params: Mapping[str, Any] | None = None, retry_server_errors: bool = True) -> Answer:
        return self.client.request(method, path, auth=f"token {self._token}", json=json, params=params,
                                   retry_server_errors=retry_server_errors)

    def close(self) -> None:
        self.client.close()
