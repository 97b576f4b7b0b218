#!/usr/bin/env python3
"""Webhook throughput and latency, and webhook-to-review time, over loopback.

1. Starts `slopguard serve --no-worker` (a real process, SQLite store and queue in a temporary
   directory) and sends signed `pull_request` deliveries (distinct PRs) from several client
   threads: reports accepted deliveries per second and p50/p99 latency of `POST /webhook`.
   Targets (issue 5): >= 300/s with p99 <= 50 ms.
2. Starts `slopguard serve` with its embedded worker against the local fake GitHub of the tests
   and a local bare repository, opens small PRs one after another (no LLM) and reports the p50
   time from delivery to the review on the fake GitHub. Target: <= 5 s p50.

Usage (from the repository root): .venv/bin/python benchmarks/webhook_load.py [--deliveries N]
[--clients C] [--reviews K]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slopguard.app.signatures import sign  # noqa: E402

from tests.app.conftest import BASE_FILES, HEAD_FILES  # noqa: E402
from tests.app.fake_github import FakeGitHub  # noqa: E402
from tests.app.harness import SECRET, Origin, pr_event  # noqa: E402

APP_ID = "4242"


def keys() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


def serve(workdir: Path, api_url: str, private: str, *extra: str) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOPGUARD_") and k != "ANTHROPIC_API_KEY"}
    env.update(SLOPGUARD_APP_ID=APP_ID, SLOPGUARD_PRIVATE_KEY=private, SLOPGUARD_WEBHOOK_SECRET=SECRET,
               SLOPGUARD_GITHUB_API_URL=api_url, SLOPGUARD_WORKDIR=str(workdir), SLOPGUARD_COALESCE_DELAY_S="0",
               SLOPGUARD_WRITE_INTERVAL_S="0")
    proc = subprocess.Popen([sys.executable, "-m", "slopguard.cli", "serve", "--port", "0", *extra], cwd=ROOT,
                            env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    match = re.search(r"http://[\d.]+:\d+", proc.stderr.readline())
    if not match:
        proc.kill()
        raise SystemExit("serve did not start")
    url = match.group(0)
    # keep reading the service's log lines, or a full pipe would stall it
    threading.Thread(target=lambda: [None for _ in proc.stderr or ()], daemon=True).start()
    with httpx.Client(base_url=url) as http:
        for _ in range(200):
            try:
                if http.get("/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        else:
            proc.terminate()
            raise SystemExit(f"the service at {url} did not become ready within 10 s")
    return proc, url


def stop(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def load(url: str, template: dict[str, object], deliveries: int, clients: int) -> tuple[float, float, float]:
    """Send signed deliveries from `clients` threads; returns (accepted/s, p50 ms, p99 ms).

    The deliveries are built and signed before the clock starts and sent over keep-alive
    `http.client` connections, so the numbers measure the service rather than the load generator
    (both share this machine's CPUs).
    """
    per_client = deliveries // clients
    host, port = urlsplit(url).hostname or "127.0.0.1", urlsplit(url).port or 80
    requests: list[list[tuple[bytes, dict[str, str]]]] = []
    for index in range(clients):
        mine = []
        for i in range(per_client):
            event = json.loads(json.dumps(template))
            event["number"] = event["pull_request"]["number"] = 1000 + index * per_client + i  # type: ignore[index]
            raw = json.dumps(event).encode()
            mine.append((raw, {"x-github-event": "pull_request", "x-github-delivery": str(uuid.uuid4()),
                               "x-hub-signature-256": sign(SECRET, raw), "content-type": "application/json"}))
        requests.append(mine)
    latencies: list[float] = []
    accepted = 0
    lock = threading.Lock()
    go = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        nonlocal accepted
        mine: list[float] = []
        ok = 0
        conn = http.client.HTTPConnection(host, port, timeout=30)
        go.wait(timeout=60)
        try:
            for raw, headers in requests[index]:
                started = time.perf_counter()
                # slopguard: ignore[excessive-io] - a load generator: one request per delivery is the point
                conn.request("POST", "/webhook", body=raw, headers=headers)
                response = conn.getresponse()
                response.read()
                mine.append(time.perf_counter() - started)
                ok += response.status == 202
        finally:
            conn.close()
        with lock:
            latencies.extend(mine)
            accepted += ok

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    go.wait(timeout=60)
    started = time.perf_counter()
    for t in threads:
        t.join(timeout=600)
    wall = time.perf_counter() - started
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"webhook: {accepted}/{len(latencies)} accepted, {accepted / wall:.0f} deliveries/s with {clients} clients, "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms", flush=True)
    return accepted / wall, p50, p99


def review_latency(root: Path, fake: FakeGitHub, private: str, reviews: int) -> None:
    origin = Origin.create(root / "src", dict(BASE_FILES), dict(HEAD_FILES))
    proc, url = serve(root / "work-review", fake.url, private)
    times: list[float] = []
    try:
        with httpx.Client(base_url=url, timeout=30) as http:
            for number in range(1, reviews + 1):
                origin.open_pr(number)
                event = pr_event("opened", origin, number, fake)
                raw = json.dumps(event).encode()
                started = time.perf_counter()
                http.post("/webhook", content=raw, headers={
                    "x-github-event": "pull_request", "x-github-delivery": str(uuid.uuid4()),
                    "x-hub-signature-256": sign(SECRET, raw)})
                deadline = started + 60
                while not fake.reviews_for(number) and time.perf_counter() < deadline:
                    time.sleep(0.01)
                times.append(time.perf_counter() - started)
    finally:
        stop(proc)
    print(f"webhook-to-review (small PR, no LLM): p50 {statistics.median(times):.2f} s, "
          f"max {max(times):.2f} s over {len(times)} PRs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--reviews", type=int, default=10)
    args = parser.parse_args()
    private, public = keys()
    fake = FakeGitHub(APP_ID, public).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            origin = Origin.create(root / "load", dict(BASE_FILES), dict(HEAD_FILES))
            origin.open_pr(1)
            template = pr_event("opened", origin, 1, fake)
            proc, url = serve(root / "work-load", fake.url, private, "--no-worker")
            try:
                load(url, template, args.deliveries, args.clients)
            finally:
                stop(proc)
            review_latency(root, fake, private, args.reviews) if args.reviews else None
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
