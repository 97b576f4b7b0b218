"""The exception tree. Everything slopguard raises on purpose derives from SlopguardError.

SlopguardError
├── UsageError        bad command-line input (exit code 2)
├── ConfigError       an invalid .slopguard.yml or ruleset (exit code 2), carries path and line
├── GitError          not a repository, unknown ref, git failed (exit code 2)
├── LLMError          the LLM provider failed after its retries (llm/providers.py)
└── AppError          the GitHub App's errors (app/errors.py lists its subtree)

Outside the tree on purpose, each caught by the one module that expects it, which turns it into a
fallback or a message (it never escapes as a traceback):
- bounds.Overrun (a BaseException, so no `except Exception` swallows it): a time bound ran out;
  only the engine catches it and names the file it cut short.
- blobindex.IndexUnavailable: the key index could not be read or written; its callers compute
  the keys themselves. The blob cache (blobcache.py) raises nothing for a storage error: it logs
  it and turns itself off for the scan.
- app.transport.TransportFailure (no answer from GitHub), app.dashboard.github_user.SignInError
  (a sign-in GitHub did not complete), llm.endpoints.EndpointError (a ValueError: an endpoint the
  operator does not allow).
"""

from __future__ import annotations


class SlopguardError(Exception):
    """Root of every error slopguard raises deliberately."""


class UsageError(SlopguardError):
    """The command line asks for something impossible."""


class GitError(SlopguardError):
    """A git operation failed: not a repository, an unknown ref, a broken object."""


class ConfigError(SlopguardError):
    """A configuration or ruleset file is invalid."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(f"{where}{message}")
