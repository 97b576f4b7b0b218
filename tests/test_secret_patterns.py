"""Provider key shapes as data: rules/data/secret-patterns.yml, extended per repository from
`.slopguard/secret-patterns.yml` in the base commit, validated when loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from slopguard.analysis import secret_patterns
from slopguard.cli import main
from slopguard.config import Config, Ruleset
from slopguard.engine import Target, scan
from slopguard.errors import ConfigError
from slopguard.registry import load

from .gitrepos import make_repo

OWN = "patterns:\n  - {name: Acme service token, regex: '\\bacme_tok_[a-z0-9]{24}\\b'}\n"
LITERAL = "acme_tok_" + "k3x9q2m7w8e4r6t1y5u0i3o9"
RULES = ("python.insecure-auth.hardcoded-secret", "js.insecure-auth.hardcoded-secret")


def _rules_fired(tmp_path: Path, base: dict[str, str]) -> set[str]:
    head = {**base, "app/client.py": f'client = Client(endpoint, "{LITERAL}")\n',
            "src/client.ts": f"export const client = new Client(endpoint, '{LITERAL}');\n"}
    repo = make_repo(tmp_path, base, head, replace=True)
    result = scan(Target(repo=repo, base="main", head="feature"),
                  Config(ruleset=Ruleset(name="t", select=RULES), ignore=()), registry=load())
    return {f.rule for f in result.findings}


def test_the_bundled_shapes_load_and_find_provider_keys() -> None:
    shapes = secret_patterns.bundled()
    assert shapes.search("key = 'sk_live_" + "a1B2" * 6 + "'")
    assert shapes.search("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert not shapes.search("sk_test_is_not_a_live_key")


def test_a_repository_adds_its_own_shapes_from_the_base_commit(tmp_path: Path) -> None:
    assert _rules_fired(tmp_path / "without", {"README.md": "x\n"}) == set()
    assert _rules_fired(tmp_path / "with", {".slopguard/secret-patterns.yml": OWN}) == set(RULES)


@pytest.mark.parametrize(("text", "fragment"), [
    ("patterns: {name: x}\n", "holding a list"),
    ("patterns:\n  - {name: a, regex: 'abc(', extra: 1}\n", "entry 1: expected the keys"),
    ("patterns:\n  - {name: a, regex: 'abc('}\n", "entry 1 (a): bad regex"),
    ("patterns:\n  - {name: a, regex: 'x*'}\n", "matches the empty string"),
    ("patterns:\n  - {name: a, regex: 'x'}\n  - {name: a, regex: 'y'}\n", "entry 2: duplicate name 'a'"),
    ("patterns: [\n", "invalid YAML"),
])
def test_a_malformed_file_is_one_clear_error(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        secret_patterns.parse(text, ".slopguard/secret-patterns.yml")
    assert fragment in str(info.value) and str(info.value).startswith(".slopguard/secret-patterns.yml")


def test_a_malformed_repository_file_stops_the_scan_with_exit_2(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    base = {".slopguard/secret-patterns.yml": "patterns:\n  - {name: a, regex: '('}\n"}
    repo = make_repo(tmp_path, base, {**base, "app/x.py": "TOKEN = 'q'\n"}, replace=True)
    assert main(["scan", "--repo", str(repo), "--base", "main", "--head", "feature", "--no-llm"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ".slopguard/secret-patterns.yml" in err[0] and "bad regex" in err[0]
