"""The normalised line shapes of a JS/TS text, for copy-paste: identifiers `i`, strings `s`,
numbers `0`, keywords and punctuation kept, comments dropped, one space between tokens.

`token_shapes` is the definition: one tokenizer pass, each token placed on the line it starts on.
`normalized_lines` gives the same answer with a few whole-text regular-expression passes (no Python
step per token): comments and strings first (the same patterns, so the same spans), then the rest
of the tokens split apart and abstracted. The later passes rely on ASCII character classes (a digit
never continues a non-ASCII letter, `\\w` is `[A-Za-z0-9_]`), so a text that keeps a non-ASCII
character outside its strings and comments, or that holds the placeholder character, goes the
definition's way. `coarse_lines` is cheaper still, for a filter that needs only "equal shapes give
equal coarse lines": keywords become `i` like names and no blank is kept.
"""

from __future__ import annotations

import re

KEYWORDS = frozenset({
    "async", "await", "break", "case", "catch", "class", "const", "continue", "default", "delete", "do",
    "else", "export", "extends", "finally", "for", "function", "if", "import", "in", "instanceof", "let",
    "new", "of", "return", "static", "super", "switch", "this", "throw", "try", "typeof", "var", "void",
    "while", "yield", "null", "undefined", "true", "false", "interface", "type", "implements",
})

_COMMENT = r"//[^\n]*|/\*.*?\*/"
_STRING = r"""'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`"""
_NUMBER = r"\b\d[\w.]*"
_WORD = r"[A-Za-z_$][\w$]*"
_TOKENS = re.compile(rf"(?P<c>{_COMMENT})|(?P<s>{_STRING})|(?P<n>{_NUMBER})|(?P<w>{_WORD})|(?P<p>\S)", re.S)

_PLACEHOLDER = "\x01"  # stands for a string literal between the passes (not a blank for `\s`)
_SPANS = re.compile(rf"({_COMMENT})|{_STRING}", re.S)
# a number or a name token starts where the character before cannot continue a name (`$1` is one)
_NUMBERS = re.compile(r"\d(?<![\w$]\d)[\w.]*")
_KEYWORD = "|".join(  # by first letter: the alternatives tried at a name are a few
    f"{first}(?:{'|'.join(sorted((k[1:] for k in KEYWORDS if k[0] == first), key=len, reverse=True))})"
    for first in sorted({k[0] for k in KEYWORDS}))
_NAMES = re.compile(rf"[A-Za-z_$](?<![\w$][A-Za-z_$])(?<!(?=(?:{_KEYWORD})(?![\w$])).)[\w$]*")
# every other character is a token of its own: set apart by blanks
_APART = {c: f" {chr(c)} " for c in range(128) if not (chr(c).isalnum() or chr(c) in "_$" or chr(c).isspace())}
_APART[ord(_PLACEHOLDER)] = " s "


def token_shapes(data: str) -> dict[int, str]:
    """Line number -> the line's normalised token shapes, one tokenizer step per token."""
    out: dict[int, list[str]] = {}
    line = 1
    last = 0
    for m in _TOKENS.finditer(data):
        line += data.count("\n", last, m.start())
        last = m.start()
        kind = m.lastgroup
        if kind != "c":
            token = m.group(0)
            shape = {"s": "s", "n": "0"}.get(kind or "", token)
            if kind == "w" and token not in KEYWORDS:
                shape = "i"
            out.setdefault(line, []).append(shape)
    return {n: " ".join(tokens) for n, tokens in out.items()}


def _span(match: re.Match[str]) -> str:
    """A comment: a blank; a string: the placeholder; either keeps its line breaks."""
    breaks = "\n" * match.group(0).count("\n")
    return f" {breaks} " if match.group(1) is not None else f" {_PLACEHOLDER}{breaks} "


def normalized_lines(data: str) -> dict[int, str]:
    """Line number -> the line's normalised token shapes (the same as `token_shapes`)."""
    if _PLACEHOLDER in data:
        return token_shapes(data)
    # a comment or string starts where no other token can hold its first character (`/`, a quote),
    # so searching for them alone finds the spans the tokenizer meets
    rest = _SPANS.sub(_span, data)
    if not rest.isascii():
        return token_shapes(data)
    shaped = _NAMES.sub("i", _NUMBERS.sub("0 ", rest)).translate(_APART)
    out = {}
    for number, line in enumerate(shaped.split("\n"), 1):
        tokens = line.split()
        if tokens:
            out[number] = " ".join(tokens)
    return out


_BLANKS = re.compile(r"[^\S\n]+")
_ANY_NAME = re.compile(_WORD)  # after the numbers, a name starts where a search for one does


def coarse(shape: str) -> str:
    """A line shape with keywords named like names (`i`) and no blanks: equal shapes stay equal."""
    return "".join("i" if token in KEYWORDS else token for token in shape.split(" "))


def coarse_lines(data: str) -> list[str]:
    """`coarse` of each value of `normalized_lines`, in line order, for less work: one pass for
    every name and keyword, and no token set apart from its neighbours."""
    if _PLACEHOLDER in data:
        return [coarse(t) for t in token_shapes(data).values()]
    rest = _SPANS.sub(_span, data)
    if not rest.isascii():
        return [coarse(t) for t in token_shapes(data).values()]
    shaped = _BLANKS.sub("", _ANY_NAME.sub("i", _NUMBERS.sub("0 ", rest))).replace(_PLACEHOLDER, "s")
    return [line for line in shaped.split("\n") if line]
