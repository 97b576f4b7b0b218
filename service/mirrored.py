"""A finding repeated in a mirror of its file is one finding. Reads only the two files' text.

A repository may keep one file at two paths (a generated `deno/lib/x.ts` beside its `src/x.ts`, a
vendored copy: `analysis/mirrors.py` says when two files are mirrors); a change made to one is made
to both, and every finding in one repeats in the other. Two findings are one when they have the
same rule, side and message, and their files, of the same name in different directories, are
mirrors on that side. The finding met first stays and its message names the other place; the other
is not reported again. Findings with different messages (another name, another line referred to)
stay apart: they are not known to be the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import PurePosixPath

from .analysis.mirrors import Mirrors
from .models import Finding

Reader = Callable[[str, str], "str | None"]  # (side, path) -> the file's text on that side


def merge(findings: Iterable[Finding], read: Reader) -> list[Finding]:
    """`findings` (order kept) without the ones that repeat a kept finding in a mirrored file."""
    mirrors: dict[str, Mirrors] = {}
    out: list[Finding] = []
    kept: dict[tuple[str, str, str, str], list[int]] = {}
    for finding in findings:
        key = (finding.rule, finding.side, finding.message, PurePosixPath(finding.path).name)
        same = mirrors.setdefault(finding.side, Mirrors(_reader(read, finding.side)))
        for i in kept.get(key, ()):
            if out[i].path != finding.path and same(out[i].path, finding.path):
                out[i] = _naming(out[i], finding)
                break
        else:
            kept.setdefault(key, []).append(len(out))
            out.append(finding)
    return out


def _reader(read: Reader, side: str) -> Callable[[str], str | None]:
    return lambda path: read(side, path)


def _naming(kept: Finding, repeat: Finding) -> Finding:
    where = f"{repeat.path}:{repeat.line}"
    note = f" The same in `{where}`, a mirror of this file."
    return replace(kept, message=kept.message + note,
                   evidence=(kept.evidence + "\n" if kept.evidence else "") + f"also at {where} (mirrored file)")
