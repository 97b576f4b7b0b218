"""Markdown: the summary the GitHub App posts, also useful in CI job summaries."""

from __future__ import annotations

from collections import Counter

from ..models import CATEGORIES, ScanResult, Severity
from .untrusted import markdown_code, markdown_message

MARKER = "<!-- slopguard:summary -->"
_ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.NOTICE: "🔵"}
MAX_ROWS = 200


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(result: ScanResult) -> str:
    out = [MARKER, "## slopguard review", ""]
    stats = result.stats
    out.append(
        f"**Risk {result.risk.score}/100 ({result.risk.level})** · {stats.files} files, "
        f"+{stats.added_lines}/-{stats.removed_lines} lines · {len(result.findings)} findings"
    )
    if result.llm.status == "ran":
        out.append(
            f"LLM pass: {result.llm.model}, {result.llm.input_tokens + result.llm.output_tokens} tokens, "
            f"${result.llm.cost_usd:.4f}"
        )
    out.append("")
    if not result.findings:
        out.append("No problems found in the changed lines.")
    else:
        counts = Counter((f.category, f.severity) for f in result.findings)
        out += ["| category | error | warning | notice |", "|---|---:|---:|---:|"]
        for cat in CATEGORIES:
            row = [counts[(cat, s)] for s in (Severity.ERROR, Severity.WARNING, Severity.NOTICE)]
            if any(row):
                out.append(f"| {cat} | " + " | ".join(str(n) for n in row) + " |")
        out += ["", "<details><summary>Findings</summary>", "",
                "| | where | finding | rule |", "|---|---|---|---|"]
        ordered = sorted(result.findings, key=lambda f: (-f.severity.rank, f.path, f.line))
        for f in ordered[:MAX_ROWS]:
            where = markdown_code(f"{f.path}:{f.line}") + (" (removed)" if f.side == "LEFT" else "")
            out.append(f"| {_ICON[f.severity]} | {_cell(where)} | {_cell(markdown_message(f.message))} | "
                       f"{_cell(markdown_code(f.rule))} |")
        if len(ordered) > MAX_ROWS:
            out.append(f"| | | … and {len(ordered) - MAX_ROWS} more | |")
        out += ["", "</details>"]
    if result.notices:
        out += ["", "<details><summary>Scan notes</summary>", ""]
        out += [f"- {(markdown_code(n.path) + ': ') if n.path else ''}{markdown_message(n.message)}"
                for n in result.notices[:50]]
        out += ["", "</details>"]
    return "\n".join(out) + "\n"
