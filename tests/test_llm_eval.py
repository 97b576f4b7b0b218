"""benchmarks/llm_eval.py on a one-case corpus: `record` writes the exact requests the pass sends,
`replay` runs answers from files through the pass's post-processing and scores them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "llm_eval.py"
HEAD = (
    "def refund(order, amount):\n"
    "    order.total -= amount  # expect: null-check\n"
    "    return order\n"
)


def _corpus(root: Path) -> Path:
    case = root / "cases" / "python" / "py-refund"
    (case / "base" / "shop").mkdir(parents=True)
    (case / "head" / "shop").mkdir(parents=True)
    (case / "base" / "shop" / "orders.py").write_text("X = 1\n")
    (case / "head" / "shop" / "orders.py").write_text("X = 1\n\n\n" + HEAD)
    (case / "case.yaml").write_text("title: Refunds\ndescription: Refund part of an order.\nkind: planted\n")
    return root / "cases"


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=True)
    return done.stdout


def test_record_then_replay(tmp_path: Path) -> None:
    cases = _corpus(tmp_path)
    out = tmp_path / "requests"
    printed = _run("record", "--corpus", "cases", "--cases", str(cases), "--out", str(out))
    assert printed.splitlines()[-1] == "SUMMARY: PRs up to 1500 changed lines that send nothing at $0.10: 0 of 1"
    (request,) = sorted((out / "python" / "py-refund").glob("request-*.json"))
    body = json.loads(request.read_text())
    assert body["tool"]["name"] == "report_assumptions" and body["max_tokens"] == 2048
    assert "Refund part of an order." in body["prompt"]
    assert "    5+     order.total -= amount" in body["prompt"]  # markers stripped, head line numbers
    assert "expect:" not in body["prompt"]

    answers = tmp_path / "answers" / "python" / "py-refund"
    answers.mkdir(parents=True)
    (answers / "answer-001.json").write_text(json.dumps({"assumptions": [
        {"path": "shop/orders.py", "line": 5, "kind": "defect", "severity": "high", "confidence": "high",
         "assumption": "A refund larger than the total makes it negative.", "why_it_matters": "-",
         "question": "-"},
        {"path": "shop/orders.py", "line": 1, "kind": "assumption", "severity": "low", "confidence": "low",
         "assumption": "order is never None.", "why_it_matters": "-", "question": "-"},
    ]}))
    printed = _run("replay", "--corpus", "cases", "--cases", str(cases), "--out", str(out),
                   "--answers", str(tmp_path / "answers"))
    lines = printed.splitlines()
    assert lines[0] == "python/py-refund: 2 finding(s)"
    assert lines[1].startswith("  + shop/orders.py:5 warning/high Defect (high): A refund larger")
    assert lines[2].startswith("  - shop/orders.py:2 notice/low Assumption (low)")
    assert lines[-1] == "SUMMARY: findings=2 correct=1 precision=0.50 labels_found=1/1 recall=1.00"


def test_replay_reports_a_changed_prompt(tmp_path: Path) -> None:
    cases = _corpus(tmp_path)
    out = tmp_path / "requests"
    _run("record", "--corpus", "cases", "--cases", str(cases), "--out", str(out))
    request = out / "python" / "py-refund" / "request-001.json"
    body = json.loads(request.read_text())
    request.write_text(json.dumps(dict(body, prompt="an older prompt")))
    printed = _run("replay", "--corpus", "cases", "--cases", str(cases), "--out", str(out),
                   "--answers", str(tmp_path / "none"))
    assert "[request 001 differs from the recorded one]" in printed
    assert printed.splitlines()[-1].startswith("SUMMARY: findings=0 correct=0 precision=- labels_found=0/1")
