"""Charts as inline SVG, drawn on the server (the browser fetches nothing from anywhere else)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR = "#3b6fd8"
MUTED = "#6a737d"


def columns(points: Sequence[tuple[str, float]], label: str, *, width: int = 640, height: int = 170) -> str:
    """Vertical bars, one per (x label, value); every few x labels written under the axis."""
    if not points:
        return f'<p class="empty">{escape(label)}: no data yet.</p>'
    top = max(v for _, v in points) or 1.0
    left, bottom, plot_h = 34, 26, height - 36
    step = (width - left - 6) / len(points)
    every = max(1, len(points) // 8)
    parts = [_svg_open(width, height, label),
             f'<text x="2" y="12" fill="{MUTED}" font-size="10">{_num(top)}</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 4}" y2="{height - bottom}" stroke="{MUTED}"/>']
    for i, (x_label, value) in enumerate(points):
        h = plot_h * value / top
        x = left + i * step
        parts.append(f'<rect x="{x + 1:.1f}" y="{height - bottom - h:.1f}" width="{max(step - 2, 1):.1f}" '
                     f'height="{h:.1f}" fill="{BAR}"><title>{escape(x_label)}: {_num(value)}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + 1:.1f}" y="{height - 10}" fill="{MUTED}" font-size="10">'
                         f'{escape(x_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars(rows: Sequence[tuple[str, float]], label: str, *, maximum: float | None = None, unit: str = "",
         width: int = 640) -> str:
    """Horizontal bars, one row per (name, value), the value written after the bar."""
    if not rows:
        return f'<p class="empty">{escape(label)}: no data yet.</p>'
    top = maximum or max(v for _, v in rows) or 1.0
    name_w, row_h = 190, 20
    bar_w = width - name_w - 70
    height = row_h * len(rows) + 4
    parts = [_svg_open(width, height, label)]
    for i, (name, value) in enumerate(rows):
        y = 2 + i * row_h
        w = bar_w * min(value, top) / top
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(name)}</text>'
                     f'<rect x="{name_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{BAR}"/>'
                     f'<text x="{name_w + w + 4:.1f}" y="{y + 14}" font-size="12" fill="{MUTED}">'
                     f'{_num(value)}{escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: int, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(label)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">'
            f"<title>{escape(label)}</title>")


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
