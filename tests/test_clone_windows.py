"""The window keys a copy-paste filter reads without parsing (`clones.window_key_list`) stand, at
each position, for the window `clones.index` hashes there: a window the index hashes always has a
key, and two windows with the same lines have the same key in every process."""

from __future__ import annotations

import random
import zlib

from slopguard.analysis import clones

_SHAPES = ("i = i ;", "}", "return i ;", "if ( i ) {", "i . i ( s , 0 ) ;", "const i = i . i ;", "else", "x")


def _texts(rng: random.Random) -> list[str]:
    return [rng.choice(_SHAPES) for _ in range(rng.randint(0, 40))]


def test_every_window_the_index_hashes_has_a_key_at_its_position() -> None:
    rng = random.Random(8)
    for _ in range(500):
        texts = _texts(rng)
        for size in (2, 4, 8):
            unit = clones.make_unit("f", "a.ts", 0, 1, list(enumerate(texts)))
            keys = clones.window_key_list(texts, size)
            hashed = clones._windows(unit, size)
            assert len(keys) == len(hashed)
            assert all(key is not None for key, h in zip(keys, hashed, strict=True) if h)
            assert clones.window_keys(texts, size) == {key for key in keys if key is not None}


def test_equal_windows_have_equal_keys_and_trivial_ones_none() -> None:
    texts = ["const i = i . i ;", "if ( i ) {", "return i ;", "}"] * 2
    keys = clones.window_key_list(texts, 4)
    assert keys[0] == keys[4] is not None and keys[0] != keys[1]
    assert clones.window_key_list(["}", "}", "}", "}"], 4) == [None]  # too few characters and shapes
    assert clones.plain_window_keys(["}", "}", "}", "}"], 4) == [hash((zlib.crc32(b"}"),) * 4)]
