"""Hostile pull requests against `slopguard scan` run as a process on real git repositories
(issue 14): file names git quotes or pads, attributes that hide a diff, repository-chosen rulesets."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from .app.conftest import HEAD_FILES
from .fakes.llm_servers import anthropic_tool_reply, openai_tool_reply, serve
from .gitrepos import make_repo

SLOPGUARD = [sys.executable, "-m", "slopguard.cli"]
# The same insecure code under every name: a swallowed exception and an HTTP call in a loop.
CODE = HEAD_FILES["app.py"]
EXPECTED = {"python.error-handling.swallowed-exception", "python.excessive-io.io-in-loop"}


def scan(repo: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    proc = subprocess.run([*SLOPGUARD, "scan", "--repo", str(repo), "--base", "main", "--no-llm",
                           "--format", "json", *(extra or ("--head", "feature"))],
                          capture_output=True, text=True, timeout=120, env=env)
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return proc.returncode, report, proc.stderr


def rules_at(report: dict[str, Any], path: str) -> set[str]:
    return {f["rule"] for f in report["findings"] if f["path"] == path}


@pytest.mark.parametrize("name", [
    "auth helpers.py",              # a space: git ends the `---`/`+++` lines with a TAB
    "pkg/auth helpers.py",
    os.fsdecode(b"caf\xe9 auth.py"),  # not UTF-8 (Latin-1 é), and a space
    "tab\there.py",                 # quoted by git: "tab\\there.py"
    'quote".py',
    "-rf.py",                       # option-like
])
@pytest.mark.parametrize("mode", ["commits", "working-tree"])
def test_every_file_name_is_reviewed(tmp_path: Path, name: str, mode: str) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {name: CODE, "plain.py": CODE})
    code, report, err = scan(repo, *(["--working-tree"] if mode == "working-tree" else []))
    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    assert code == 1, err
    assert rules_at(report, "plain.py") >= EXPECTED
    assert rules_at(report, shown) >= EXPECTED, report["findings"]
    assert not [n for n in report["notices"] if n["path"]], report["notices"]


def test_a_gitattributes_that_hides_the_diff_does_not_skip_the_review(tmp_path: Path) -> None:
    """`*.py -diff` makes git print "Binary files differ" for text: the file is still reviewed."""
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {".gitattributes": "*.py -diff\n", "auth.py": CODE})
    code, report, err = scan(repo)
    assert code == 1, err
    assert rules_at(report, "auth.py") >= EXPECTED


# ------------------------------------------------------------------ the LLM endpoint, its key, deadline and cache


def llm_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLOPGUARD_", "ANTHROPIC_", "OPENAI_"))}
    return {**env, "SLOPGUARD_CACHE_DIR": str(tmp_path / "cache"), **extra}


def scan_llm(repo: Path, config: Path, env: dict[str, str], timeout: float = 120) -> dict[str, Any]:
    proc = subprocess.run([*SLOPGUARD, "scan", "--repo", str(repo), "--base", "main", "--head", "feature",
                           "--format", "json", "--config", str(config)],
                          capture_output=True, text=True, timeout=timeout, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def test_a_local_config_s_own_endpoint_gets_no_key_it_was_not_configured_for(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {"app.py": CODE})
    reply = [(200, openai_tool_reply([]))]
    with serve("/v1/chat/completions", reply) as mine, serve("/v1/chat/completions", reply) as keyed:
        env = llm_env(tmp_path, SLOPGUARD_LLM_BASE_URL=f"{keyed.url}/v1/", SLOPGUARD_LLM_API_KEY="the-key")
        for n, url in enumerate((f"{mine.url}/v1", f"{keyed.url}/v1")):
            config = tmp_path / f"local{n}.yml"
            config.write_text(f"llm: {{provider: openai-compatible, base_url: '{url}', model: m}}\n")
            assert scan_llm(repo, config, env)["llm"]["status"] == "ran"
    assert len(mine.requests) == 1 and "authorization" not in mine.headers[0]
    assert len(keyed.requests) == 1 and keyed.headers[0]["authorization"] == "Bearer the-key"


def test_cached_answers_are_kept_apart_by_endpoint(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {"app.py": CODE})
    reply = [(200, openai_tool_reply([]))]
    with serve("/v1/chat/completions", reply) as first, serve("/v1/chat/completions", reply) as second:
        env = llm_env(tmp_path)
        for n, fake in enumerate((first, second, first)):
            config = tmp_path / f"local{n}.yml"
            config.write_text(f"llm: {{provider: openai-compatible, base_url: '{fake.url}/v1', model: m}}\n")
            scan_llm(repo, config, env)
    assert len(first.requests) == 1 and len(second.requests) == 1  # the third run: first's own cache


def test_an_endpoint_that_drips_its_answer_is_cut_off_at_the_call_deadline(tmp_path: Path) -> None:
    """The answer arrives a byte every 0.5 s (several minutes in all); each read is quick, so only an
    overall deadline (2 s here, retries included) ends the call, and the static review is kept."""
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {"app.py": CODE})
    with serve("/v1/chat/completions", [(200, openai_tool_reply([]))], drip_s=0.5) as slow:
        env = llm_env(tmp_path, SLOPGUARD_LLM_BASE_URL=f"{slow.url}/v1", SLOPGUARD_LLM_CALL_DEADLINE_S="2")
        config = tmp_path / "local.yml"
        config.write_text("llm: {provider: openai-compatible, model: m}\n")
        report = scan_llm(repo, config, env, timeout=60)
    assert report["llm"]["status"] == "failed"
    assert rules_at(report, "app.py") >= EXPECTED


@pytest.mark.parametrize("ruleset", ["{host}", "../{host}", "sub/../../x.yml", "C:/x.yml", "empty.yml"])
def test_a_repository_ruleset_is_a_file_of_the_base_commit_only(tmp_path: Path, ruleset: str) -> None:
    host = tmp_path / "host.yml"
    host.write_text("select: [all]\n")
    name = ruleset.format(host=host)
    repo = make_repo(tmp_path, {".slopguard.yml": f"ruleset: '{name}'\n", "empty.yml": "\n"}, {"app.py": CODE})
    code, report, err = scan(repo)
    assert code == 2 and report == {}
    assert err.count("\n") == 1 and ".slopguard.yml:1" in err
    assert "the repository" in err or ("empty" in err and "empty.yml" in err), err


# ------------------------------------------------------------------ high 4: redaction is linear

ADVERSARIAL = {  # shapes that made the old patterns backtrack, each about 100,000 characters
    "repeated-password": "password" * 12_500,
    "unclosed-value": 'password = "' + "x" * 100_000,
    "identifier-run": "a.b-c_" * 17_000 + " = ",
    "quote-starts": 'x="' * 33_000,
    "api-key-prefixes": "sk-" * 33_000,
    "whitespace-after-name": "token" + " " * 100_000 + "x",
}


def test_redaction_is_linear_on_a_hostile_description_and_file(tmp_path: Path) -> None:
    """The LLM pass redacts the PR description and the code before sending: 20,000 characters of
    repeated `password` in both (the old pattern took 48.7 s on 4,000 characters, growing with the
    cube) are redacted and sent within the subprocess's generous timeout, and real secrets are still
    caught. (The description is also cut to its first 6,000 characters before it is sent.)"""
    flood = "password" * 2_500
    code = f'DB_PASSWORD = "hunter2-in-code"\n# {flood}\n' + CODE
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {"app.py": code})
    body = 'db_password = "hunter2-is-real"\n' + flood
    with serve("/v1/messages", [(200, anthropic_tool_reply([]))]) as fake:
        env = llm_env(tmp_path, ANTHROPIC_API_KEY="sk-ant-test-000000000000000000000", ANTHROPIC_BASE_URL=fake.url)
        proc = subprocess.run([*SLOPGUARD, "scan", "--repo", str(repo), "--base", "main", "--head", "feature",
                               "--format", "json", "--intent", body], capture_output=True, text=True, timeout=60,
                              env=env)
    assert proc.returncode == 1, proc.stderr
    (request,) = fake.requests
    prompt = request["messages"][0]["content"]
    assert "hunter2" not in prompt and prompt.count("[REDACTED:secret]") >= 2 and flood[:4000] in prompt


def test_every_redaction_pattern_is_linear() -> None:
    """Each adversarial shape at 100,000 and at 400,000 characters, in a process with a timeout: a
    super-linear pattern would need minutes at the larger size (timing-free: no figure is asserted)."""
    script = ("import sys; from slopguard.llm.redact import redact; from tests.test_hostile_scan import ADVERSARIAL\n"
              "for text in ADVERSARIAL.values():\n    redact(text); redact(text * 4)\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr


# ------------------------------------------------------------------ semgrep: per-file bounds

GENERATED = "X = (\n" + "    'abcdefghij' +\n" * 25_000 + "    'end')\n"  # 475 KB; semgrep needs ~18 s on it


def test_a_file_semgrep_cannot_finish_is_reported_and_the_other_files_keep_their_findings() -> None:
    """Real semgrep-core with the bundled rules: with a per-rule timeout the generated file is cut
    short (named as not fully analysed) while the small file's findings are still reported."""
    from slopguard.parsing import parse_source
    from slopguard.semgrep import Run, load_bundled

    small = parse_source("small.py", "import jwt\n\ndef claims(token):\n"
                                     "    return jwt.decode(token, options={'verify_signature': False})\n")
    big = parse_source("gen.py", GENERATED)
    findings, notices = Run(load_bundled(), [small, big], rule_timeout_s=0.2, max_target_bytes=10**6).result()
    assert {f.path for f in findings} == {"small.py"}
    (cut,) = [n for n in notices if n.path == "gen.py"]
    assert cut.unreviewed and "timed out" in cut.message


