"""Shared helpers for the deployment checks: paths, the CLI parser, the App's environment contract."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from slopguard.cli import build_parser
from slopguard.errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DESIGN = ROOT / "docs" / "design.md"

# DESIGN.md, "Contract: the GitHub App service": the environment the service is configured by.
APP_ENV = frozenset({
    "SLOPGUARD_APP_ID", "SLOPGUARD_PRIVATE_KEY", "SLOPGUARD_PRIVATE_KEY_PATH", "SLOPGUARD_WEBHOOK_SECRET",
    "SLOPGUARD_GITHUB_API_URL", "SLOPGUARD_DATABASE_URL", "SLOPGUARD_QUEUE_URL", "SLOPGUARD_WORKDIR",
    "ANTHROPIC_API_KEY",
})
# The subcommands the deployment runs, by DESIGN.md's CLI contract and issue 7.
CONTRACT_COMMANDS = (("serve",), ("worker",), ("db", "upgrade"))


def design_env_names() -> frozenset[str] | None:
    """The variables docs/design.md's App contract names."""
    if not DESIGN.is_file():
        return None
    text = DESIGN.read_text()
    start = text.index("## Contract: the GitHub App")
    end = text.find("\n## ", start + 1)
    section = text[start:] if end < 0 else text[start:end]
    return frozenset(re.findall(r"`((?:SLOPGUARD|ANTHROPIC)_[A-Z0-9_]+)`", section))


def subcommands(parser: Any = None, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every (sub)command path of the CLI's argparse tree, e.g. ("db", "upgrade")."""
    import argparse

    parser = parser or build_parser()
    found: set[tuple[str, ...]] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.add((*prefix, name))
                found |= subcommands(child, (*prefix, name))
    return found


def require_subcommand(path: Sequence[str]) -> None:
    """Skip (naming it) when the CLI does not have this contract subcommand yet."""
    if tuple(path) not in subcommands():
        pytest.skip(f"`slopguard {' '.join(path)}` is not in service.cli.build_parser() yet (the App's CLI)")


def parse_cli(argv: Sequence[str]) -> Any:
    """Parse argv exactly as the `slopguard` entry point does; fail the test on a usage error."""
    try:
        return build_parser().parse_args(list(argv))
    except UsageError as exc:
        pytest.fail(f"`slopguard {shlex.join(argv)}` is not a valid command line: {exc}")
    except SystemExit as exc:  # --help/--version would exit
        pytest.fail(f"`slopguard {shlex.join(argv)}` exits ({exc.code}) instead of running")


def command_path(args: Any) -> tuple[str, ...]:
    path: list[str] = [args.command]
    for attr in ("db_command", "config_command"):
        value = getattr(args, attr, None)
        if value:
            path.append(value)
    return tuple(path)


def load_all(path: Path) -> list[Any]:
    with path.open() as fh:
        return [doc for doc in yaml.safe_load_all(fh) if doc is not None]
