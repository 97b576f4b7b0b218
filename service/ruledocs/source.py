"""Rule documentation as data: one markdown file per rule under `rules/docs/<category>/<rule-id>.md`.

Each file holds exactly the five sections of `SECTIONS`, in that order. Code blocks of the
"Example" section may be preceded by an HTML comment that says where the code lives, so that the
example can be scanned (tests do) and the page can say which file it shows:

    <!-- file: app/orders.py -->     the change adds this file (the default, at a path by language)
    <!-- base: app/orders.py -->     the file before the change
    <!-- head: app/orders.py -->     the same file after the change
    <!-- intent: Fix the typo -->    what the change says it does (its commit message)

Code blocks of "Use instead" replace the example's added/changed files: an annotated block the
file at its path, an unannotated one the example's changed files in order.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import RULES_DIR
from ..errors import ConfigError

DOCS_DIR = RULES_DIR / "docs"
SECTIONS = ("What it flags", "Why it matters", "Example", "Use instead", "How to suppress")
_SECTION = re.compile(r"^## (.+?)\s*$", re.M)
_BLOCK = re.compile(r"(?:^<!--\s*(file|base|head):\s*(\S+)\s*-->\n)?^```(\w*)[^\n]*\n(.*?)^```\s*$", re.M | re.S)
_INTENT = re.compile(r"^<!--\s*intent:\s*(.+?)\s*-->\s*$", re.M)
_COMMENT = re.compile(r"^<!--.*?-->\n?", re.M)
DEFAULT_PATHS = {"python": "app/example.py", "javascript": "src/example.js", "js": "src/example.js",
                 "typescript": "src/example.ts", "ts": "src/example.ts", "tsx": "src/example.tsx",
                 "json": "package.json", "toml": "pyproject.toml", "ini": "setup.cfg", "yaml": "config.yml"}


@dataclass(frozen=True)
class CodeBlock:
    side: str  # "file" (added), "base" or "head"
    path: str
    language: str
    code: str
    explicit: bool  # the path comes from an annotation, not from the language's default


@dataclass(frozen=True)
class RuleDoc:
    rule_id: str
    category: str
    sections: dict[str, str]  # heading -> markdown body, the source text as written
    source: Path

    def blocks(self, section: str) -> list[CodeBlock]:
        return [
            CodeBlock(side or "file", path or DEFAULT_PATHS.get(lang, f"example.{lang or 'txt'}"), lang, code,
                      bool(path))
            for side, path, lang, code in _BLOCK.findall(self.sections.get(section, ""))
        ]

    @property
    def intent(self) -> str:
        match = _INTENT.search(self.sections.get("Example", ""))
        return match.group(1) if match else ""

    def readable(self, section: str) -> str:
        """The section as a reader sees it: file annotations become a caption line."""
        def caption(m: re.Match[str]) -> str:
            side, path = m.group(1), m.group(2)
            label = {"file": f"In `{path}`:", "base": f"`{path}` before the change:",
                     "head": f"`{path}` after the change:"}[side]
            return f"{label}\n\n"

        text = re.sub(r"^<!--\s*(file|base|head):\s*(\S+)\s*-->\n", caption, self.sections[section], flags=re.M)
        text = _INTENT.sub(lambda m: f"The change's stated intent: \"{m.group(1)}\"", text)
        return _COMMENT.sub("", text).strip()


def parse(text: str, rule_id: str, category: str, source: Path) -> RuleDoc:
    """A rule's documentation; ConfigError when a section is missing, empty, extra or out of order."""
    headings = [(m.group(1), m.start(), m.end()) for m in _SECTION.finditer(text)]
    names = tuple(h[0] for h in headings)
    if names != SECTIONS:
        raise ConfigError(f"sections must be exactly {', '.join(SECTIONS)} (found: {', '.join(names) or 'none'})",
                          str(source))
    sections = {}
    for i, (name, _, end) in enumerate(headings):
        stop = headings[i + 1][1] if i + 1 < len(headings) else len(text)
        body = text[end:stop].strip()
        if not body:
            raise ConfigError(f"section {name!r} is empty", str(source))
        sections[name] = body
    doc = RuleDoc(rule_id, category, sections, source)
    if not doc.blocks("Example"):
        raise ConfigError("the Example section needs a code block", str(source))
    return doc


@functools.cache
def load(root: Path = DOCS_DIR) -> dict[str, RuleDoc]:
    """rule id -> documentation, for every file under `root` (`<category>/<rule-id>.md`)."""
    docs = {}
    for path in sorted(root.glob("*/*.md")):
        rule_id = path.stem
        docs[rule_id] = parse(path.read_text(encoding="utf-8"), rule_id, path.parent.name, path)
    return docs
