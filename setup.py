"""Packaging layout: the `service/` folder is the source root of the `slopguard` package and the
`rules/` folder ships inside it as `slopguard/rules` (package data), so an installed wheel works
with no checkout beside it. Everything else about the project lives in pyproject.toml."""

from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).resolve().parent
SUBPACKAGES = find_packages(str(ROOT / "service"))
RULE_FILES = sorted(
    str(path.relative_to(ROOT / "rules"))
    for path in (ROOT / "rules").rglob("*")
    if path.is_file() and "__pycache__" not in path.parts
)

setup(
    packages=["slopguard", *(f"slopguard.{name}" for name in SUBPACKAGES), "slopguard.rules"],
    package_dir={"slopguard": "service", "slopguard.rules": "rules"},
    package_data={"slopguard.rules": RULE_FILES, "slopguard.app": ["migrations/*.ini", "migrations/*.mako"]},
)
