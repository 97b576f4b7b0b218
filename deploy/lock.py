"""Write deploy/requirements.lock: the pinned runtime dependencies of `slopguard[app]`.

The closure is computed from the environment this runs in (the project's venv), so the image gets
exactly the versions the test suite ran against, and none of the dev tools (pytest, ruff, mypy...):

    .venv/bin/python deploy/lock.py > deploy/requirements.lock
"""

from __future__ import annotations

import sys
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "slopguard"
EXTRAS = ("app",)


def closure(project: str = PROJECT, extras: tuple[str, ...] = EXTRAS) -> dict[str, str]:
    """{canonical name: installed version} of every distribution `project[extras]` needs at run time."""
    pins: dict[str, str] = {}
    todo: list[tuple[str, frozenset[str]]] = [(project, frozenset(extras))]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        name, wanted = todo.pop()
        if (name, wanted) in seen:
            continue
        seen.add((name, wanted))
        dist = metadata.distribution(name)
        if canonicalize_name(name) != canonicalize_name(project):
            pins[canonicalize_name(name)] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            envs = [{"extra": e} for e in wanted] or [{"extra": ""}]
            if req.marker is not None and not any(req.marker.evaluate(env) for env in envs):
                continue
            todo.append((req.name, frozenset(req.extras)))
    return pins


def render(pins: dict[str, str]) -> str:
    head = ("# Runtime dependencies of slopguard[app], pinned from the venv the tests ran in.\n"
            "# Regenerate: .venv/bin/python deploy/lock.py > deploy/requirements.lock\n")
    return head + "".join(f"{name}=={version}\n" for name, version in sorted(pins.items()))


if __name__ == "__main__":
    sys.stdout.write(render(closure()))