def test_a_file_over_the_semgrep_size_limit_is_named_in_the_report(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {"gen.py": "# generated\n" + "X = 1\n" * 50_000, "app.py": CODE})
    code, report, err = scan(repo)
    assert code == 1, err
    assert rules_at(report, "app.py") >= EXPECTED
    (notice,) = [n for n in report["notices"] if n["path"] == "gen.py"]  # named once: neither looked at it
    assert notice["message"].startswith("not fully analysed: detectors skipped (300,012 bytes")


# ------------------------------------------------------------------ repository rule files: YAML bombs and counts

RULE = ("- id: local.bloat.r{n}\n  languages: [python]\n  severity: WARNING\n  message: m\n"
        "  pattern: print(...)\n  metadata: {{category: bloat}}\n")


def rule_files(count: int, per_file: int = 500) -> dict[str, str | bytes | None]:
    return {f".slopguard/rules/many{i}.yml": "rules:\n" + "".join(RULE.format(n=n)
                                                                  for n in range(i, min(i + per_file, count)))
            for i in range(0, count, per_file)}


def test_a_yaml_alias_bomb_in_a_repository_rule_file_is_refused(tmp_path: Path) -> None:
    """600 bytes that expand to 9^9 strings: refused from the composed graph, before anything is built."""
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        levels.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = "bombs:\n" + "".join(f"  {line}\n" for line in levels) + "rules:\n" + RULE.format(n=1)
    assert len(bomb) < 700
    repo = make_repo(tmp_path, {".slopguard/rules/bomb.yml": bomb}, {"app.py": CODE})
    code, _, err = scan(repo)
    assert code == 2 and err.count("\n") == 1 and "aliases" in err and "bomb.yml" in err, err


