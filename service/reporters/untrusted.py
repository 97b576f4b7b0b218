"""Text written by others (an LLM's answer, a repository's rule messages and ids, file names, git's
errors), made inert before it is put into GitHub markdown or onto a terminal.

In markdown nothing from these strings may mention (`@team`), link, embed an image, start a heading
or a list, close a table cell, or carry a hidden `<!-- slopguard:... -->` tag that the App would
later take for its own. On a terminal no control character (colours, cursor moves, a title
change) may reach the screen.
"""

from __future__ import annotations

import re

_HIDDEN = re.compile(r"<!--.*?(?:-->|$)", re.S)
_MARKUP = re.compile(r"([\\`\[\]<>])")  # links, images, HTML, code spans; emphasis is harmless
_SPAN = re.compile(r"(`+)([^`\n](?:.*?[^`\n])?)\1(?!`)", re.S)
_MENTION = re.compile(r"([@#:])(?=\w)")  # @user, #123, and the scheme of a URL (https://)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WJ = "\u2060"  # WORD JOINER: invisible, and breaks mentions, issue references and autolinks


def markdown_text(text: str, limit: int = 4000) -> str:
    """Prose on one line: hidden tags removed, markup escaped, mentions and autolinks broken."""
    text = _HIDDEN.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _MARKUP.sub(r"\\\1", text[:limit])
    return _MENTION.sub(lambda m: m.group(1) + _WJ, text).replace("//", "/" + _WJ + "/")


def markdown_message(text: str, limit: int = 4000) -> str:
    """A message on one line whose `code spans` stay code spans (made safe); the rest as
    `markdown_text`."""
    text = _HIDDEN.sub("", text[:limit])
    out, pos = [], 0
    for match in _SPAN.finditer(text):
        out.append(markdown_text(text[pos:match.start()]))
        out.append(markdown_code(match.group(2)))
        pos = match.end()
    out.append(markdown_text(text[pos:]))
    return "".join(out)


def markdown_code(text: str, limit: int = 500) -> str:
    """A code span (for a path or a rule id) that nothing inside can end or turn into markup."""
    text = _CONTROL.sub(_escape_control, _HIDDEN.sub("", text))[:limit].replace("<!--", "<!" + _WJ + "--")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def terminal(text: str) -> str:
    """A string safe to print: control characters shown as escapes (\\n, \\x1b, \\u202e)."""
    return _CONTROL.sub(_escape_control, text)


def _escape_control(match: re.Match[str]) -> str:
    char = match.group(0)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
