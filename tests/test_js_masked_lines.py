"""JS/TS masked text keeps the file's lines: a `/* */` comment is blanked byte for byte except its
line breaks (`lang/js/symbols.masked_bytes`), so a line start or line number read from the masked
text after a multi-line comment is the file's own (`detectors/dead_code/js_unused_method.py`
looks at the text before a mention on its line)."""

from __future__ import annotations

from pathlib import Path

from slopguard.changes import Trees
from slopguard.engine import Target, scan
from slopguard.gitrepo import Git
from slopguard.lang.js.repo_index import side_index

from .gitrepos import make_repo

_UNUSED_METHOD = "js.dead-code.unused-method"

_LEGACY = (
    "/**\r\n"
    " * Ranges of the old editor.\r\n"
    " */\r\n"
    "export class LegacyRanges {\r\n"
    "  reset() { return 0 } /* the next one is kept for the\r\n"
    "     old plugin API, see resolveRange( in the changelog */ resolveRange(at: number) { return at }\r\n"
    "}\r\n"
)

_MANAGER = """export class Manager {
  private files: string[] = [];

  open(path: string) {
    this.files.push(path);
    return this.files.length;
  }
}
"""

_MANAGER_HEAD = """export class Manager {
  private files: string[] = [];

  open(path: string) {
    this.files.push(path);
    return this.files.length;
  }

  resolveRange(at: number) {
    return this.files[at];
  }
}
"""


def test_masked_text_keeps_line_breaks_and_length(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"src/legacy.ts": _LEGACY.encode()}, {})
    masked = side_index(Trees(Git(repo), "main", "main"), "LEFT").masked_of("src/legacy.ts") or b""
    data = _LEGACY.encode()
    assert len(masked) == len(data)
    assert masked.count(b"\n") == data.count(b"\n") and masked.count(b"\r") == data.count(b"\r")
    assert b"changelog" not in masked and b"Ranges of" not in masked
    at = masked.rindex(b"resolveRange")
    line_start = masked.rfind(b"\n", 0, at) + 1
    assert masked.count(b"\n", 0, at) + 1 == 6  # the line of the method head, after the comment
    assert masked[line_start:at].strip() == b""  # only the blanked end of the comment before it


def test_a_same_named_method_after_a_multi_line_comment_does_not_reach(tmp_path: Path) -> None:
    # legacy.ts declares another class's `resolveRange` on the line a block comment ends; it is no
    # call of Manager.resolveRange, so the added method is still unused
    repo = make_repo(tmp_path, {"src/legacy.ts": _LEGACY.encode(), "src/manager.ts": _MANAGER},
                     {"src/manager.ts": _MANAGER_HEAD})
    found = [(f.path, f.line) for f in scan(Target(repo, "main", "feature")).findings if f.rule == _UNUSED_METHOD]
    assert found == [("src/manager.ts", _MANAGER_HEAD.splitlines().index("  resolveRange(at: number) {") + 1)]
