"""The App's exceptions, all under slopguard.errors.SlopguardError.

SlopguardError
└── AppError                 anything the GitHub App raises on purpose
    ├── SettingsError        a missing or invalid environment variable
    ├── FetchError           fetching the pull request's commits failed
    ├── SchemaError          the database schema is outdated (run `slopguard db upgrade`)
    └── GitHubError          GitHub answered with an error (carries status and message)
        └── RateLimitError   a primary or secondary rate limit that outlasted our patience
"""

from __future__ import annotations

from ..errors import SlopguardError


class AppError(SlopguardError):
    """Root of the GitHub App's errors."""


class SettingsError(AppError):
    """The environment does not describe a usable App."""


class FetchError(AppError):
    """git could not fetch the pull request (the message never contains credentials)."""


class GitHubError(AppError):
    """A GitHub REST API call failed."""

    def __init__(self, status: int, message: str, method: str = "", path: str = "") -> None:
        self.status = status
        self.message = message
        self.method = method
        self.path = path
        super().__init__(f"GitHub {method} {path}: {status} {message}".strip())


class RateLimitError(GitHubError):
    """A rate limit whose reset lies further ahead than the client is willing to wait.

    `until` is when GitHub may be called again (epoch seconds); `kind` is primary, secondary or
    content (GitHub's caps on content-creating requests). The job waits for it; it is not a failure.
    """

    def __init__(self, status: int, message: str, method: str = "", path: str = "", *, until: float = 0.0,
                 kind: str = "primary") -> None:
        super().__init__(status, message, method, path)
        self.until = until
        self.kind = kind


class SchemaError(AppError):
    """The database schema is not the one this version needs (`slopguard db upgrade` migrates it)."""
