"""A rule's help: the one place that knows where rule documentation comes from.

Every reporter that shows help (SARIF `help`/`helpUri`, the App's inline comments, anything later)
asks `rule_help(rule)` or `page_uri(rule_id)`. The text is the rule's page source under
`rules/docs/<category>/<rule-id>.md` (see `ruledocs`), shipped in the wheel; the page address is
the generated `docs/rules/<rule-id>.md` in the project's repository (`REPOSITORY_URL`). A rule
without a page (a repository's own semgrep rule) has its summary as help and no address.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..detector import Rule

REPOSITORY_URL = "https://github.com/slopguard/slopguard"
DOCS_PATH = "blob/main/docs/rules"
_HEADING = re.compile(r"^(#{1,5}) ", re.M)
_FENCE = re.compile(r"^```\w*$\n?", re.M)


@dataclass(frozen=True)
class RuleHelp:
    text: str  # plain text
    markdown: str
    uri: str  # "" for a rule that has no page (a repository's own semgrep rule)


def rule_help(rule: Rule, repository_url: str = REPOSITORY_URL) -> RuleHelp:
    """The help of `rule`: summary first, then its documentation, as plain text and as markdown."""
    doc = _documentation().get(rule.id, "")
    summary = rule.summary.strip() or rule.id
    markdown = f"**{summary}**" + (f"\n\n{_demote(doc)}" if doc else "")
    text = summary + (f"\n\n{_plain(doc)}" if doc else "")
    return RuleHelp(text=text, markdown=markdown, uri=page_uri(rule.id, repository_url))


def page_uri(rule_id: str, repository_url: str = REPOSITORY_URL) -> str:
    """The address of a rule's documentation page, "" when slopguard ships none for it."""
    return f"{repository_url.rstrip('/')}/{DOCS_PATH}/{rule_id}.md" if rule_id in _documentation() else ""


@functools.cache
def _documentation() -> dict[str, str]:
    """rule id -> documentation markdown, for every rule slopguard ships a page for."""
    from ..ruledocs import SECTIONS, load

    return {rule_id: "\n\n".join(f"## {name}\n\n{doc.readable(name)}" for name in SECTIONS)
            for rule_id, doc in load().items()}


def _demote(markdown: str) -> str:
    """Headings one level down, so they sit under the rule's own title."""
    return _HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + 2) + " ", markdown)


def _plain(markdown: str) -> str:
    return _FENCE.sub("", _HEADING.sub("", markdown))
