"""The Python dead-code index counts a name's words and finds its definitions from the name's own
occurrences (`lang/python/symbols.py`), with the same answers as tokenising every file."""

from __future__ import annotations

import random
import re
from pathlib import Path, PurePosixPath

import pytest
from slopguard.blobcache import BlobCache
from slopguard.changes import Trees
from slopguard.gitrepo import Git
from slopguard.lang.python import symbols
from slopguard.lang.python.symbols import DEF_LINE, WORD, SideIndex, word_count
from slopguard.parsing import parse_source

from .gitrepos import make_repo

_PIECES = [b"a", b"b", b"0", b"7", b"_", b" ", b"\n", b"\t", b"(", b":", b"def ", b"class ", b"async ", b"x"]
_KEYS = [b"a", b"ab", b"a0", b"_", b"b_a", b"aa", b"def", b"class", b"x_1"]


def _texts(seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    return [b"".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 40))) for _ in range(count)]


def test_word_count_agrees_with_tokenising() -> None:
    texts = [*_texts(1, 5000), b"0xa a0a 9a _a a_ a", b"a", b"", b"0a", b"a0", b"1_a"]
    nonzero = 0
    for data in texts:
        for key in _KEYS:
            expected = WORD.findall(data).count(key)
            assert word_count(data, key) == expected, (data, key)
            nonzero += expected > 0
    assert nonzero > 1000


def test_definitions_agree_with_the_definition_pattern(tmp_path: Path) -> None:
    texts = [t for t in _texts(2, 3000) if DEF_LINE.search(t)][:150]
    files = {f"m{i}.py": t.decode() for i, t in enumerate(texts)}
    repo = make_repo(tmp_path, files, {})
    index = SideIndex(Trees(Git(repo), "main", "main"), "LEFT")
    found = 0
    for key in _KEYS:
        name = key.decode()
        expected = [(path, index.masked_of(path).count(b"\n", 0, m.start(1)) + 1)  # type: ignore[union-attr]
                    for path in sorted(files) for m in DEF_LINE.finditer(index.masked_of(path) or b"")
                    if m.group(1) == key]
        assert index.definitions(name) == expected, name
        assert index.count(name) == sum(WORD.findall(index.masked_of(p) or b"").count(key) for p in sorted(files))
        found += len(expected)
    assert found > 50


def test_path_tests_read_paths_as_pure_posix_paths_do() -> None:
    from slopguard.analysis.mirrors import Mirrors
    from slopguard.lang.js import symbols as js_symbols
    from slopguard.lang.python import symbols as py_symbols

    paths = ["setup.cfg", "docs/index.RST", ".env", "a/.env", "a/b.", "Makefile", "x/Makefile", "a.b/c",
             "node_modules/x/y.js", "a/dist/b.min.js", "src/app.py", "a/b.tar.gz", "README", "a/.flaskenv"]
    for path in paths:
        pure = PurePosixPath(path)
        assert py_symbols.is_text_path(path) == (pure.suffix.lower() in py_symbols.TEXT_SUFFIXES
                                                 or pure.name in py_symbols.TEXT_NAMES), path
        assert js_symbols._is_text(path) == (pure.suffix.lower() in js_symbols.TEXT_SUFFIXES
                                             or pure.name in js_symbols.TEXT_NAMES), path
        assert js_symbols._skipped(path) == (any(p in js_symbols.SKIP_PARTS for p in pure.parts[:-1])
                                             or path.endswith((".min.js", ".bundle.js"))), path
    same_name = Mirrors(lambda path: None)
    assert not same_name("a/x.ts", "b/y.ts") and not same_name("a/x.ts", "a/x.ts")


# Pieces that put comments, docstrings and prefixed strings next to `def`/`class` and the name.
_MASKABLE = [b"def ", b"class ", b"def", b"class", b"a", b"ab", b"_", b" ", b"\t", b"\n", b"#", b"# x\n",
             b'"', b"'", b'"""', b'f"', b"rb'", b"u", b"(", b":", b";", b"\\\n", b"async "]


def _masked_lines(index: SideIndex, paths: list[str], key: bytes) -> list[tuple[str, int]]:
    return [(path, (index.masked_of(path) or b"").count(b"\n", 0, m.start(1)) + 1)
            for path in paths for m in DEF_LINE.finditer(index.masked_of(path) or b"") if m.group(1) == key]


