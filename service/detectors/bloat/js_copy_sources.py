"""Code a JS/TS copy-paste candidate did not introduce: moved code and repository templates.

- Moved code: the change deletes a file, or moves it away, and the function it adds repeats a
  function of that file's base version or has the name of one (`parsers/index.js` split into
  `parsers/DateParser.ts`...): the code existed before, so whatever duplication it carries is not
  the change's.
- Template instances: a file at a path that at least `TEMPLATE_INSTANCES` existing files repeat
  with one directory swapped, a folder tree below it (`src/locale/<code>/_lib/formatRelative/index.ts`
  in every locale), is an instance of the repository's template; a function of it that repeats a
  function of an existing instance is the template's own code, whatever it shares with its
  neighbours.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import TypeVar

from ...analysis import clones
from ...detector import ChangeContext

T = TypeVar("T")

TEMPLATE_INSTANCES = 3
MAX_INSTANCES_READ = 200  # existing instances of one template indexed at most


def removed_paths(ctx: ChangeContext, is_js: Callable[[str], bool]) -> list[str]:
    """Base paths of JS/TS files the change deletes or moves to another path."""
    out = []
    for f in ctx.files:
        old = f.diff.old_path
        if old is not None and is_js(old) and (f.diff.status == "deleted" or old != f.path):
            out.append(old)
    return out


def _template_keys(path: str) -> list[str]:
    """The path with each directory component in turn replaced by `*`, where a directory tree
    stands below it (`src/locale/*/_lib/formatRelative/index.ts`, not `src/components/*/index.tsx`:
    one file per folder is a naming habit, a tree per folder is a template)."""
    parts = PurePosixPath(path).parts
    return ["/".join((*parts[:i], "*", *parts[i + 1:])) for i in range(len(parts) - 2)]


def template_instances(paths: Iterable[str], changed: Iterable[str], added: set[str]) -> dict[str, list[str]]:
    """For each changed path, the existing paths (not added by the change) that repeat it with one
    directory swapped, when there are at least `TEMPLATE_INSTANCES` of them."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for p in paths:
        if p not in added:
            for key in _template_keys(p):
                by_key[key].append(p)
    out: dict[str, list[str]] = {}
    for path in changed:
        for key in _template_keys(path):
            others = [p for p in by_key.get(key, ()) if p != path]
            if len(others) >= TEMPLATE_INSTANCES:
                out[path] = others
                break
    return out


def repeats_an_instance(unit: clones.Unit[T], found: list[tuple[clones.Unit[T], set[int]]],
                        instances: dict[str, list[str]]) -> bool:
    """The unit repeats a function of an existing instance of its file's template."""
    mine = set(instances.get(unit.path, ()))
    return any(other.path in mine and not other.added for other, _ in found)
