"""The repository-wide plumbing of a scan (issue 16): a commit's listing is made once per process
and kept by commit id; a value derived from a file does not keep the file's syntax tree for the
whole scan; a repeat scan builds the JS repository index without reading the JS/TS files; the key
index stores any 64-bit key."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from slopguard import parsing
from slopguard import trees as trees_module
from slopguard.blobcache import BlobCache
from slopguard.blobindex import BlobIndex
from slopguard.detectors.dead_code import js_test_only_export
from slopguard.gitrepo import Git
from slopguard.lang.js import repo_index
from slopguard.parsing import SourceFile, walk
from slopguard.trees import Trees

from .gitrepos import make_repo


class CountingGit(Git):
    """A Git that records its subcommands and the blobs it reads."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.commands: list[str] = []
        self.blobs: list[str] = []

    def run(self, *args: str, check: bool = True, input: bytes | None = None, ok: tuple[int, ...] = (0,)) -> bytes:
        self.commands.append(args[0])
        return super().run(*args, check=check, input=input, ok=ok)

    def cat_blobs(self, shas: list[str]) -> dict[str, bytes]:
        self.blobs.extend(shas)
        return super().cat_blobs(shas)


def test_a_commit_is_listed_once_per_process_and_then_read_from_the_cache(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"a.py": "a = 1\n", "web/b.ts": "export const b = 1;\n"}, {"a.py": "a = 2\n"})
    cache = BlobCache(tmp_path / "cache")
    first = CountingGit(repo)
    head = first.resolve("feature")
    listing = first.ls_tree(head, cache)
    assert set(listing) == {"a.py", "web/b.ts"} and listing["a.py"][2] == 6
    assert first.ls_tree(head, cache) is listing and first.ls_tree(head) is listing
    assert first.commands.count("ls-tree") == 1
    first.ls_tree("feature")  # a ref may move: listed each time
    assert first.commands.count("ls-tree") == 2
    cache.finish()
    second = CountingGit(repo)
    assert second.ls_tree(head, BlobCache(tmp_path / "cache")) == listing
    assert "ls-tree" not in second.commands
    assert second.ls_paths(head, [".slopguard.yml", "web/"]) == {"web/b.ts": listing["web/b.ts"]}


def test_derived_values_do_not_keep_the_trees_they_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"app/m{n}.py": f"def f{n}(x):\n    return x + {n}\n" for n in range(20)}
    repo = make_repo(tmp_path, files, {})
    monkeypatch.setattr(trees_module, "KEPT_TREE_BYTES", 100)  # about three of these files
    trees = Trees(Git(repo), "main", "feature")
    held = trees.source("RIGHT", "app/m0.py")
    assert held is not None and held.root is not None  # a caller holds nodes of this one
    paths = sorted(files)
    trees.prefetch("RIGHT", paths)

    def nodes(src: SourceFile) -> int:
        assert src.root is not None
        return sum(1 for _ in walk(src.root))

    counts = [trees.derived("RIGHT", p, "test.nodes", nodes) for p in paths]
    assert len(set(counts)) == 1 and counts[0] and counts[0] > 5
    assert held.parsed and trees.source("RIGHT", "app/m0.py") is held
    assert not any(s is not None and s.parsed for s in (trees.source("RIGHT", p) for p in paths[1:]))
    # the last file built from keeps its tree for the next question about it
    assert trees.derived("RIGHT", paths[-1], "test.parsed", lambda src: src.parsed) is True
    assert trees.derived("RIGHT", paths[1], "test.parsed", lambda src: src.parsed) is False


_BINARY = b"\x00\x01binary\x00" * 10


def _js_repo(tmp_path: Path) -> Path:
    base = {
        "web/a.ts": "import { c } from './c';\nexport const a = c + 1;\n",
        "web/c.ts": "export const c = 1; // used by a\n",
        "web/main.ts": "export const main = 1;\n",
        "web/doc_only.ts": "export const docOnly = 1;\n",
        "web/blob.ts": _BINARY,
        "docs/guide.md": "```ts\nimport { docOnly } from '../web/doc_only';\n```\n",
        "package.json": json.dumps({"name": "x", "main": "web/main.ts"}),
    }
    return make_repo(tmp_path, base, {"web/a.ts": base["web/a.ts"] + "export const more = 2;\n"})


def _facts(index: repo_index.SideIndex) -> tuple[object, ...]:
    return (index.readable_paths(), sorted(index.entries), index.is_imported("web/doc_only.ts"),
            index.is_imported("web/c.ts"), index.is_imported("web/main.ts"), index.count("docOnly"))


def test_a_repeat_scan_builds_the_js_index_without_reading_the_js_files(tmp_path: Path) -> None:
    repo = _js_repo(tmp_path)
    plain_git = Git(repo)
    plain = _facts(repo_index.side_index(Trees(plain_git, plain_git.resolve("main"), plain_git.resolve("feature")),
                                         "RIGHT"))
    assert plain[0] == ["web/a.ts", "web/c.ts", "web/doc_only.ts", "web/main.ts"]  # not the binary file
    assert plain[1:] == (["web/main.ts"], True, True, False, 2)
    for attempt in range(2):
        git = CountingGit(repo)
        cache = BlobCache(tmp_path / "cache")
        trees = Trees(git, git.resolve("main"), git.resolve("feature"), cache=cache)
        index = repo_index.side_index(trees, "RIGHT")
        read = {p for p, entry in trees.listing("RIGHT").items() if entry[1] in git.blobs}
        if attempt:
            assert read == {"package.json"}  # the manifest's entry points: read again
        else:
            assert {"web/a.ts", "web/blob.ts", "docs/guide.md"} <= read
        assert _facts(index) == plain
        cache.finish()


