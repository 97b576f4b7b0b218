"""What a pull request says it does, read from its title and body (or its commit messages).

`Intent` turns the description into light-stemmed words and answers two questions: does the
description announce a refactor/rename/cleanup, and does it mention a given identifier or value.
`announced_removals` and `announced` find the "remove/delete/drop <what>" phrases of the
description and whether one of them names a given file, suite or test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

STOP_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do", "does", "for",
        "from", "has", "have", "in", "into", "is", "it", "its", "no", "not", "now", "of", "on", "or",
        "so", "than", "that", "the", "their", "them", "then", "there", "these", "this", "those", "to",
        "too", "up", "was", "were", "when", "which", "while", "will", "with", "without", "you",
        "your", "we", "our", "us", "i", "me", "my", "all", "any", "also", "each", "get", "set", "new",
        "old", "use", "used", "using", "via", "per", "only", "just", "more", "most", "other", "some",
        "such", "very", "should", "would", "could", "may", "might", "must", "out", "self", "cls",
        "none", "true", "false", "return", "def", "class", "if", "else", "elif", "try", "except",
        "finally", "raise", "import", "pass",
    }
)

REFACTOR = re.compile(
    r"\b(refactor\w*|renam\w*|reformat\w*|formatting|restyl\w*|lint\w*|cosmetic\w*|"
    r"naming|housekeeping|tid(y|ies|ied|ying)|clean[- ]?up\w*|"
    r"no (functional|behaviou?r(al)?|logic) changes?|behaviou?r[- ]preserving)\b",
    re.IGNORECASE,
)
CLEANUP = re.compile(
    r"\b(clean[- ]?up\w*|tid(y|ies|ied|ying)|dead code|unused|remov\w*|delet\w*|drop\w*|"
    r"prun\w*|housekeeping|refactor\w*)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9][0-9_.]*")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # identifier-like tokens of any text


def stem(word: str) -> str:
    """A light, consistent stem: plural, -ing/-ed and a final -e dropped, lower case
    (`retries`/`retried`/`retry` -> `retry`, `enabled`/`enable` -> `enabl`)."""
    w = word.lower()
    if len(w) > 4 and w.endswith(("ies", "ied")):
        w = w[:-3] + "y"
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and (w.endswith(("sses", "xes", "ches", "shes"))
                         or (w.endswith("ed") and not w.endswith("eed"))):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


def split_identifier(name: str) -> list[str]:
    """`DEFAULT_TIMEOUT` -> [default, timeout]; `getUserName` -> [get, user, name]."""
    parts: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        parts += [p.lower() for p in _CAMEL.findall(chunk)]
    return parts


def content_stems(name: str) -> set[str]:
    """The stems of an identifier's words, stop words and one-letter words left out."""
    return {stem(w) for w in split_identifier(name) if len(w) > 1 and w not in STOP_WORDS}


@dataclass(frozen=True)
class Intent:
    """The PR's stated purpose as words."""

    text: str
    stems: frozenset[str]
    tokens: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Intent:
        stems: set[str] = set()
        for word in _WORD.findall(text):
            stems |= content_stems(word)
        tokens = {t.lower() for t in IDENTIFIER.findall(text)}
        return cls(text=text, stems=frozenset(stems), tokens=frozenset(tokens))

    @property
    def announces_refactor(self) -> bool:
        """A rename, reformat or refactor with no behaviour change is what the PR says it is."""
        return bool(REFACTOR.search(self.text))

    @property
    def announces_cleanup(self) -> bool:
        """The PR says it removes or tidies code."""
        return bool(CLEANUP.search(self.text))

    def mentions(self, identifier: str) -> bool:
        """The identifier itself, or every content word of it, appears in the description."""
        if not identifier:
            return False
        if identifier.lower() in self.tokens:
            return True
        words = content_stems(identifier)
        return bool(words) and words <= self.stems

    def mentions_any(self, identifiers: Iterable[str]) -> bool:
        return any(self.mentions(i) for i in identifiers)

    def mentions_value(self, value: str) -> bool:
        """A literal value (a number, a short string) quoted in the description."""
        value = value.strip().strip("'\"`").lower()
        if not value or (len(value) < 2 and not value.isdigit()):
            return False
        pattern = r"(?<![\w.])" + re.escape(value) + r"(?![\w])"
        return re.search(pattern, self.text.lower()) is not None


_REMOVAL = re.compile(r"\b(remov|delet|drop|retir|prun)\w*\b([^.;:,()\n]{1,60})", re.IGNORECASE)
# words that say nothing about *which* tests go: "remove flaky tests" names no test
_VAGUE = frozenset({"test", "spec", "suite", "case", "file", "code", "old", "obsolet", "deprecat", "flaky",
                    "broken", "fail", "unus", "dead", "redundant", "duplicat", "some", "few", "stal",
                    "support", "unnecessary", "useles", "legacy"})


@dataclass(frozen=True)
class Removal:
    """One "remove/delete/drop <what>" phrase of the description."""

    words: frozenset[str]  # stems naming <what>, vague words left out
    tests: bool  # the phrase says it removes tests ("remove the host tests")


def announced_removals(intent: str) -> list[Removal]:
    """The removal phrases of the description that name what they remove."""
    out = []
    for m in _REMOVAL.finditer(intent):
        stems = content_stems(m.group(2))
        words = frozenset(w for w in stems if w not in _VAGUE)
        if words:
            out.append(Removal(words, bool(stems & {"test", "spec", "suite"})))
    return out


def announced(removals: list[Removal], *names: str, body: str = "") -> bool:
    """True when one announced removal names the thing: every word of a one- or two-word phrase,
    or at least two words of a longer one, occur in `names` (a path, a suite or test title); or
    the phrase removes tests and one of its words occurs in the test's `body`."""
    have: set[str] = set()
    for name in names:
        have |= content_stems(name)
    inside = content_stems(body) if body else set()
    return any(len(r.words & have) >= min(2, len(r.words)) or (r.tests and r.words & inside)
               for r in removals)
