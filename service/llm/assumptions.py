"""The LLM pass: ask a model for the defects a change introduces, the assumptions it makes
silently and the places where the description and the code disagree, as `silent-assumption`
findings on changed lines.

The pass can only add findings. It never fails a scan: no key, budget refusals, timeouts,
overload and malformed answers all end as a status and a notice. What it sends is decided by
packing.py before any call; what it keeps, by answers.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..detector import FileContext
from ..models import Dropped, FileDiff, Finding, LLMUsage, Notice
from .answers import RULE, Entry, entries, to_findings
from .packing import Plan, plan
from .pricing import cost, price_for
from .prompt import SYSTEM, TOOL
from .providers import LLMError, Provider, Reply
from .second_opinion import dropped, verdicts
from .settings import LLMSettings

__all__ = ["RULE", "SYSTEM", "TOOL", "LLMSettings", "PassResult", "build_provider", "describe", "run_pass"]


@dataclass
class PassResult:
    findings: list[Finding] = field(default_factory=list)
    usage: LLMUsage = field(default_factory=LLMUsage)
    notices: list[Notice] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)  # static findings the second opinion dropped


ProviderFactory = Callable[[LLMSettings], Provider]


def build_provider(settings: LLMSettings) -> Provider:
    from .providers import AnthropicProvider, OpenAICompatibleProvider

    if settings.provider == "openai-compatible":
        if not settings.base_url:
            raise LLMError("llm.provider openai-compatible needs llm.base_url")
        return OpenAICompatibleProvider(settings.model, settings.base_url, settings.api_key,
                                        call_deadline=settings.call_deadline_s,
                                        pass_deadline=settings.pass_deadline_s)
    if not settings.api_key:
        raise LLMError("no API key")
    return AnthropicProvider(settings.model, settings.api_key, settings.base_url,
                             call_deadline=settings.call_deadline_s, pass_deadline=settings.pass_deadline_s)


def coverage_notices(packed: Plan) -> list[Notice]:
    """Exactly what the requests do not review, or review only in part."""
    out = []
    if packed.not_reviewed:
        out.append(Notice("LLM pass did not review (over the budget): " + ", ".join(sorted(packed.not_reviewed))))
    cut = sorted(p for r in packed.requests for p, level in zip(r.files, r.levels, strict=True) if level == "cut")
    if cut:
        out.append(Notice("LLM pass reviewed only the first changed lines of: " + ", ".join(cut)))
    return out


def describe(packed: Plan, settings: LLMSettings) -> list[Notice]:
    """The dry run: per request, the files (with their level of detail), tokens and cost."""
    total = len(packed.requests)
    out = []
    for n, request in enumerate(packed.requests, 1):
        files = ", ".join(f"{p} [{level}]" for p, level in zip(request.files, request.levels, strict=True))
        out.append(Notice(f"LLM dry run: request {n}/{total} to {settings.model}: ~{request.input_tokens} input "
                          f"tokens, at most {settings.max_output_tokens} output, at most "
                          f"${request.max_cost_usd:.4f}; files: {files}"))
    if not total:
        out.append(Notice(f"LLM dry run: no request (budget ${settings.max_cost_usd:.2f})"))
    if packed.named_only:
        out.append(Notice("LLM dry run: named in every request, not shown: " + ", ".join(packed.named_only)))
    return out + coverage_notices(packed)


def run_pass(files: Sequence[FileContext], static: Sequence[Finding], intent: str, settings: LLMSettings,
             factory: ProviderFactory = build_provider, left_out: Sequence[FileDiff] = (),
             dry_run: bool = False) -> PassResult:
    result = PassResult()
    packed = plan(files, static, intent, settings, left_out)
    if dry_run:
        result.usage = LLMUsage(model=settings.model, status="skipped")
        result.notices = describe(packed, settings)
        return result
    if not packed.requests:
        status = "over-budget" if packed.not_reviewed else "skipped"
        result.usage = LLMUsage(model=settings.model, status=status)  # type: ignore[arg-type]
        if packed.not_reviewed:
            result.notices.append(Notice(f"LLM pass over budget (${settings.max_cost_usd:.2f}): nothing sent"))
            result.notices += coverage_notices(packed)
        return result
    try:
        provider = factory(settings)
    except LLMError as exc:
        result.usage = LLMUsage(model=settings.model, status="skipped")
        result.notices.append(Notice(f"LLM pass skipped: {exc}"))
        return result
    price = price_for(settings.model, settings.provider)
    spent, tokens_in, tokens_out = 0.0, 0, 0
    raw: list[Entry] = []
    reviews: dict[str, tuple[str, str]] = {}
    shown: list[str] = []
    failed, sent = False, 0
    for request in packed.requests:
        if spent + request.max_cost_usd > settings.max_cost_usd + 1e-9:
            packed.not_reviewed += list(request.files)
            continue
        try:
            reply, cached = _cached_call(provider, request.prompt, settings)
        except LLMError as exc:
            failed = True
            result.notices.append(Notice(f"LLM pass did not run: {exc}"))
            packed.not_reviewed += list(request.files)
            continue
        sent += 1
        if not cached:
            tokens_in += reply.input_tokens + reply.cache_read_tokens + reply.cache_write_tokens
            tokens_out += reply.output_tokens
            spent += cost(price, reply.input_tokens, reply.output_tokens, reply.cache_read_tokens,
                          reply.cache_write_tokens)
        raw += entries(reply.tool_input, start=len(raw))
        reviews.update(verdicts(reply.tool_input))
        shown += request.files
    status = "ran" if sent else "failed" if failed else "over-budget"
    result.usage = LLMUsage(model=settings.model, input_tokens=tokens_in, output_tokens=tokens_out,
                            cost_usd=round(spent, 6), status=status)  # type: ignore[arg-type]
    result.notices += coverage_notices(packed)
    result.dropped = dropped(static, shown, reviews)
    kept = [f for f in static if f not in {d.finding for d in result.dropped}]
    result.findings = to_findings(raw, files, kept, settings.max_findings)
    return result


def _cached_call(provider: Provider, prompt: str, settings: LLMSettings) -> tuple[Reply, bool]:
    key = hashlib.sha256("\0".join((provider.name, provider.model, SYSTEM, prompt)).encode()).hexdigest()
    path = settings.cache_dir / f"{key}.json" if settings.cache_dir else None
    if path is not None and path.is_file():
        try:
            data = json.loads(path.read_text())
            return Reply(tool_input=data["tool_input"], input_tokens=0, output_tokens=0), True
        except (OSError, ValueError, KeyError):
            path.unlink(missing_ok=True)
    reply = provider.call(SYSTEM, prompt, TOOL, settings.max_output_tokens)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"tool_input": reply.tool_input}))
        tmp.replace(path)
    return reply, False
