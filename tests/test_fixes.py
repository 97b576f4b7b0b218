"""Suggested fixes: scan a real change, apply each fix as GitHub applies a suggestion (the lines of the
fix replaced by the suggestion's lines), and check the code that results; near misses get no fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from slopguard.config import default_config
from slopguard.engine import Target, scan
from slopguard.models import Finding, Fix

from .gitrepos import make_repo


def apply(text: str, fix: Fix) -> str:
    """What accepting a ```suggestion on lines start..end does: those lines become the suggestion."""
    lines = text.splitlines(keepends=True)
    return "".join(lines[: fix.start_line - 1] + [line + "\n" for line in fix.replacement] + lines[fix.end_line:])


def findings(tmp_path: Path, path: str, base: str, head: str, rule: str) -> list[Finding]:
    repo = make_repo(tmp_path, {path: base}, {path: head})
    result = scan(Target(repo, "main", "feature", "change"), default_config())
    return [f for f in result.findings if f.rule == rule]


def fixed(tmp_path: Path, path: str, base: str, head: str, rule: str) -> str:
    (finding,) = findings(tmp_path, path, base, head, rule)
    assert finding.fix is not None, finding
    return apply(head, finding.fix)


def test_unused_import_line_is_deleted(tmp_path: Path) -> None:
    head = "import os\nimport json\n\n\ndef f(x):\n    return json.dumps(x)\n"
    out = fixed(tmp_path, "app.py", "def f(x):\n    return x\n", head, "python.dead-code.unused-import")
    assert out == "import json\n\n\ndef f(x):\n    return json.dumps(x)\n"


def test_unused_name_of_a_one_per_line_import_is_deleted(tmp_path: Path) -> None:
    head = "from os.path import (\n    join,\n    basename,\n)\n\n\ndef f(a):\n    return join(a, 'x')\n"
    out = fixed(tmp_path, "app.py", "def f(a):\n    return a\n", head, "python.dead-code.unused-import")
    assert out == "from os.path import (\n    join,\n)\n\n\ndef f(a):\n    return join(a, 'x')\n"


def test_two_names_on_one_line_get_no_fix(tmp_path: Path) -> None:
    # the finding cannot say which of the names is unused, so no edit is certain
    head = "from os.path import join, basename\n\n\ndef f(a):\n    return join(a, 'x')\n"
    (finding,) = findings(tmp_path, "app.py", "def f(a):\n    return a\n", head, "python.dead-code.unused-import")
    assert finding.fix is None


def test_unreachable_statements_after_return_are_deleted(tmp_path: Path) -> None:
    base = "def total(items):\n    return sum(items)\n"
    head = ("def total(items):\n    result = sum(items)\n    return result\n"
            "    print(result)\n    log(result)\n\n\ndef other():\n    return 2\n")
    out = fixed(tmp_path, "app.py", base, head, "python.dead-code.unreachable-code")
    assert out == "def total(items):\n    result = sum(items)\n    return result\n\n\ndef other():\n    return 2\n"


def test_unreachable_js_statement_after_return_is_deleted(tmp_path: Path) -> None:
    base = "export function f(a) {\n  return a;\n}\n"
    head = "export function f(a) {\n  const b = a + 1;\n  return b;\n  console.log(b);\n}\n"
    out = fixed(tmp_path, "src/f.js", base, head, "js.dead-code.unreachable-code")
    assert out == "export function f(a) {\n  const b = a + 1;\n  return b;\n}\n"


@pytest.mark.parametrize(("focused", "plain"), [("it.only", "it"), ("describe.only", "describe"), ("fit", "it")])
def test_focused_test_is_unfocused(tmp_path: Path, focused: str, plain: str) -> None:
    base = "it('adds', () => {\n  expect(add(1, 2)).toBe(3);\n});\n"
    head = f"{focused}('adds', () => {{\n  expect(add(1, 2)).toBe(3);\n}});\n"
    out = fixed(tmp_path, "src/add.test.js", base, head, "js.test-tampering.focused-test")
    assert out == f"{plain}('adds', () => {{\n  expect(add(1, 2)).toBe(3);\n}});\n"


def test_verify_false_is_turned_back_on(tmp_path: Path) -> None:
    base = "import requests\n\n\ndef get(url):\n    return requests.get(url, timeout=5)\n"
    head = "import requests\n\n\ndef get(url):\n    return requests.get(url, timeout=5, verify=False)\n"
    out = fixed(tmp_path, "client.py", base, head, "python.insecure-auth.tls-verify-disabled")
    assert out == "import requests\n\n\ndef get(url):\n    return requests.get(url, timeout=5, verify=True)\n"


def test_session_verify_assignment_is_turned_back_on(tmp_path: Path) -> None:
    base = "import requests\n\ns = requests.Session()\n"
    head = "import requests\n\ns = requests.Session()\ns.verify = False\n"
    out = fixed(tmp_path, "client.py", base, head, "python.insecure-auth.tls-verify-disabled")
    assert out == "import requests\n\ns = requests.Session()\ns.verify = True\n"


def test_rules_without_a_mechanical_fix_offer_none(tmp_path: Path) -> None:
    head = "def f():\n    try:\n        return 1\n    except Exception:\n        pass\n"
    found = findings(tmp_path, "app.py", "def f():\n    return 1\n", head, "python.error-handling.swallowed-exception")
    assert found and all(f.fix is None for f in found)
