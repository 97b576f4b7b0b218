"""The HTTP service: POST /webhook, GET /healthz, /readyz, /metrics (FastAPI)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from . import logs, signatures
from .intake import Intake
from .metrics import CONTENT_TYPE, Metrics
from .queue import Queue
from .store import Store

log = logging.getLogger("slopguard.webhook")


def create_app(*, secret: str, store: Store, queue: Queue, metrics: Metrics, dispatcher: Intake,
               max_body_bytes: int, on_start: Callable[[], None] | None = None,
               on_stop: Callable[[], None] | None = None) -> WebhookASGI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if on_start:
            on_start()
        try:
            yield
        finally:
            if on_stop:
                await run_in_threadpool(on_stop)

    app = FastAPI(title="slopguard", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> Response:
        """200 while the database answers within its deadline; else 503, deliveries going to the journal."""
        database = await run_in_threadpool(dispatcher.health)
        if database == "ok":
            return JSONResponse({"status": "ok"})
        journal = await run_in_threadpool(dispatcher.journal.pending)
        return JSONResponse({"status": "degraded", "database": database, "journal": f"{journal} deliveries kept"},
                            status_code=503)

    @app.get("/readyz")
    async def readyz() -> Response:
        checks: dict[str, str] = {}
        database = await run_in_threadpool(dispatcher.health)
        checks["database"] = database
        for name, probe in (("queue", queue.ping),):
            try:
                await run_in_threadpool(probe)
                checks[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - a health probe reports any failure instead of raising
                checks[name] = f"{type(exc).__name__}: {exc}"[:200]
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "unavailable", **checks},
                            status_code=200 if ready else 503)

    @app.get("/metrics")
    async def prometheus() -> Response:
        return PlainTextResponse(metrics.render(), media_type=CONTENT_TYPE)

    return WebhookASGI(app, secret=secret, dispatcher=dispatcher, metrics=metrics, max_body_bytes=max_body_bytes)


class WebhookASGI:
    """`POST /webhook` as a bare ASGI handler in front of the FastAPI app (which serves the rest).

    The hot path does only what the contract needs: read the body (413 past the limit), verify the
    signature over the raw bytes in constant time (401), parse JSON (400), and hand the delivery to
    the dispatcher in a worker thread: one short store transaction and an enqueue, both finished
    before the 202 goes out. No routing, request objects or validation layers on the way.
    """

    def __init__(self, app: FastAPI, *, secret: str, dispatcher: Intake, metrics: Metrics,
                 max_body_bytes: int) -> None:
        self.app = app
        self.secret = secret
        self.dispatcher = dispatcher
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes

    def __getattr__(self, name: str) -> Any:  # state, routes, ... of the wrapped FastAPI app
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/webhook" and scope["method"] == "POST":
            await self._webhook(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _webhook(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: dict[bytes, bytes] = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            return await self._reject(send, 413, "payload too large")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return await self._reject(send, 413, "payload too large")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        signature = headers.get(b"x-hub-signature-256", b"").decode("latin-1")
        if not signatures.verify(self.secret, body, signature):
            return await self._reject(send, 401, "bad or missing X-Hub-Signature-256")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return await self._reject(send, 400, "body is not JSON")
        if not isinstance(payload, dict):
            return await self._reject(send, 400, "body is not a JSON object")
        event = headers.get(b"x-github-event", b"").decode("latin-1")
        delivery = headers.get(b"x-github-delivery", b"").decode("latin-1")
        with logs.context(delivery=delivery[:64], repository=_repository(payload), pr=_number(payload)):
            try:
                answer = await anyio.to_thread.run_sync(self.dispatcher.handle, event, delivery, payload)
            except Exception as exc:  # noqa: BLE001 - nothing was accepted: 503; the reconciler asks GitHub to redeliver
                log.error("delivery not accepted: %s: %s", type(exc).__name__, exc)
                self.metrics.deliveries.labels(event=event or "unknown", outcome="error").inc()
                return await _send_json(send, 503, {"status": "error", "error": "not accepted, please redeliver"})
            if log.isEnabledFor(logging.INFO):
                log.info("%s %s: %s", event, payload.get("action", ""), answer.body["status"])
        await _send_json(send, answer.status, answer.body)
        return None

    async def _reject(self, send: Send, status: int, error: str) -> None:
        self.metrics.deliveries.labels(event="unverified", outcome=str(status)).inc()
        await _send_json(send, status, {"status": "rejected", "error": error})


def _repository(payload: dict[str, Any]) -> str | None:
    repo = payload.get("repository")
    name = repo.get("full_name") if isinstance(repo, dict) else None
    return name if isinstance(name, str) else None


def _number(payload: dict[str, Any]) -> int | None:
    for holder in (payload.get("pull_request"), payload.get("issue")):
        if isinstance(holder, dict) and isinstance(holder.get("number"), int):
            return int(holder["number"])
    return None


async def _send_json(send: Send, status: int, body: dict[str, str]) -> None:
    raw = json.dumps(body, separators=(",", ":")).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})


