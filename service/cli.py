"""The `slopguard` command: a thin adapter around the engine and the reporters.

Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage/config/git error,
3 internal error. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import ConfigError, GitError, SlopguardError, UsageError
from .reporters import FORMATS
from .terminal import CLOSED, CUT_SHORT, progress_line, silence_stdout, write

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="slopguard", description="Review a change for the failure modes of AI-written code.")
    parser.add_argument("--version", action="version", version=f"slopguard {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    scan = sub.add_parser("scan", help="scan base..head of a git repository")
    scan.add_argument("--repo", default=".", help="repository path (default: current directory)")
    scan.add_argument("--base", help="base revision (default: merge base with the default branch)")
    scan.add_argument("--head", default="HEAD", help="head revision (default: HEAD)")
    scan.add_argument("--working-tree", action="store_true", help="also scan uncommitted changes")
    scan.add_argument("--staged", action="store_true",
                      help="scan what is staged for the next commit against HEAD (for pre-commit hooks)")
    scan.add_argument("--format", choices=FORMATS, default="text")
    scan.add_argument("--output", help="write the report to FILE instead of standard output")
    scan.add_argument("--config", help="use this configuration file instead of the base's .slopguard.yml")
    scan.add_argument("--no-llm", action="store_true", help="skip the LLM pass")
    scan.add_argument("--llm-dry-run", action="store_true",
                      help="print the LLM pass's requests (files, tokens, cost) instead of calling a model")
    scan.add_argument("--fail-on", choices=("notice", "warning", "error", "never"), default="warning")
    scan.add_argument("--intent", help="what the change claims to do (default: its commit messages)")
    scan.add_argument("--min-confidence", choices=("low", "medium", "high"), default="low",
                      help="leave out findings the rule is less sure of than this (default: low, all)")
    rules = sub.add_parser("rules", help="list rules: id, category, languages, default severity")
    rules.add_argument("--explain", metavar="RULE", help="print one rule's documentation page")
    check = sub.add_parser("config", help="configuration tools")
    check_sub = check.add_subparsers(dest="config_command", parser_class=_Parser)
    check_cmd = check_sub.add_parser("check", help="validate a .slopguard.yml")
    check_cmd.add_argument("file", nargs="?", default=".slopguard.yml")
    serve = sub.add_parser("serve", help="the GitHub App's webhook service (with an embedded queue worker)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--no-worker", action="store_true", help="only accept webhooks; `slopguard worker` reviews")
    worker = sub.add_parser("worker", help="a queue worker process for the distributed setup")
    worker.add_argument("--metrics-port", type=int, default=None,
                        help="serve this worker's Prometheus metrics on PORT (0 picks a free one; default: off)")
    worker.add_argument("--metrics-host", default="127.0.0.1",
                        help="address for --metrics-port (default: 127.0.0.1; 0.0.0.0 in a container)")
    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", parser_class=_Parser)
    db_sub.add_parser("upgrade", help="create or migrate the App's database schema")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _explain(args.explain) if args.explain else _rules()
        if args.command == "config" and args.config_command == "check":
            return _config_check(args.file)
        if args.command == "serve":
            return _serve(args.host, args.port, embedded_worker=not args.no_worker)
        if args.command == "worker":
            return _worker(args.metrics_host, args.metrics_port)
        if args.command == "db" and args.db_command == "upgrade":
            return _db_upgrade()
        build_parser().print_help(sys.stderr)
        return EXIT_USAGE
    except (UsageError, ConfigError, GitError) as exc:
        print(f"slopguard: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SlopguardError as exc:
        print(f"slopguard: error: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("slopguard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # a write outside _write found the reader gone
        if sys.stdout is not None:
            silence_stdout()
        print(f"slopguard: error: {CUT_SHORT}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        if exc.filename is None:
            return _internal(exc)
        print(f"slopguard: error: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the process boundary: one line, never a traceback
        return _internal(exc)


def _internal(exc: Exception) -> int:
    if os.environ.get("SLOPGUARD_DEBUG"):
        raise exc
    print(f"slopguard: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return EXIT_INTERNAL


def _scan(args: argparse.Namespace) -> int:
    from .config import parse_config
    from .engine import scan
    from .registry import load
    from .reporters import render

    if sys.stdout is None and not args.output:  # no scan whose report could go nowhere
        raise UsageError(f"{CLOSED} (--output FILE writes the report to a file)")
    registry = load()
    config = None
    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise UsageError(f"{args.config}: no such configuration file")
        config = parse_config(_read_text(path), str(path), registry.rules.values(), path.parent,
                              trusted=True)
    target = _target(args)
    progress = progress_line(sys.stderr) if args.format == "text" and sys.stderr.isatty() else None
    second_pass = None
    if not args.no_llm:
        from .llm import llm_dry_run_pass, llm_pass

        second_pass = llm_dry_run_pass if args.llm_dry_run else llm_pass
    from .blobcache import default_cache

    result = confident(scan(target, config, registry=registry, progress=progress, second_pass=second_pass,
                            cache=default_cache(os.environ)), args.min_confidence)
    color = (args.format == "text" and not args.output and sys.stdout.isatty()
             and not os.environ.get("NO_COLOR"))
    report = render(result, args.format, color=color, rules=registry.rules)
    if args.output:
        try:
            Path(args.output).write_text(report)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror}") from None
    else:
        write(report)
    return exit_code(result, args.fail_on)


def _target(args: argparse.Namespace) -> Any:
    from .engine import Target

    if args.staged:
        if args.working_tree or args.base or args.head not in (None, "HEAD"):
            raise UsageError("--staged scans the index against HEAD; it cannot be combined with "
                             "--working-tree, --base or --head")
        from .gitrepo import Git
        from .staged import snapshot

        base, head = snapshot(Git(args.repo))
        return Target(repo=Path(args.repo), base=base, head=head, intent=args.intent or "")
    if args.working_tree and args.head not in (None, "HEAD"):
        raise UsageError("--working-tree scans the working tree; it cannot be combined with --head")
    return Target(repo=Path(args.repo), base=args.base, head=None if args.working_tree else args.head,
                  intent=args.intent)


def confident(result: Any, minimum: str) -> Any:
    """`result` without the findings below `minimum` confidence (the risk score follows them)."""
    from dataclasses import replace

    from .models import CONFIDENCE_RANK
    from .risk import score

    floor = CONFIDENCE_RANK[minimum]
    kept = tuple(f for f in result.findings if CONFIDENCE_RANK[f.confidence] >= floor)
    if len(kept) == len(result.findings):
        return result
    return replace(result, findings=kept, risk=score(kept, result.stats.added_lines))


def exit_code(result: Any, fail_on: str) -> int:
    """EXIT_FINDINGS when a finding is at or above `fail_on` (notice|warning|error), else EXIT_OK."""
    from .models import Severity

    if fail_on == "never":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in result.findings) else EXIT_OK


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None


def _rules() -> int:
    from .config import default_config
    from .registry import load

    config = default_config()
    registry = load()
    rows = sorted(registry.rules.values(), key=lambda r: (r.category, r.id))
    width = max((len(r.id) for r in rows), default=10)
    lines = []
    for rule in rows:
        state = "" if config.enabled(rule) else "  (off by default)"
        lines.append(f"{rule.id:<{width}}  {rule.category:<16} {','.join(rule.languages):<28} "
                     f"{rule.severity.value:<8} {rule.summary}{state}\n")
    write("".join(lines))
    return EXIT_OK


def _explain(rule_id: str) -> int:
    from .registry import load
    from .ruledocs import explain

    rule = load().rules.get(rule_id)
    if rule is None:
        raise UsageError(f"unknown rule {rule_id!r} (`slopguard rules` lists them)")
    write(explain(rule))
    return EXIT_OK


def _config_check(file: str) -> int:
    from .config import parse_config
    from .registry import load

    path = Path(file)
    if not path.is_file():
        raise UsageError(f"{file}: no such file")
    parse_config(_read_text(path), file, load().rules.values(), path.parent)
    write(f"{file}: ok\n")
    return EXIT_OK


def _serve(host: str, port: int, *, embedded_worker: bool) -> int:
    """The web stack is imported here only, so `slopguard scan` never loads it."""
    import socket

    from .app.settings import load

    settings = load()
    _configure_logs(settings)

    import uvicorn

    from .app.runtime import Runtime

    runtime = _build_runtime(Runtime, settings)
    embedded = embedded_worker and (not settings.redis_queue or os.environ.get("SLOPGUARD_EMBEDDED_WORKER") == "1")
    app = runtime.app(embedded_worker=embedded)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        runtime.stop()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    _announce("slopguard.serve",
              f"listening on http://{shown}:{bound} (embedded worker: {'on' if embedded else 'off'})")
    # uvloop and httptools (the `app` extra) when installed; asyncio and h11 otherwise.
    server = uvicorn.Server(uvicorn.Config(app, log_level=os.environ.get("SLOPGUARD_LOG_LEVEL", "warning"),
                                           access_log=False, timeout_graceful_shutdown=30, loop="auto",
                                           http="auto", log_config=None))
    server.run(sockets=[sock])
    return EXIT_OK


def _worker(metrics_host: str, metrics_port: int | None) -> int:
    import signal
    import threading

    from .app.settings import load

    settings = load()
    _configure_logs(settings)

    from .app.runtime import Runtime

    runtime = _build_runtime(Runtime, settings)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    metrics_server = None
    served = ""
    if metrics_port is not None:
        # Workers have no web service: their counters (jobs, scans, GitHub calls, rate-limit waits) are
        # scraped here, one endpoint per worker process.
        from prometheus_client import start_http_server

        try:
            metrics_server, _ = start_http_server(metrics_port, addr=metrics_host, registry=runtime.metrics.registry)
        except OSError as exc:
            runtime.stop()
            raise UsageError(f"cannot serve metrics on {metrics_host}:{metrics_port}: {exc.strerror}") from None
        shown = f"[{metrics_host}]" if ":" in metrics_host else metrics_host
        served = f" (metrics on http://{shown}:{metrics_server.server_port}/metrics)"
    runtime.start_consumer()
    _announce("slopguard.worker", f"worker {runtime.worker.owner} consuming "
                                  f"{runtime.settings.queue_url.split('@')[-1]}{served}")
    while not stop.wait(1.0):
        pass
    runtime.stop()
    if metrics_server is not None:
        metrics_server.shutdown()
        metrics_server.server_close()
    return EXIT_OK


def _announce(logger: str, message: str) -> None:
    """A startup line: a JSON log record like every other line, or a plain line with text logs."""
    if os.environ.get("SLOPGUARD_LOG_FORMAT", "json") == "text":
        print(f"slopguard: {message}", file=sys.stderr, flush=True)
        return
    import logging

    logging.getLogger(logger).info(message)


def _configure_logs(settings: Any) -> None:
    """JSON lines on stderr (SLOPGUARD_LOG_FORMAT=text for plain ones), secrets masked."""
    from .app import logs

    logs.configure((settings.webhook_secret, settings.private_key, os.environ.get("ANTHROPIC_API_KEY", "")),
                   level=os.environ.get("SLOPGUARD_LOG_LEVEL", "info"),
                   fmt=os.environ.get("SLOPGUARD_LOG_FORMAT", "json"))


def _build_runtime(runtime: Any, settings: Any) -> Any:
    """Runtime.build, with an outdated database schema reported as a one-line usage error."""
    from .app.errors import SchemaError, database_errors

    try:
        with database_errors(settings.database_url):
            return runtime.build(settings)
    except SchemaError as exc:
        raise UsageError(str(exc)) from None


def _db_upgrade() -> int:
    from .app.errors import database_errors
    from .app.settings import load
    from .app.store import Store

    settings = load(require_app=False)
    with database_errors(settings.database_url):
        Store.open(settings.database_url, migrate=True).close()
    print("slopguard: database schema is up to date", file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
