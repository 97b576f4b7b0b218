"""`python -m slopguard.ruledocs --write DIR` regenerates the rule pages; `--check DIR` exits 1
when they are stale (CI runs it through tests/test_ruledocs.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import SlopguardError
from ..registry import load as load_registry
from . import generated, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m slopguard.ruledocs")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", metavar="DIR", help="write README.md and one page per rule into DIR")
    mode.add_argument("--check", metavar="DIR", help="exit 1 when DIR differs from what --write makes")
    args = parser.parse_args(argv)
    rules = list(load_registry().rules.values())
    try:
        if args.check:
            files = stale(Path(args.check), rules)
            for name in files:
                print(f"{args.check}/{name}: stale", file=sys.stderr)
            return 1 if files else 0
        folder = Path(args.write)
        folder.mkdir(parents=True, exist_ok=True)
        expected = generated(rules)
        for old in folder.glob("*.md"):
            if old.name not in expected:
                old.unlink()
        for name, text in expected.items():
            (folder / name).write_text(text, encoding="utf-8")
        print(f"{len(expected)} files written to {folder}")
        return 0
    except SlopguardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
