"""Detector word and name lists as data (`service/ruledata.py`): bundled `rules/data/<name>.yml`
files, extended by a repository's `.slopguard/<name>.yml` in the base commit, validated at load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from slopguard import ruledata
from slopguard.changes import Trees
from slopguard.errors import ConfigError
from slopguard.gitrepo import Git

from .gitrepos import make_repo

BUNDLED = """\
# read by the example rules
lists:
  log_methods:
    description: logger method names
    entries: [debug, info, warning]
  sinks:
    description: sink calls
    entries: [send]
"""


def _data_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "example.yml").write_text(BUNDLED)
    return data


def _trees(tmp_path: Path, base: dict[str, str]) -> Trees:
    repo = make_repo(tmp_path / "repo", base, {**base, "app.py": "x = 1\n"}, replace=True)
    return Trees(Git(repo), "main", "feature")


def test_bundled_lists_keep_file_order_and_answer_as_sets(tmp_path: Path) -> None:
    lists = ruledata.data_lists("example", data_dir=_data_dir(tmp_path))
    assert lists.ordered("log_methods") == ("debug", "info", "warning")
    assert lists.get("sinks") == frozenset({"send"})
    with pytest.raises(KeyError, match="declares no list 'nope'"):
        lists.get("nope")


def test_a_repository_extends_a_list_from_its_base_commit(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    own = "lists:\n  log_methods:\n    entries: [audit, info]\n"
    lists = ruledata.data_lists("example", _trees(tmp_path, {".slopguard/example.yml": own}), data)
    assert lists.ordered("log_methods") == ("debug", "info", "warning", "audit")
    assert lists.ordered("sinks") == ("send",)
    plain = ruledata.data_lists("example", _trees(tmp_path / "b", {"README.md": "x\n"}), data)
    assert plain.ordered("log_methods") == ("debug", "info", "warning")


@pytest.mark.parametrize(("text", "fragment"), [
    ("lists:\n  typo_methods:\n    entries: [x]\n", "list 'typo_methods' is not a list slopguard reads"),
    ("lists: [a]\n", "holding a mapping"),
    ("lists:\n  sinks: [x]\n", "expected a mapping with `entries`"),
    ("lists:\n  sinks:\n    entries: [x, x]\n", "duplicate entry 'x'"),
    ("lists:\n  sinks:\n    entries: [1]\n", "entry 1 must be a non-empty string"),
    ("lists:\n  sinks:\n    entries: x\n    extra: 1\n", "expected the keys `entries`"),
    ("lists: [\n", "invalid YAML"),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
     "expands to more than"),
])
def test_a_malformed_repository_file_is_one_clear_error(tmp_path: Path, text: str, fragment: str) -> None:
    data = _data_dir(tmp_path)
    with pytest.raises(ConfigError) as info:
        ruledata.data_lists("example", _trees(tmp_path, {".slopguard/example.yml": text}), data)
    assert fragment in str(info.value)
    assert str(info.value).startswith(".slopguard/example.yml")


def test_every_bundled_list_file_is_valid() -> None:
    for name in ruledata.bundled_names():
        lists = ruledata.bundled(name)  # raises ConfigError on a malformed file
        assert lists.lists and all(lists.lists.values()), name


def test_a_list_answers_as_one_case_insensitive_pattern(tmp_path: Path) -> None:
    data = _data_dir(tmp_path)
    lists = ruledata.data_lists("example", data_dir=data)
    assert lists.pattern("log_methods").search("logger.WARNING")
    assert not lists.pattern("sinks").search("spend")
    own = "lists:\n  sinks:\n    entries: ['(unclosed', 'a.b']\n"
    extended = ruledata.data_lists("example", _trees(tmp_path, {".slopguard/example.yml": own}), data)
    assert extended.pattern("sinks", literal=True).search("A.B") and not extended.pattern(
        "sinks", literal=True).search("axb")
    with pytest.raises(ConfigError, match="list 'sinks': an entry is not a valid regular expression"):
        extended.pattern("sinks")


def test_a_pattern_may_be_case_sensitive_and_set_in_a_fixed_context(tmp_path: Path) -> None:
    lists = ruledata.data_lists("example", data_dir=_data_dir(tmp_path))
    assert not lists.pattern("log_methods", ignore_case=False).search("logger.WARNING")
    attribute = lists.pattern("log_methods", within=r"\.(?:{})\b")
    assert attribute.search("logger.Info(") and not attribute.search("info(") and not attribute.search("x.infos")


def test_shipped_files_read_the_same_with_either_yaml_parser() -> None:
    """Slopguard's own YAML files are parsed with libyaml (`shipped=True`) for speed; a repository's
    with the pure-Python parser. Both must give the same data for every shipped file."""
    from slopguard import yamlsafe
    from slopguard.config import RULES_DIR

    files = sorted(p for p in RULES_DIR.rglob("*.y*ml") if p.suffix in (".yml", ".yaml"))
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yamlsafe.load(text, str(path), 4 << 20, shipped=True) == yamlsafe.load(text, str(path), 4 << 20), path


def test_every_bundled_list_compiles_as_a_pattern() -> None:
    """A bundled list's pattern is compiled at its first use, so its fragments are checked here."""
    for name in ruledata.bundled_names():
        lists = ruledata.bundled(name)
        for key in lists.lists:
            assert lists.pattern(key).flags & re.IGNORECASE, (name, key)  # compiles it


def test_a_bundled_list_pattern_is_compiled_at_first_use_and_answers_as_compiled(tmp_path: Path) -> None:
    lists = ruledata.data_lists("example", data_dir=_data_dir(tmp_path))
    before = ruledata._compiled.cache_info().misses
    pattern = lists.pattern("log_methods", within=r"\b(?:{})\(")
    compiled = re.compile(pattern.pattern, re.IGNORECASE)
    assert ruledata._compiled.cache_info().misses == before  # named, not compiled yet
    text = "log.warning(x); logger.Info(y); log.warn; debug ("
    assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert ruledata._compiled.cache_info().misses == before + 1
    assert pattern.flags == compiled.flags and pattern.sub("", text) == compiled.sub("", text)
