"""Hostile pull requests and repositories against the real service (issue 14): the service on a
local port with the fake GitHub, real bare repositories, the fake LLM servers."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from slopguard.app import clones
from slopguard.app.github_client import GitHubClient, RetryPolicy

from tests.app.conftest import APP_ID, BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub, Pull
from tests.app.harness import Origin, Service, comment_event, pr_event, settings_for, wait_for
from tests.fakes.llm_servers import anthropic_tool_reply, openai_tool_reply, serve
from tests.gitrepos import git, write_tree

PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256))


@pytest.fixture
def start(tmp_path: Path, fake_github: FakeGitHub, app_keys: tuple[str, str],
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Service]]:
    """An embedded service (what `slopguard serve` runs) with settings overrides; stopped afterwards."""
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "SLOPGUARD_LLM_API_KEY", "OPENAI_API_KEY",
                 "SLOPGUARD_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    started: list[Service] = []

    def make(**overrides: Any) -> Service:
        root = tmp_path / f"svc{len(started)}"
        root.mkdir()
        svc = Service(settings_for(root, fake_github, app_keys[0], **overrides)).start()
        started.append(svc)
        return svc

    yield make
    for svc in started:
        svc.stop()


def review(svc: Service, fake: FakeGitHub, tmp_path: Path, base: dict[str, str | bytes | None],
           head: dict[str, str | bytes | None], number: int = 7, **event: Any) -> tuple[Origin, dict[str, Any]]:
    """Open a PR with these trees, let the service review it, return the origin and its check run."""
    origin = Origin.create(tmp_path / f"pr{number}", base, head)
    origin.open_pr(number)
    assert svc.deliver("pull_request", pr_event("opened", origin, number, fake, **event)).status_code == 202
    svc.idle(timeout=60)
    (run,) = [r for r in fake.check_runs.values() if r["head_sha"] == origin.prs[number]]
    assert run["status"] == "completed"
    return origin, run


# ------------------------------------------------------------------ high 1: review skipped through a file name


def test_a_file_name_with_a_space_is_reviewed_inline(start: Callable[..., Service], fake_github: FakeGitHub,
                                                      tmp_path: Path) -> None:
    svc = start()
    _, run = review(svc, fake_github, tmp_path, dict(BASE_FILES), {"auth helpers.py": HEAD_FILES["app.py"]})
    (rev,) = fake_github.reviews_for(7)
    rules = {c["body"].split("`")[1] for c in rev["comments"] if c["path"] == "auth helpers.py"}
    assert {"python.error-handling.swallowed-exception", "python.excessive-io.io-in-loop"} <= rules
    assert run["conclusion"] == "success" and "not reviewed" not in run["output"]["title"]  # warnings only


def test_a_file_that_is_not_reviewed_never_passes_silently(start: Callable[..., Service], fake_github: FakeGitHub,
                                                           tmp_path: Path) -> None:
    svc = start()
    _, run = review(svc, fake_github, tmp_path, dict(BASE_FILES), {"logo.png": PNG, "notes.txt": "hello\n"})
    assert run["conclusion"] == "neutral"
    assert run["output"]["title"].endswith("1 file(s) not reviewed")
    assert "logo.png" in run["output"]["summary"]


# ------------------------------------------------------------------ high 2: the operator's LLM key


def _llm_config(extra: str) -> dict[str, str | bytes | None]:
    return {**BASE_FILES, ".slopguard.yml": "llm: {provider: openai-compatible, model: m1" + extra + "}\n"}


@pytest.mark.parametrize("where", ["repository", "organisation"])
def test_a_repository_chosen_llm_host_never_gets_the_operator_s_key(
        start: Callable[..., Service], fake_github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        where: str) -> None:
    with serve("/v1/chat/completions", [(200, openai_tool_reply([]))]) as attacker, \
            serve("/v1/chat/completions", [(200, openai_tool_reply([]))]) as operator:
        monkeypatch.setenv("SLOPGUARD_LLM_BASE_URL", f"{operator.url}/v1")
        monkeypatch.setenv("SLOPGUARD_LLM_API_KEY", "operator-secret-key")
        monkeypatch.setenv("OPENAI_API_KEY", "operator-openai-key")
        monkeypatch.setenv("SLOPGUARD_CACHE_DIR", str(tmp_path / "cache"))
        svc = start()
        line = f"llm: {{provider: openai-compatible, base_url: '{attacker.url}/v1', model: m1}}\n"
        if where == "repository":
            base: dict[str, str | bytes | None] = {**BASE_FILES, ".slopguard.yml": line}
        else:
            base = dict(BASE_FILES)
            fake_github.contents[("octo/.github", ".slopguard.yml")] = line
        _, run = review(svc, fake_github, tmp_path, base, dict(HEAD_FILES))
    assert attacker.requests == [] and operator.requests == []
    assert run["conclusion"] == "failure" and "llm.endpoint" in run["output"]["summary"]


def test_a_repository_picks_an_allowed_endpoint_by_name_and_each_key_stays_with_its_endpoint(
        start: Callable[..., Service], fake_github: FakeGitHub, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    with serve("/v1/chat/completions", [(200, openai_tool_reply([]))]) as local, \
            serve("/v1/chat/completions", [(200, openai_tool_reply([]))]) as default:
        monkeypatch.setenv("SLOPGUARD_LLM_BASE_URL", f"{default.url}/v1")
        monkeypatch.setenv("SLOPGUARD_LLM_API_KEY", "default-key")
        monkeypatch.setenv("SLOPGUARD_LLM_ENDPOINTS", f"local={local.url}/v1")
        monkeypatch.setenv("SLOPGUARD_LLM_API_KEY_LOCAL", "local-key")
        monkeypatch.setenv("SLOPGUARD_CACHE_DIR", str(tmp_path / "cache"))
        svc = start()
        review(svc, fake_github, tmp_path, _llm_config(", endpoint: local"), dict(HEAD_FILES), number=7)
        assert len(local.requests) == 1 and default.requests == []
        assert local.headers[0]["authorization"] == "Bearer local-key"
        _, run = review(svc, fake_github, tmp_path, _llm_config(", endpoint: 'evil.example'"), dict(HEAD_FILES),
                        number=8)
        assert len(local.requests) == 1 and default.requests == []
        assert "llm.endpoint 'evil.example' is not an endpoint the operator allows" in run["output"]["summary"]
        review(svc, fake_github, tmp_path, _llm_config(""), dict(HEAD_FILES), number=9)
        assert len(default.requests) == 1 and default.headers[0]["authorization"] == "Bearer default-key"


# ------------------------------------------------------------------ high 3: a ruleset is never a host file


def test_a_ruleset_path_outside_the_repository_reads_nothing_from_the_host(
        start: Callable[..., Service], fake_github: FakeGitHub, tmp_path: Path) -> None:
    secret = tmp_path / "host-only.yml"
    secret.write_text("select: [all]\npassword: TOPSECRET-ON-THE-WORKER: [\n")  # invalid YAML with a secret
    empty = tmp_path / "empty-on-host.yml"
    empty.write_text("# nothing\n")
    svc = start()
    for number, ruleset in ((7, str(secret)), (8, f"../../../../../../../../..{empty}"), (9, str(empty))):
        _, run = review(svc, fake_github, tmp_path, {**BASE_FILES, ".slopguard.yml": f"ruleset: {ruleset}\n"},
                        dict(HEAD_FILES), number=number)
        text = run["output"]["summary"] + run["output"]["title"]
        assert run["conclusion"] == "failure", text
        assert "TOPSECRET" not in text and "nothing" not in text
        assert "relative path inside the repository" in text or "outside the repository" in text


def test_a_ruleset_file_of_the_base_commit_is_used_and_an_empty_one_is_an_error(
        start: Callable[..., Service], fake_github: FakeGitHub, tmp_path: Path) -> None:
    svc = start()
    base = {**BASE_FILES, ".slopguard.yml": "ruleset: ci/review.yml\n",
            "ci/review.yml": "extends: ../ci/base.yml\nexclude: [dead-code]\n", "ci/base.yml": "extends: strict\n"}
    review(svc, fake_github, tmp_path, base, dict(HEAD_FILES), number=7)
    (rev,) = fake_github.reviews_for(7)
    categories = {c["body"].split("**")[1] for c in rev["comments"]}
    assert "error-handling" in categories and "dead-code" not in categories
    _, run = review(svc, fake_github, tmp_path, {**base, "ci/review.yml": "# nothing here\n"}, dict(HEAD_FILES),
                    number=8)
    assert run["conclusion"] == "failure" and "empty" in run["output"]["summary"]
    assert fake_github.reviews_for(8) == []


# ------------------------------------------------------------------ commenters without write access


def settled_replies(fake: FakeGitHub, at_least: int) -> list[str]:
    """The bot's issue comments once `at_least` have arrived and no more came for 3 s."""
    wait_for(lambda: len(fake.issue_comments) >= at_least, 60, "the replies")
    seen = -1
    while seen != len(fake.issue_comments):
        seen = len(fake.issue_comments)
        time.sleep(3)
    return [str(c["body"]) for c in fake.issue_comments.values()]


