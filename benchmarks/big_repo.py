"""Generated repositories for `scan_speed.py`: a 4,000-file Python + TypeScript project with a
10-file pull request, and a small PR on a copy of a real repository (a mirror).

The generated files have realistic sizes (60-300 lines), import each other inside their package,
and every name is specific to its file, as in a real code base.
"""

from __future__ import annotations

import random
import subprocess
from collections.abc import Callable
from pathlib import Path, PurePosixPath

PY_HEAD = '''"""Records of package {d}, module {n}: loading, validation and the sync client."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from .mod_{m} import load_record_{m}

log = logging.getLogger(__name__)
LIMIT_{n} = {limit}


@dataclass
class Record{n}:
    ident: str
    name: str = ""
    tags: list[str] = field(default_factory=list)

    def label(self) -> str:
        return f"{{self.ident}}:{{self.name}}"


def load_record_{n}(store, ident):
    """The record `ident` of the store, or None."""
    row = store.get(ident)
    if row is None:
        return None
    return Record{n}(ident=ident, name=row.get("name", ""), tags=list(row.get("tags", ())))
'''

PY_FUNC = '''

def {verb}_records_{n}_{k}(store, idents, options=None):
    """{verb} a batch of records ({k})."""
    done = []
    for ident in idents[:LIMIT_{n}]:
        record = load_record_{n}(store, ident) or load_record_{m}(store, ident)
{body}
        done.append(record.label())
    return done
'''

# Statement shapes the generated function bodies are drawn from (so that, as in real code,
# few windows of normalised lines repeat across the repository).
PY_STEPS = (
    "        if options.get({q}) and not record.name:\n            raise ValueError(f\"record {{ident}} {w}\")",
    "        record.tags.append({q})",
    "        log.debug(\"%s %s\", {q}, ident)",
    "        total_{w} = sum(len(t) for t in record.tags)",
    "        if len(record.tags) > {i}:\n            record.tags = record.tags[-{i}:]",
    "        {w}_seen = {{t: i for i, t in enumerate(record.tags)}}",
    "        record.name = record.name.strip().{w}() if hasattr(str, {q}) else record.name",
    "        for tag in list(record.tags):\n"
    "            if tag.startswith({q}):\n                record.tags.remove(tag)",
    "        while len(done) > {i} * LIMIT_{n}:\n            done.pop(0)",
    "        try:\n            store.touch(ident, {q})\n        except KeyError:\n            log.warning({q})",
    "        {w} = options.get({q}, {i})",
    "        assert isinstance(record.tags, list), {q}",
    "        with store.lock({q}):\n            store.mark(ident)",
    "        record.tags.sort(key=lambda t: (len(t), t))",
    "        if not record.tags:\n            continue",
    "        options.setdefault({q}, []).append(ident)",
)

TS_HEAD = """import {{ loadItem{m} }} from './file_{m}';

export interface Item{n} {{
  id: string;
  title: string;
  amountCents: number;
  tags: string[];
}}

export const LIMIT_{n} = {limit};

export async function loadItem{n}(store: Map<string, Item{n}>, id: string): Promise<Item{n} | undefined> {{
  const found = store.get(id);
  if (!found) {{
    return undefined;
  }}
  return {{ ...found, tags: [...found.tags] }};
}}
"""

TS_FUNC = """
export async function {verb}Items{n}_{k}(store: Map<string, Item{n}>, ids: string[]): Promise<string[]> {{
  const done: string[] = [];
  for (const id of ids.slice(0, LIMIT_{n})) {{
    const item = (await loadItem{n}(store, id)) ?? (await loadItem{m}(store as never, id));
{body}
    done.push(`${{item.id}}:{verb}-{k}`);
  }}
  return done;
}}
"""

TS_STEPS = (
    "    if (item.amountCents < {i}) {{\n      throw new Error(`item ${{id}} {w}`);\n    }}",
    "    item.tags.push({q});",
    "    console.debug({q}, id);",
    "    const total{w} = item.tags.reduce((sum, t) => sum + t.length, 0);",
    "    if (item.tags.length > {i}) {{\n      item.tags = item.tags.slice(-{i});\n    }}",
    "    const seen{w} = new Map(item.tags.map((t, i) => [t, i]));",
    "    item.title = item.title.trim() || {q};",
    "    for (const tag of [...item.tags]) {{\n      if (tag.startsWith({q})) {{\n"
    "        item.tags.splice(item.tags.indexOf(tag), 1);\n      }}\n    }}",
    "    while (done.length > {i} * LIMIT_{n}) {{\n      done.shift();\n    }}",
    "    try {{\n      store.set(id, {{ ...item, title: {q} }});\n"
    "    }} catch (err) {{\n      console.warn({q}, err);\n    }}",
    "    const {w} = ids.indexOf(id) + {i};",
    "    item.tags.sort((a, b) => a.length - b.length || a.localeCompare(b));",
    "    if (item.tags.length === 0) {{\n      continue;\n    }}",
    "    const label{w} = `${{item.title}}-{i}`;",
    "    item.amountCents = Math.max(item.amountCents, {i});",
    "    if (store.has({q})) {{\n      store.delete({q});\n    }}",
)

