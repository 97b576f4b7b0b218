"""benchmarks/case_rewrite.py renames what a benchmark case defines and keeps what comes from
outside it (imported modules and their attributes, builtins, globals), so the rewritten pull
request means the same thing. Each test rewrites a small case directory and reads the copy."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

Rewrite = Callable[[dict[str, str]], dict[str, str]]  # case files -> rewritten head files
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def rewrite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Rewrite:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.delitem(sys.modules, "case_rewrite", raising=False)
    from case_rewrite import rewrite_case

    def run(files: dict[str, str]) -> dict[str, str]:
        case = tmp_path / "case"
        for rel, text in files.items():
            (case / "head" / rel).parent.mkdir(parents=True, exist_ok=True)
            (case / "head" / rel).write_text(text)
        (case / "base").mkdir()
        (case / "case.yaml").write_text(yaml.safe_dump({"title": "a case", "kind": "clean"}))
        out = tmp_path / "out"
        rewrite_case(case, out)
        return {p.relative_to(out / "head").as_posix(): p.read_text() for p in (out / "head").rglob("*")
                if p.is_file()}

    return run


JS = """\
const crypto = require('crypto');
const { Pool } = require('pg');
const log = require('./log');

const pool = new Pool({ max: 10 });

function checksumOf(value) {
    const digest = crypto.createHash('sha256').update(value).digest('hex');
    return digest;
}

async function findAccount(email) {
    const { rows } = await pool.query('select 1', [email]);
    log.error({ email }, 'lookup');
    return rows[0];
}

module.exports = { checksumOf, findAccount };
"""


def test_js_modules_and_what_is_read_on_them_are_kept_and_own_names_renamed(rewrite: Rewrite) -> None:
    out = rewrite({"lib/tokens.js": JS, "lib/log.js": "module.exports = { error: console.error };\n"})
    text = next(t for p, t in out.items() if "crypto" in t)
    param = re.search(r"function \w+\((\w+)\)", text)  # checksumOf's parameter, renamed
    assert param is not None and param.group(1) != "value"
    for kept in ("require('crypto')", "const crypto", "crypto.createHash('sha256').update(value).digest('hex')",
                 "const { Pool } = require('pg')", "new Pool({ max: 10 })", ".query('select 1'", "const { rows }",
                 "rows[0]"):
        assert kept.replace("value", param.group(1)) in text, kept
    assert "checksumOf" not in text and "findAccount" not in text  # the case's own functions
    assert "tokens.js" not in " ".join(out) and "log.js" not in " ".join(out)  # its own files
    own_log = re.search(r"require\('\./(\w+)'\)", text)
    assert own_log is not None and f"lib/{own_log.group(1)}.js" in out  # the relative import follows


PY = """\
import hashlib
import hmac
import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class Product:
    sku: str = field(default="")


def token_checksum(token, product):
    digest = hashlib.sha256(token.encode()).hexdigest()
    log.error("hashing %s", product.sku)
    return digest.upper()


def signature(key, message):
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return digest


def report(error):
    log.error("failed: %s", error)


def available(product, payload):
    stock = payload["stock"]
    return stock.get("available") if stock else payload.get("stock", getattr(product, "sku"))
"""


def test_python_stdlib_attributes_and_logger_methods_are_kept(rewrite: Rewrite) -> None:
    (path, text), = rewrite({"shop/catalog.py": PY}).items()
    assert path != "shop/catalog.py"
    for kept in ("import hashlib", "logging.getLogger(__name__)", "field(default=\"\")", ".encode()).hexdigest()",
                 ".error(\"hashing %s\"", ".upper()",
                 "hashlib.sha256).digest()", ".error(\"failed: %s\""):
        assert kept in text, kept
    assert "token_checksum" not in text and "class Product" not in text
    # a class attribute declared by an outside call is still the case's own: renamed everywhere,
    # in the string naming it too
    assert "sku" not in text
    # the keys of data (which may be an API's JSON) are kept, the variable of the same name is not
    assert '["stock"]' in text and '.get("stock",' in text and "stock =" not in text and "payload" not in text
    declared = re.search(r"^ *(\w+): str = field", text, re.M)
    assert declared is not None and f".{declared.group(1)})" in text