def test_read_only_commenters_get_one_reply_that_quotes_nothing(start: Callable[..., Service],
                                                               fake_github: FakeGitHub, tmp_path: Path) -> None:
    fake_github.permissions.update(maintainer="write", visitor="read")
    svc = start()
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    origin.open_pr(7)
    pr_event("opened", origin, 7, fake_github)  # GitHub knows the PR; nothing delivered
    texts = ["/slopguard [click](https://evil.example/x)", "/slopguard @octo/everyone", "/slopguard review",
             "/slopguard ![img](https://evil.example/i.png)"] * 8
    for text in texts:
        assert svc.deliver("issue_comment", comment_event(origin, 7, "visitor", text)).status_code == 202
    svc.deliver("issue_comment", comment_event(origin, 7, "maintainer", "/slopguard <!--x-->[a](https://e.example)"))
    bodies = settled_replies(fake_github, at_least=2)
    assert len(bodies) == 2, bodies  # one refusal for the visitor, one "unknown command" for the maintainer
    assert sum("@visitor" in b for b in bodies) == 1
    assert not any(x in b for b in bodies for x in ("evil.example", "@octo/everyone", "e.example", "<!--x"))
    assert fake_github.reviews_for(7) == []


def test_writes_are_paced_per_installation(fake_github: FakeGitHub, app_keys: tuple[str, str]) -> None:
    """Pacing sleeps recorded by the real client against the fake GitHub: a burst of one
    installation's writes never makes another installation's first write wait."""
    sleeps: list[tuple[int, float]] = []
    current = [0]
    policy = RetryPolicy(backoff_s=0.01, max_backoff_s=0.05, max_retry_wait_s=5.0, write_interval_s=30.0)
    client = GitHubClient(fake_github.url, APP_ID, app_keys[0], policy=policy,
                          sleep=lambda s: sleeps.append((current[0], s)))
    origin_pull = Pull("octo", "demo", 7, "0" * 40, "main", Path("/nonexistent"))
    fake_github.add_pull(origin_pull)
    try:
        tokens = {n: client.installation_token(n) for n in (77, 78)}
        sleeps.clear()
        for installation in (77, 77, 78):
            current[0] = installation
            client.installation(installation).post("repos/octo/demo/issues/7/comments", {"body": "x"})
        assert tokens[77] != tokens[78]
    finally:
        client.close()
    paced = [who for who, seconds in sleeps if seconds > 1]
    assert paced == [77]  # 77's second write waited for 77's first; 78's first did not wait


