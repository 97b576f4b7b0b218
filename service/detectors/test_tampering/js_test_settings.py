"""The JavaScript/TypeScript side of the test-config detector (`test_config.py`): package.json,
jest/vitest/vite/playwright/karma configs, .nycrc, .c8rc and .mocharc; their coverage thresholds,
ignore/exclude arrays and test scripts."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from ...detector import ChangeContext, FileContext, Rule
from ...lang.js.testing import LANGUAGES, is_test_path
from ...models import Finding, Severity
from ...parsing import SourceFile


def _rule(name: str, severity: Severity, summary: str) -> Rule:
    return Rule(id=f"js.test-tampering.{name}", category="test-tampering", languages=LANGUAGES,
                severity=severity, summary=summary)


LOWERED = _rule("coverage-threshold-lowered", Severity.ERROR, "A JS/TS coverage threshold is lowered or removed")
COVERAGE_EXCLUDED = _rule("coverage-exclude-added", Severity.WARNING,
                          "Source files the change touches are excluded from coverage")
EXCLUDED = _rule("tests-excluded", Severity.WARNING,
                 "Test configuration changed so that tests are not collected or failures do not fail CI")

_CONFIG = re.compile(
    r"^(package\.json|(jest|vitest|vite|playwright|karma)\.(config|workspace)\.[cm]?[jt]s(on)?|"
    r"jest\.config\.json|vitest\.workspace\.[cm]?[jt]s|karma\.conf\.[cm]?js|"
    r"\.nycrc(\.json|\.ya?ml)?|\.c8rc(\.json)?|\.mocharc\.(js|cjs|json|ya?ml)?|\.mocharc)$"
)
_METRICS = "branches|functions|lines|statements"
_THRESHOLD = re.compile(rf"(?<![\w.-])[\"']?({_METRICS})[\"']?\s*:\s*(\d+(?:\.\d+)?)\b")
_INLINE_SCOPE = re.compile(r"[\"']?([\w./*-]+)[\"']?\s*:\s*\{[^{}]*$")
_CLI_THRESHOLD = re.compile(rf"(?:thresholds\.|--)({_METRICS})[= ](\d+(?:\.\d+)?)\b")
_KEY = re.compile(r"^\s*[\"']?([\w./*-]+)[\"']?\s*:")
_ARRAY_KEYS = {
    "testPathIgnorePatterns": "tests", "testIgnore": "tests", "modulePathIgnorePatterns": "tests",
    "exclude": "?", "ignore": "tests", "coveragePathIgnorePatterns": "coverage",
}
_ARRAY_START = re.compile(r"^\s*[\"']?(\w+)[\"']?\s*:\s*\[(.*)$")
_STRING = re.compile(r"([\"'`])((?:(?!\1).)*)\1")
_RUNNER = re.compile(r"\b(jest|vitest|mocha|ava|tap|jasmine|karma|playwright\s+test|cypress\s+run|"
                     r"node\s+--test|c8|nyc|react-scripts\s+test|ng\s+test|bun\s+test|(npm|yarn|pnpm)"
                     r"(\s+run)?\s+test)\b")
_ALWAYS_PASS = re.compile(r"\|\|\s*(true|:|exit\s+0)\b|;\s*exit\s+0\b")
_OTHER_RUNNER = re.compile(r"(^|/)(e2e|playwright|cypress)(/|$)")
_GENERATED = re.compile(r"(^|/)(generated|__generated__|dist|build|vendor|node_modules)/|\.d\.ts$|"
                        r"\.(generated|gen)\.[jt]sx?$")


def is_config_path(path: str) -> bool:
    return _CONFIG.match(PurePosixPath(path).name) is not None


class JsTestSettings:
    lowered = LOWERED
    removed_once = True  # one removed threshold per file: a removed block removes all its metrics

    is_config = staticmethod(is_config_path)

    def checked(self, f: FileContext) -> bool:
        return bool(f.diff.old_path) and f.diff.status == "modified"

    def thresholds(self, src: SourceFile | None) -> list[tuple[str, float, int]]:
        return _thresholds(src)

    def threshold_name(self, kind: str) -> str:
        return f"`{kind.rsplit('.', 1)[-1]}` coverage"

    def loosened(self, ctx: ChangeContext, configs: list[FileContext]) -> Iterator[Finding]:
        """New exclusions of touched sources or existing tests, and test scripts that cannot fail."""
        touched = [f.path for f in ctx.files if f.diff.added and f.diff.status != "deleted"
                   and f.language in LANGUAGES and not is_test_path(f.path) and not is_config_path(f.path)]
        tests = [p for p in ctx.repo.paths("RIGHT") if is_test_path(p)]
        for f in configs:
            if self.checked(f) and f.head is not None:
                yield from _exclusions(f, f.head, touched, tests)
                yield from _scripts(f, f.head)


JS = JsTestSettings()


# --- thresholds ---------------------------------------------------------------------------------


def _scope(src: SourceFile, line: int) -> str:
    """The key of the nearest enclosing object (by indentation) of a config line."""
    text = src.line_text(line)
    indent = len(text) - len(text.lstrip())
    n = line - 1
    while n > 0:
        above = src.line_text(n)
        stripped = above.strip()
        if stripped and len(above) - len(above.lstrip()) < indent:
            m = _KEY.match(above)
            return m.group(1) if m else ""
        n -= 1
    return ""


def _thresholds(src: SourceFile | None) -> list[tuple[str, float, int]]:
    """(kind, value, line) of every coverage threshold of a config file."""
    out: list[tuple[str, float, int]] = []
    if src is None:
        return out
    nyc = PurePosixPath(src.path).name.startswith((".nycrc", ".c8rc"))
    if not nyc and not re.search(r"coverage|threshold", src.text, re.IGNORECASE):
        return out
    for n, line in enumerate(src.lines, 1):
        code = line.split("//", 1)[0]
        found = False
        for m in _THRESHOLD.finditer(code):
            found = True
            inline = _INLINE_SCOPE.search(code[: m.start()])
            scope = inline.group(1) if inline else _scope(src, n)
            if nyc or re.search(r"threshold|global|coverage|\.|/|\*", scope, re.IGNORECASE):
                out.append((f"{scope}.{m.group(1)}", float(m.group(2)), n))
        if found:
            continue
        for cli in _CLI_THRESHOLD.finditer(code):
            if "cover" in code or "c8" in code or "nyc" in code:
                out.append((f"cli.{cli.group(1)}", float(cli.group(2)), n))
    return out


# --- exclusions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    key: str
    target: str  # tests | coverage
    pattern: str
    line: int


def _entries(src: SourceFile | None) -> list[_Entry]:
    """Every string entry of an ignore/exclude array of a config file."""
    out: list[_Entry] = []
    if src is None:
        return out
    nyc = PurePosixPath(src.path).name.startswith((".nycrc", ".c8rc"))
    lines = src.lines
    i = 0
    while i < len(lines):
        m = _ARRAY_START.match(lines[i])
        if not m or m.group(1) not in _ARRAY_KEYS:
            i += 1
            continue
        key = m.group(1)
        target = _ARRAY_KEYS[key]
        if target == "?" or nyc:
            target = "coverage" if nyc or "coverage" in _scope(src, i + 1).lower() else "tests"
        rest = m.group(2)
        j = i
        while True:
            for s in _STRING.finditer(rest.split("//", 1)[0] if not rest.strip().startswith(("'", '"')) else rest):
                out.append(_Entry(key, target, s.group(2), j + 1))
            if "]" in rest or j + 1 >= len(lines):
                break
            j += 1
            rest = lines[j]
        i = j + 1
    return out


def _exclusions(f: FileContext, head: SourceFile, touched: list[str], tests: list[str]) -> Iterator[Finding]:
    known = {(e.key, e.pattern) for e in _entries(f.base)}
    for entry in _entries(head):
        if entry.line not in f.diff.added or (entry.key, entry.pattern) in known:
            continue
        if entry.target == "coverage":
            hits = [p for p in touched if _matches(entry.pattern, p) and not _GENERATED.search(p)]
            if hits and not _GENERATED.search(entry.pattern):
                yield f.finding(COVERAGE_EXCLUDED, entry.line,
                                f"`{entry.pattern}` excludes `{hits[0]}`, which this change adds or modifies, "
                                "from coverage: test it instead of excluding it.")
            continue
        hits = _collected(head, [p for p in tests if _matches(entry.pattern, p) and not _OTHER_RUNNER.search(p)])
        if hits:
            yield f.finding(EXCLUDED, entry.line,
                            f"`{entry.pattern}` in `{entry.key}` keeps `{hits[0]}` from running: fix or delete "
                            "the tests explicitly instead of excluding them in configuration.")


_TEST_REGEX = re.compile(r"^\s*[\"']?testRegex[\"']?\s*:\s*(\[.*?\]|([\"'])(?:\\.|(?!\2).)*\2)")
_TEST_NAME = re.compile(r"\.(test|spec)\.[cm]?[jt]sx?$")


def _collected(config: SourceFile, hits: list[str]) -> list[str]:
    """The excluded paths the runner would collect, test-named files first: with a `testRegex` in
    the config (jest), only paths it matches (an exclusion of files the runner never collects keeps
    no test from running)."""
    regexes = []
    for line in config.lines:
        m = _TEST_REGEX.match(line)
        if m:
            regexes += [_unescape(s.group(2)) for s in _STRING.finditer(m.group(1))]
    if regexes:
        hits = [p for p in hits if any(_search(r, p) for r in regexes)]
    return sorted(hits, key=lambda p: _TEST_NAME.search(p) is None)


def _unescape(json_string: str) -> str:
    return json_string.replace("\\\\", "\\")


def _search(regex: str, path: str) -> bool:
    """Whether the configured test regex (a JavaScript one) matches `path`. One Python cannot compile
    (a JavaScript-only construct) is taken to match: the path is kept as a candidate, never dropped
    on a guess."""
    try:
        return re.search(regex, "/" + path) is not None
    except re.error:
        return True


def _matches(pattern: str, path: str) -> bool:
    """A jest regex (`<rootDir>/src/legacy/`) or a glob (`src/legacy/**`) against a repo path."""
    pat = pattern.replace("<rootDir>", "").lstrip("./")
    if not pat or pat in ("node_modules", "/node_modules/"):
        return False
    if "*" in pat or "{" in pat:
        globs = [pat, "*/" + pat] if not pat.startswith("**") else [pat, pat.removeprefix("**/")]
        return any(fnmatch.fnmatch(path, g) for g in globs)
    try:
        return re.search(pat, "/" + path) is not None
    except re.error:
        return pat in path


# --- scripts ------------------------------------------------------------------------------------


def _scripts(f: FileContext, head: SourceFile) -> Iterator[Finding]:
    base = f.base
    base_text = base.text if base is not None else ""
    base_scripts = _test_scripts(base) if base is not None else {}
    for line in sorted(f.diff.added):
        text = head.line_text(line)
        if not text.strip() or text.strip() in base_text:
            continue
        if "passWithNoTests" in text and "passWithNoTests" not in base_text and "false" not in text:
            yield f.finding(EXCLUDED, line, "`passWithNoTests` lets the test run pass when no test is found "
                            "(for instance after they were moved or excluded): remove it.")
        elif _RUNNER.search(text) and _ALWAYS_PASS.search(text):
            yield f.finding(EXCLUDED, line, "The test command can no longer fail the build (`|| true`): let "
                            "failures fail.")
        else:
            m = re.match(r"^\s*\"(test[\w:-]*)\"\s*:\s*\"(.*)\"", text)
            if m and m.group(1) in base_scripts and _RUNNER.search(base_scripts[m.group(1)]) \
                    and not _RUNNER.search(m.group(2)) and "run-" not in m.group(2):
                yield f.finding(EXCLUDED, line, f"The `{m.group(1)}` script no longer runs the tests "
                                f"(`{m.group(2)}`): restore the test command.")


def _test_scripts(src: SourceFile) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in src.lines:
        m = re.match(r"^\s*\"(test[\w:-]*)\"\s*:\s*\"(.*)\"", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out