@pytest.mark.parametrize("what", ["rules", "settings"])
def test_five_thousand_rules_or_settings_are_refused(tmp_path: Path, what: str) -> None:
    count = 5_000 if what == "rules" else 10
    settings = "rules:\n" + "".join(f"  local.bloat.r{n % 10}.x{n}: off\n" for n in range(5_000))
    base = {**rule_files(count), ".slopguard.yml": settings if what == "settings" else ""}
    repo = make_repo(tmp_path, base, {"app.py": CODE})
    code, _, err = scan(repo)
    assert code == 2 and err.count("\n") == 1 and ("2,000" in err), err


def test_rules_and_settings_under_the_caps_are_evaluated_in_linear_time(tmp_path: Path) -> None:
    """1,900 rules and 1,900 settings: each rule looks up its few possible selectors instead of
    scanning every setting, so the scan finishes well inside the generous timeout."""
    settings = "rules:\n" + "".join(f"  local.bloat.r{n}: {'off' if n % 2 else 'notice'}\n" for n in range(1_900))
    repo = make_repo(tmp_path, {**rule_files(1_900), ".slopguard.yml": settings}, {"notes.txt": "hello\n"})
    code, report, err = scan(repo)
    assert code == 0 and report["findings"] == [], err


def test_all_calls_of_a_pass_end_by_its_deadline() -> None:
    """One provider (one pass): a stalled first call uses up the pass's 1 s; the next call, to an
    endpoint that would answer at once, is not even sent."""
    from slopguard.llm.assumptions import TOOL
    from slopguard.llm.providers import LLMError, OpenAICompatibleProvider

    with serve("/v1/chat/completions", [(200, openai_tool_reply([]))], drip_s=0.5) as slow:
        provider = OpenAICompatibleProvider("m", f"{slow.url}/v1", call_deadline=60, pass_deadline=1)
        for _ in range(2):
            with pytest.raises(LLMError):
                provider.call("system", "prompt", TOOL, 100)
    assert len(slow.requests) == 1


