"""The HTTP service: POST /webhook, GET /healthz, /readyz, /metrics (FastAPI)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from . import signatures
from .events import Dispatcher
from .metrics import CONTENT_TYPE, Metrics
from .queue import Queue
from .store import Store

log = logging.getLogger("slopguard.webhook")


def create_app(*, secret: str, store: Store, queue: Queue, metrics: Metrics, dispatcher: Dispatcher,
               max_body_bytes: int, on_start: Callable[[], None] | None = None,
               on_stop: Callable[[], None] | None = None) -> FastAPI:
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

    @app.post("/webhook")
    async def webhook(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_body_bytes:
            return _reject(metrics, 413, "payload too large")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_body_bytes:
                return _reject(metrics, 413, "payload too large")
        if not signatures.verify(secret, bytes(body), request.headers.get("x-hub-signature-256")):
            return _reject(metrics, 401, "bad or missing X-Hub-Signature-256")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return _reject(metrics, 400, "body is not JSON")
        if not isinstance(payload, dict):
            return _reject(metrics, 400, "body is not a JSON object")
        event = request.headers.get("x-github-event", "")
        delivery = request.headers.get("x-github-delivery", "")
        answer = await run_in_threadpool(dispatcher.handle, event, delivery, payload)
        return JSONResponse(answer.body, status_code=answer.status)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    async def readyz() -> Response:
        checks: dict[str, str] = {}
        for name, probe in (("database", store.ping), ("queue", queue.ping)):
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

    return app


def _reject(metrics: Metrics, status: int, error: str) -> JSONResponse:
    metrics.deliveries.labels(event="unverified", outcome=str(status)).inc()
    return JSONResponse({"status": "rejected", "error": error}, status_code=status)
