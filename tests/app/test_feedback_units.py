"""The feedback loop's parts on their own: reply and restore commands, which finding a comment is
about, verdicts, demotion thresholds and exemptions, the new configuration keys and settings, and
the dashboard's cookie signing."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from slopguard.app import feedback_events, feedback_schema
from slopguard.app.dashboard.sessions import Signer, cookie_options
from slopguard.app.database import _alembic_config, current_revision, make_engine, upgrade
from slopguard.app.errors import SettingsError
from slopguard.app.feedback import finding_of, parse_reply, parse_restore
from slopguard.app.feedback_calibration import RuleStats, exempt, rule_stats, should_demote, verdict
from slopguard.app.settings import Settings
from slopguard.config import default_config, parse_config
from slopguard.errors import ConfigError
from slopguard.registry import load
from sqlalchemy import inspect

REGISTRY = load()
BODY = ("🟠 **excessive-io** (warning) · `python.excessive-io.io-in-loop`\n\nHTTP call in a loop.\n\n"
        "<!-- slopguard:fp=abc123 -->")
BOT = {"login": "slopguard[bot]", "type": "Bot"}


def test_reply_and_restore_commands() -> None:
    assert parse_reply("/slopguard wrong  the list is   tiny") is not None
    reply = parse_reply("thanks\n/slopguard WRONG the list is   tiny\n")
    assert reply is not None and (reply.verdict, reply.reason) == ("wrong", "the list is tiny")
    assert parse_reply("/slopguard ignore") == parse_reply("/slopguard ignore ")
    assert parse_reply("/slopguard wrongly") is None and parse_reply("say /slopguard wrong") is None
    assert parse_restore("/slopguard restore python.excessive-io.io-in-loop") == "python.excessive-io.io-in-loop"
    assert parse_restore("/slopguard restore a b") is None and parse_restore("/slopguard restore") is None


def test_finding_of_a_comment() -> None:
    found = finding_of({"id": 5, "body": BODY, "user": BOT, "line": 7, "reactions": {"+1": 2, "-1": 1}})
    assert found is not None
    assert (found.rule, found.fingerprint, found.outdated, found.ups, found.downs) == (
        "python.excessive-io.io-in-loop", "abc123", False, 2, 1)
    outdated = finding_of({"id": 5, "body": BODY, "user": BOT, "line": None})
    assert outdated is not None and outdated.outdated
    assert finding_of({"id": 5, "body": BODY, "user": {"login": "mallory", "type": "User"}, "line": 1}) is None
    assert finding_of({"id": 5, "body": "no tag", "user": BOT}) is None


def test_verdicts_strongest_signal_first() -> None:
    assert verdict(["wrong", "acted_on"], 0, 0) == "wrong"
    assert verdict([], 1, 2) == "wrong"
    assert verdict(["acted_on"], 0, 3) == "acted_on"  # 👎 but the lines were changed anyway
    assert verdict(["resolved"], 2, 1) == "useful"
    assert verdict(["ignore", "resolved"], 0, 0) == "ignored"
    assert verdict(["resolved"], 0, 0) == "dismissed"
    assert verdict(["thumbs_up", "thumbs_down"], 1, 1) is None


def _signal(rule: str, fp: str, kind: str, at: float = 10.0, user: str = "u") -> dict[str, object]:
    return {"rule": rule, "fingerprint": fp, "kind": kind, "created_at": at, "user": user}


def test_demotion_counts_only_marks_after_a_restore() -> None:
    signals = [_signal("r", f"fp{i}", "wrong", at=float(i)) for i in range(6)]
    stats = rule_stats(signals, {})["r"]
    assert (stats.marked, stats.wrong, stats.precision) == (6, 6, 0.0)
    config = default_config()
    assert should_demote(stats, config)
    restored = rule_stats(signals, {"r": 2.5})["r"]
    assert (restored.recent_marked, restored.recent_wrong) == (3, 3) and not should_demote(restored, config)


def test_demotion_thresholds() -> None:
    config = default_config()
    def stats(marked: int, wrong: int) -> RuleStats:
        s = RuleStats("r")
        s.recent_marked, s.recent_wrong = marked, wrong
        return s
    assert should_demote(stats(5, 3), config) and not should_demote(stats(5, 2), config)
    assert not should_demote(stats(4, 4), config)
    strict = parse_config("review: {demote_after: 2, demote_wrong_ratio: 1}\n", "x", REGISTRY.rules.values())
    assert should_demote(stats(2, 2), strict) and not should_demote(stats(3, 2), strict)
    off = parse_config("review: {demote_after: 0}\n", "x", REGISTRY.rules.values())
    assert not should_demote(stats(50, 50), off)


def test_exemptions() -> None:
    config = default_config()
    assert exempt("python.insecure-auth.hardcoded-secret", config, REGISTRY)  # error-level insecure-auth
    assert exempt("python.insecure-auth.dropped-auth", config, REGISTRY) is None  # warning by default
    assert exempt("python.excessive-io.io-in-loop", config, REGISTRY) is None
    named = parse_config("rules:\n  python.excessive-io.io-in-loop: {severity: notice}\n", "x",
                         REGISTRY.rules.values())
    assert exempt("python.excessive-io.io-in-loop", named, REGISTRY)


@pytest.mark.parametrize(("text", "line"), [("review:\n  demote_after: -1\n", 2),
                                            ("review:\n  demote_wrong_ratio: 1.5\n", 2),
                                            ("review:\n  demote_wrong_ratio: lots\n", 2)])
def test_bad_calibration_settings_name_their_line(text: str, line: int) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, ".slopguard.yml", REGISTRY.rules.values())
    assert f":{line}" in str(info.value)


def test_sign_in_settings() -> None:
    base = {"SLOPGUARD_APP_ID": "1", "SLOPGUARD_WEBHOOK_SECRET": "w", "SLOPGUARD_PRIVATE_KEY": "k"}
    assert not Settings.from_env(base).dashboard_enabled
    full = {**base, "SLOPGUARD_OAUTH_CLIENT_ID": "Iv1.x", "SLOPGUARD_OAUTH_CLIENT_SECRET": "s",
            "SLOPGUARD_SESSION_SECRET": "x" * 32, "SLOPGUARD_PUBLIC_URL": "https://sg.example.org/"}
    settings = Settings.from_env(full)
    assert settings.dashboard_enabled and settings.public_url == "https://sg.example.org"
    with pytest.raises(SettingsError, match="SLOPGUARD_OAUTH_CLIENT_SECRET"):
        Settings.from_env({**full, "SLOPGUARD_OAUTH_CLIENT_SECRET": ""})
    with pytest.raises(SettingsError, match="at least 32"):
        Settings.from_env({**full, "SLOPGUARD_SESSION_SECRET": "short"})


def test_signed_cookies() -> None:
    signer = Signer("k" * 32)
    value = signer.sign("session", "abc")
    assert signer.unsign("session", value) == "abc"
    assert signer.unsign("state", value) is None  # bound to the cookie's name
    assert signer.unsign("session", value[:-1] + ("A" if value[-1] != "A" else "B")) is None
    assert Signer("other" * 8).unsign("session", value) is None
    assert signer.unsign("session", "abc") is None and signer.unsign("session", None) is None
    assert cookie_options("http://127.0.0.1:8080", 60)["secure"] is False
    assert cookie_options("https://sg.example.org", 60) == {"max_age": 60, "path": "/dashboard", "httponly": True,
                                                           "samesite": "lax", "secure": True}



def test_migration_0004_matches_the_tables_and_downgrades(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    upgrade(engine)
    ours = {t.name for t in (feedback_schema.feedback_signals, feedback_schema.rule_calibration,
                             feedback_schema.review_stats, feedback_schema.dashboard_sessions)}
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), feedback_schema.metadata)
    assert [d for d in diffs if ours & set(_tables(d))] == []
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004-1")
    assert not ours & set(inspect(engine).get_table_names())
    upgrade(engine)
    assert current_revision(engine)[0] == "0004" and ours <= set(inspect(engine).get_table_names())
    engine.dispose()


def _tables(diff: object) -> list[str]:
    """The table names an autogenerate difference is about."""
    if isinstance(diff, (list, tuple)):
        return [name for item in diff for name in _tables(item)]
    table = getattr(diff, "table", None)
    return [str(getattr(diff, "name", "")), str(getattr(table, "name", ""))]


def test_thread_events_from_people_only() -> None:
    thread = {"action": "resolved", "pull_request": {"number": 7},
              "thread": {"comments": [{"id": 5, "body": BODY, "user": BOT, "line": 3}]}}
    event = "pull_request_review_thread"
    dev = {"login": "dev", "type": "User"}
    person = feedback_events.job_for(event, {**thread, "sender": dev}, 77, "octo/demo", "d")
    assert person is not None and (person["kind"], person["user"], person["outdated"]) == ("thread", "dev", False)
    # slopguard resolving its own thread (the finding was fixed) is nobody's feedback
    assert feedback_events.job_for(event, {**thread, "sender": BOT}, 77, "octo/demo", "d") is None
