"""Wording never drops a finding: where only a log message, a comment, a skip reason or the PR text
excuses the code, the finding stays, at low confidence and notice severity, and names the wording.
Structure (a re-raise, a skip condition) still exempts."""

from __future__ import annotations

from pathlib import Path

from slopguard.models import Severity

from .strict_scan import only as _only
from .strict_scan import strict_findings as _scan

LOADER = """import logging

log = logging.getLogger(__name__)


def load_profile(client, user_id):
    try:
        return client.fetch(user_id)
    except Exception:
        log.warning("%s, will retry on the next request", "profile fetch failed")
        return None
"""


def test_a_log_message_saying_will_retry_lowers_confidence(tmp_path: Path) -> None:
    finding = _only(_scan(tmp_path, {"app/__init__.py": ""}, {"app/profile.py": LOADER}),
                    "python.error-handling.logged-and-ignored")
    assert finding.confidence == "low" and finding.severity is Severity.NOTICE
    assert '"will retr' in finding.message


def test_a_re_raise_is_still_structure_enough(tmp_path: Path) -> None:
    code = LOADER.replace("        return None\n", "        raise\n")
    findings = _scan(tmp_path, {"app/__init__.py": ""}, {"app/profile.py": code})
    assert not [f for f in findings if f.rule.startswith("python.error-handling")]


def test_an_unconditional_skip_whose_reason_names_a_database_is_kept(tmp_path: Path) -> None:
    test = ("import pytest\n\n\n@pytest.mark.skip(reason='requires a database server')\n"
            "def test_orders():\n    assert 1 + 1 == 2\n")
    finding = _only(_scan(tmp_path, {"app/__init__.py": ""}, {"tests/test_orders.py": test}),
                    "python.test-tampering.skipped-test")
    assert finding.confidence == "low" and finding.severity is Severity.NOTICE
    assert "requires a database server" in finding.message


def test_a_skip_condition_that_tests_the_environment_exempts(tmp_path: Path) -> None:
    test = ("import os\n\nimport pytest\n\n\n@pytest.mark.skipif(not os.environ.get('DATABASE_URL'), "
            "reason='requires a database server')\ndef test_orders():\n    assert 1 + 1 == 2\n")
    findings = _scan(tmp_path, {"app/__init__.py": ""}, {"tests/test_orders.py": test})
    assert not [f for f in findings if f.rule == "python.test-tampering.skipped-test"]


def test_fix_in_the_title_does_not_hide_a_changed_expected_value(tmp_path: Path) -> None:
    base = {"shop/cart.py": "def total(p):\n    return round(sum(p), 2)\n",
            "tests/test_cart.py": "from shop.cart import total\n\n\ndef test_total():\n"
                                  "    assert total([1.0, 2.0]) == 3.0\n"}
    head = {"shop/cart.py": "def total(p):\n    return round(sum(p) * 1.1, 2)\n",
            "tests/test_cart.py": base["tests/test_cart.py"].replace("== 3.0", "== 3.3")}
    finding = _only(_scan(tmp_path, base, head, intent="Fix the cart total"),
                    "python.test-tampering.expected-value-changed")
    assert finding.confidence == "low" and '"Fix"' in finding.message


RESEND = """import requests


def resend(http: requests.Session, url: str, body: dict, retries: int) -> None:
    for attempt in range(retries):
        http.post(url, json=body, timeout=10)
"""


def test_a_loop_only_named_a_retry_keeps_its_io_in_loop_finding_at_low_confidence(tmp_path: Path) -> None:
    finding = _only(_scan(tmp_path, {"app/__init__.py": ""}, {"app/send.py": RESEND}),
                    "python.excessive-io.io-in-loop")
    assert finding.confidence == "low" and finding.severity is Severity.NOTICE
    assert "the name `attempt` suggests a retry loop" in finding.message


def test_a_retry_loop_by_structure_is_not_flagged(tmp_path: Path) -> None:
    code = RESEND.replace("        http.post(url, json=body, timeout=10)\n",
                          "        try:\n            resp = http.post(url, json=body, timeout=10)\n"
                          "        except requests.ConnectionError:\n            continue\n"
                          "        if resp.ok:\n            break\n")
    findings = _scan(tmp_path, {"app/__init__.py": ""}, {"app/send.py": code})
    assert not [f for f in findings if f.rule == "python.excessive-io.io-in-loop"]


ACCOUNT = """from flask import Blueprint

from .auth import requires_auth

bp = Blueprint("account", __name__)


@bp.get("/account")
@requires_auth
def account():
    return "me"


@bp.get("/account/orders")
@requires_auth
def orders():
    return "orders"


@bp.post("/login")
def login():
    return "token"
"""


