"""Formatters: they only render a ScanResult; they never decide what is reported."""

from __future__ import annotations

from collections.abc import Callable

from ..models import ScanResult

FORMATS = ("text", "json", "sarif", "markdown")


def render(result: ScanResult, fmt: str, *, color: bool = False, rules: dict | None = None) -> str:
    renderer: Callable[..., str]
    if fmt == "json":
        from .json import render as renderer
    elif fmt == "sarif":
        from .sarif import render as renderer

        return renderer(result, rules or {})
    elif fmt == "markdown":
        from .markdown import render as renderer
    else:
        from .text import render as renderer

        return renderer(result, color=color)
    return renderer(result)
