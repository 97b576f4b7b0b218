"""The LLM pass (silent assumptions). Importing this package is cheap: provider SDKs are imported
only when a pass actually calls a model."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from ..config import Config
from ..detector import FileContext
from ..models import FileDiff, Finding, LLMUsage, Notice
from .assumptions import RULE, LLMSettings, PassResult, run_pass
from .endpoints import EndpointError, choose
from .pricing import DEFAULT_MODEL

__all__ = ["RULE", "LLMSettings", "PassResult", "llm_dry_run_pass", "llm_pass", "run_pass", "settings_from"]


def settings_from(config: Config, env: Mapping[str, str] = os.environ,
                  need_key: bool = True, scope: str = "") -> tuple[LLMSettings | None, str]:
    """The pass's settings, or None and the reason it is skipped (no key, disabled). `scope` (the App's
    installation) keeps cached answers apart, as do the provider and the endpoint's URL."""
    if not config.llm_enabled:
        return None, "LLM pass disabled by configuration (llm.enabled: false)"
    provider = config.llm_provider
    if provider == "openai-compatible":
        try:
            endpoint = choose(env, config.llm_endpoint, config.llm_base_url)
        except EndpointError as exc:
            return None, f"LLM pass skipped: {exc}"
        base_url, key = endpoint.url, endpoint.key
        model = config.llm_model or env.get("SLOPGUARD_LLM_MODEL", "")
        if not model:
            return None, "LLM pass skipped: llm.model is required for an openai-compatible provider"
    else:
        if config.llm_endpoint:
            return None, "LLM pass skipped: llm.endpoint names an openai-compatible endpoint; set llm.provider"
        key = env.get("ANTHROPIC_API_KEY") or None
        if not key and need_key:
            return None, "LLM pass skipped: no ANTHROPIC_API_KEY in the environment"
        base_url = env.get("ANTHROPIC_BASE_URL", "")
        model = config.llm_model or env.get("SLOPGUARD_LLM_MODEL", "") or DEFAULT_MODEL
    cache = env.get("SLOPGUARD_CACHE_DIR") or str(Path(env.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "slopguard")
    partition = hashlib.sha256("\0".join((scope, provider, base_url or "")).encode()).hexdigest()[:24]
    return (
        LLMSettings(provider=provider, model=model, max_cost_usd=config.llm_max_cost_usd,
                    max_findings=config.llm_max_findings, base_url=base_url or None, api_key=key,
                    cache_dir=Path(cache) / "llm" / partition, exclude=config.llm_exclude,
                    call_deadline_s=_seconds(env, "SLOPGUARD_LLM_CALL_DEADLINE_S", LLMSettings.call_deadline_s),
                    pass_deadline_s=_seconds(env, "SLOPGUARD_LLM_PASS_DEADLINE_S", LLMSettings.pass_deadline_s)),
        "",
    )


def llm_pass(files: Sequence[FileContext], findings: Sequence[Finding], intent: str, config: Config,
             left_out: Sequence[FileDiff] = (), scope: str = "", deadline: float | None = None) -> PassResult:
    """The engine's second pass: settings from the configuration and the environment. `deadline`
    (a `time.monotonic()` value: the App's job deadline) shortens the pass's own deadline to it."""
    settings, reason = settings_from(config, scope=scope)
    if settings is None:
        return PassResult(usage=LLMUsage(status="skipped"), notices=[Notice(reason)])
    if deadline is not None:
        left = deadline - time.monotonic()
        if left <= 0:
            return PassResult(usage=LLMUsage(status="skipped"),
                              notices=[Notice("LLM pass skipped: the job's deadline has passed")])
        settings = replace(settings, pass_deadline_s=min(settings.pass_deadline_s, left),
                           call_deadline_s=min(settings.call_deadline_s, left))
    return run_pass(files, findings, intent, settings, left_out=left_out)


def llm_dry_run_pass(files: Sequence[FileContext], findings: Sequence[Finding], intent: str, config: Config,
                     left_out: Sequence[FileDiff] = ()) -> PassResult:
    """`scan --llm-dry-run`: the requests the pass would send, as notices; no model, no key needed."""
    settings, reason = settings_from(config, need_key=False)
    if settings is None:
        return PassResult(usage=LLMUsage(status="skipped"), notices=[Notice(reason)])
    return run_pass(files, findings, intent, settings, left_out=left_out, dry_run=True)


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive number of seconds from `env[name]`; the settings' default when unset or invalid."""
    try:
        value = float(env.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default
