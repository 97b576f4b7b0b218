"""Auth decided from structure: a decorator, dependency or middleware whose definition in the
repository reads credentials or answers 401/403 is auth whatever it is called; one only its name
calls auth still counts, but a finding resting on it is low confidence and says so."""

from __future__ import annotations

from pathlib import Path

from slopguard.models import Finding, Severity

from .strict_scan import only as _only
from .strict_scan import strict_findings as _scan

RULE = "python.insecure-auth.dropped-auth"
JS_RULE = "js.insecure-auth.dropped-auth"


ROUTES = """from flask import Blueprint

from .auth import login_required

bp = Blueprint("account", __name__)


@bp.get("/account")
@login_required
def account():
    return "me"


@bp.get("/account/orders")
@login_required
def orders():
    return "orders"
"""
SESSION_CHECK = """from functools import wraps

from flask import abort, session


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if "user_id" not in session:
            abort(401)
        return view(*args, **kwargs)

    return wrapped
"""
NO_CHECK = """def login_required(view):
    return view
"""


def _removed(tmp_path: Path, auth: str | None) -> Finding:
    base = {"app/__init__.py": "", "app/account.py": ROUTES}
    if auth is not None:
        base["app/auth.py"] = auth
    head = dict(base, **{"app/account.py": ROUTES.replace('@bp.get("/account/orders")\n@login_required\n',
                                                          '@bp.get("/account/orders")\n')})
    return _only(_scan(tmp_path, base, head), RULE)


def test_removed_auth_whose_definition_denies_is_reported_with_the_evidence(tmp_path: Path) -> None:
    finding = _removed(tmp_path, SESSION_CHECK)
    assert finding.confidence != "low"
    assert "`login_required` answers 401/403 (app/auth.py:6)." in finding.message


def test_removed_auth_known_only_by_its_name_is_low_confidence_and_says_so(tmp_path: Path) -> None:
    finding = _removed(tmp_path, None)
    assert finding.confidence == "low"
    assert "only the name of `login_required` suggests it authenticates" in finding.message


def test_a_definition_that_checks_nothing_leaves_only_the_name(tmp_path: Path) -> None:
    finding = _removed(tmp_path, NO_CHECK)
    assert finding.confidence == "low" and "only the name" in finding.message


NEW_ROUTE = ROUTES + """

@bp.get("/account/export")
def export():
    return "everything"
"""


def test_a_norm_of_name_only_auth_is_a_low_notice(tmp_path: Path) -> None:
    finding = _only(_scan(tmp_path, {"app/__init__.py": ""}, {"app/__init__.py": "", "app/account.py": NEW_ROUTE}),
                    RULE)
    assert finding.confidence == "low" and finding.severity is Severity.NOTICE
    assert "recognised only by the name of `login_required`" in finding.message


def test_a_norm_of_shown_auth_keeps_its_severity(tmp_path: Path) -> None:
    head = {"app/__init__.py": "", "app/account.py": NEW_ROUTE, "app/auth.py": SESSION_CHECK}
    finding = _only(_scan(tmp_path, {"app/__init__.py": "", "app/auth.py": SESSION_CHECK}, head), RULE)
    assert finding.severity is not Severity.NOTICE and "Note:" not in finding.message


def test_a_fastapi_dependency_is_followed_through_its_own_dependency(tmp_path: Path) -> None:
    deps = ("from fastapi import Depends, HTTPException\nfrom fastapi.security import OAuth2PasswordBearer\n\n"
            "scheme = OAuth2PasswordBearer(tokenUrl='token')\n\n\n"
            "def caller(token: str = Depends(scheme)):\n    return token\n\n\n"
            "def active_caller(who=Depends(caller)):\n    return who\n")
    api = ("from fastapi import APIRouter, Depends\n\nfrom .deps import active_caller\n\nrouter = APIRouter()\n\n\n"
           "@router.get('/a')\ndef a(who=Depends(active_caller)):\n    return who\n\n\n"
           "@router.get('/b')\ndef b(who=Depends(active_caller)):\n    return who\n")
    base = {"app/__init__.py": "", "app/deps.py": deps, "app/api.py": api}
    head = dict(base, **{"app/api.py": api.replace("def b(who=Depends(active_caller)):", "def b():")})
    finding = _only(_scan(tmp_path, base, head), RULE)
    assert finding.confidence != "low" and "OAuth2PasswordBearer" in finding.message


JS_ROUTES = """import { Router } from 'express';
import { requireAuth } from 'AUTH';

export const orders = Router();

orders.get('/', requireAuth, async (req, res) => {
  res.json([]);
});

orders.delete('/:id', requireAuth, async (req, res) => {
  res.status(204).end();
});
"""
JS_AUTH = """export function requireAuth(req, res, next) {
  if (!req.session?.user) {
    res.status(401).end();
    return;
  }
  next();
}
"""


def _js_removed(tmp_path: Path, spec: str) -> Finding:
    code = JS_ROUTES.replace("AUTH", spec)
    base = {"src/orders.ts": code, "src/auth.ts": JS_AUTH}
    removed = code.replace("orders.delete('/:id', requireAuth, ", "orders.delete('/:id', ")
    head = dict(base, **{"src/orders.ts": removed})
    return _only(_scan(tmp_path, base, head), JS_RULE)


def test_js_removed_middleware_of_the_repository_that_denies_keeps_its_confidence(tmp_path: Path) -> None:
    finding = _js_removed(tmp_path, "./auth")
    assert finding.confidence != "low" and "Note:" not in finding.message


def test_js_removed_middleware_known_only_by_its_name_is_low_confidence(tmp_path: Path) -> None:
    finding = _js_removed(tmp_path, "@acme/auth")
    assert finding.confidence == "low"
    assert "only the name of `requireAuth` suggests it authenticates" in finding.message


def test_a_new_route_behind_name_only_auth_counts_only_the_siblings_whose_auth_is_shown(tmp_path: Path) -> None:
    """Four siblings use auth the repository shows, one only a name: the message says four."""
    routes = "from flask import Blueprint\nfrom memberlib import requires_member\n\n"
    routes += 'from .auth import login_required\n\nbp = Blueprint("account", __name__)\n'
    for name in ("account", "orders", "invoices", "profile"):
        routes += f'\n\n@bp.get("/{name}")\n@login_required\ndef {name}():\n    return "{name}"\n'
    routes += '\n\n@bp.get("/members")\n@requires_member\ndef members():\n    return "members"\n'
    new = routes + '\n\n@bp.get("/export")\n@requires_member\ndef export():\n    return "everything"\n'
    base = {"app/__init__.py": "", "app/auth.py": SESSION_CHECK, "app/account.py": routes}
    finding = _only(_scan(tmp_path, base, dict(base, **{"app/account.py": new})), RULE)
    assert finding.confidence == "low" and finding.severity is Severity.NOTICE
    assert "relies on `requires_member`" in finding.message
    assert "while 4 of the 5 other routes in this module use auth the repository shows" in finding.message
