"""The tests-excluded rule names a test the runner really collects (jest's `testRegex`)."""

from __future__ import annotations

from pathlib import Path

from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.registry import load

from .gitrepos import make_repo

REGISTRY = load()
TEST = 'test("parses", () => {\n  expect(parse("1")).toBe(1);\n});\n'


def _messages(tmp_path: Path, config_line: str) -> list[str]:
    base_config = '{\n  "testRegex": "src/.*\\\\.test\\\\.ts$",\n  "rootDir": "."\n}\n'
    head_config = base_config.replace('  "rootDir"', f"  {config_line}\n  \"rootDir\"")
    files = {"src/__tests__/legacy.source.ts": TEST, "src/__tests__/legacy.test.ts": TEST,
             "deno/lib/__tests__/mirror.test.ts": TEST}
    repo = make_repo(tmp_path, {**files, "jest.config.json": base_config}, {**files, "jest.config.json": head_config})
    result = scan(Target(repo=repo, base="main", head="feature"), Config(ruleset=load_ruleset("strict"), ignore=()),
                  registry=REGISTRY)
    return [f.message for f in result.findings if f.rule == "js.test-tampering.tests-excluded"]


def test_the_excluded_file_named_is_one_the_test_regex_collects(tmp_path: Path) -> None:
    found = _messages(tmp_path, '"modulePathIgnorePatterns": ["legacy"],')
    assert len(found) == 1
    assert "keeps `src/__tests__/legacy.test.ts` from running" in found[0]


def test_excluding_files_the_test_regex_never_collects_is_no_finding(tmp_path: Path) -> None:
    assert _messages(tmp_path, '"modulePathIgnorePatterns": ["mirror"],') == []
