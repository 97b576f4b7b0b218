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

from ...analysis.collection import Uncollected
from ...detector import FileContext, RepoView
from ...parsing import SourceFile, line_of, walk
from .testing import is_test_path, test_functions

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


def _imports_test_framework(src: SourceFile) -> bool:
    for node in src.root.named_children if src.root is not None else ():
        if node.type in ("import_statement", "import_from_statement"):
            text = src.node_text(node)
            if any(word in text.split() or f"{word}." in text for word in ("pytest", "unittest")):
                return True
    return False


def _calls_own_tests(src: SourceFile, names: set[str]) -> bool:
    """A script that calls its test functions itself (`if __name__ == "__main__": test_x()`)."""
    for node in walk(src.root) if src.root is not None else ():
        if node.type == "call":
            func = node.child_by_field_name("function")
            if func is not None and src.node_text(func) in names:
                return True
    return False


def uncollected(repo: RepoView, file: FileContext) -> Uncollected | None:
    """A new Python file with test functions (under a test directory or importing
    pytest/unittest) that pytest, as configured, does not collect; None otherwise. `conftest.py`
    and scripts that call their own tests are left alone."""
    src = file.head
    if src is None or PurePosixPath(file.path).name == "conftest.py":
        return None
    settings = collection(repo)
    if settings.collects(file.path):
        return None
    tests = test_functions(src)
    if not tests or not (is_test_path(file.path) or _imports_test_framework(src)):
        return None
    if _calls_own_tests(src, {t.name for t in tests}):
        return None
    name = PurePosixPath(file.path).name
    patterns = ", ".join(settings.python_files)
    if not any(PurePosixPath(name).match(p) for p in settings.python_files):
        why = f"its name matches none of the collected patterns ({patterns})"
    else:
        why = f"it lies outside the configured testpaths ({', '.join(settings.testpaths)})"
    return Uncollected("pytest", why, len(tests), line_of(tests[0].outer),
                       "Rename or move it where the runner looks.")
