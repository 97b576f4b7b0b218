"""Coarse line shapes of a Python text, for a filter that needs only "equal normalised lines give
equal coarse lines": copy-paste rules a file out by them without parsing it or normalising it
precisely (`shapes.normalized_lines`).

`coarse` is the definition: a normalised line without blanks, each run of name, number, dot and
constant characters (`I`, `#`, keywords, `I.I`, `returnI`) as one `w`. `coarse_lines` gives `coarse`
of every normalised line of a text, in order, for less work: strings and comments go exactly as
`normalized_lines` replaces them (the same pass), then the blanks, then every run of word characters
and dots becomes `w` in one pass. That is the same: the normaliser rewrites only parts of such runs,
each part as a non-empty run of `I`, `#` and keywords, and no `#` is left once comments are gone,
so with the blanks out the runs are the same. A text keeping a blank other than a space or a tab
(a line break that `str.splitlines` splits on, a form feed, a non-breaking space) once its strings
and comments are gone goes the definition's way.
"""

from __future__ import annotations

import re

from . import shapes

_RUN = re.compile(r"[\w.#]+")  # `#` stands for a constant in a normalised line
_TEXT_RUN = re.compile(r"[\w.]+")
_BLANKS = re.compile(r"[^\S\n]+|\\")
_OTHER_BLANK = re.compile(r"[^\S\n]")  # left once spaces and tabs are dropped


def coarse(line: str) -> str:
    """A normalised line without blanks, each run of `[\\w.#]` then as `w`."""
    return _RUN.sub("w", _BLANKS.sub("", line))


def coarse_lines(text: str) -> list[str]:
    """`coarse` of each value of `normalized_lines(text)`, in line order."""
    rest = shapes.without_strings_and_comments(text).replace(" ", "").replace("\t", "").replace("\\", "")
    shaped = _TEXT_RUN.sub("w", rest)
    if _OTHER_BLANK.search(shaped):
        return [coarse(line) for line in shapes.normalized_lines(text).values()]
    return [line for line in shaped.split("\n") if line]
