"""orthogonal-edit on a file the change moves to another directory: its relative path literals
follow it (not an unrelated default), while any other literal change in it is still reported."""

from __future__ import annotations

from pathlib import Path

from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.registry import load

from .gitrepos import make_repo

REGISTRY = load()
RULE = "js.orthogonal-edit.unrelated-default"

ROLLUP = """import typescript from "@rollup/plugin-typescript";

export default [
  {
    input: "src/index.ts",
    output: [
      {
        file: "lib/index.mjs",
        format: "es",
        sourcemap: false,
        exports: "named",
      },
    ],
    plugins: [
      typescript({
        tsconfig: "tsconfig.esm.json",
        sourceMap: false,
      }),
    ],
  },
];
"""
INDEX = 'export function parse(input: string): string[] {\n  return input.split(",");\n}\n'


def _lines(tmp_path: Path, moved: str) -> list[tuple[str, int]]:
    base = {"rollup.config.js": ROLLUP, "src/index.ts": INDEX}
    head = {"rollup.config.js": None, "configs/rollup.config.js": moved,
            "src/index.ts": "export const PARSER_VERSION = 2;\n\n" + INDEX}
    repo = make_repo(tmp_path, base, head, message="Export the parser version")
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    result = scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY)
    return [(f.path, f.line) for f in result.findings if f.rule == RULE]


def test_a_relative_path_of_a_moved_file_follows_it(tmp_path: Path) -> None:
    moved = ROLLUP.replace('"tsconfig.esm.json"', '"./configs/tsconfig.esm.json"')
    assert _lines(tmp_path, moved) == []


def test_another_literal_of_a_moved_file_is_still_reported(tmp_path: Path) -> None:
    moved = ROLLUP.replace("sourcemap: false", "sourcemap: true")
    assert _lines(tmp_path, moved) == [("configs/rollup.config.js", 10)]


def test_a_path_literal_of_a_file_left_in_place_is_still_reported(tmp_path: Path) -> None:
    base = {"src/limits.ts": 'export function limits() {\n  return { path: "data/cache", size: 10 };\n}\n',
            "src/index.ts": INDEX}
    head = {"src/limits.ts": base["src/limits.ts"].replace("data/cache", "data/store"),
            "src/index.ts": "export const PARSER_VERSION = 2;\n\n" + INDEX}
    repo = make_repo(tmp_path, base, head, message="Export the parser version")
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    result = scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY)
    assert [(f.path, f.line) for f in result.findings if f.rule == RULE] == [("src/limits.ts", 2)]
