"""The exception tree. Everything slopguard raises on purpose derives from SlopguardError.

SlopguardError
├── UsageError        bad command-line input (exit code 2)
├── ConfigError       an invalid .slopguard.yml or ruleset (exit code 2), carries path and line
└── GitError          not a repository, unknown ref, git failed (exit code 2)
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