def test_any_64_bit_key_is_stored_and_found(tmp_path: Path) -> None:
    index = BlobIndex(tmp_path / "keys.sqlite")
    low, high = -(2**63), 2**63 - 1
    index.add("k", {"b1": [low, 5, high, 5], "b2": {5, -1}, "b3": []})
    index.add("k", {"b1": [7], "b4": [high]})  # b1 is indexed already: left as it was
    assert index.missing("k", ["b1", "b2", "b3", "b4", "b5"]) == {"b5"}
    assert index.having("k", {low}) == {"b1"}
    assert index.having("k", {5}) == {"b1", "b2"}
    assert index.having("k", {high}) == {"b1", "b4"}
    assert index.having("k", {-1, 7}) == {"b2"}
    assert index.having("other", {5}) == set()


def test_star_re_exports_parse_only_files_that_may_hold_one_and_are_kept_by_blob_id(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {
        "src/strings.ts": "export function slugify(s: string) { return s; }\n",
        "src/more.ts": "export const more = 1;\n",
        "src/index.ts": 'export /* all of it */ * from "./strings";\n',
        "src/other.ts": '// export * from "./more";\nexport const other = 2 * 3;\n',
        "src/plain.ts": "export const plain = 1;\n",
    }
    repo = make_repo(tmp_path, files, {})
    parsed: list[bytes] = []
    real = parsing._parser

    class CountingParser:
        def __init__(self, language: str) -> None:
            self.parser = real(language)

        def parse(self, data: bytes) -> object:
            parsed.append(data)
            return self.parser.parse(data)

    monkeypatch.setattr(parsing, "_parser", CountingParser)
    for attempt in range(2):
        git = CountingGit(repo)
        cache = BlobCache(tmp_path / "cache")
        trees = Trees(git, git.resolve("main"), git.resolve("feature"), cache=cache)
        index = repo_index.side_index(trees, "RIGHT")
        before = len(git.blobs)
        parsed.clear()
        assert js_test_only_export._star_exported(index, "src/strings.ts")
        assert not js_test_only_export._star_exported(index, "src/more.ts")  # only in a comment
        if attempt:
            assert len(git.blobs) == before and not parsed  # nothing read: each file's answer is kept
        else:  # a file without `export` then `*` or a comment is not parsed
            assert sorted(parsed) == sorted(files[p].encode() for p in ("src/index.ts", "src/other.ts"))
        cache.finish()


def test_blobs_read_a_few_at_a_time_share_one_git_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"m{n:02}.py": f"x = {n}\n" * (n + 1) for n in range(20)}
    repo = make_repo(tmp_path, files, {})
    git = Git(repo)
    listing = git.ls_tree(git.resolve("main"))
    started: list[object] = []
    real = subprocess.Popen

    class CountingPopen(real):  # type: ignore[type-arg, misc]
        def __init__(self, args: object, *rest: object, **kwargs: object) -> None:
            started.append(args)
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", CountingPopen)
    for path in sorted(files)[:8]:
        sha = listing[path][1]
        assert git.cat_blobs([sha]) == {sha: files[path].encode()}
    missing, one = "0" * 40, listing["m01.py"][1]
    assert git.cat_blobs([missing, one]) == {one: files["m01.py"].encode()}
    assert len(started) == 1  # one process for all those reads
    many = [listing[p][1] for p in sorted(files)] * 2  # more than a few: a process of its own
    assert git.cat_blobs(many) == {listing[p][1]: files[p].encode() for p in files}
    assert len(started) == 2
    git.close()
    assert git.cat_blobs([one]) == {one: files["m01.py"].encode()}  # a read after `close` starts another
    assert len(started) == 3
    git.close()


def test_a_read_stopped_in_the_middle_of_a_blob_ends_the_process_and_the_next_read_starts_one(
        tmp_path: Path) -> None:
    big = "x = 1\n" * 100_000  # more than a pipe holds: git is still writing it when the read stops
    repo = make_repo(tmp_path, {"big.py": big, "small.py": "y = 2\n"}, {})
    git = Git(repo)
    listing = git.ls_tree(git.resolve("main"))
    git.cat_blobs([listing["small.py"][1]])
    proc = git._reader
    assert proc is not None and proc.stdout is not None

    class Stopped(Exception):
        pass

    def stop(size: int = -1) -> bytes:
        raise Stopped  # as an `Overrun` would, landing in the middle of an answer

    real_read = proc.stdout.read
    proc.stdout.read = stop  # type: ignore[method-assign]
    with pytest.raises(Stopped):
        git.cat_blobs([listing["big.py"][1]])
    proc.stdout.read = real_read  # type: ignore[method-assign]
    assert proc.poll() is not None and git._reader is None
    assert git.cat_blobs([listing["big.py"][1]]) == {listing["big.py"][1]: big.encode()}
    git.close()