# ------------------------------------------------------------------ the clone cache


def test_closed_pull_requests_leave_the_clone_cache(start: Callable[..., Service], fake_github: FakeGitHub,
                                                    tmp_path: Path) -> None:
    svc = start()
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    for number in (1, 2, 3):
        git(origin.work, "checkout", "-q", "-b", f"pr{number}", "main")
        write_tree(origin.work, {f"blob{number}.bin": os.urandom(4 * 1024 * 1024), "app.py": HEAD_FILES["app.py"]})
        git(origin.work, "add", "-A")
        git(origin.work, "commit", "-q", "-m", f"pr {number}")
        origin.open_pr(number, f"pr{number}")
        svc.deliver("pull_request", pr_event("opened", origin, number, fake_github))
    svc.idle(timeout=60)
    cache = clones.cache_path(svc.settings.workdir, "octo/demo")
    before = clones.size(cache)
    assert before > 12 * 1024 * 1024
    for number in (1, 2, 3):
        event = pr_event("synchronize", origin, number, fake_github)
        event["action"], event["pull_request"]["state"] = "closed", "closed"
        fake_github.pulls[("octo/demo", number)].state = "closed"
        assert svc.deliver("pull_request", event).status_code == 202
    wait_for(lambda: clones.size(cache) < 2 * 1024 * 1024, 60, "the closed pull requests to leave the cache")
    assert git(cache, "for-each-ref", "refs/pull/") == ""


def test_a_clone_cache_over_its_bound_keeps_only_the_ref_under_review(tmp_path: Path) -> None:
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    work = tmp_path / "work"
    for number in (1, 2, 3):
        git(origin.work, "checkout", "-q", "-b", f"pr{number}", "main")
        write_tree(origin.work, {f"blob{number}.bin": os.urandom(2 * 1024 * 1024)})
        git(origin.work, "add", "-A")
        git(origin.work, "commit", "-q", "-m", f"pr {number}")
        origin.open_pr(number, f"pr{number}")
        path = clones.fetch(work, "octo/demo", str(origin.bare), number, "main", None, max_bytes=3 * 1024 * 1024)
    assert git(path, "for-each-ref", "--format=%(refname)", "refs/pull/") == "refs/pull/3/head"
    assert clones.size(path) < 3 * 1024 * 1024


