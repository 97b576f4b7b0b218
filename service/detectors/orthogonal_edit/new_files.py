"""New source files that nothing else in the change touches.

A file the change adds is linked to the rest of the change when another changed file names it (an
import, a path string, a config entry), when it uses a name another change defines, or when
another change uses a name it defines; links run through other new files too. A new file linked
to nothing, in a change that also changes other code and whose description names some function,
class or file of it (else there is nothing to compare with), and not named in the description (its file
name or module name), is reported at its first line. When every word of its name appears in the
description the finding stays, at low confidence, naming that.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from ...analysis.intent import IDENTIFIER, Intent
from ...models import Finding, Severity
from .changes import Change
from .clusters import _is_test
from .rules import RULES_OF_FAMILY


class NewFile:
    """One added source file: what it defines and uses, and how others may name it."""

    def __init__(self, path: str, changes: list[Change]) -> None:
        self.path = path
        self.changes = changes
        name = PurePosixPath(path).name
        self.names = {name, PurePosixPath(path).stem, name.split(".", 1)[0]}
        # functions and classes: what another module would import (a script's variables are not)
        self.defines = {c.head.name for c in changes if c.head is not None and c.head.name
                        and c.head.kind in ("def", "class") and not c.head.name.startswith("__")}
        self.uses = {u for c in changes for u in c.uses}


def new_file_findings(changes: list[Change], intent: Intent, text_words: set[str],
                      entry_stems: frozenset[str]) -> Iterator[Finding]:
    """Unlinked new files; `entry_stems`: module names a tool or loader finds by convention."""
    by_path: dict[str, list[Change]] = {}
    for c in changes:
        by_path.setdefault(c.path, []).append(c)
    new = [NewFile(p, cs) for p, cs in by_path.items()
           if cs[0].ctx.diff.status == "added" and not _is_test(p)
           and PurePosixPath(p).stem.split(".", 1)[0] not in entry_stems]
    new_paths = {f.path for f in new}
    rest = [c for c in changes if c.path not in new_paths and c.kind not in ("noop", "rename-follow")]
    if not new or not rest or not _describes_some(changes, intent):
        return  # without a description that names part of the change there is nothing to compare
    uses = set(text_words)
    defines: set[str] = set()
    for c in rest:
        uses |= c.uses
        defines |= {d for d in c.defines if not d.startswith("__")}
    pending = list(new)
    grew = True
    while grew:
        grew = False
        for f in list(pending):
            if _named(f, uses) or f.defines & uses or f.uses & defines:
                pending.remove(f)
                uses |= f.uses
                defines |= f.defines
                grew = True
    for f in pending:
        if any(n.lower() in intent.tokens for n in f.names):
            continue
        yield _finding(f, intent)


def _describes_some(changes: list[Change], intent: Intent) -> bool:
    """The description names at least one function, class or file of the change."""
    for c in changes:
        unit = c.head or c.base
        if unit is not None and unit.name and unit.kind in ("def", "class") and intent.mentions(unit.name):
            return True
    return any(PurePosixPath(c.path).name.lower() in intent.tokens or
               PurePosixPath(c.path).stem.lower() in intent.tokens for c in changes)


def _named(f: NewFile, uses: set[str]) -> bool:
    """Another change names the file: its module name as an identifier, or its path in a string."""
    if f.names & uses:
        return True
    stem = PurePosixPath(f.path).stem
    return any(stem in IDENTIFIER.findall(u) for u in uses if "/" in u or "." in u)


def _finding(f: NewFile, intent: Intent) -> Finding:
    first = f.changes[0]
    rule = RULES_OF_FAMILY[first.spec.family]["new-file"]
    worded = intent.mentions(PurePosixPath(f.path).stem)
    note = (" (every word of its name appears in the description, but the description does not "
            "name the file)" if worded else "")
    end = max((n for c in f.changes for n in c.added), default=1)
    return first.ctx.finding(
        rule, 1,
        f"{f.path} is a new file that nothing else in this PR imports or names, that uses nothing "
        f"the PR adds or changes, and that the description does not mention{note}; move it to its "
        f"own PR or say in the description why it belongs here.",
        end=end, severity=Severity.NOTICE, confidence="low" if worded else None, anchor="definition",
    )
