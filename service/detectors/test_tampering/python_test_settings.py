"""The Python side of the test-config detector (`test_config.py`): pytest, coverage.py, pylint,
tox/nox, Makefile and CI settings; their thresholds, `omit` lists and deselecting options."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from ...detector import ChangeContext, FileContext, Rule
from ...lang.python.testing import is_test_path
from ...models import Finding, Severity
from ...parsing import SourceFile

LOWERED = Rule(
    id="python.test-tampering.coverage-threshold-lowered",
    category="test-tampering",
    languages=("python",),
    severity=Severity.ERROR,
    summary="A coverage or lint threshold is lowered or removed",
)
OMITTED = Rule(
    id="python.test-tampering.coverage-omit-added",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="Source files the change touches are excluded from coverage",
)
DESELECTED = Rule(
    id="python.test-tampering.tests-deselected",
    category="test-tampering",
    languages=("python",),
    severity=Severity.WARNING,
    summary="Test configuration changed so that tests are not collected or failures do not fail CI",
)

_CONFIG_NAMES = frozenset({"pyproject.toml", "setup.cfg", ".coveragerc", "tox.ini", "pytest.ini", "Makefile",
                           "makefile", "GNUmakefile", "noxfile.py", "conftest.py", ".pylintrc", "pylintrc",
                           ".gitlab-ci.yml", "Justfile", "justfile", "azure-pipelines.yml", ".travis.yml"})
_THRESHOLDS = (
    ("coverage", re.compile(r"^\s*\"?fail_under\"?\s*[=:]\s*[\"']?(\d+(?:\.\d+)?)", re.IGNORECASE)),
    ("coverage", re.compile(r"--cov-fail-under[= ]\s*[\"']?(\d+(?:\.\d+)?)")),
    ("coverage", re.compile(r"\bcoverage\s+report\b.*--fail-under[= ]\s*(\d+(?:\.\d+)?)")),
    ("pylint", re.compile(r"^\s*fail-under\s*=\s*(\d+(?:\.\d+)?)")),
    ("pylint", re.compile(r"\bpylint\b.*--fail-under[= ]\s*(\d+(?:\.\d+)?)")),
)
_OMIT_START = re.compile(r"^\s*\"?omit\"?\s*[=:]\s*(.*)$")
_GENERATED = re.compile(
    r"_pb2(_grpc)?\.py|_pb2\.pyi|migrations/|/vendor/|^vendor/|third_party|generated|_version\.py|"
    r"version\.py$|setup\.py$|conftest\.py$|(^|/)tests?/|__main__\.py$|\.venv|site-packages|/build/|^build/",
)
_DESELECT = re.compile(
    r"--deselect\b|--ignore(-glob)?[= ]|(?<![\w-])-k\s*[=]?\s*[\"']?\s*not\b|"
    r"\bcollect_ignore(_glob)?\b|--continue-on-collection-errors"
)
_TEST_CMD = re.compile(r"\b(pytest|py\.test|tox|nox|unittest|coverage\s+run|make\s+test)\b")
_ALWAYS_PASS = re.compile(r"(\|\|\s*(true|:|exit\s+0)\b)|(;\s*exit\s+0\b)")
_CONTINUE = re.compile(r"^\s*continue-on-error\s*:\s*true\b", re.IGNORECASE)


def is_config_path(path: str) -> bool:
    p = PurePosixPath(path)
    if p.name in _CONFIG_NAMES or p.suffix == ".mk":
        return True
    return path.startswith(".github/workflows/") and p.suffix in (".yml", ".yaml")


class PythonTestSettings:
    lowered = LOWERED
    removed_once = False  # every removed threshold is reported

    is_config = staticmethod(is_config_path)

    def thresholds(self, src: SourceFile | None) -> list[tuple[str, float, int]]:
        return _values(src)

    def checked(self, f: FileContext) -> bool:
        return True

    def threshold_name(self, kind: str) -> str:
        return kind

    def loosened(self, ctx: ChangeContext, configs: list[FileContext]) -> Iterator[Finding]:
        """New coverage omissions of touched source files, and options that deselect tests."""
        touched = [f.path for f in ctx.files if f.diff.added and f.diff.status != "deleted"
                   and f.path.endswith(".py") and not is_test_path(f.path)]
        for f in configs:
            if f.head is not None:
                yield from _omits(f, f.head, touched)
                yield from _deselects(f, f.head)


PYTHON = PythonTestSettings()


def _values(src: SourceFile | None) -> list[tuple[str, float, int]]:
    """(kind, value, line) of every threshold setting in a file."""
    out: list[tuple[str, float, int]] = []
    if src is None:
        return out
    for n, line in enumerate(src.lines, 1):
        code = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
        for kind, pattern in _THRESHOLDS:
            m = pattern.search(code)
            if m:
                out.append((kind, float(m.group(1)), n))
                break
    return out


def _omit_lines(src: SourceFile) -> Iterator[tuple[int, str]]:
    """(line, entry text) of every entry of an `omit` list (INI continuation lines or TOML arrays)."""
    lines = src.lines
    i = 0
    while i < len(lines):
        m = _OMIT_START.match(lines[i])
        if not m:
            i += 1
            continue
        rest = m.group(1)
        yield i + 1, rest
        toml = rest.strip().startswith("[")
        closed = toml and "]" in rest
        j = i + 1
        while j < len(lines) and not closed:
            text = lines[j]
            if toml:
                closed = "]" in text
            elif not text[:1].isspace() or not text.strip():
                break
            yield j + 1, text
            j += 1
        i = j


def _entries(text: str) -> list[str]:
    text = re.sub(r"\s#.*$", "", text)
    return [e for e in (p.strip().strip("\"',[]") for p in re.split(r"[,\s]+", text)) if e]


def _omits(f: FileContext, head: SourceFile, touched: list[str]) -> Iterator[Finding]:
    base_entries: set[str] = set()
    if f.base is not None and f.diff.old_path:
        for _, text in _omit_lines(f.base):
            base_entries.update(_entries(text))
    for line, text in _omit_lines(head):
        if line not in f.diff.added:
            continue
        for entry in _entries(text):
            if entry in base_entries or _GENERATED.search(entry):
                continue
            hits = [p for p in touched if _covers(entry, p) and not _GENERATED.search(p)]
            if hits:
                yield f.finding(OMITTED, line,
                                f"`{entry}` excludes `{hits[0]}`, which this change adds or modifies, from "
                                "coverage: test it instead of omitting it.")
                break


def _covers(pattern: str, path: str) -> bool:
    pattern = pattern.lstrip("./")
    if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, "*/" + pattern):
        return True
    return pattern.endswith("/") and path.startswith(pattern)


def _deselects(f: FileContext, head: SourceFile) -> Iterator[Finding]:
    base_lines = {line.strip() for line in f.base.lines} if f.base is not None and f.diff.old_path else set()
    # (`-p no:plugin` switches a plugin off and deselects nothing: not a match)
    base_text = " ".join(" ".join(f.base.lines).split()) if f.base is not None and f.diff.old_path else ""
    workflow = f.path.endswith((".yml", ".yaml"))
    for line in sorted(f.diff.added):
        text = head.line_text(line)
        stripped = text.strip()
        if not stripped or stripped.startswith("#") or stripped in base_lines:
            continue
        m = _DESELECT.search(text)
        if m and _argument(text, m.start()) in base_text:
            continue  # the same deselection was already there: the line only moved or was re-wrapped
        if m:
            yield f.finding(DESELECTED, line,
                            f"`{_argument(text, m.start())}` keeps tests from running: fix or delete the tests "
                            "explicitly instead of deselecting them in configuration.")
        elif _TEST_CMD.search(text) and _ALWAYS_PASS.search(text):
            yield f.finding(DESELECTED, line,
                            "The test command can no longer fail the build (`|| true`): let failures fail.")
        elif workflow and _CONTINUE.match(text) and _near_test_command(head, line):
            yield f.finding(DESELECTED, line,
                            "`continue-on-error: true` lets this CI step fail silently: remove it.")


def _argument(text: str, start: int) -> str:
    """The deselecting option with its argument (`-k "not slow and not ffi"`), whitespace-normalised."""
    rest = text[start:]
    m = re.match(r"""\S+?[= ]\s*(["'])(.*?)\1|\S+(\s+[^\s-]\S*)?""", rest)
    return " ".join((m.group(0) if m else rest).split())


def _near_test_command(src: SourceFile, line: int) -> bool:
    """True when a test command runs in the CI step or job that `line` configures."""
    lines = src.lines
    indent = _indent(src.line_text(line))
    parent = line - 1
    while parent > 0 and (not src.line_text(parent).strip() or _indent(src.line_text(parent)) >= indent):
        parent -= 1
    if parent <= 0:
        return False
    top = _indent(src.line_text(parent))
    end = parent + 1
    while end <= len(lines) and (not src.line_text(end).strip() or _indent(src.line_text(end)) > top):
        end += 1
    return any(_TEST_CMD.search(src.line_text(n)) for n in range(parent, end))


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))
