"""The inverted index of keys by blob id (blobindex, Trees.with_keys) and the copy-paste candidates
it selects: the same answers as computing every file's keys, with or without a usable index."""

from __future__ import annotations

import json
from pathlib import Path

from slopguard.blobcache import BlobCache
from slopguard.blobindex import BlobIndex, IndexUnavailable, KeysOf
from slopguard.changes import Trees
from slopguard.engine import Target, scan
from slopguard.gitrepo import Git

from .gitrepos import make_repo

FILES = {
    "a/one.py": "alpha beta\n",
    "a/two.py": "beta gamma\n",
    "a/same.py": "alpha beta\n",  # the blob of one.py
    "b/three.py": "delta\n",
}


def _keys(trees: Trees, calls: list[str]) -> KeysOf:
    def of(paths: list[str]) -> dict[str, set[int]]:
        calls.extend(paths)
        return {p: {len(w) for w in (trees.raw("RIGHT", p) or b"").split()} for p in paths}
    return of


def test_keys_are_computed_once_per_blob_and_found_by_query(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES, {"b/four.py": "epsilon\n"})
    cache = BlobCache(tmp_path / "cache")
    paths = sorted([*FILES, "b/four.py"])
    plain = Trees(Git(repo), "main", "feature")
    expected = plain.with_keys("RIGHT", paths, "test.words", _keys(plain, []), {5})  # alpha, gamma, delta
    assert expected == ["a/one.py", "a/same.py", "a/two.py", "b/three.py"]
    calls: list[str] = []
    first = Trees(Git(repo), "main", "feature", cache=cache)
    assert first.with_keys("RIGHT", paths, "test.words", _keys(first, calls), {5}) == expected
    assert len(calls) == 4  # one.py and same.py share a blob
    calls.clear()
    second = Trees(Git(repo), "main", "feature", cache=cache)
    assert second.with_keys("RIGHT", paths, "test.words", _keys(second, calls), {5}) == expected
    assert second.with_keys("RIGHT", paths, "test.words", _keys(second, calls), {7}) == ["b/four.py"]
    assert second.with_keys("RIGHT", paths, "test.words", _keys(second, calls), set()) == []
    assert calls == []


def test_a_damaged_index_costs_speed_not_answers(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, FILES, {})
    cache = BlobCache(tmp_path / "cache")
    cache.keys().path.parent.mkdir(parents=True)
    cache.keys().path.write_bytes(b"not a database" * 100)
    try:
        BlobIndex(cache.keys().path).missing("k", ["ab" * 20])
    except IndexUnavailable:
        pass
    else:
        raise AssertionError("a damaged file must raise IndexUnavailable")
    calls: list[str] = []
    trees = Trees(Git(repo), "main", "feature", cache=cache)
    paths = sorted(FILES)
    assert trees.with_keys("RIGHT", paths, "test.words", _keys(trees, calls), {4}) == ["a/one.py", "a/same.py",
                                                                                        "a/two.py"]
    assert sorted(calls) == paths


_HANDLER = """
export async function {name}(ids: string[], token: string): Promise<string[]> {{
  const synced: string[] = [];
  for (const id of ids) {{
    const res = await fetch(`/orders/${{id}}`, {{ headers: {{ authorization: token }} }});
    if (!res.ok) {{
      throw new Error(`sync failed: ${{res.status}}`);
    }}
    const body = (await res.json()) as {{ total?: number }};
    synced.push(`${{id}}:${{body.total ?? 0}}`);
    console.info('{name}', id);
  }}
  return synced;
}}
"""


def test_copy_paste_findings_are_the_same_with_a_cache(tmp_path: Path) -> None:
    base = {f"web/orders_{n}.ts": f"export const LIMIT_{n} = {n};\n" for n in range(6)}
    base["web/orders_1.ts"] += _HANDLER.format(name="syncOrders")
    feature = {"web/orders_4.ts": base["web/orders_4.ts"] + _HANDLER.format(name="syncInvoices")}
    repo = make_repo(tmp_path, base, feature)
    target = Target(repo, "main", "feature")

    def findings(cache: BlobCache | None) -> str:
        found = scan(target, cache=cache).findings
        return json.dumps([(f.rule, f.path, f.line, f.message) for f in found if "copy-paste" in f.rule])

    plain = findings(None)
    assert "js.bloat.copy-paste" in plain and "syncOrders" in plain
    cache = BlobCache(tmp_path / "cache")
    assert findings(cache) == plain  # builds the index
    assert findings(cache) == plain  # answers from it


_PY_FUNC = '''

def {name}(store, keys, limit=10):
    seen = set()
    total = 0
    for key in keys[:limit]:
        if key in seen:
            continue
        seen.add(key)
        value = store.lookup(key, default=0)
        total += value * 2 if value > 5 else value
        store.mark(key, total)
    while len(seen) > limit:
        seen.pop()
    store.flush(total, sorted(seen))
    return total
'''


def test_python_copy_paste_findings_are_the_same_with_a_cache(tmp_path: Path) -> None:
    base = {f"app/mod_{n}.py": f"LIMIT_{n} = {n}\n" for n in range(6)}
    base["app/mod_1.py"] += _PY_FUNC.format(name="sync_orders")
    feature = {"app/mod_4.py": base["app/mod_4.py"] + _PY_FUNC.format(name="sync_invoices")}
    repo = make_repo(tmp_path, base, feature)

    def findings(cache: BlobCache | None) -> str:
        found = scan(Target(repo, "main", "feature"), cache=cache).findings
        return json.dumps([(f.rule, f.path, f.line, f.message) for f in found if "copy-paste" in f.rule])

    plain = findings(None)
    assert "python.bloat.copy-paste" in plain and "sync_orders" in plain
    cache = BlobCache(tmp_path / "cache")
    assert findings(cache) == plain
    assert findings(cache) == plain