def test_a_route_only_named_public_keeps_its_dropped_auth_finding_at_low_confidence(tmp_path: Path) -> None:
    finding = _only(_scan(tmp_path, {"app/__init__.py": ""}, {"app/account.py": ACCOUNT}),
                    "python.insecure-auth.dropped-auth")
    assert finding.confidence == "low" and finding.severity is Severity.NOTICE
    assert "`/login` suggests it is public" in finding.message


def test_an_allow_list_marker_makes_a_route_public(tmp_path: Path) -> None:
    code = ACCOUNT.replace('@bp.post("/login")\n', '@bp.post("/login")\n@login_not_required\n').replace(
        "import requires_auth", "import login_not_required, requires_auth")
    findings = _scan(tmp_path, {"app/__init__.py": ""}, {"app/account.py": code})
    assert not [f for f in findings if f.rule == "python.insecure-auth.dropped-auth"]


RESEND_JS = """import { Pool } from 'pg';

const pool = new Pool();

export async function resend(ids: string[], retries: number) {
  for (let attempt = 0; attempt < retries; attempt++) {
    await pool.query('UPDATE outbox SET sent = true WHERE id = ANY($1)', [ids]);
  }
}
"""


def test_a_js_loop_only_named_a_retry_keeps_its_finding_at_low_confidence(tmp_path: Path) -> None:
    finding = _only(_scan(tmp_path, {"src/index.ts": "export {};\n"}, {"src/outbox.ts": RESEND_JS}),
                    "js.excessive-io.io-in-loop")
    assert finding.confidence == "low" and finding.severity is Severity.NOTICE
    assert "the name `attempt` suggests a retry loop" in finding.message


FACTORY = """class EmailNotifier:
    def __init__(self, smtp):
        self.smtp = smtp


def {name}(kind, smtp):
    if kind == "email":
        return EmailNotifier(smtp)
    raise ValueError(kind)
"""


def test_a_single_product_dispatch_without_a_factory_name_is_kept_as_a_low_notice(tmp_path: Path) -> None:
    rule = "python.bloat.single-implementation"
    named = _only(_scan(tmp_path / "a", {"app/__init__.py": ""},
                        {"app/notify.py": FACTORY.format(name="create_notifier")}), rule)
    assert named.confidence != "low" and named.severity is Severity.WARNING
    plain = _only(_scan(tmp_path / "b", {"app/__init__.py": ""},
                        {"app/notify.py": FACTORY.format(name="notifier")}), rule)
    assert plain.confidence == "low" and plain.severity is Severity.NOTICE


JS_BASE = {"src/cart.ts": "export const total = (p: number[]): number => p.reduce((a, b) => a + b, 0);\n",
           "src/cart.test.ts": "import { total } from './cart';\n\nit('sums', () => {\n"
                               "  expect(total([1, 2])).toBe(3);\n});\n",
           "src/__snapshots__/cart.test.ts.snap": "exports[`sums 1`] = `\"3\"`;\n"}
JS_HEAD = {"src/cart.ts": JS_BASE["src/cart.ts"].replace(", 0)", ", 1)"),
           "src/cart.test.ts": JS_BASE["src/cart.test.ts"].replace("toBe(3)", "toBe(4)"),
           "src/__snapshots__/cart.test.ts.snap": "exports[`sums 1`] = `\"4\"`;\n"}


def test_fix_in_a_js_title_lowers_a_changed_expected_value_and_snapshot(tmp_path: Path) -> None:
    findings = _scan(tmp_path, JS_BASE, JS_HEAD, intent="Fix the cart total")
    for rule in ("js.test-tampering.expected-value-changed", "js.test-tampering.snapshot-updated"):
        finding = _only(findings, rule)
        assert finding.confidence == "low" and finding.severity is Severity.NOTICE
        assert 'the description says "Fix"' in finding.message


def test_a_js_title_that_announces_nothing_keeps_the_plain_message(tmp_path: Path) -> None:
    finding = _only(_scan(tmp_path, JS_BASE, JS_HEAD, intent="Speed up the cart"),
                    "js.test-tampering.expected-value-changed")
    assert "the description states no behaviour change" in finding.message


DEPRECATED = Path(__file__).parent / "fixtures/detectors/test_tampering/weakened_assertion/py_deprecated"


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in root.rglob("*.py")}


def test_an_assertion_lost_with_the_api_it_tested_deprecated_is_a_low_notice(tmp_path: Path) -> None:
    finding = _only(_scan(tmp_path, _tree(DEPRECATED / "base"), _tree(DEPRECATED / "head"),
                          intent="Retire the started property"), "python.test-tampering.removed-assertion")
    assert finding.confidence == "low" and finding.severity is Severity.NOTICE
    assert "deprecates `started`" in finding.message
