"""A rule's help: the one place that knows where rule documentation comes from.

Every reporter that shows help (SARIF `help`/`helpUri`, anything later) asks `rule_help(rule)`.
Today the text comes from what the rules carry: the rule's summary, the module docstring of the
detector that reports it (its "What it does / Why is this bad? / Example / Use instead" sections)
and, for a semgrep rule, the rule's message. The page address is `docs/rules/<rule-id>.md` in the
project's repository (`REPOSITORY_URL`); when per-rule documentation files land, this module is
the only one to change.
"""

from __future__ import annotations

import functools
import re
import sys
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
    bundled, doc = _documentation().get(rule.id, (False, ""))
    summary = rule.summary.strip() or rule.id
    markdown = f"**{summary}**" + (f"\n\n{_demote(doc)}" if doc else "")
    text = summary + (f"\n\n{_plain(doc)}" if doc else "")
    uri = f"{repository_url.rstrip('/')}/{DOCS_PATH}/{rule.id}.md" if bundled else ""
    return RuleHelp(text=text, markdown=markdown, uri=uri)


@functools.cache
def _documentation() -> dict[str, tuple[bool, str]]:
    """rule id -> (shipped with slopguard, documentation text) for every bundled rule."""
    from ..registry import load

    registry = load()
    docs: dict[str, tuple[bool, str]] = {}
    for detector in registry.detectors:
        module = sys.modules[type(detector).__module__]
        for rule in detector.rules:
            docs[rule.id] = (True, _body(module.__doc__ or ""))
    for sg in registry.semgrep_rules:
        docs[sg.rule.id] = (True, " ".join(str(sg.spec.get("message", "")).split()))
    for rule in registry.extra_rules:  # a pass that is not a detector (the LLM pass): its module's RULE
        owner = next((m for m in list(sys.modules.values()) if getattr(m, "RULE", None) is rule), None)
        docs[rule.id] = (True, _body(owner.__doc__ or "") if owner else "")
    return docs


def _body(docstring: str) -> str:
    import inspect

    return inspect.cleandoc(docstring)


def _demote(markdown: str) -> str:
    """Headings one level down, so they sit under the rule's own title."""
    return _HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + 2) + " ", markdown)


def _plain(markdown: str) -> str:
    return _FENCE.sub("", _HEADING.sub("", markdown))
