"""Local fakes of the Anthropic Messages API and an OpenAI-compatible chat API.

Real HTTP on 127.0.0.1: the real SDK talks to them. Each server records the JSON bodies it
received and answers from a script: a list of (status, body) pairs consumed in order; the last one
repeats.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def anthropic_tool_reply(assumptions: list[dict[str, Any]], input_tokens: int = 1200,
                         output_tokens: int = 150) -> dict[str, Any]:
    return {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-5-5",
        "content": [{"type": "tool_use", "id": "toolu_1", "name": "report_assumptions",
                     "input": {"assumptions": assumptions}}],
        "stop_reason": "tool_use",
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens,
                  "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
    }


def openai_tool_reply(assumptions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": None,
            "tool_calls": [{"id": "call_1", "type": "function", "function": {
                "name": "report_assumptions", "arguments": json.dumps({"assumptions": assumptions})}}]}}],
        "usage": {"prompt_tokens": 900, "completion_tokens": 80, "total_tokens": 980},
    }


OVERLOADED = (529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
SERVER_ERROR = (500, {"type": "error", "error": {"type": "api_error", "message": "Internal server error"}})


class FakeLLM:
    def __init__(self, path: str, script: list[tuple[int, dict[str, Any]]]) -> None:
        self.path = path
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.url = ""

    def next_reply(self) -> tuple[int, dict[str, Any]]:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


@contextmanager
def serve(path: str, script: list[tuple[int, dict[str, Any]]], drip_s: float = 0.0) -> Iterator[FakeLLM]:
    """`drip_s`: send the answer's body one byte every `drip_s` seconds (an endpoint that stalls)."""
    fake = FakeLLM(path, script)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.split("?")[0] != fake.path:
                self._send(404, {"error": "not found"})
                return
            fake.requests.append(body)
            fake.headers.append({k.lower(): v for k, v in self.headers.items()})
            status, reply = fake.next_reply()
            self._send(status, reply)

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            if status in (429, 529):
                self.send_header("retry-after", "0")
            self.end_headers()
            if not drip_s:
                self.wfile.write(data)
                return
            try:
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(drip_s)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up: what a stalled endpoint sees

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
