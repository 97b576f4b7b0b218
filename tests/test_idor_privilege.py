"""Admin/staff-only handlers decided from structure (idor-missing-owner-check): a role check that
answers 403, in the handler or in the definition of its dependency/middleware (here in another
module of the repository), exempts the lookup; a handler admin-only only by a word keeps its
finding at low confidence and the message names the word."""

from __future__ import annotations

from pathlib import Path

from slopguard.models import Finding

from .strict_scan import strict_findings as _scan

PY_RULE = "python.insecure-auth.idor-missing-owner-check"
JS_RULE = "js.insecure-auth.idor-missing-owner-check"


PY_API = """from fastapi import APIRouter, Depends, HTTPException

from .deps import get_current_user, get_db, staff_user
from .models import Invoice

router = APIRouter()


@router.get("/{invoice_id}")
def get_invoice(invoice_id: int, user=Depends(get_current_user), db=Depends(get_db)):
    invoice = db.get(Invoice, invoice_id)
    if invoice is None or invoice.account_id != user.account_id:
        raise HTTPException(404)
    return invoice


@router.post("/{invoice_id}/resend")
def resend(invoice_id: int, db=Depends(get_db), who=Depends(staff_user)):
    invoice = db.get(Invoice, invoice_id)
    return invoice
"""
PY_DEPS = """from fastapi import Depends, HTTPException


def get_current_user():
    return None


def get_db():
    return None


def staff_user(user=Depends(get_current_user)):
    CHECK
    return user
"""
ROLE_CHECK = "if not user.is_staff:\n        raise HTTPException(status_code=403)"


def _python(tmp_path: Path, check: str) -> list[Finding]:
    head = {"app/api.py": PY_API, "app/deps.py": PY_DEPS.replace("CHECK", check), "app/__init__.py": ""}
    return [f for f in _scan(tmp_path, {"app/__init__.py": ""}, head) if f.rule == PY_RULE]


def test_a_dependency_whose_definition_checks_the_role_exempts_the_handler(tmp_path: Path) -> None:
    assert _python(tmp_path, ROLE_CHECK) == []


def test_a_handler_staff_only_by_name_keeps_its_finding_at_low_confidence(tmp_path: Path) -> None:
    hits = _python(tmp_path, "pass")
    assert len(hits) == 1, [f"{f.rule}:{f.line}" for f in hits]
    assert hits[0].confidence == "low"
    assert "only the word `staff`" in hits[0].message


JS_API = """import { Router } from 'express';
import { prisma } from './prisma';
import { adminOnly } from './guards';

export const orders = Router();

orders.get('/:id', async (req, res) => {
  res.json(await prisma.order.findFirst({ where: { id: req.params.id, accountId: req.user.accountId } }));
});

orders.get('/:id/audit', adminOnly, async (req, res) => {
  res.json(await prisma.order.findUnique({ where: { id: req.params.id } }));
});
"""
JS_GUARDS = """export function adminOnly(req, res, next) {
  CHECK
  next();
}
"""


def _js(tmp_path: Path, check: str) -> list[Finding]:
    head = {"src/orders.ts": JS_API, "src/guards.ts": JS_GUARDS.replace("CHECK", check), "src/prisma.ts": ""}
    return [f for f in _scan(tmp_path, {"src/prisma.ts": ""}, head) if f.rule == JS_RULE]


def test_js_middleware_of_the_repository_that_checks_the_role_exempts_the_handler(tmp_path: Path) -> None:
    assert _js(tmp_path, "if (req.user.role !== 'admin') return res.status(403).end();") == []


def test_js_middleware_admin_only_by_name_keeps_the_finding_at_low_confidence(tmp_path: Path) -> None:
    hits = _js(tmp_path, "console.log(req.path);")
    assert len(hits) == 1, [f"{f.rule}:{f.line}" for f in hits]
    assert hits[0].confidence == "low"
    assert "only the word `admin`" in hits[0].message


def test_a_handler_whose_dependency_reads_credentials_is_not_taken_for_anonymous(tmp_path: Path) -> None:
    """Whether a handler has auth (an anonymous one is dropped-auth's business) is decided from the
    repository too: `whoami` reads the Authorization header, whatever it is called."""
    api = PY_API.replace("who=Depends(staff_user)", "caller=Depends(whoami)").replace("staff_user", "whoami")
    deps = PY_DEPS.replace("def staff_user(user=Depends(get_current_user)):\n    CHECK\n    return user\n",
                           "def whoami(request):\n    return request.headers.get(\"Authorization\")\n")
    assert "whoami" in api and "whoami" in deps
    head = {"app/api.py": api, "app/deps.py": deps, "app/__init__.py": ""}
    hits = [f for f in _scan(tmp_path, {"app/__init__.py": ""}, head) if f.rule == PY_RULE]
    assert [(f.path, f.line, f.confidence) for f in hits] == [("app/api.py", 19, "medium")]
    anonymous = api.replace("caller=Depends(whoami)", "caller=None")  # the near miss: no auth at all
    head = {"app/api.py": anonymous, "app/deps.py": deps, "app/__init__.py": ""}
    assert [f for f in _scan(tmp_path / "anonymous", {"app/__init__.py": ""}, head) if f.rule == PY_RULE] == []
