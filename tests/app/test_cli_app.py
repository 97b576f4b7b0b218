"""`slopguard serve`, `slopguard db upgrade` and the import isolation of `slopguard scan`."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from slopguard.app.signatures import sign
from slopguard.app.store import current_revision, head_revision, make_engine, upgrade
from sqlalchemy import create_engine, inspect

from tests.app.conftest import APP_ID

SLOPGUARD = [sys.executable, "-m", "slopguard.cli"]
ROOT = Path(__file__).resolve().parents[2]


def app_env(tmp_path: Path, private_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOPGUARD_") and k != "ANTHROPIC_API_KEY"}
    env.update(SLOPGUARD_APP_ID=APP_ID, SLOPGUARD_PRIVATE_KEY=private_key, SLOPGUARD_WEBHOOK_SECRET="s3cret",
               SLOPGUARD_GITHUB_API_URL="http://127.0.0.1:9", SLOPGUARD_WORKDIR=str(tmp_path / "work"))
    return env


def test_scan_never_imports_the_web_stack() -> None:
    code = ("import sys; from slopguard import cli; "
            "cli.main(['scan', '--repo', '.', '--base', 'HEAD', '--no-llm', '--format', 'json', '--output', "
            "'/dev/null']); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'fastapi', 'huey', 'sqlalchemy', 'uvicorn', 'alembic', 'starlette', 'redis', 'github', 'jwt'}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


def test_db_upgrade_creates_the_schema(tmp_path: Path, app_keys: tuple[str, str]) -> None:
    env = app_env(tmp_path, app_keys[0])
    env["SLOPGUARD_DATABASE_URL"] = f"sqlite:///{tmp_path / 'x.db'}"
    out = subprocess.run([*SLOPGUARD, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    tables = set(inspect(create_engine(env["SLOPGUARD_DATABASE_URL"])).get_table_names())
    assert {"deliveries", "installations", "pull_requests", "jobs", "scans", "alembic_version"} <= tables


def test_serve_without_configuration_is_a_usage_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOPGUARD_")}
    out = subprocess.run([*SLOPGUARD, "serve"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "SLOPGUARD_APP_ID" in out.stderr


def test_outdated_schema_is_refused(tmp_path: Path, app_keys: tuple[str, str]) -> None:
    env = app_env(tmp_path, app_keys[0])
    url = env["SLOPGUARD_DATABASE_URL"] = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0001")  # the previous release's schema
    engine.dispose()
    for command in (["serve", "--port", "0"], ["worker"]):
        out = subprocess.run([*SLOPGUARD, *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 2, out.stderr
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "revision 0001" in lines[0] and "run `slopguard db upgrade`" in lines[0], lines
    assert subprocess.run([*SLOPGUARD, "db", "upgrade"], cwd=ROOT, env=env, timeout=60).returncode == 0
    engine = make_engine(url)
    assert current_revision(engine) == (head_revision(), True)
    engine.dispose()


def test_serve_answers_on_an_os_chosen_port(tmp_path: Path, app_keys: tuple[str, str]) -> None:
    env = app_env(tmp_path, app_keys[0])
    assert subprocess.run([*SLOPGUARD, "db", "upgrade"], cwd=ROOT, env=env, timeout=60).returncode == 0
    proc = subprocess.Popen([*SLOPGUARD, "serve", "--host", "127.0.0.1", "--port", "0"], cwd=ROOT,
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        entry = json.loads(line)  # the startup line is a JSON log record like every other line
        assert entry["logger"] == "slopguard.serve" and entry["level"] == "info", entry
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", entry["message"])
        assert match, line
        url = f"http://127.0.0.1:{match.group(1)}"
        body = json.dumps({"zen": "hi", "hook_id": 1}).encode()
        with httpx.Client(base_url=url, timeout=10) as http:
            for _ in range(200):  # up to ~10 s: the socket may be announced before uvicorn accepts
                try:
                    if http.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
            else:
                raise AssertionError("serve did not come up")
            ok = http.post("/webhook", content=body, headers={"x-github-event": "ping", "x-github-delivery": "1",
                                                               "x-hub-signature-256": sign("s3cret", body)})
            assert ok.status_code == 200
            assert http.post("/webhook", content=body, headers={"x-github-event": "ping"}).status_code == 401
            assert http.get("/readyz").status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rest = proc.communicate(timeout=20)[1]
        except subprocess.TimeoutExpired:
            proc.kill()
            rest = proc.communicate(timeout=5)[1]
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert proc.returncode in (0, -signal.SIGTERM)
    assert "Traceback" not in rest


def test_worker_announces_itself_and_serves_its_metrics(tmp_path: Path, app_keys: tuple[str, str]) -> None:
    env = app_env(tmp_path, app_keys[0])
    assert subprocess.run([*SLOPGUARD, "db", "upgrade"], cwd=ROOT, env=env, timeout=60).returncode == 0
    for fmt in ("json", "text"):
        proc = subprocess.Popen([*SLOPGUARD, "worker", "--metrics-port", "0"], cwd=ROOT,
                                env={**env, "SLOPGUARD_LOG_FORMAT": fmt}, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            if fmt == "json":
                entry = json.loads(line)
                assert entry["logger"] == "slopguard.worker" and entry["level"] == "info", entry
                message = entry["message"]
            else:
                assert line.startswith("slopguard: worker "), line
                message = line
            match = re.search(r"consuming .* \(metrics on (http://127\.0\.0\.1:\d+/metrics)\)", message)
            assert match, line
            metrics = httpx.get(match.group(1), timeout=10).text
            assert "slopguard_jobs_running 0.0" in metrics and "slopguard_github_api_calls" in metrics
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                rest = proc.communicate(timeout=20)[1]
            except subprocess.TimeoutExpired:
                proc.kill()
                rest = proc.communicate(timeout=5)[1]
        assert proc.returncode == 0 and "Traceback" not in rest, rest
