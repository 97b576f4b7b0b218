"""The whole-text JS/TS normaliser (`js_shapes.normalized_lines`, `coarse_lines`) gives exactly the
shapes of the per-token definition (`token_shapes`): on every JS/TS fixture of this repository and
on generated texts made of the tokens where the two ways could part (`$1`, `1$a`, comments and
strings across lines, non-ASCII names, the placeholder character, unusual blanks)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from slopguard.detectors.bloat import js_shapes

FIXTURES = Path(__file__).parent / "fixtures"
_SUFFIXES = {".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts"}

_PIECES = (
    "const", "constant", "in", "instanceof", "typeof", "type", "of", "i", "s", "x1", "$", "$1", "a$1", "_$b",
    "1", "1.5", "1.toString", "0x1F", "10px", "1e-3", ".5", "1$a", "2_000", "caf\u00e9", "\u00e91", "\u03bb",
    "'str'", '"d\\"q"', "'a\\\nb'", "`t ${x}\n`", "`unterminated", "'open", '"', "'", "`",
    "// line comment", "/* block */", "/* multi\nline */", "/*", "*/", "/", "//", "*",
    "(", ")", "{", "}", "[", "]", ";", ",", ".", "=", "=>", "?.", "??", "+", "-", "\\", "#", "@",
    " ", "  ", "\t", "\n", "\n\n", "\r\n", "\x0b", "\x0c", "\x1c", "\x1f", "\x01", "\x85", "\u00a0",
)


def _generated(count: int) -> list[str]:
    rng = random.Random(16)
    texts = []
    for _ in range(count):
        pieces = [rng.choice(_PIECES) for _ in range(rng.randint(1, 60))]
        texts.append("".join(p + (" " if rng.random() < 0.5 else "") for p in pieces))
    return texts


def _fixtures() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.suffix in _SUFFIXES and p.is_file())


def _same(text: str) -> None:
    expected = js_shapes.token_shapes(text)
    assert js_shapes.normalized_lines(text) == expected
    assert js_shapes.coarse_lines(text) == [js_shapes.coarse(t) for t in expected.values()]


def test_the_fixtures_have_the_definitions_shapes() -> None:
    paths = _fixtures()
    assert len(paths) > 100
    for path in paths:
        _same(path.read_text(encoding="utf-8", errors="surrogateescape"))


@pytest.mark.parametrize("start", range(0, 4000, 500))
def test_generated_texts_have_the_definitions_shapes(start: int) -> None:
    for text in _generated(4000)[start : start + 500]:
        _same(text)


def test_the_whole_text_passes_give_the_shapes_of_names_numbers_strings_and_comments() -> None:
    text = "const $1 = a$1 + 1$a; // note\nlet s = `x\ny` /* c\nd */ + 0x1F;\nif (x instanceof T) {}\n"
    assert js_shapes.normalized_lines(text) == {
        1: "const i = i + 0 i ;", 2: "let i = s", 4: "+ 0 ;", 5: "if ( i instanceof i ) { }"}
    assert js_shapes.coarse_lines(text) == ["ii=i+0i;", "ii=s", "+0;", "i(iii){}"]
