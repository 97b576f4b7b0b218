"""Rule documentation: the source (`rules/docs/<category>/<rule-id>.md`), the rendered pages and
the generated `docs/rules/` folder. `python -m slopguard.ruledocs --write docs/rules` regenerates
it; `--check docs/rules` fails when it is stale."""

from __future__ import annotations

from pathlib import Path

from ..detector import Rule
from ..errors import ConfigError
from .render import GENERATED, index, page
from .source import SECTIONS, RuleDoc, load

__all__ = ["SECTIONS", "RuleDoc", "explain", "generated", "load", "stale"]


def explain(rule: Rule) -> str:
    """The page of a bundled rule; ConfigError when the rule has no documentation."""
    doc = load().get(rule.id)
    if doc is None:
        raise ConfigError(f"rule {rule.id} has no documentation (a repository's own semgrep rule?)")
    return page(rule, doc)


def generated(rules: list[Rule]) -> dict[str, str]:
    """file name -> content of every file of the generated docs folder."""
    missing = sorted(r.id for r in rules if r.id not in load())
    if missing:
        raise ConfigError(f"rules without documentation under rules/docs: {', '.join(missing)}")
    files = {f"{r.id}.md": f"{GENERATED}\n\n{page(r, load()[r.id])}" for r in rules}
    files["README.md"] = index(rules)
    return files


def stale(folder: Path, rules: list[Rule]) -> list[str]:
    """Files of `folder` that differ from what `generated` makes, are missing or are left over."""
    expected = generated(rules)
    present = {p.name for p in folder.glob("*.md")} if folder.is_dir() else set()
    out = [name for name, text in expected.items()
           if name not in present or (folder / name).read_text(encoding="utf-8") != text]
    return sorted(out + [name for name in present if name not in expected])
