"""Human-readable report: findings grouped by file, most severe first, with the code they point at;
a closing count and one line saying how the risk score is made."""

from __future__ import annotations

from itertools import groupby

from ..models import ScanResult, Severity
from ..risk import explain

_COLORS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.NOTICE: "36"}


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def render(result: ScanResult, *, color: bool = False) -> str:
    out: list[str] = []
    findings = sorted(result.findings, key=lambda f: (f.path, -f.severity.rank, f.line, f.rule))
    for path, group in groupby(findings, key=lambda f: f.path):
        out.append(_paint(path, "1", color))
        for f in group:
            side = " (removed line)" if f.side == "LEFT" else ""
            sev = _paint(f"{f.severity.value:<7}", _COLORS[f.severity], color)
            out.append(f"  {f.line:>5}{side}  {sev}  {f.message}  [{f.rule}]")
            for i, code in enumerate(f.code.splitlines()[:3]):
                out.append(_paint(f"        {f.line + i:>5} | {code}", "2", color))
            if f.fix is not None:
                span = f"{f.fix.start_line}" + (f"-{f.fix.end_line}" if f.fix.end_line != f.fix.start_line else "")
                out.append(f"        fix: {f.fix.description} (line {span})")
        out.append("")
    for notice in result.notices:
        where = f"{notice.path}: " if notice.path else ""
        out.append(_paint(f"note: {where}{notice.message}", "2", color))
    counts = {s: sum(1 for f in result.findings if f.severity == s) for s in Severity}
    summary = ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n) or "no findings"
    out.append(
        f"{summary} in {result.stats.files} files (+{result.stats.added_lines}/-{result.stats.removed_lines}); "
        f"risk {result.risk.score}/100 ({result.risk.level}); {result.stats.duration_s:.2f}s"
    )
    out.append(_paint(explain(), "2", color))
    return "\n".join(out) + "\n"
