"""The blob-id cache (service/blobcache.py): one SQLite file of entries shared by workers."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
from slopguard.blobcache import BlobCache, code_stamp


def _blob(i: int) -> str:
    return f"{i:040x}"


def _value(i: int) -> tuple[str, bytes, list[int]]:
    return (f"entry {i}", bytes([i % 256]) * (200 + i % 50), list(range(i % 7)))


def _rows(cache: BlobCache) -> int:
    with sqlite3.connect(cache.path) as conn:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])


def _folder_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def test_entries_are_read_back_by_another_instance_and_in_batches(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path / "c")
    cache.put("kind", _blob(1), _value(1))
    cache.put("kind", _blob(2), None)  # a stored None is a hit
    assert cache.get("kind", _blob(1)) == (True, _value(1))  # pending, readable at once
    cache.finish()
    other = BlobCache(tmp_path / "c")
    assert other.get("kind", _blob(1)) == (True, _value(1))
    assert other.get("kind", _blob(2)) == (True, None)
    assert other.get("other-kind", _blob(1)) == (False, None)
    assert other.get_many("kind", [_blob(1), _blob(2), _blob(3), _blob(1)]) == {_blob(1): _value(1), _blob(2): None}
    many = BlobCache(tmp_path / "c")
    for i in range(3, 1203):  # more than one query's worth of parameters, and a batch flushed midway
        many.put("kind", _blob(i), _value(i))
    many.finish()
    assert other.get_many("kind", [_blob(i) for i in range(1, 1300)]) == {
        _blob(1): _value(1), _blob(2): None, **{_blob(i): _value(i) for i in range(3, 1203)}}
    assert [p.name for p in (tmp_path / "c").iterdir() if not p.name.endswith(("-wal", "-shm"))] == [
        f"entries-{code_stamp()}.sqlite"]


def test_least_recently_used_rows_go_first_and_the_folder_stays_bounded(tmp_path: Path) -> None:
    clock = [1_000_000.0]
    cache = BlobCache(tmp_path / "c", max_bytes=400_000, clock=lambda: clock[0])
    for i in range(200):  # 200 entries of ~5 kB, written an hour apart each: row i last used at hour i
        clock[0] += 3600
        cache.put("kind", _blob(i), bytes([i]) * 5000)
        cache.flush()
    clock[0] += 3600
    assert cache.get_many("kind", [_blob(i) for i in range(10)]).keys() == {_blob(i) for i in range(10)}
    cache.trim()  # the reads of rows 0-9 are marked before the folder is measured
    kept = {i for i in range(200) if cache.get("kind", _blob(i))[0]}
    assert set(range(10)) <= kept  # read just now: kept although written first
    assert 199 in kept and 10 not in kept  # the least recently used of the others went
    assert kept == set(range(10)) | set(range(200 - len(kept) + 10, 200))
    cache.finish()
    assert _folder_bytes(tmp_path / "c") <= 400_000


def test_a_repeat_read_within_the_hour_writes_nothing(tmp_path: Path) -> None:
    clock = [1_000_000.0]
    cache = BlobCache(tmp_path / "c", clock=lambda: clock[0])
    cache.put("kind", _blob(1), "x")
    cache.finish()
    clock[0] += 60
    again = BlobCache(tmp_path / "c", clock=lambda: clock[0])
    assert again.get("kind", _blob(1)) == (True, "x")
    again.finish()
    assert again.written == 0
    with sqlite3.connect(again.path) as conn:
        assert conn.execute("SELECT used FROM entries").fetchone()[0] == 1_000_000
    clock[0] += 7200
    later = BlobCache(tmp_path / "c", clock=lambda: clock[0])
    assert later.get("kind", _blob(1)) == (True, "x")
    later.finish()
    with sqlite3.connect(later.path) as conn:
        assert conn.execute("SELECT used FROM entries").fetchone()[0] == 1_007_260


def test_other_stamps_and_the_old_per_file_layout_go_before_current_rows(tmp_path: Path) -> None:
    root = tmp_path / "c"
    cache = BlobCache(root, max_bytes=100_000)
    for i in range(5):
        cache.put("kind", _blob(i), b"x" * 1000)
    cache.finish()
    old = root / "python.masked.python-py311-0123456789ab" / "ab"
    old.mkdir(parents=True)
    (old / ("cd" * 19)).write_bytes(b"y" * 10)  # the per-file layout of an older version
    (root / "entries-py311-0123456789ab.sqlite").write_bytes(b"z" * 90_000)  # another stamp's
    os.utime(root / "entries-py311-0123456789ab.sqlite", (1, 1))
    cache.put("kind", _blob(9), b"x" * 1000)
    cache.finish()
    assert not (root / "python.masked.python-py311-0123456789ab").exists()
    assert not (root / "entries-py311-0123456789ab.sqlite").exists()
    assert all(cache.get("kind", _blob(i))[0] for i in (0, 1, 2, 3, 4, 9))


def test_a_damaged_entry_is_a_miss_and_is_written_again(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path / "c")
    cache.put("kind", _blob(1), ["whole"])
    cache.finish()
    with sqlite3.connect(cache.path) as conn:
        conn.execute("UPDATE entries SET value = ?", (b"\xff\x00",))
    again = BlobCache(tmp_path / "c")
    assert again.get("kind", _blob(1)) == (False, None)
    assert again.get_many("kind", [_blob(1)]) == {}
    again.put("kind", _blob(1), ["whole"])
    again.finish()
    assert BlobCache(tmp_path / "c").get("kind", _blob(1)) == (True, ["whole"])


def test_a_damaged_file_costs_speed_and_is_replaced(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path / "c")
    cache.root.mkdir(parents=True)
    cache.path.write_bytes(b"not a database" * 500)
    assert cache.get("kind", _blob(1)) == (False, None)
    cache.put("kind", _blob(1), "x")  # the cache is off for this scan: nothing kept, nothing raised
    assert cache.get("kind", _blob(1)) == (False, None)
    cache.finish()
    assert not cache.path.exists()  # removed: the next scan starts a new file
    fresh = BlobCache(tmp_path / "c")
    fresh.put("kind", _blob(1), "x")
    fresh.finish()
    assert BlobCache(tmp_path / "c").get("kind", _blob(1)) == (True, "x")


def test_an_unusable_folder_costs_speed_not_the_scan(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file where the folder should be")
    cache = BlobCache(tmp_path / "file" / "index")
    cache.put("kind", _blob(1), "x")
    assert cache.get_many("kind", [_blob(1), _blob(2)]) in ({}, {_blob(1): "x"})
    cache.finish()
    assert cache.get("kind", _blob(1)) == (False, None)


def _writer(root: str, worker: int, count: int, max_bytes: int) -> None:
    """One worker process: writes its own entries and some shared ones (the same values), in small
    batches (trimming the folder after each when it is over `max_bytes`), and checks that whatever
    it reads of the others' is whole."""
    cache = BlobCache(Path(root), max_bytes=max_bytes)
    for i in range(count):
        cache.put("kind", _blob((worker + 1) * 10_000 + i), _value((worker + 1) * 10_000 + i))
        cache.put("kind", _blob(i), _value(i))  # every worker writes these
        if i % 25 == 0:
            cache.trim()
            wanted = [_blob((w + 1) * 10_000 + i) for w in range(4)] + [_blob(i)]
            for blob, value in cache.get_many("kind", wanted).items():
                assert value == _value(int(blob, 16)), blob
    cache.finish()
    assert not cache._off  # no storage error turned the cache off (busy writers wait their turn)


