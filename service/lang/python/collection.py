"""Which Python test files the repository's test runner collects.

pytest collects a file when its name matches `python_files` (default `test_*.py` and
`*_test.py`) and, when `testpaths` is set and the run names no path, when it lies under one of
them. The settings are read once per scan from the head tree: pytest.ini, pyproject.toml
(`[tool.pytest.ini_options]`), tox.ini (`[pytest]`) and setup.cfg (`[tool:pytest]`), first found
wins, as pytest does. A file the configuration or CI names explicitly (tox, Makefile, workflows,
noxfile) is collected whatever its name: pytest collects any file it is given. Repositories that
run `unittest` or Django's runner (which use `test*.py`) are honoured too.
"""

from __future__ import annotations

import configparser
import fnmatch
import re
import tomllib
from dataclasses import dataclass
from pathlib import PurePosixPath

from ...detector import RepoView

DEFAULT_FILES = ("test_*.py", "*_test.py")
UNITTEST_FILES = ("test*.py",)
RUNNER_FILES = ("tox.ini", "setup.cfg", "pyproject.toml", "Makefile", "noxfile.py", "pytest.ini",
                "package.json", "justfile", "Justfile")


@dataclass(frozen=True)
class Collection:
    """What the runner collects: file name patterns, test paths, and files named explicitly."""

    python_files: tuple[str, ...]
    testpaths: tuple[str, ...]
    named: str  # the text of every runner configuration, where explicit file names appear
    configured: bool  # python_files came from the repository's configuration

    def collects(self, path: str) -> bool:
        p = PurePosixPath(path)
        if p.name in self.named or path in self.named:
            return True
        if not any(fnmatch.fnmatch(p.name, pattern) for pattern in self.python_files):
            return False
        return not self.testpaths or any(_under(path, root) for root in self.testpaths)


def _under(path: str, root: str) -> bool:
    root = root.strip("/").removeprefix("./")
    return root in ("", ".") or path == root or path.startswith(root + "/")


def _split(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return tuple(str(value).split()) if value else ()


def _ini(text: str, section: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        return {}
    return dict(parser[section]) if parser.has_section(section) else {}


def _settings(repo: RepoView) -> tuple[dict[str, object], bool]:
    """The pytest settings of the first configuration file that has them, and whether one did."""
    for path, section in (("pytest.ini", "pytest"), ("pyproject.toml", ""), ("tox.ini", "pytest"),
                          ("setup.cfg", "tool:pytest")):
        src = repo.source("RIGHT", path)
        if src is None:
            continue
        if path == "pyproject.toml":
            try:
                data = tomllib.loads(src.text)
            except tomllib.TOMLDecodeError:
                continue
            options = data.get("tool", {}).get("pytest", {}).get("ini_options")
            if isinstance(options, dict):
                return options, True
            continue
        options = _ini(src.text, section)
        if options or path == "pytest.ini":
            return dict(options), True
    return {}, False


def _build(repo: RepoView) -> Collection:
    options, found = _settings(repo)
    paths = repo.paths("RIGHT")
    runner_texts = []
    for path in paths:
        if PurePosixPath(path).name in RUNNER_FILES or (path.startswith(".github/workflows/")
                                                        and path.endswith((".yml", ".yaml"))):
            src = repo.source("RIGHT", path)
            if src is not None:
                runner_texts.append(src.text)
    named = "\n".join(runner_texts)
    files = _split(options.get("python_files")) or DEFAULT_FILES
    if not options.get("python_files") and (re.search(r"\bunittest\b", named) or "manage.py" in paths):
        files = files + UNITTEST_FILES
    return Collection(python_files=files, testpaths=_split(options.get("testpaths")), named=named,
                      configured=found and bool(options.get("python_files")))


def collection(repo: RepoView) -> Collection:
    """The repository's test collection settings, built once per scan."""
    return repo.memo("python.collection", lambda: _build(repo))
