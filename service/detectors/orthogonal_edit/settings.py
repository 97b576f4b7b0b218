"""Changed files without a symbol graph, for the orthogonal-edit detector.

`key: value` setting changes of application YAML/TOML/INI/.env files (tool configs left alone),
the changed lines of documentation files (a changelog entry announces a change) and the words of
changed lines in other non-code files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from ...analysis.intent import IDENTIFIER
from ...detector import FileContext
from ...ruledata import DataLists
from .changes import Change
from .languages import PYTHON, SPECS
from .literals import MAX_STRING_LITERAL, VERSION

SETTING = re.compile(r"^\s*(?:-\s*)?([A-Za-z_][\w.-]*)\s*[:=]\s*(\S.*?)\s*(?:\s#.*)?$")


def _changed_docs(files: tuple[FileContext, ...], lists: DataLists) -> str:
    """Added and removed lines of documentation files: a changelog entry announces a change."""
    out = []
    for f in files:
        if f.path.lower().endswith(lists.ordered("doc_suffixes")):
            out += [line for h in f.diff.hunks for line in (*h.added, *h.removed)]
    return "\n".join(out)


def _text_uses(files: tuple[FileContext, ...], skip: set[tuple[str, int]]) -> set[str]:
    """Words of changed lines in files without a symbol graph (config, SQL, other languages),
    leaving out the `skip` (path, added line) setting changes that are candidates themselves."""
    words: set[str] = set()
    for f in files:
        if f.language in SPECS:
            continue
        for hunk in f.diff.hunks:
            if (f.path, hunk.new_start) in skip:
                continue
            for line in (*hunk.added, *hunk.removed):
                words |= set(IDENTIFIER.findall(line))
    return words


def _setting_changes(f: FileContext, lists: DataLists) -> Iterator[Change]:
    """`key: value` lines of YAML/TOML/INI/.env files whose only change is a scalar value."""
    name = PurePosixPath(f.path).name.lower()
    if (not name.endswith(lists.ordered("config_suffixes")) or name in lists.get("tool_configs")
            or f.diff.status != "modified"
            or any(part.startswith(".") for part in PurePosixPath(f.path).parts[:-1])):
        return
    for group, hunk in enumerate(f.diff.hunks):
        if len(hunk.removed) != 1 or len(hunk.added) != 1:
            continue
        old, new = SETTING.match(hunk.removed[0]), SETTING.match(hunk.added[0])
        if old is None or new is None or old.group(1) != new.group(1):
            continue
        key, before, after = new.group(1), old.group(2), new.group(2)
        if before == after or not (_scalar(before) and _scalar(after)) or VERSION.search(key):
            continue
        short = key.rsplit(".", 1)[-1]
        yield Change(f, PYTHON, None, None, [hunk.new_start], [hunk.old_start], group,
                     kind="literal", what=f"`{key}` changes {before} -> {after}",
                     mentions=[key, short], values=[after.strip("'\"")], defines={short, key})


def _scalar(value: str) -> bool:
    """A number, boolean or short quoted/bare word: a setting, not a structure or a version."""
    v = value.strip().strip("'\"")
    if not v or len(v) > MAX_STRING_LITERAL or any(c.isspace() for c in v):
        return False
    return not re.fullmatch(r"v?\d+(\.\d+){2,}.*|[\[{].*|[>=<~^].*", v)