def test_definitions_mask_only_files_whose_raw_text_may_define_the_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    texts = [b"".join(rng.choice(_MASKABLE) for _ in range(rng.randint(0, 30))) for _ in range(1500)]
    texts += [b'def """x""" ab():\n', b"class # c\nab: pass\n", b"def ab#c\n", b'def ab"""d"""\n',
              b"x = 1; def ab(): pass\n", b"def abc(): ab\n", b'def abf"x"\n', b'class ab "x"\n',
              b"def undef ab\n", b'"x"def ab():\n']
    files = {f"m{i}.py": t.decode() for i, t in enumerate(texts)}
    repo = make_repo(tmp_path, files, {})
    reference = SideIndex(Trees(Git(repo), "main", "main"), "LEFT")
    masked: list[bytes] = []
    original = symbols.masked_bytes
    monkeypatch.setattr(symbols, "masked_bytes", lambda src: masked.append(src.data) or original(src))
    found = 0
    for key in [b"a", b"ab", b"_", b"u"]:
        expected = _masked_lines(reference, sorted(files), key)
        masked.clear()
        index = SideIndex(Trees(Git(repo), "main", "main"), "LEFT")  # nothing masked yet
        assert index.definitions(key.decode()) == expected, key
        assert len(masked) < len(index.candidates([key.decode()])), key  # not every candidate was masked
        found += len(expected)
    assert found > 40


def test_a_later_scan_reads_no_file_to_find_definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"m{i}.py": f"def ab_{i}(x):\n    return ab(x)\n" for i in range(30)}
    files["z.py"] = "def ab(x):\n    return x\n"
    repo = make_repo(tmp_path, files, {})
    cache = BlobCache(tmp_path / "cache")
    assert SideIndex(Trees(Git(repo), "main", "main", cache=cache), "LEFT").definitions("ab") == [("z.py", 1)]
    cache.finish()
    read: list[str] = []
    monkeypatch.setattr(Git, "cat_blobs", lambda self, blobs: read.extend(blobs) or {})
    again = SideIndex(Trees(Git(repo), "main", "main", cache=BlobCache(tmp_path / "cache")), "LEFT")
    assert again.definitions("ab") == [("z.py", 1)]
    assert read == []


def test_headings_look_at_every_keyword() -> None:
    gap = re.compile(rb"(?:def|class)[ \t]*(?:#|[bfrtuBFRTU]*[\"'])")  # a blanked comment or string after it
    quoted = re.compile(rb"(?:def|class)[ \t]+[A-Za-z0-9_]+[\"']")  # a blanked string right after the name
    name = re.compile(rb"(?=(?:def|class)[ \t]+([A-Za-z0-9_]+))")  # at every keyword, overlapping
    rng = random.Random(4)
    pieces = [b"def", b"class", b" ", b"\t", b"#", b'"', b"'", b"rb", b"f", b"x", b"undef", b"a1", b"\n", b"_"]
    texts = [b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 20))) for _ in range(5000)]
    unsure = 0
    for data in [*texts, b"def undef ab", b"classdef  x", b'defrb"', b"def x#"]:
        expected = (gap.search(data) is not None or quoted.search(data) is not None,
                    tuple(sorted(m.group(1).decode() for m in name.finditer(data))))
        got = symbols.headings(parse_source("m.py", data.decode()))
        assert (got[0], tuple(sorted(set(expected[1])))) == (expected[0], got[1]), data
        unsure += got[0]
    assert symbols.headings(parse_source("m.py", "def undef ab")) == (False, ("ab", "undef"))
    assert 100 < unsure < 4900


def test_getattr_prefixes_and_star_imports_come_from_one_search(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"app/events.py": 'def fire(obj, event):\n    return getattr(obj, "on_" + event)()\n',
             "app/__init__.py": "from app.handlers import *\n",
             "app/handlers.py": "# getattr(obj, 'skip_' + x): prose\ndef on_save():\n    pass\n",
             "app/plain.py": "def on_load():\n    pass\n"}
    trees = Trees(Git(make_repo(tmp_path, files, {})), "main", "main")
    asked: list[tuple[str, ...]] = []
    search = trees.files_containing
    monkeypatch.setattr(trees, "files_containing",
                        lambda side, patterns, **kw: asked.append(tuple(patterns)) or search(side, patterns, **kw))
    index = SideIndex(trees, "LEFT")
    assert index.looked_up_dynamically("on_save") and not index.looked_up_dynamically("skip_it")
    assert index.is_star_imported("app/handlers.py") and not index.is_star_imported("app/plain.py")
    assert len(asked) == 1
