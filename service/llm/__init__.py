"""The LLM pass (silent assumptions). Importing this package is cheap: provider SDKs are imported
only when a pass actually calls a model."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..config import Config
from ..detector import FileContext
from ..models import FileDiff, Finding, LLMUsage, Notice
from .assumptions import RULE, LLMSettings, PassResult, run_pass
from .pricing import DEFAULT_MODEL

__all__ = ["RULE", "LLMSettings", "PassResult", "llm_dry_run_pass", "llm_pass", "run_pass", "settings_from"]


def settings_from(config: Config, env: Mapping[str, str] = os.environ,
                  need_key: bool = True) -> tuple[LLMSettings | None, str]:
    """The pass's settings, or None and the reason it is skipped (no key, disabled)."""
    if not config.llm_enabled:
        return None, "LLM pass disabled by configuration (llm.enabled: false)"
    provider = config.llm_provider
    if provider == "openai-compatible":
        base_url = config.llm_base_url or env.get("SLOPGUARD_LLM_BASE_URL", "")
        if not base_url:
            return None, "LLM pass skipped: llm.provider openai-compatible needs llm.base_url"
        key = env.get("SLOPGUARD_LLM_API_KEY") or env.get("OPENAI_API_KEY") or None
        model = config.llm_model or env.get("SLOPGUARD_LLM_MODEL", "")
        if not model:
            return None, "LLM pass skipped: llm.model is required for an openai-compatible provider"
    else:
        key = env.get("ANTHROPIC_API_KEY") or None
        if not key and need_key:
            return None, "LLM pass skipped: no ANTHROPIC_API_KEY in the environment"
        base_url = env.get("ANTHROPIC_BASE_URL", "")
        model = config.llm_model or env.get("SLOPGUARD_LLM_MODEL", "") or DEFAULT_MODEL
    cache = env.get("SLOPGUARD_CACHE_DIR") or str(Path(env.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "slopguard")
    return (
        LLMSettings(provider=provider, model=model, max_cost_usd=config.llm_max_cost_usd,
                    max_findings=config.llm_max_findings, base_url=base_url or None, api_key=key,
                    cache_dir=Path(cache) / "llm", exclude=config.llm_exclude),
        "",
    )


def llm_pass(files: Sequence[FileContext], findings: Sequence[Finding], intent: str, config: Config,
             left_out: Sequence[FileDiff] = ()) -> PassResult:
    """The engine's second pass: settings from the configuration and the environment."""
    settings, reason = settings_from(config)
    if settings is None:
        return PassResult(usage=LLMUsage(status="skipped"), notices=[Notice(reason)])
    return run_pass(files, findings, intent, settings, left_out=left_out)


def llm_dry_run_pass(files: Sequence[FileContext], findings: Sequence[Finding], intent: str, config: Config,
                     left_out: Sequence[FileDiff] = ()) -> PassResult:
    """`scan --llm-dry-run`: the requests the pass would send, as notices; no model, no key needed."""
    settings, reason = settings_from(config, need_key=False)
    if settings is None:
        return PassResult(usage=LLMUsage(status="skipped"), notices=[Notice(reason)])
    return run_pass(files, findings, intent, settings, left_out=left_out, dry_run=True)
