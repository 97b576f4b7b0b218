"""LLM providers behind one small interface: the Anthropic SDK (default) and any
OpenAI-compatible chat endpoint (Ollama, vLLM, LM Studio). Both force a call of one tool and
return its parsed input. SDKs are imported when a provider is built, never before.

Every call has an overall deadline (`call_deadline`, retries included) on top of the per-read
timeout, and all calls of one provider end by `pass_deadline`, so an endpoint that answers a byte
at a time cannot hold a worker."""

from __future__ import annotations

import importlib
import json
import time
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import SlopguardError

CALL_DEADLINE_S = 180.0


class LLMError(SlopguardError):
    """The provider failed after its bounded retries, or answered without the tool call."""


@dataclass(frozen=True)
class Reply:
    tool_input: dict[str, Any]
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0


class Provider(Protocol):
    name: str
    model: str

    def call(self, system: str, prompt: str, tool: dict[str, Any], max_tokens: int) -> Reply: ...


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, model: str, api_key: str, base_url: str | None = None, timeout: float = 60.0,
                 max_retries: int = 2, call_deadline: float = CALL_DEADLINE_S,
                 pass_deadline: float | None = None) -> None:
        import anthropic  # ~2 s of import: only when the pass really runs

        from .deadline import Deadline, transport

        self.model = model
        self._errors = anthropic
        self._deadline = Deadline(call_deadline, pass_deadline)
        base = next(c for c in anthropic.DefaultHttpxClient.__mro__ if c.__name__ == "Client")
        httpx = importlib.import_module(base.__module__.split(".")[0])  # httpx, or the SDK's httpx2
        http = anthropic.DefaultHttpxClient(transport=transport(self._deadline, httpx), timeout=timeout)
        self._client = anthropic.Anthropic(api_key=api_key, base_url=base_url, timeout=timeout,
                                           max_retries=max_retries, http_client=http)

    def call(self, system: str, prompt: str, tool: dict[str, Any], max_tokens: int) -> Reply:
        self._deadline.restart()
        try:
            response = self._client.messages.create(  # type: ignore[call-overload]
                model=self.model,
                max_tokens=max_tokens,
                system=[{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
                messages=[{"role": "user", "content": prompt}],
                tools=[tool],
                tool_choice={"type": "tool", "name": tool["name"]},
            )
        except self._errors.APIStatusError as exc:
            raise LLMError(f"{self.model}: HTTP {exc.status_code}") from exc
        except self._errors.APIError as exc:
            raise LLMError(f"{self.model}: {type(exc).__name__}") from exc
        for block in response.content:
            if getattr(block, "type", "") == "tool_use" and getattr(block, "name", "") == tool["name"]:
                usage = response.usage
                return Reply(
                    tool_input=dict(block.input) if isinstance(block.input, dict) else {},
                    input_tokens=usage.input_tokens,
                    output_tokens=usage.output_tokens,
                    cache_read_tokens=getattr(usage, "cache_read_input_tokens", 0) or 0,
                    cache_write_tokens=getattr(usage, "cache_creation_input_tokens", 0) or 0,
                )
        raise LLMError(f"{self.model} did not call {tool['name']}")


class OpenAICompatibleProvider:
    name = "openai-compatible"

    def __init__(self, model: str, base_url: str, api_key: str | None = None, timeout: float = 120.0,
                 max_retries: int = 2, call_deadline: float = CALL_DEADLINE_S,
                 pass_deadline: float | None = None) -> None:
        import httpx

        from .deadline import Deadline, transport

        self.model = model
        self._max_retries = max_retries
        self._deadline = Deadline(call_deadline, pass_deadline)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(base_url=base_url.rstrip("/") + "/", headers=headers, timeout=timeout,
                                    transport=transport(self._deadline, httpx), follow_redirects=False)
        self._httpx = httpx

    def call(self, system: str, prompt: str, tool: dict[str, Any], max_tokens: int) -> Reply:
        body = {
            "model": self.model,
            "max_tokens": max_tokens,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": prompt}],
            "tools": [{"type": "function", "function": {"name": tool["name"], "description": tool["description"],
                                                         "parameters": tool["input_schema"]}}],
            "tool_choice": {"type": "function", "function": {"name": tool["name"]}},
        }
        data = self._post(body)
        try:
            message = data["choices"][0]["message"]
            call = next(c for c in message.get("tool_calls") or [] if c["function"]["name"] == tool["name"])
            arguments = call["function"]["arguments"]
            tool_input = json.loads(arguments) if isinstance(arguments, str) else dict(arguments)
        except (KeyError, IndexError, StopIteration, TypeError, json.JSONDecodeError) as exc:
            raise LLMError(f"{self.model} did not call {tool['name']}") from exc
        usage = data.get("usage") or {}
        return Reply(tool_input=tool_input, input_tokens=int(usage.get("prompt_tokens", 0)),
                     output_tokens=int(usage.get("completion_tokens", 0)))

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        delay = 1.0
        self._deadline.restart()
        for attempt in range(self._max_retries + 1):
            try:
                response = self._client.post("chat/completions", json=body)
            except self._httpx.HTTPError as exc:
                if attempt == self._max_retries:
                    raise LLMError(f"{self.model}: {type(exc).__name__}") from exc
            else:
                if response.status_code == 200:
                    return dict(response.json())
                retryable = response.status_code in (408, 429, 500, 502, 503, 504, 529)
                if not retryable or attempt == self._max_retries:
                    raise LLMError(f"{self.model}: HTTP {response.status_code}")
                after = response.headers.get("retry-after", "")
                delay = min(float(after), 30.0) if after.replace(".", "", 1).isdigit() else delay
            if self._deadline.left() <= delay:
                raise LLMError(f"{self.model}: no answer within the call's {self._deadline.seconds:.0f} s deadline")
            time.sleep(delay)
            delay *= 2
        raise LLMError(f"{self.model}: no answer")