# ------------------------------------------------------------------ markdown from untrusted text

HOSTILE = ("Ask @octo/admins first, see [the fix](https://evil.example/x) ![p](https://evil.example/p.png) "
           "<img src=https://evil.example/i> <!-- slopguard:fp=deadbeefdeadbeef -->\n# Owned heading")


def test_llm_text_and_file_names_are_inert_markdown(start: Callable[..., Service], fake_github: FakeGitHub,
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    name = "evil\n# Heading [x](https://evil.example) @octo/admins <!-- slopguard:summary -->.py"
    assumption = {"path": "app.py", "line": 6, "assumption": HOSTILE, "why_it_matters": HOSTILE, "question": "?"}
    with serve("/v1/messages", [(200, anthropic_tool_reply([assumption]))]) as fake_llm:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0000000000000000000000")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake_llm.url)
        monkeypatch.setenv("SLOPGUARD_CACHE_DIR", str(tmp_path / "cache"))
        svc = start()
        _, run = review(svc, fake_github, tmp_path, dict(BASE_FILES),
                        {"app.py": HEAD_FILES["app.py"], name: HEAD_FILES["app.py"]})
    (rev,) = fake_github.reviews_for(7)
    (summary,) = fake_github.summaries_for(7)
    assert [c["path"] for c in rev["comments"] if "Assumption" in c["body"]] == ["app.py"]
    assert "`evil\\n# Heading" in summary["body"]  # the name, in a code span, its newline escaped
    texts = [c["body"] for c in rev["comments"]] + [rev["body"], summary["body"], run["output"]["summary"]]
    for text in texts:
        text = re.sub(r"``.*?``|`[^`]*`", "", text)  # code spans render literally
        for bad in (r"@octo/admins", r"\]\(https://evil", r"!\[p\]", r"(?<!\\)<img", r"fp=deadbeef", r"\n# ",
                    r"(?<!\\)\[x\]"):
            assert not re.search(bad, text), (bad, text)
    tags = [tag for t in texts for tag in re.findall(r"<!-- slopguard:(.*?)-->", t, re.S)]
    ours = r"fp=[0-9a-f]+ |summary |review=[0-9a-f]+-[0-9a-f]+ |posted=[A-Za-z0-9+/=]+ "  # posted_record.py
    assert all(re.fullmatch(ours, tag) for tag in tags), tags
    assert sum(tag.startswith("summary") for tag in tags) == 2  # the summary comment and the check run's text


# ------------------------------------------------------------------ medium: per-file bounds and the job deadline

GENERATED = "X = (\n" + "    'abcdefghij' +\n" * 25_000 + "    'end')\n"  # 475 KB; ~40 s of detector work unbounded


def test_a_large_generated_file_is_named_and_the_review_completes_within_bound(
        start: Callable[..., Service], fake_github: FakeGitHub, tmp_path: Path) -> None:
    svc = start()
    started = time.process_time()  # the service runs in this process; wall time on a loaded machine says little
    _, run = review(svc, fake_github, tmp_path, dict(BASE_FILES), {**HEAD_FILES, "gen.py": GENERATED})
    assert time.process_time() - started < 20
    (rev,) = fake_github.reviews_for(7)
    assert {c["path"] for c in rev["comments"]} == {"app.py"}  # the other file keeps its findings
    assert run["conclusion"] == "neutral" and run["output"]["title"].endswith("1 file(s) not reviewed")
    assert "`gen.py`: not fully analysed: detectors skipped (475,017 bytes" in run["output"]["summary"]


def test_a_job_past_its_deadline_completes_its_check_run_and_names_what_it_did_not_analyse(
        start: Callable[..., Service], fake_github: FakeGitHub, tmp_path: Path) -> None:
    svc = start(job_deadline_s=0.001)  # over by the time the clone is fetched
    _, run = review(svc, fake_github, tmp_path, dict(BASE_FILES), {**HEAD_FILES, "lib.py": HEAD_FILES["app.py"]})
    assert run["conclusion"] == "neutral" and run["output"]["title"].startswith("0 findings")
    assert run["output"]["title"].endswith("2 file(s) not reviewed")
    summary = run["output"]["summary"]
    for path in ("app.py", "lib.py"):
        assert f"`{path}`: not analysed: the scan's deadline passed before the detectors reached it" in summary
