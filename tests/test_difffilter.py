from slopguard.difffilter import filter_to_diff
from slopguard.models import FileDiff, Finding, Hunk, Severity


def _f(line: int, end: int = 0, side: str = "RIGHT", anchor: str = "line", path: str = "a.py") -> Finding:
    return Finding(rule="r", category="null-check", severity=Severity.WARNING, path=path, line=line,
                   end_line=end or line, message="m", side=side, anchor=anchor)  # type: ignore[arg-type]


DIFF = FileDiff(path="a.py", old_path="a.py", status="modified",
                hunks=(Hunk(5, 1, 5, 2), Hunk(20, 2, 21, 0)))


def test_keeps_findings_on_added_lines_only() -> None:
    kept = filter_to_diff([_f(5), _f(6), _f(7), _f(3, 5), _f(1, 4)], {"a.py": DIFF})
    assert [(f.line, f.last_line) for f in kept] == [(5, 5), (6, 6), (3, 5)]


def test_left_findings_need_removed_lines() -> None:
    kept = filter_to_diff([_f(20, side="LEFT"), _f(21, side="LEFT"), _f(22, side="LEFT")], {"a.py": DIFF})
    assert [f.line for f in kept] == [20, 21]


def test_definition_anchor_survives_unchanged_lines() -> None:
    kept = filter_to_diff([_f(100, anchor="definition", path="lib.py")], {"a.py": DIFF},
                          frozenset({"lib.py"}))
    assert len(kept) == 1
    assert filter_to_diff([_f(100, anchor="definition", path="nope.py")], {"a.py": DIFF}) == []


def test_findings_in_unchanged_files_are_dropped() -> None:
    assert filter_to_diff([_f(5, path="other.py")], {"a.py": DIFF}) == []
