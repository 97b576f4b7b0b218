"""What the LLM pass sends, checked at the local fake Messages API with the real Anthropic SDK:
the budget always buys a review of the riskiest files, the rest is named; ignored files are named
with status and size; long functions are outlined; called functions are shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from slopguard.config import Config, default_config
from slopguard.engine import Target, scan
from slopguard.llm import llm_pass
from slopguard.llm.packing import plan
from slopguard.llm.pricing import PRICES
from slopguard.llm.settings import LLMSettings
from slopguard.models import ScanResult
from slopguard.registry import load

from .fakes.llm_servers import anthropic_tool_reply, serve
from .gitrepos import make_repo

REGISTRY = load()
CONFIG = "rules:\n  all: off\n  silent-assumption: on\n  python.dead-code: on\n"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-000000000000000000000")
    monkeypatch.setenv("SLOPGUARD_CACHE_DIR", str(tmp_path / "cache"))
    return monkeypatch


def _module(name: str, functions: int, unused_import: bool = False) -> str:
    head = "import os\n\n" if unused_import else ""
    body = "".join(
        f"def {name}_{k}(rows, limit):\n" + "".join(f"    total_{i} = sum(r[{i}] for r in rows[:limit])\n"
                                                    for i in range(12)) + "    return total_0\n\n\n"
        for k in range(functions))
    return head + body


def _big_pr(root: Path, usd: float | None = None) -> Path:
    config = CONFIG + (f"llm: {{max_cost_usd: {usd}}}\n" if usd is not None else "")
    base = {".slopguard.yml": config, "README.md": "shop\n"}
    head = {f"shop/mod_{n}.py": _module(f"mod{n}", 4) for n in range(6)}
    head["shop/risky.py"] = _module("risky", 4, unused_import=True)  # a static finding: riskiest
    head["tests/test_shop.py"] = "def test_it():\n    assert True\n"
    return make_repo(root, base, head)


class Capture:
    def __call__(self, files, findings, intent, config, left_out=()):  # type: ignore[no-untyped-def]
        from slopguard.llm.assumptions import PassResult

        self.files, self.findings, self.intent, self.left_out = files, findings, intent, left_out
        return PassResult()


def _full_context_tokens(repo: Path) -> int:
    capture = Capture()
    scan(Target(repo=repo, base="main", head="feature"), registry=REGISTRY, second_pass=capture)
    generous = plan(capture.files, capture.findings, capture.intent, LLMSettings(max_cost_usd=100.0))
    assert len(generous.requests) == 1 and set(generous.requests[0].levels) == {"full"}
    return generous.requests[0].input_tokens


def _budget_for(input_tokens: float) -> float:
    price = PRICES["claude-sonnet-5-5"]
    return round((input_tokens * price.input_per_mtok + 2048 * price.output_per_mtok) / 1e6, 5)


def _review(repo: Path, env: pytest.MonkeyPatch, config: Config | None = None) -> tuple[list[str], ScanResult]:
    """Scan with the LLM pass against the fake Messages API: the prompts it received, the result."""
    with serve("/v1/messages", [(200, anthropic_tool_reply([]))]) as fake:
        env.setenv("ANTHROPIC_BASE_URL", fake.url)
        result = scan(Target(repo=repo, base="main", head="feature"), config, registry=REGISTRY,
                      second_pass=llm_pass)
    return [r["messages"][0]["content"] for r in fake.requests], result


def test_context_three_times_the_budget_reviews_the_riskiest_and_names_the_rest(
        tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    full = _full_context_tokens(_big_pr(tmp_path / "measure"))
    repo = _big_pr(tmp_path, _budget_for(full / 2.7))
    (prompt,), result = _review(repo, env)
    assert result.llm.status == "ran"
    assert '<file path="shop/risky.py"' in prompt  # riskiest first
    shown = {p for p in (f"shop/mod_{n}.py" for n in range(6)) if f'<file path="{p}"' in prompt}
    missing = sorted({f"shop/mod_{n}.py" for n in range(6)} - shown)
    assert missing, "the budget was meant to be too small for everything"
    notes = [n.message for n in result.notices if "did not review" in n.message]
    assert notes == ["LLM pass did not review (over the budget): " + ", ".join(
        sorted([*missing, *(["tests/test_shop.py"] if '<file path="tests/test_shop.py"' not in prompt else [])]))]
    for path in missing:
        assert f"- {path} (added, +" in prompt and "not reviewed: over the LLM budget" in prompt


def test_budget_covering_only_the_riskiest_hunks_still_sends_a_request(
        tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    full = _full_context_tokens(_big_pr(tmp_path / "measure"))
    repo = _big_pr(tmp_path, _budget_for(full / 6))
    (prompt,), result = _review(repo, env)
    assert result.llm.status == "ran"
    assert '<file path="shop/risky.py"' in prompt
    assert result.llm.cost_usd <= _budget_for(full / 6)
    # a sixth leaves less room than the riskiest file's hunks: they are cut, and that is
    # preferred to showing only the test file whole, which would fit
    assert "(cut here:" in prompt and '<file path="tests/test_shop.py"' not in prompt


def test_from_a_seventh_to_the_whole_context_the_plan_stays_within_budget_and_covers_the_riskiest(
        tmp_path: Path) -> None:
    capture = Capture()
    scan(Target(repo=_big_pr(tmp_path), base="main", head="feature"), registry=REGISTRY, second_pass=capture)
    full = plan(capture.files, capture.findings, capture.intent, LLMSettings(max_cost_usd=100.0)).requests[0]
    for share in (7, 6, 5, 4, 3, 2, 1.5, 1):  # a seventh leaves room for a few lines after the fixed parts
        budget = _budget_for(full.input_tokens / share)
        result = plan(capture.files, capture.findings, capture.intent, LLMSettings(max_cost_usd=budget))
        assert result.requests and result.requests[0].files[0] == "shop/risky.py", share
        assert sum(r.max_cost_usd for r in result.requests) <= budget, share
        shown = [p for r in result.requests for p in r.files]
        assert len(shown) == len(set(shown)) and set(shown) | set(result.not_reviewed) == {
            v.path for v in capture.files}, share


def test_a_budget_below_the_fixed_parts_sends_nothing_and_says_so(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    repo = _big_pr(tmp_path, 0.031)  # the output ceiling alone costs $0.0307
    prompts, result = _review(repo, env)
    assert prompts == [] and result.llm.status == "over-budget"
    assert any(n.message.startswith("LLM pass did not review (over the budget): shop/mod_0.py") for n in result.notices)


def test_ignored_migrations_are_named_with_status_and_size(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    base = {"app/models.py": "class Order:\n    pass\n", "app/migrations/__init__.py": ""}
    head = {"app/models.py": "class Order:\n    currency = 'EUR'\n",
            "app/migrations/0002_order_currency.py": "from django.db import migrations\n\n"
                                                     "class Migration(migrations.Migration):\n    operations = []\n"}
    repo = make_repo(tmp_path, base, head)
    (prompt,), result = _review(repo, env, default_config())
    assert ("- app/migrations/0002_order_currency.py (added, +4 -0 lines; left out by the ignore globs)"
            in prompt)
    assert "class Migration" not in prompt  # named, not shown
    assert '<file path="app/models.py"' in prompt
    assert not [f for f in result.findings if f.path.startswith("app/migrations/")]


LONG = (
    "def handle(request, user):\n"
    "    if user is None:\n"
    "        raise PermissionError('no user')\n"
    "    limit = request.limit\n"
    + "".join(f"    step_{i} = request.values[{i}]\n" for i in range(120))
    + "    def on_row(row):\n"
    "        return row\n"
    "    return [on_row(r) for r in request.rows]\n"
)


def test_a_long_function_is_outlined_with_its_guard_and_the_definitions_the_change_uses(
        tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    head = LONG.replace("        return row\n", "        return normalise(row)[:limit]\n")
    helpers = "def normalise(row):\n    return [str(c).strip() for c in row]\n"
    far = "def unrelated(x):\n" + "".join(f"    x += {i}\n" for i in range(40)) + "    return x\n"
    repo = make_repo(tmp_path, {"svc/handler.py": LONG, "svc/text.py": helpers + "\n\n" + far},
                     {"svc/handler.py": "from .text import normalise, unrelated\n" + head})
    (prompt,), _ = _review(repo, env, default_config())
    assert "def handle(request, user):" in prompt  # the signature
    assert "if user is None:" in prompt and "raise PermissionError('no user')" in prompt  # the guard
    assert "limit = request.limit" in prompt  # defines a name the changed line uses
    assert "def on_row(row):" in prompt and "return normalise(row)[:limit]" in prompt
    assert "step_60 = request.values[60]" not in prompt  # the body in between is left out
    assert "return [str(c).strip() for c in row]" in prompt  # a short called function, whole
    assert "x += 20" not in prompt


def test_a_changed_called_function_is_sent_whole_and_a_long_unchanged_one_as_signature(
        tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    long_body = "".join(f"    value = value + {i}\n" for i in range(40))
    lib_base = f"def slow(value):\n{long_body}    return value\n\n\ndef fast(value):\n    return value\n"
    lib_head = lib_base.replace("def fast(value):\n    return value\n", "def fast(value):\n    return value * 2\n")
    repo = make_repo(tmp_path, {"pkg/lib.py": lib_base, "pkg/use.py": "X = 1\n"},
                     {"pkg/lib.py": lib_head, "pkg/use.py": "from .lib import fast, slow\n\nX = fast(slow(1))\n"})
    (prompt,), _ = _review(repo, env, default_config())
    calls = prompt[prompt.index("Repository functions the changed lines call:"):]
    assert "pkg/lib.py:1: def slow(value)" in calls
    assert "value = value + 30" not in calls
    assert "return value * 2" in prompt


def test_the_riskiest_file_is_cut_to_the_budget_rather_than_dropped(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    big = "".join(f"def handler_{n}(event):\n    return event.get('id_{n}')\n\n\n" for n in range(400))
    repo = make_repo(tmp_path, {".slopguard.yml": CONFIG + "llm: {max_cost_usd: 0.045}\n"}, {"svc/handlers.py": big})
    (prompt,), result = _review(repo, env)
    assert "handler_0(event)" in prompt and "handler_399" not in prompt
    assert "more lines not shown)" in prompt and prompt.count("</file>") == 1
    assert "LLM pass reviewed only the first changed lines of: svc/handlers.py" in [n.message for n in result.notices]
    assert result.llm.status == "ran"


TS_LONG = (
    "export async function sync(client: Client, since?: Date): Promise<number> {\n"
    "  if (!client.ready) {\n"
    "    return 0;\n"
    "  }\n"
    "  const pageSize = client.options.pageSize;\n"
    + "".join(f"  const field{i} = client.options.fields[{i}];\n" for i in range(90))
    + "  const rows = await client.fetch(since);\n"
    "  return rows.map((row) => row.id).length;\n"
    "}\n"
)


def test_a_long_typescript_function_is_outlined(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    head = TS_LONG.replace("row.id).length", "row.id).slice(0, pageSize).length")
    repo = make_repo(tmp_path, {"src/sync.ts": TS_LONG}, {"src/sync.ts": head})
    (prompt,), _ = _review(repo, env, default_config())
    assert "export async function sync(client: Client, since?: Date): Promise<number> {" in prompt
    assert "if (!client.ready) {" in prompt and "return 0;" in prompt
    assert "const pageSize = client.options.pageSize;" in prompt
    assert "const field40 = client.options.fields[40];" not in prompt
    assert "slice(0, pageSize)" in prompt


def test_a_method_block_names_its_class(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    methods = "".join(f"    def get_{n}(self):\n        return self.rows[{n}]\n\n" for n in range(40))
    base = "class Store:\n    rows: list\n\n" + methods
    head = base.replace("return self.rows[30]", "return self.rows[30] if len(self.rows) > 30 else None")
    repo = make_repo(tmp_path, {"db/store.py": base}, {"db/store.py": head})
    (prompt,), _ = _review(repo, env, default_config())
    assert "    1  class Store:" in prompt
    assert "def get_30(self):" in prompt and "def get_10(self):" not in prompt


def test_lockfiles_and_deletions_are_named_not_shown(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    lock = "".join(f"  pkg-{n}: 1.0.{n}\n" for n in range(300))
    repo = make_repo(tmp_path, {"old.py": "def gone():\n    return 1\n", "app.py": "A = 1\n"},
                     {"old.py": None, "pnpm-lock.yaml": "packages:\n" + lock, "app.py": "A = 2\n"})
    (prompt,), _ = _review(repo, env, default_config())
    assert "- pnpm-lock.yaml (added, +301 -0 lines; lockfile)" in prompt and "pkg-7" not in prompt
    assert "- old.py (deleted, +0 -2 lines; deleted)" in prompt
    assert '<file path="app.py"' in prompt


def test_requests_split_at_chunk_tokens_each_file_once(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    from slopguard.llm import run_pass
    from slopguard.llm.assumptions import build_provider

    full = _big_pr(tmp_path / "measure")
    capture = Capture()
    scan(Target(repo=full, base="main", head="feature"), registry=REGISTRY, second_pass=capture)
    with serve("/v1/messages", [(200, anthropic_tool_reply([]))]) as fake:
        settings = LLMSettings(max_cost_usd=1.0, chunk_tokens=5000, api_key="sk-ant-test-key-000000000000000000000",
                               base_url=fake.url)
        result = run_pass(capture.files, capture.findings, capture.intent, settings, factory=build_provider)
    prompts = [r["messages"][0]["content"] for r in fake.requests]
    assert len(prompts) >= 3 and result.usage.status == "ran"
    shown = [p.split('"')[0] for prompt in prompts for p in prompt.split('<file path="')[1:]]
    assert sorted(shown) == sorted(set(shown)) and len(shown) == 8  # every file once
    assert f"in request 2 of {len(prompts)}" in prompts[0]
    assert result.usage.cost_usd <= 1.0 and not result.notices
