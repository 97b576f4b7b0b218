"""The unused-import detector serves Python and JS/TS with one flow: how many findings one
clean-up makes, and what each names."""

from __future__ import annotations

from pathlib import Path

from slopguard.config import Config, load_ruleset
from slopguard.engine import Target, scan
from slopguard.models import Finding
from slopguard.registry import load

from .gitrepos import make_repo

REGISTRY = load()


def _findings(tmp_path: Path, base: dict[str, str], head: dict[str, str], rule: str) -> list[Finding]:
    repo = make_repo(tmp_path, base, head)
    config = Config(ruleset=load_ruleset("strict"), ignore=())
    result = scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY)
    return [f for f in result.findings if f.rule == rule]


def test_python_names_of_one_import_line_are_one_finding(tmp_path: Path) -> None:
    head = {"app/job.py": "from typing import Any, List\nimport zlib\n\n\ndef run():\n    return zlib\n",
            "app/other.py": "import math\nimport json\n\n\ndef area(r):\n    return r * r\n"}
    found = _findings(tmp_path, {"README.md": "x\n"}, head, "python.dead-code.unused-import")
    by_path = {(f.path, f.line): f for f in found}
    assert set(by_path) == {("app/job.py", 1), ("app/other.py", 1), ("app/other.py", 2)}
    assert "`Any`, `List` are imported but never used" in by_path[("app/job.py", 1)].message
    assert "`math` is imported but never used" in by_path[("app/other.py", 1)].message


def test_js_unused_imports_of_one_file_are_one_finding(tmp_path: Path) -> None:
    head = {"src/nav.ts": 'import { a, b } from "./a";\nimport type { T, U } from "./t";\n'
                          'import { c } from "./c";\n\nexport const n: U = c;\n'}
    found = _findings(tmp_path, {"README.md": "x\n"}, head, "js.dead-code.unused-import")
    assert len(found) == 1
    assert found[0].message.startswith("`a` (line 1), `b` (line 1), `T` (line 2) are imported but never used")


def test_last_use_removed_is_reported_on_the_untouched_import(tmp_path: Path) -> None:
    base = {"src/t.ts": 'import { fmt } from "./fmt";\n\nexport const show = (x: number) => fmt(x);\n'}
    head = {"src/t.ts": 'import { fmt } from "./fmt";\n\nexport const show = (x: number) => String(x);\n'}
    found = _findings(tmp_path, base, head, "js.dead-code.unused-import")
    assert [(f.line, f.confidence) for f in found] == [(1, "medium")]
    assert "removed the last use of `fmt`" in found[0].message
