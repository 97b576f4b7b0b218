"""A first scan (empty cache folder) works from the diff outwards: copy-paste rules out the files
that cannot hold a copy by the window keys of their text (no parse), and the repository-wide
Python shapes, JS import graph and JS class shapes are read only when a rule's question needs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from slopguard.analysis import clones
from slopguard.blobcache import BlobCache
from slopguard.detectors.bloat import js_class_shapes, js_copy_paste, js_shapes, python_copy_paste
from slopguard.engine import Target, scan
from slopguard.lang.python import shape_index, shapes
from slopguard.parsing import parse_source

from .gitrepos import make_repo

_PY_FUNC = '''

def {name}(store, keys,
           limit=10):
    """Mark the first keys of the store."""
    seen = set()
    total = 0
    for key in keys[:limit]:
        if key in seen:
            continue
        seen.add(key)
        value = store.lookup(key, default=0)
        total += value * 2 if value > 5 else value
        store.mark(key, total)
    return total
'''

_TS_FUNC = """
export async function {name}(ids: string[], token: string): Promise<string[]> {{
  const synced: string[] = [];
  for (const id of ids) {{
    const res = await fetch(`/orders/${{id}}`, {{ headers: {{ authorization: token }} }});
    if (!res.ok) {{
      throw new Error(`sync failed: ${{res.status}}`);
    }}
    synced.push(id);
  }}
  return synced;
}}
"""

_OTHER_PY = "def helper_{n}(x):\n    return x + {n}\n"
_OTHER_TS = "export function helper{n}(x: number): number {{\n  return x + {n};\n}}\n"


def test_file_window_keys_hold_the_windows_across_a_docstring() -> None:
    text = "import os\n" + _PY_FUNC.format(name="sync_orders")
    src = parse_source("app/a.py", text)
    _, functions = shapes.classes_and_functions("app/a.py", src)
    norm = shapes.normalized_lines(text)
    file_keys = python_copy_paste.file_window_keys(list(norm.values()), 4)
    body = functions[0].node.child_by_field_name("body")
    assert body is not None
    unit = clones.window_keys([t for _, t in shapes.function_lines(norm, functions[0].node)], 4)
    assert unit and unit <= file_keys
    # the windows from the signature into the statements skip the docstring: not in the plain text's
    assert not unit <= clones.window_keys(list(norm.values()), 4)


def test_a_first_scan_reads_only_the_files_a_copy_can_be_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = {f"app/mod_{n}.py": _OTHER_PY.format(n=n) for n in range(12)}
    base |= {f"web/file_{n}.ts": _OTHER_TS.format(n=n) for n in range(12)}
    base["app/mod_1.py"] += _PY_FUNC.format(name="sync_orders")
    base["web/file_1.ts"] += _TS_FUNC.format(name="syncOrders")
    feature = {"app/mod_4.py": base["app/mod_4.py"] + _PY_FUNC.format(name="sync_invoices"),
               "web/file_4.ts": base["web/file_4.ts"] + _TS_FUNC.format(name="syncInvoices")}
    repo = make_repo(tmp_path, base, feature)
    summarized: list[str] = []

    def recording(module: object, name: str) -> None:
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda src: summarized.append(src.path) or original(src))

    recording(shape_index, "summarize")
    recording(js_copy_paste, "summarize")
    recording(js_class_shapes, "_summary")
    found = scan(Target(repo, "main", "feature"), cache=BlobCache(tmp_path / "cache")).findings
    copies = json.dumps([(f.rule, f.path, f.message) for f in found if "copy-paste" in f.rule])
    assert "python.bloat.copy-paste" in copies and "sync_orders" in copies
    assert "js.bloat.copy-paste" in copies and "syncOrders" in copies
    # the originals' files are read for their functions; the other 20 files are never parsed
    assert set(summarized) <= {"app/mod_1.py", "web/file_1.ts", "app/mod_4.py", "web/file_4.ts"}


_TS_HEAD = """
export async function {name}(ids: string[], token: string): Promise<string[]> {{
  const synced: string[] = [];
  const failed: string[] = [];
  for (const id of ids) {{
    const res = await fetch(`/orders/${{id}}`, {{ headers: {{ authorization: token }} }});
    if (!res.ok) {{
      failed.push(id);
      continue;
    }}
    const body = await res.json();
"""
_TS_TAIL = """    if (body.items.length > 10) {
      synced.push(id);
    }
    await store.save(id, body);
    log.info('synced', id);
  }
  if (failed.length > 0) {
    throw new Error(`sync failed: ${failed.join(',')}`);
  }
  report.count(synced.length);
  return synced;
}
"""
_TS_OTHER_TAIL = """    const total = ids.reduce((sum, x) => sum + x.length, 0);
    while (total < 3) {
      break;
    }
  }
  return [];
}
"""


def test_a_js_file_sharing_less_than_a_reported_copy_is_not_parsed(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # web/file_2.ts shares the first 10 of the new function's 22 lines: windows of 8 lines in common,
    # but a match over 10 lines of 22 is not reported (`_long_enough`), so the file is not parsed
    base = {f"web/file_{n}.ts": _OTHER_TS.format(n=n) for n in range(6)}
    base["web/file_1.ts"] += _TS_HEAD.format(name="syncOrders") + _TS_TAIL
    base["web/file_2.ts"] += _TS_HEAD.format(name="syncParts") + _TS_OTHER_TAIL
    feature = {"web/file_4.ts": base["web/file_4.ts"] + _TS_HEAD.format(name="syncInvoices") + _TS_TAIL}
    repo = make_repo(tmp_path, base, feature)
    summarized: list[str] = []
    original = js_copy_paste.summarize
    monkeypatch.setattr(js_copy_paste, "summarize", lambda src: summarized.append(src.path) or original(src))
    found = scan(Target(repo, "main", "feature"), cache=BlobCache(tmp_path / "cache")).findings
    copies = [f.message for f in found if f.rule == "js.bloat.copy-paste"]
    assert len(copies) == 1 and "`syncInvoices` repeats `syncOrders` (web/file_1.ts:" in copies[0]
    assert set(summarized) == {"web/file_1.ts", "web/file_4.ts"}
    # the windows the two share are enough for the whole-file index of window keys to name it
    shared, target = (clones.window_keys(list(js_shapes.normalized_lines(text).values()), 8)
                      for text in (base["web/file_2.ts"], feature["web/file_4.ts"]))
    assert shared & target
