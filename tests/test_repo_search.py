"""Candidate files by `git grep` (repo_search, Trees.files_containing) and the blob-id cache."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from slopguard import repo_search
from slopguard.blobcache import BlobCache
from slopguard.changes import Trees
from slopguard.engine import Target, scan
from slopguard.errors import GitError
from slopguard.gitrepo import Git
from slopguard.repo_search import TokenIndex, file_tokens, grep_files, indexed_grep, search_blobs, token_index

from .gitrepos import git, make_repo

BASE = {
    "app/orders.py": "def load_order(ident):\n    return ident\n",
    "app/hex.py": "MASK = 0xload_order\n",  # the token `xload_order`, not `load_order`
    "app/other.py": "def reload_order():\n    return 1\n",
    "docs/notes.md": "call `load_order` first\n",
    "web/a.ts": "export const $load = 1;\n",
}


def test_identifier_mode_finds_whole_tokens_only(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, {"app/new.py": "from app.orders import load_order\n"})
    found = grep_files(Git(repo), "feature", ["load_order"])
    assert found == {"app/orders.py", "app/new.py", "docs/notes.md"}
    assert grep_files(Git(repo), "main", ["load_order"]) == {"app/orders.py", "docs/notes.md"}
    assert grep_files(Git(repo), "main", ["xload_order"]) == {"app/hex.py"}
    # a digit before a name does not join it: `0xload_order` holds the token `xload_order`
    assert grep_files(Git(repo), "main", ["load"], word_chars="A-Za-z0-9_$") == set()
    assert grep_files(Git(repo), "main", ["$load"], word_chars="A-Za-z0-9_$") == {"web/a.ts"}


def test_fixed_and_regex_modes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, {})
    assert grep_files(Git(repo), "main", ["load_ord"], mode="fixed") == {
        "app/orders.py", "app/hex.py", "app/other.py", "docs/notes.md"}
    assert grep_files(Git(repo), "main", [r"def [a-z]+_order\("], mode="regex") == {
        "app/orders.py", "app/other.py"}


def test_indexed_grep_keeps_each_blobs_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, BASE, {"app/new.py": "def new_order():\n    return 2\n"})
    index = BlobCache(tmp_path / "cache").keys()
    tree = Trees(Git(repo), "main", "feature")
    files = {side: {p: e[1] for p, e in tree.listing(side).items()} for side in ("LEFT", "RIGHT")}
    asked: list[list[str]] = []
    real = repo_search._grep

    def spy(git: Git, commit: str | None, patterns: list[str], kind: str, specs: list[str]) -> set[str]:
        asked.append(specs)
        return real(git, commit, patterns, kind, specs)

    monkeypatch.setattr(repo_search, "_grep", spy)
    pattern = [r"def [a-z]+_order\("]
    assert indexed_grep(Git(repo), "main", files["LEFT"], pattern, "regex", index) == {"app/orders.py", "app/other.py"}
    assert indexed_grep(Git(repo), "feature", files["RIGHT"], pattern, "regex", index) == {
        "app/orders.py", "app/other.py", "app/new.py"}
    assert asked[1:] == [[":(top,literal)app/new.py"]]  # the head's other blobs were answered on main
    assert indexed_grep(Git(repo), "feature", files["RIGHT"], pattern, "regex", index) == grep_files(
        Git(repo), "feature", pattern, mode="regex")
    assert indexed_grep(Git(repo), "main", files["LEFT"], ["load_ord"], "fixed", None) == grep_files(
        Git(repo), "main", ["load_ord"], mode="fixed")


def test_bare_repository_working_tree_and_subdirectory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, {})
    (repo / "app" / "untracked.py").write_text("load_order()\n")
    inside = Git(repo / "app")
    assert grep_files(inside, None, ["load_order"]) == {"app/orders.py", "app/untracked.py", "docs/notes.md"}
    assert grep_files(inside, "main", ["load_order"]) == {"app/orders.py", "docs/notes.md"}
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert grep_files(Git(bare), "main", ["load_order"]) == {"app/orders.py", "docs/notes.md"}
    with pytest.raises(GitError):
        grep_files(Git(bare), "no-such-ref", ["load_order"])


def test_trees_limits_hits_to_the_side(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, {"app/orders.py": None})
    head = git(repo, "rev-parse", "feature")
    trees = Trees(Git(repo), git(repo, "rev-parse", "main"), head)
    assert trees.files_containing("RIGHT", ["load_order"]) == {"docs/notes.md"}
    assert trees.files_containing("LEFT", ["load_order"]) == {"app/orders.py", "docs/notes.md"}


def test_derived_values_are_reused_by_blob_id(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, BASE, {"app/moved.py": BASE["app/orders.py"]})
    cache = BlobCache(tmp_path / "cache")
    calls: list[str] = []

    def lines(src: object) -> int:
        calls.append(getattr(src, "path", ""))
        return len(getattr(src, "lines", []))

    first = Trees(Git(repo), "main", "feature", cache=cache)
    assert first.derived("RIGHT", "app/orders.py", "test.lines", lines) == 2
    assert first.derived("RIGHT", "app/moved.py", "test.lines", lines) == 2  # same blob
    second = Trees(Git(repo), "main", "feature", cache=cache)
    assert second.cached_paths("LEFT", ["app/orders.py", "app/other.py"], "test.lines") == {"app/orders.py"}
    assert second.derived("LEFT", "app/orders.py", "test.lines", lines) == 2
    assert calls == ["app/orders.py"]
    assert first.derived("RIGHT", "no/such.py", "test.lines", lines) is None


def test_second_scan_reads_the_cache_and_finds_the_same(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"app/orders.py": "def load_order(ident):\n    return ident\n"},
                     {"app/orders.py": "def load_order(ident):\n    return ident\n\n\n"
                                       "def unused_helper(x):\n    return x + 1\n"})
    cache = BlobCache(tmp_path / "cache")
    first = scan(Target(repo, "main", "feature"), cache=cache)
    assert any((tmp_path / "cache").rglob("*"))
    second = scan(Target(repo, "main", "feature"), cache=cache)
    assert [(f.rule, f.line) for f in first.findings] == [(f.rule, f.line) for f in second.findings]
    assert any(f.rule == "python.dead-code.unused-definition" for f in second.findings)


@pytest.mark.parametrize(("names", "mode", "chars"), [
    (["load_order"], "identifier", "A-Za-z0-9_"), (["xload_order", "MASK"], "identifier", "A-Za-z0-9_"),
    (["load"], "identifier", "A-Za-z0-9_$"), (["$load"], "identifier", "A-Za-z0-9_$"),
    (["load_ord", "notes"], "fixed", "A-Za-z0-9_"),
])
def test_in_memory_search_agrees_with_git_grep(tmp_path: Path, names: list[str], mode: str, chars: str) -> None:
    repo = make_repo(tmp_path, BASE, {})
    listing = Git(repo).ls_tree("main")
    blobs = Git(repo).cat_blobs([sha for _, sha, _ in listing.values()])
    contents = {path: blobs[sha] for path, (_, sha, _) in listing.items()}
    expected = grep_files(Git(repo), "main", names, mode=mode, word_chars=chars)
    assert search_blobs(contents, names, mode=mode, word_chars=chars) == expected
    if mode == "identifier":
        ids = {path: sha for path, (_, sha, _) in listing.items()}
        cache = BlobCache(tmp_path / "cache")
        first = token_index(ids, lambda paths: {p: contents[p] for p in paths}, lambda: contents, cache, chars)
        assert first.lookup(names) == expected

        def nothing_to_read(paths: list[str]) -> dict[str, bytes]:
            assert paths == [], paths  # every file's tokens come from the cache
            return {}

        again = token_index(ids, nothing_to_read, lambda: contents, cache, chars)
        assert again.lookup(names) == expected


@pytest.mark.parametrize("chars", ["A-Za-z0-9_", "A-Za-z0-9_$"])
def test_file_tokens_are_the_runs_of_word_characters(chars: str) -> None:
    rng = random.Random(5)
    pieces = [b"a", b"Z", b"0", b"9", b"_", b"$", b" ", b"\n", b"\t", b"\x0b", b"\x0c", b"\x1c", b"\r", b"\xc3\xa9",
              b"\x00", b"-", b".", b"0x", b"12", b"\xff"]
    texts = [b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    run = re.compile(rb"[" + chars.encode() + rb"]+")
    for data in [*texts, b"", b"99", b"a$1b 12$ab"]:
        expected = sorted({token.lstrip(b"0123456789") for token in run.findall(data)})
        assert repo_search.file_tokens(data, chars) == b"\n" + b"\n".join(expected) + b"\n", data
    with pytest.raises(ValueError):
        repo_search.file_tokens(b"a b", "a-z ")


def test_a_table_is_taken_from_the_other_characters_table_for_files_without_dollar(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path, {**BASE, "web/b.ts": "const a$b = `${x}`; load_order(1);\n"}, {})
    listing = Git(repo).ls_tree("main")
    blobs = Git(repo).cat_blobs([sha for _, sha, _ in listing.values()])
    contents = {path: blobs[sha] for path, (_, sha, _) in listing.items()}
    ids = {path: sha for path, (_, sha, _) in listing.items()}
    cache = BlobCache(tmp_path / "cache")
    tokenised: list[bytes] = []
    original = repo_search.file_tokens

    def counted(data: bytes, word_chars: str = repo_search.IDENTIFIER_CHARS) -> bytes:
        tokenised.append(data)
        return original(data, word_chars)

    monkeypatch.setattr(repo_search, "file_tokens", counted)
    for first, second in (("A-Za-z0-9_", "A-Za-z0-9_$"), ("A-Za-z0-9_$", "A-Za-z0-9_")):
        cache = BlobCache(tmp_path / f"cache-{len(first)}")
        token_index(ids, lambda paths: {p: contents[p] for p in paths}, lambda: contents, cache, first)
        tokenised.clear()
        table = token_index(ids, lambda paths: {p: contents[p] for p in paths}, lambda: contents, cache, second)
        assert sorted(tokenised) == sorted(d for d in contents.values() if b"$" in d)  # only those are read again
        for names in (["load_order"], ["a"], ["b"], ["a$b"], ["$load"], ["load"], ["x"], ["MASK"]):
            if "$" in names[0] and "$" not in second:
                continue  # not a token of these word characters
            assert table.lookup(names) == grep_files(Git(repo), "main", names, word_chars=second), (second, names)


def test_token_table_lookup_finds_whole_tokens_of_each_file_only() -> None:
    contents = {
        "a.py": b"load_order = first\n",
        "b.py": b"",  # an empty file's part is two newlines: no name spans it
        "c.py": b"order_total(load)\n",
        "d.py": b"first load_orders\n",
        "e.py": b"x",
    }
    tokens = {path: file_tokens(data) for path, data in contents.items()}
    table = TokenIndex(tokens, lambda: contents)
    for names, expected in ((["load_order"], {"a.py"}), (["load"], {"c.py"}), (["first"], {"a.py", "d.py"}),
                            (["order"], set()), (["x"], {"e.py"}), (["order_total", "x"], {"c.py", "e.py"}),
                            (["load_orders"], {"d.py"}), ([""], {"b.py"})):
        assert table.lookup(names) == expected, names
        naive = {p for p, t in tokens.items() for n in names if b"\n" + n.encode() + b"\n" in t}
        assert naive == expected