@pytest.mark.parametrize("max_bytes", [50_000_000, 200_000])
def test_concurrent_writer_processes_share_the_file(tmp_path: Path, max_bytes: int) -> None:
    root = tmp_path / "c"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(root), w, 300, max_bytes)) for w in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
    assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]
    cache = BlobCache(root, max_bytes=max_bytes)
    expected = [(w + 1) * 10_000 + i for w in range(4) for i in range(300)] + list(range(300))
    found = cache.get_many("kind", [_blob(i) for i in expected])
    assert found == {blob: _value(int(blob, 16)) for blob in found}  # whole entries only
    if max_bytes > 1_000_000:
        assert len(found) == _rows(cache) == len(expected)  # nothing lost
    else:
        assert 0 < len(found) < len(expected)  # trimmed while they wrote
        cache.trim()
        assert _folder_bytes(root) <= max_bytes


@pytest.mark.parametrize("edit", [True, False])
def test_cached_values_are_kept_apart_by_the_code_that_derived_them(tmp_path: Path, edit: bool) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("X = 1\n")
    before = code_stamp.__wrapped__(package)
    if edit:
        (package / "a.py").write_text("X = 22\n")
    assert (code_stamp.__wrapped__(package) != before) == edit  # an edited module: a new file of values
    cache = BlobCache(tmp_path / "cache")
    assert cache.path.name == f"entries-{code_stamp()}.sqlite"


@pytest.mark.parametrize("code", [11, 26, 779, 267])  # SQLITE_CORRUPT, _NOTADB, _CORRUPT_INDEX, _CORRUPT_VTAB
def test_a_file_damaged_by_any_corruption_code_is_removed(tmp_path: Path, code: int) -> None:
    """SQLite reports extended result codes (`sqlite_errorcode` 779 is SQLITE_CORRUPT_INDEX): a file
    damaged in any such way is removed, or every later scan would find the cache off again."""
    cache = BlobCache(tmp_path / "c")
    cache.put("kind", _blob(1), "x")
    cache.finish()
    assert cache.path.exists()
    exc = sqlite3.DatabaseError("database disk image is malformed")
    exc.sqlite_errorcode = code
    cache._failed(exc)
    assert not cache.path.exists()
    assert cache.get("kind", _blob(1)) == (False, None)  # off for the rest of the scan


def test_a_busy_or_full_file_is_not_removed(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path / "c")
    cache.put("kind", _blob(1), "x")
    cache.finish()
    exc = sqlite3.OperationalError("database or disk is full")
    exc.sqlite_errorcode = 13  # SQLITE_FULL
    cache._failed(exc)
    assert cache.path.exists()
    assert BlobCache(tmp_path / "c").get("kind", _blob(1)) == (True, "x")


def test_a_storage_error_is_logged_not_swallowed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "file").write_text("a file where the folder should be")
    cache = BlobCache(tmp_path / "file" / "index")
    with caplog.at_level("WARNING", logger="slopguard.blobcache"):
        assert cache.get("kind", _blob(1)) == (False, None)
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "blob cache off for this scan" in caplog.records[0].getMessage()


def test_naming_the_file_waits_for_its_first_use(tmp_path: Path) -> None:
    cache = BlobCache(tmp_path / "c")
    assert "path" not in vars(cache)  # the constructor reads nothing (the code stamp stats every module)
    assert cache.path.name == f"entries-{code_stamp()}.sqlite"