# ------------------------------------------------------------------ the terminal and the CLI's own errors


def test_control_characters_in_file_names_never_reach_the_terminal(tmp_path: Path) -> None:
    name = "x\x1b]0;owned\x07\x1b[2J\x1b[31m.py"
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {name: CODE + "    # \x1b[8mhidden\n"})
    proc = subprocess.run([*SLOPGUARD, "scan", "--repo", str(repo), "--base", "main", "--head", "feature",
                           "--no-llm", "--format", "text"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
    assert "x\\x1b]0;owned\\x07\\x1b[2J\\x1b[31m.py" in proc.stdout


def one_line_exit_2(args: list[str], env: dict[str, str] | None = None, **kwargs: Any) -> str:
    kwargs.setdefault("stdout", subprocess.PIPE)
    proc = subprocess.run([*SLOPGUARD, *args], stderr=subprocess.PIPE, text=True, timeout=60, env=env, **kwargs)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr


def test_an_unreadable_configuration_file_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yml"
    bad.write_bytes(b"ruleset: recommended # caf\xe9\n")
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {"app.py": CODE})
    assert "not UTF-8" in one_line_exit_2(["config", "check", str(bad)])
    assert "not UTF-8" in one_line_exit_2(["scan", "--repo", str(repo), "--base", "main", "--config", str(bad)])


def test_a_file_the_process_may_not_read_is_a_usage_error(tmp_path: Path) -> None:
    """Permission denied on the configuration file: exit 2, one line naming it (root reads
    everything, so as root the commands run as `nobody`, through util-linux's setpriv)."""
    folder = Path(tempfile.mkdtemp(prefix="slopguard-unreadable-"))
    try:
        folder.chmod(0o755)
        secret = folder / "cfg.yml"
        secret.write_text("ruleset: recommended\n")
        secret.chmod(0o000)
        as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        for args in (["config", "check", str(secret)], ["scan", "--no-llm", "--config", str(secret)]):
            proc = subprocess.run([*as_nobody, *SLOPGUARD, *args], capture_output=True, text=True, timeout=60,
                                  cwd=folder)
            assert proc.returncode == 2, (proc.returncode, proc.stderr)
            assert proc.stderr == f"slopguard: error: cannot read {secret}: Permission denied\n"
    finally:
        shutil.rmtree(folder)


def test_a_closed_stdout_is_a_usage_error(tmp_path: Path) -> None:
    """A report that cannot be delivered is exit 2 with one line, never `internal error` (exit 3)
    and never the scan's own exit code, which a caller would take for a delivered report."""
    repo = make_repo(tmp_path, {"README.md": "x\n"}, {"app.py": CODE})
    scan = ["scan", "--repo", str(repo), "--base", "main", "--no-llm"]
    read, write = os.pipe()
    os.close(read)  # the reader went away before anything was written
    try:
        assert "closed by its reader" in one_line_exit_2(scan, stdout=write)
        assert "closed by its reader" in one_line_exit_2(["rules"], stdout=write)
    finally:
        os.close(write)
    closed = {"preexec_fn": lambda: os.close(1), "stdout": None}  # descriptor 1 closed, as `>&-` does
    assert "standard output is closed" in one_line_exit_2(scan, **closed)
    assert "standard output is closed" in one_line_exit_2(["rules"], **closed)
    out = tmp_path / "report.json"  # with --output the report does not need standard output
    proc = subprocess.run([*SLOPGUARD, *scan, "--format", "json", "--output", str(out)], stderr=subprocess.PIPE,
                          text=True, timeout=120, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 1 and json.loads(out.read_text())["findings"], proc.stderr


def test_database_errors_of_serve_and_db_upgrade_are_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLOPGUARD_")}
    env.update(SLOPGUARD_APP_ID="1", SLOPGUARD_PRIVATE_KEY="k", SLOPGUARD_WEBHOOK_SECRET="s",
               SLOPGUARD_WORKDIR=str(tmp_path))
    unreachable = {**env, "SLOPGUARD_DATABASE_URL": "postgresql://u:pw-secret@127.0.0.1:9/db"}
    err = one_line_exit_2(["serve", "--port", "0"], env=unreachable)
    assert "pw-secret" not in err and "127.0.0.1:9" in err
    err = one_line_exit_2(["db", "upgrade"], env={**env, "SLOPGUARD_DATABASE_URL": "nosuchdb://x/y"})
    assert "cannot use the database" in err
