"""The LLM pass's settings, resolved once from the configuration and the environment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .pricing import DEFAULT_MODEL


@dataclass(frozen=True)
class LLMSettings:
    provider: str = "anthropic"
    model: str = DEFAULT_MODEL
    max_cost_usd: float = 0.10
    max_findings: int = 5
    max_output_tokens: int = 2048
    chunk_tokens: int = 30_000
    base_url: str | None = None
    api_key: str | None = None
    cache_dir: Path | None = None
    exclude: tuple[str, ...] = ()
