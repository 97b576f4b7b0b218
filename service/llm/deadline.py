"""An overall deadline for one LLM call, enforced on every socket read and write.

httpx's timeouts bound each read, so an endpoint that sends a byte every few seconds can hold a
call (and the worker's job) for as long as it likes. Here each read and write may wait only for
what is left of the call's time; when nothing is left the call fails with a timeout.
"""

from __future__ import annotations

import importlib
import time
import typing
from types import ModuleType
from typing import Any


class Deadline:
    """A point in time; `bound` turns a per-operation timeout into what is left of it. `restart`
    begins a new call of `seconds`, never past `overall` seconds after the Deadline was made (the
    whole pass's budget, so many calls cannot add up to an unbounded job)."""

    def __init__(self, seconds: float, overall: float | None = None) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + (overall if overall is not None else float("inf"))
        self._until = min(time.monotonic() + seconds, self._end)
        self.error: type[Exception] = TimeoutError  # the HTTP library's ReadTimeout, set by `transport`

    def restart(self) -> None:
        self._until = min(time.monotonic() + self.seconds, self._end)

    def left(self) -> float:
        return self._until - time.monotonic()

    def bound(self, timeout: float | None) -> float:
        left = self.left()
        if left <= 0:
            raise self.error(f"the call's {self.seconds:.0f} s deadline passed")
        return left if timeout is None else min(timeout, left)


class _Stream:
    def __init__(self, inner: Any, deadline: Deadline) -> None:
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.bound(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> Any:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, self._deadline.bound(timeout)),
                       self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend:
    def __init__(self, inner: Any, deadline: Deadline) -> None:
        self._inner, self._deadline = inner, deadline

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: typing.Iterable[Any] | None = None) -> Any:
        stream = self._inner.connect_tcp(host, port, self._deadline.bound(timeout), local_address, socket_options)
        return _Stream(stream, self._deadline)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: typing.Iterable[Any] | None = None) -> Any:
        stream = self._inner.connect_unix_socket(path, self._deadline.bound(timeout), socket_options)
        return _Stream(stream, self._deadline)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def transport(deadline: Deadline, httpx: ModuleType) -> Any:
    """A transport of `httpx` (httpx itself, or the httpx2 the Anthropic SDK uses) whose connections
    obey `deadline` (restart it at the start of each call)."""
    httpcore = importlib.import_module(httpx.__name__.replace("httpx", "httpcore"))
    result = httpx.HTTPTransport()
    pool = result._pool
    if not isinstance(pool, httpcore.ConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError(f"{httpx.__name__} {httpx.__version__}: cannot give LLM calls a deadline")
    deadline.error = httpcore.ReadTimeout
    pool._network_backend = _Backend(pool._network_backend, deadline)
    return result