VERBS = ("sync", "merge", "export", "archive", "check", "index", "refresh", "publish")
PACKAGES = 50


def _py_path(n: int) -> str:
    return f"services/pkg_{n % PACKAGES}/mod_{n}.py"


def _ts_path(n: int) -> str:
    return f"web/src/feature_{n % PACKAGES}/file_{n}.ts"


def _steps(pool: tuple[str, ...], n: int, rng: random.Random) -> str:
    chosen = [rng.choice(pool) for _ in range(rng.randint(3, 9))]
    return "\n".join(step.format(q=repr(f"k{rng.randint(0, 999)}"), w=f"v{rng.randint(0, 999)}",
                                  i=rng.randint(2, 60), n=n) for step in chosen)


def _function(func: str, pool: tuple[str, ...], n: int, k: int, verb: str, rng: random.Random) -> str:
    sibling = n - PACKAGES if n >= PACKAGES else n + PACKAGES  # same package, another module
    return func.format(n=n, m=sibling, k=k, verb=verb, body=_steps(pool, n, rng))


def _body(head: str, func: str, pool: tuple[str, ...], n: int, rng: random.Random) -> str:
    sibling = n - PACKAGES if n >= PACKAGES else n + PACKAGES
    parts = [head.format(d=n % PACKAGES, n=n, m=sibling, limit=rng.randint(10, 500))]
    for k in range(rng.randint(2, 10)):
        parts.append(_function(func, pool, n, k, rng.choice(VERBS), rng))
    return "".join(parts)


def build_large(root: Path, git: Callable[..., None], files: int = 4000) -> Path:
    """A repository of `files` source files (half Python, half TypeScript) whose `feature` branch
    changes 10 of them (5 of each language) with about 250 added lines."""
    repo = root / "repo-4000"
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    rng = random.Random(4000)
    half = files // 2
    for n in range(half):
        for path, text in ((_py_path(n), _body(PY_HEAD, PY_FUNC, PY_STEPS, n, rng)),
                           (_ts_path(n), _body(TS_HEAD, TS_FUNC, TS_STEPS, n, rng))):
            full = repo / path
            full.parent.mkdir(parents=True, exist_ok=True)
            full.write_text(text)
    for d in range(PACKAGES):
        (repo / f"services/pkg_{d}/__init__.py").write_text("")
    (repo / "web/package.json").write_text('{"name": "web", "main": "src/feature_0/file_0.ts"}\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    push(repo, git, [7, 311, 1205, 1640, 1999], "Add the reconcile step to the record and item syncs")
    return repo


def push(repo: Path, git: Callable[..., None], targets: list[int], message: str, k: int = 90) -> None:
    """One more commit on `feature`: a new function in the Python and TypeScript module of each
    target number, and one changed constant."""
    rng = random.Random(k)
    for n in targets:
        for path, func, pool in ((_py_path(n), PY_FUNC, PY_STEPS), (_ts_path(n), TS_FUNC, TS_STEPS)):
            full = repo / path
            text = full.read_text().replace(f"LIMIT_{n} = ", f"LIMIT_{n} = 1 + ", 1)
            full.write_text(text + _function(func, pool, n, k, "reconcile", rng))
    git(repo, "commit", "-q", "-am", message)


def build_on_mirror(root: Path, git: Callable[..., None], mirror: Path) -> Path:
    """A shared clone of a mirror whose `feature` branch adds one function to each of three code
    files of the mirror's HEAD (Python or TypeScript, whichever the repository has more of)."""
    repo = root / "repo-mirror"
    subprocess.run(["git", "clone", "-q", "--shared", str(mirror), str(repo)], check=True, capture_output=True)
    git(repo, "checkout", "-q", "-B", "main")
    listing = subprocess.run(["git", "-C", str(repo), "ls-files"], capture_output=True, text=True,
                             check=True).stdout.split()
    py = [p for p in listing if p.endswith(".py") and "test" not in p]
    ts = [p for p in listing if p.endswith(".ts") and not p.endswith(".d.ts") and "test" not in p]
    use_py = len(py) >= len(ts)
    chosen = sorted(py if use_py else ts, key=lambda p: (-len(PurePosixPath(p).parts), p))[:3]
    git(repo, "checkout", "-q", "-b", "feature")
    for i, path in enumerate(chosen):
        full = repo / path
        func = PY_FUNC.replace("LIMIT_{n}", "50").replace(" or load_record_{m}(store, ident)", "") if use_py \
            else TS_FUNC.replace("LIMIT_{n}", "50").replace(" ?? (await loadItem{m}(store as never, id))", "")
        extra = _function(func, PY_STEPS if use_py else TS_STEPS, i, 0, "reconcile", random.Random(i))
        extra = extra.replace(f"LIMIT_{i}", "50")
        if use_py:
            extra = extra.replace(f"load_record_{i}(store, ident)", "store.get(ident)")
        else:
            extra = extra.replace(f"await loadItem{i}(store, id)", "store.get(id)")
            extra = extra.replace(f"Item{i}", "{ id: string; amountCents: number }")
        full.write_text(full.read_text(errors="replace") + extra)
    git(repo, "commit", "-q", "-am", "Add a reconcile helper")
    return repo
