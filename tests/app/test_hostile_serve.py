"""Unauthenticated and signed abuse of a real `slopguard serve` process (issue 14): held bodies,
slow bodies, deeply nested JSON, and what /readyz tells a stranger."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from slopguard.app.signatures import sign

from tests.app.conftest import APP_ID

SLOPGUARD = [sys.executable, "-m", "slopguard.cli"]
ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret"


@contextmanager
def serve(tmp_path: Path, private_key: str, **extra: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`slopguard db upgrade` then `slopguard serve --no-worker` on an OS-chosen port: (process, URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOPGUARD_") and k != "ANTHROPIC_API_KEY"}
    env.update(SLOPGUARD_APP_ID=APP_ID, SLOPGUARD_PRIVATE_KEY=private_key, SLOPGUARD_WEBHOOK_SECRET=SECRET,
               SLOPGUARD_GITHUB_API_URL="http://127.0.0.1:9", SLOPGUARD_WORKDIR=str(tmp_path / "work"), **extra)
    assert subprocess.run([*SLOPGUARD, "db", "upgrade"], cwd=ROOT, env=env, timeout=60).returncode == 0
    proc = subprocess.Popen([*SLOPGUARD, "serve", "--no-worker", "--port", "0"], cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", proc.stderr.readline())
        assert match, "serve did not announce its address"
        url = match.group(1)
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
        for _ in range(200):
            try:
                if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        yield proc, url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def peak_rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    assert match
    return int(match.group(1)) / 1024


def open_body(url: str, length: int) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=30)
    sock.sendall(f"POST /webhook HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\nx-github-event: ping\r\n"
                 f"x-hub-signature-256: sha256={'0' * 64}\r\ncontent-length: {length}\r\n\r\n".encode())
    return sock


def status_of(sock: socket.socket) -> int | None:
    """The status code the service answered on this connection, None when it answered nothing."""
    try:
        head = sock.recv(64)
    except (TimeoutError, ConnectionError):
        return None
    match = re.match(rb"HTTP/1\.1 (\d{3})", head)
    return int(match.group(1)) if match else None


def statuses(socks: list[socket.socket], within: float) -> list[int | None]:
    """What each connection was answered within `within` seconds in all."""
    deadline = time.monotonic() + within
    out = []
    for sock in socks:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        out.append(status_of(sock))
    return out


def test_held_bodies_do_not_grow_memory_without_bound(tmp_path: Path, app_keys: tuple[str, str]) -> None:
    """20 connections each send 23 MiB of a 25 MB body and never finish: the service answers the ones
    over its in-flight budget with 503 instead of holding ~500 MiB (the web pod's limit is 512 MiB)."""
    chunk = b" " * (1024 * 1024)
    with serve(tmp_path, app_keys[0]) as (proc, url):
        socks = [open_body(url, 25_000_000) for _ in range(20)]
        for sock in socks:
            try:
                for _ in range(23):
                    sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # answered and closed while sending: the point
        time.sleep(1.0)
        peak = peak_rss_mib(proc.pid)
        answers = statuses(socks, within=15)
        for sock in socks:
            sock.close()
        assert httpx.get(url + "/healthz", timeout=10).status_code == 200
    assert peak < 300, f"peak RSS {peak:.0f} MiB"
    assert answers.count(503) >= 15, answers


def test_slow_bodies_are_cut_off(tmp_path: Path, app_keys: tuple[str, str]) -> None:
    with serve(tmp_path, app_keys[0]) as (_, url):
        socks = [open_body(url, 10_000) for _ in range(40)]
        for sock in socks:
            sock.sendall(b'{"zen": ')  # ... and then nothing more
        answers = statuses(socks, within=25)
        for sock in socks:
            sock.close()
    assert answers == [408] * 40


def test_nested_json_is_a_bad_request_and_readyz_keeps_details_in_the_logs(
        tmp_path: Path, app_keys: tuple[str, str]) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    headers = {"x-github-event": "ping", "x-github-delivery": "1", "x-hub-signature-256": sign(SECRET, body)}
    with serve(tmp_path, app_keys[0], SLOPGUARD_QUEUE_URL="redis://127.0.0.1:1/0") as (_, url):
        nested = httpx.post(url + "/webhook", content=body, headers=headers, timeout=30)
        ready = httpx.get(url + "/readyz", timeout=30)
        alive = httpx.get(url + "/healthz", timeout=10)
    assert nested.status_code == 400 and "nested" in nested.json()["error"]
    assert ready.status_code == 503 and ready.json() == {"status": "unavailable", "database": "ok",
                                                         "queue": "unavailable"}
    assert "127.0.0.1" not in ready.text and alive.status_code == 200
    json.dumps(ready.json())
