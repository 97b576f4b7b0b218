"""The whole-text coarse lines of a Python text (`python_copy_paste.coarse_lines`) are exactly
`coarse` of each precisely normalised line (`shapes.normalized_lines`): on every Python fixture of this
repository and on generated texts made of the pieces where the two ways could part (strings and
comments across lines, prefixes, constants inside names, non-ASCII names, line continuations,
unusual blanks and line breaks). The normaliser's string and comment pass finds the spans of the
plain pattern it is a faster form of."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from slopguard.detectors.bloat import python_copy_paste
from slopguard.lang.python import shapes

FIXTURES = Path(__file__).parent / "fixtures"

_PIECES = (
    "def", "return", "import", "not", "in", "is", "lambda", "True", "False", "None", "TrueValue", "x", "x1",
    "_a", "self.b", "a.b.c", "1", "1.5", "1e-3", ".5", "0x1F", "2_000", "1j", "caf\u00e9", "\u03bb",
    "'s'", '"d\\"q"', "'a#b'", "'''tri\nple'''", '"""doc\n\nstring"""', "rb'x'", "f'{x}'", "Rb\"y\"", "u'z'",
    "'open", '"', "'", "# comment", "#", "# 'quoted'\n", "\\\n", "\\",
    "(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "==", "->", "+", "*", "**", "@", "$", ";",
    " ", "  ", "\t", "\n", "\n\n",
)
# blanks the whole-text way leaves to the definition (line breaks `str.splitlines` knows, others)
_ODD_BLANKS = ("\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\u00a0", "\u2028")


def _generated(count: int, choices: tuple[str, ...]) -> list[str]:
    rng = random.Random(16)
    texts = []
    for _ in range(count):
        pieces = [rng.choice(choices) for _ in range(rng.randint(1, 60))]
        texts.append("".join(p + (" " if rng.random() < 0.5 else "") for p in pieces))
    return texts


def _same(text: str) -> None:
    expected = [python_copy_paste.coarse(line) for line in shapes.normalized_lines(text).values()]
    assert python_copy_paste.coarse_lines(text) == expected


@pytest.mark.parametrize("text", _generated(300, _PIECES) + _generated(100, _PIECES + _ODD_BLANKS))
def test_coarse_lines_of_generated_texts(text: str) -> None:
    _same(text)


def test_coarse_lines_of_the_python_fixtures() -> None:
    paths = sorted(p for p in FIXTURES.rglob("*.py") if p.is_file())
    assert paths
    for path in paths:
        _same(path.read_text(encoding="utf-8", errors="surrogateescape"))


def test_a_coarse_line_is_one_w_for_each_run_of_names_and_constants() -> None:
    text = 'def load(path, limit=10):\n    """Doc."""\n    return read(path)[: limit] \\\n        + [None]  # tail\n'
    assert python_copy_paste.coarse_lines(text) == ["w(w,w=w):", "$", "w(w)[:w]", "+[w]"]
    # equal normalised lines give equal coarse lines, whatever the names, literals and blanks
    assert python_copy_paste.coarse("return I . I ( # )") == python_copy_paste.coarse("returnI.I(#)") == "w(w)"


# the plain form: an optional prefix at a word's start before a string, or a comment
_PLAIN = re.compile(
    r"(?=[rRbBuUfF\"'#])(?:\b[rRbBuUfF]{1,2})?"
    r"(?:\"{3}[\s\S]*?\"{3}|'{3}[\s\S]*?'{3}|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*')"
    r"|#[^\n]*"
)
_TOKENS = ("r", "b", "R", "B", "u", "U", "f", "F", "rb", "bR", "ur", "x", "_", "1", "\u00e9", '"', "'", '"""', "'''",
           "#", "\\", "\n", " ", "\\\n", "$", '\\"', "\\'")


def test_the_string_and_comment_pass_finds_the_spans_of_the_plain_pattern() -> None:
    rng = random.Random(3)
    texts = ["".join(rng.choice(_TOKENS) for _ in range(rng.randint(1, 25))) for _ in range(20000)]
    texts += [p.read_text(encoding="utf-8", errors="surrogateescape") for p in sorted(FIXTURES.rglob("*.py"))]
    for text in texts:
        spans = [m.span() for m in shapes._STRING_OR_COMMENT.finditer(text)]
        assert spans == [m.span() for m in _PLAIN.finditer(text)], text
