"""js.bloat.copy-paste on code the change did not write: functions moved out of a file it deletes,
and functions of a new instance of a template path the repository repeats (one file per locale).
A copy the change writes beside them is still reported."""

from __future__ import annotations

from pathlib import Path

from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.registry import load

from .gitrepos import make_repo

REGISTRY = load()
RULE = "js.bloat.copy-paste"

WEEK = """export function {name}(day: number, label: string): string {{
  const weekday = WEEKDAYS[day];
  switch (day) {{
    case 0:
    case 3:
      return "'{word} " + weekday + " at' p";
    case 1:
    case 2:
      return "'{word} " + weekday + " in the morning' p";
    default:
      return "'" + label + " " + weekday + " at' p";
  }}
}}
"""


def _locale(word_a: str, word_b: str) -> str:
    return ("const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];\n\n"
            + WEEK.format(name="lastWeek", word=word_a) + "\n" + WEEK.format(name="nextWeek", word=word_b))


# enough other code that git sees the moved functions' new file as added, not as a rename
HEADER = "".join(f"export const LIMIT_{i} = {i};\n" for i in range(40)) + "\n"


def _copy_lines(tmp_path: Path, base: dict[str, str | None], head: dict[str, str | None]) -> list[tuple[str, int]]:
    repo = make_repo(tmp_path, base, head, message="Add a locale")
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    result = scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY)
    return [(f.path, f.line) for f in result.findings if f.rule == RULE]


def test_a_new_instance_of_a_repeated_template_path_is_not_a_copy(tmp_path: Path) -> None:
    base: dict[str, str | None] = {f"src/locale/{c}/_lib/formatRelative.ts": _locale(f"last{c}", f"next{c}")
                                   for c in ("aa", "bb", "cc")}
    head: dict[str, str | None] = {"src/locale/dd/_lib/formatRelative.ts": _locale("lastdd", "nextdd")}
    assert _copy_lines(tmp_path, base, head) == []


def test_a_template_path_with_two_instances_is_not_yet_a_template(tmp_path: Path) -> None:
    base: dict[str, str | None] = {f"src/locale/{c}/_lib/formatRelative.ts": _locale(f"last{c}", f"next{c}")
                                   for c in ("aa", "bb")}
    head: dict[str, str | None] = {"src/locale/dd/_lib/formatRelative.ts": _locale("lastdd", "nextdd")}
    assert ("src/locale/dd/_lib/formatRelative.ts", 17) in _copy_lines(tmp_path, base, head)


def test_functions_moved_out_of_a_deleted_file_are_not_copies(tmp_path: Path) -> None:
    base: dict[str, str | None] = {"src/parsers/index.ts": _locale("last", "next")}
    head: dict[str, str | None] = {"src/parsers/index.ts": None,
                                   "src/parsers/week.ts": HEADER + _locale("last", "next")}
    assert _copy_lines(tmp_path, base, head) == []


def test_a_copy_written_beside_moved_code_is_reported(tmp_path: Path) -> None:
    base: dict[str, str | None] = {"src/parsers/index.ts": "const WEEKDAYS = ['sun'];\n\n"
                                   + WEEK.format(name="lastWeek", word="last")}
    head: dict[str, str | None] = {"src/parsers/index.ts": None,
                                   "src/parsers/week.ts": HEADER + _locale("last", "next")}
    assert _copy_lines(tmp_path, base, head) == [("src/parsers/week.ts", 58)]


def test_one_file_per_folder_is_not_a_template(tmp_path: Path) -> None:
    base: dict[str, str | None] = {f"src/components/{c}/index.ts": _locale(f"last{c}", f"next{c}")
                                   for c in ("aa", "bb", "cc")}
    head: dict[str, str | None] = {"src/components/dd/index.ts": _locale("lastdd", "nextdd")}
    assert ("src/components/dd/index.ts", 17) in _copy_lines(tmp_path, base, head)
