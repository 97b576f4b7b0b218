"""A finding repeated in a generated mirror of its file is reported once, naming the mirror."""

from __future__ import annotations

from pathlib import Path

from slopguard.models import Finding

from .strict_scan import strict_findings as _scan

BODY = "".join(f"def helper_{i}(value):\n    return value + {i}\n\n\n" for i in range(12))
SWALLOW = """

def load(path):
    try:
        return open(path).read()
    except Exception:
        pass
"""


def _swallowed(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.rule.startswith("python.error-handling.") and f.line > 40]


def test_a_finding_in_a_file_and_its_mirror_is_reported_once_naming_the_mirror(tmp_path: Path) -> None:
    base = {"src/app/util.py": BODY, "dist/app/util.py": BODY}
    head = {p: BODY + SWALLOW for p in base}
    found = _swallowed(_scan(tmp_path, base, head, intent="Read the settings file"))
    assert len(found) == 1, [(f.path, f.line, f.rule) for f in found]
    assert found[0].path == "dist/app/util.py"
    assert "The same in `src/app/util.py:" in found[0].message and "a mirror of this file" in found[0].message


def test_the_same_finding_in_two_different_files_of_one_name_is_reported_twice(tmp_path: Path) -> None:
    other = "".join(f"def other_{i}(item):\n    return item * {i}\n\n\n" for i in range(12))
    base = {"src/app/util.py": BODY, "dist/app/util.py": other}
    head = {"src/app/util.py": BODY + SWALLOW, "dist/app/util.py": other + SWALLOW}
    found = _swallowed(_scan(tmp_path, base, head, intent="Read the settings file"))
    assert sorted(f.path for f in found) == ["dist/app/util.py", "src/app/util.py"]
    assert not any("mirror" in f.message for f in found)
