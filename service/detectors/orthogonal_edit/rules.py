"""The rules of the orthogonal-edit detector, per language family and kind of change."""

from __future__ import annotations

from ...detector import Rule
from ...models import Severity

_SUMMARY = "A hunk unrelated to the PR's stated purpose"


_JS_LANGUAGES = ("javascript", "typescript", "tsx")


def _rule(family: str, name: str, severity: Severity, summary: str) -> Rule:
    languages = ("python",) if family == "python" else _JS_LANGUAGES
    # relatedness is judged from names and the stated intent, a heuristic: medium confidence
    return Rule(id=f"{family}.orthogonal-edit.{name}", category="orthogonal-edit",
                languages=languages, severity=severity, summary=f"{_SUMMARY}: {summary}",
                confidence="medium")


def _family_rules(family: str) -> dict[str, Rule]:
    """The rule of each kind of candidate change, for one language family."""
    reformat = _rule(family, "unrelated-reformat", Severity.NOTICE, "formatting-only change")
    rename = _rule(family, "unrelated-rename", Severity.NOTICE, "pure rename")
    default = _rule(family, "unrelated-default", Severity.WARNING, "changed literal default")
    collection = _rule(family, "unrelated-collection-change", Severity.WARNING,
                       "constant collection gains or loses members")
    logic = _rule(family, "unrelated-logic-change", Severity.WARNING,
                  "guard removed, operator flipped, condition rewritten with the opposite meaning, "
                  "decorator dropped or a call, operator or literal swapped in a rewritten function")
    deletion = _rule(family, "unrelated-deletion", Severity.NOTICE,
                     "deleted function, class, docstring or comment")
    new_file = _rule(family, "unrelated-new-file", Severity.NOTICE,
                     "new file nothing else in the change imports, names or shares a name with")
    return {
        "new-file": new_file,
        "formatting": reformat,
        "rename": rename,
        "literal": default,
        "membership": collection,
        "removed-check": logic,
        "added-guard": logic,
        "dropped-option": logic,
        "operator": logic,
        "condition-flip": logic,
        "dropped-decorator": logic,
        "deleted-function": deletion,
        "deleted-docstring": deletion,
        "deleted-comment": deletion,
        "deleted-code": deletion,
    }


RULES_OF_FAMILY: dict[str, dict[str, Rule]] = {f: _family_rules(f) for f in ("python", "js")}
# package.json is the JS family's manifest: version bumps no changed source line needs
RULES_OF_FAMILY["js"]["dependency"] = _rule("js", "unrelated-dependency-bump", Severity.NOTICE,
                                            "dependency version bump the change does not use")
RULE_OF_KIND = RULES_OF_FAMILY["python"]
REFORMAT, RENAME, DEFAULT, COLLECTION, LOGIC, DELETION = (
    RULE_OF_KIND[k] for k in ("formatting", "rename", "literal", "membership", "operator",
                              "deleted-function"))
ANNOUNCED_BY_REFACTOR = frozenset({"formatting", "rename"})
ANNOUNCED_BY_CLEANUP = frozenset({"deleted-function", "deleted-docstring", "deleted-comment",
                                  "deleted-code"})
MERGED_KINDS = ANNOUNCED_BY_REFACTOR | ANNOUNCED_BY_CLEANUP
# kinds reported one step below their rule's severity: a behaviour change that is usually defensive
NOTICE_KINDS = frozenset({"added-guard", "dropped-option"})
# kinds still reported (as a low-confidence notice) when only test code links them to the change
TEST_LINKED_KINDS = frozenset({"removed-check", "added-guard"})
