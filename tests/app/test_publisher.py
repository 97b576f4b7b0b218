"""The publisher against the fake GitHub: reviews, summary comment, check run, 422s, repeats."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from slopguard.app import checks
from slopguard.app.errors import GitHubError
from slopguard.app.github_client import GitHubClient
from slopguard.app.publisher import Publisher, PullRequest, ReviewState, review_marker
from slopguard.config import Config, default_config
from slopguard.engine import Target, scan
from slopguard.models import FileDiff, Finding, Hunk, ScanResult, Severity
from slopguard.reporters import markdown

from tests.app.conftest import APP_ID, pr_repository
from tests.app.fake_github import FakeGitHub, Pull
from tests.app.harness import wait_for
from tests.app.test_github_client import FAST


def finding(line: int, end_line: int = 0, *, path: str = "app.py", severity: Severity = Severity.WARNING,
            fp: str = "", category: str = "error-handling", message: str = "something is off") -> Finding:
    return Finding(rule=f"python.{category}.test-rule", category=category, severity=severity, path=path,
                   line=line, end_line=end_line or line, message=message, fingerprint=fp or f"fp-{path}-{line}")


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, ScanResult]:
    """One real repository and its scan, shared by the tests (none of them changes it)."""
    repo, head = pr_repository(tmp_path_factory.mktemp("publisher"))
    return repo, head, scan(Target(repo, "main", head, "change"), default_config())


@pytest.fixture
def setup(scanned: tuple[Path, str, ScanResult], fake_github: FakeGitHub,
          client: GitHubClient) -> tuple[Publisher, PullRequest, ScanResult]:
    repo, head, result = scanned
    fake_github.add_pull(Pull("octo", "demo", 7, head, "main", repo))
    return Publisher(client.installation(1)), PullRequest("octo", "demo", 7, head), result


def publish(publisher: Publisher, pr: PullRequest, result: ScanResult, findings: list[Finding],
            state: ReviewState | None = None, config: Config | None = None) -> ReviewState:
    outcome = publisher.publish(pr, replace(result, findings=tuple(findings)), config or default_config(),
                                state or ReviewState())
    return outcome.state


def test_first_review_summary_and_check(setup: tuple[Publisher, PullRequest, ScanResult],
                                        fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    state = publisher.start_check(pr, ReviewState())
    run_id = state.check_runs[pr.head_sha]
    assert fake_github.check_runs[run_id]["status"] == "in_progress"
    findings = [finding(7, 8, severity=Severity.ERROR), finding(12, category="excessive-io"), finding(1)]
    state = publish(publisher, pr, result, findings, state)
    (review,) = fake_github.reviews_for(7)
    assert review["commit_id"] == pr.head_sha
    by_line = {c["line"]: c for c in review["comments"]}
    assert set(by_line) == {8, 12, 1}
    assert by_line[8]["start_line"] == 7 and by_line[8]["start_side"] == "RIGHT"
    assert "start_line" not in by_line[12] and "start_line" not in by_line[1]
    (summary,) = fake_github.summaries_for(7)
    assert "Risk" in summary["body"] and summary["id"] == state.summary_comment_id
    run = fake_github.check_runs[run_id]
    assert run["status"] == "completed" and run["conclusion"] == "failure"
    assert len(run["annotations"]) == 3
    assert set(state.posted) == {f.fingerprint for f in findings}


def test_second_push_edits_summary_and_posts_only_new(setup: tuple[Publisher, PullRequest, ScanResult],
                                                      fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    first = [finding(7), finding(12, category="excessive-io")]
    state = publish(publisher, pr, result, first)
    state = publish(publisher, pr, result, first, state)
    assert len(fake_github.reviews_for(7)) == 1  # nothing new: no second review
    second = [finding(12, category="excessive-io"), finding(2, fp="brand-new")]
    state = publish(publisher, pr, result, second, state)
    reviews = fake_github.reviews_for(7)
    assert len(reviews) == 2
    assert [c["line"] for c in reviews[1]["comments"]] == [2]
    (summary,) = fake_github.summaries_for(7)
    assert summary["edits"] == 2
    assert "Resolved since the last review (1)" in summary["body"] and "`app.py:7`" in summary["body"]
    assert len(fake_github.calls("POST", r"/check-runs$")) == 1  # created on the first publish, reused


def test_cap_and_lines_outside_the_diff(setup: tuple[Publisher, PullRequest, ScanResult],
                                        fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    findings = [finding(5), finding(6), finding(7), finding(1, path="README.md", message="outside the change")]
    config = replace(default_config(), max_inline_comments=2)
    state = publish(publisher, pr, result, findings, config=config)
    (review,) = fake_github.reviews_for(7)
    assert len(review["comments"]) == 2
    assert "`app.py:7`" in review["body"] and "`README.md:1`" in review["body"]
    (summary,) = fake_github.summaries_for(7)
    assert "Not placed as inline comments" in summary["body"] and "outside the change" in summary["body"]
    assert len(state.posted) == 4


def test_422_keeps_the_rest_of_the_review(setup: tuple[Publisher, PullRequest, ScanResult],
                                          fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    ghost = FileDiff("ghost.py", None, "added", (Hunk(0, 0, 1, 3, added=("a", "b", "c")),))
    result = replace(result, files=(*result.files, ghost))
    findings = [finding(2, path="ghost.py", message="ghost finding"), finding(7)]
    publish(publisher, pr, result, findings)
    assert len(fake_github.calls("POST", r"/reviews$")) == 2
    (review,) = fake_github.reviews_for(7)
    assert [c["path"] for c in review["comments"]] == ["app.py"]
    assert "ghost.py:2" in review["body"]
    assert "ghost finding" in fake_github.summaries_for(7)[0]["body"]


def test_many_annotations_and_long_summary(setup: tuple[Publisher, PullRequest, ScanResult],
                                           fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    findings = [finding(1 + i % 12, fp=f"fp{i}", message="x" * 500 + str(i)) for i in range(120)]
    publish(publisher, pr, result, findings, config=replace(default_config(), fail_check_on=None))
    (run,) = fake_github.check_runs.values()
    assert len(run["annotations"]) == 120
    assert run["updates"] == 3 and run["conclusion"] == "neutral"
    assert len(run["output"]["summary"].encode()) <= 65535 and run["output"]["summary"].endswith("(truncated)\n")
    (review,) = fake_github.reviews_for(7)
    assert len(review["comments"]) == 25  # review.max_inline_comments default


def test_200_findings_with_long_paths_fit_githubs_byte_limit(setup: tuple[Publisher, PullRequest, ScanResult],
                                                             fake_github: FakeGitHub) -> None:
    """GitHub counts the check run summary in bytes: a report under 65,535 characters but over 65,535
    bytes is a 422 (the fake answers so too); the summary is cut on a character boundary instead."""
    publisher, pr, result = setup
    deep = "/".join(["répertoire-très-profond"] * 4)
    findings = [finding(1 + i % 12, fp=f"fp{i}", path=f"{deep}/module_{i}.py", message=f"« {'é' * 90} » {i}")
                for i in range(200)]
    report = markdown.render(replace(result, findings=tuple(findings)))
    assert len(report) <= 65535 < len(report.encode())  # the case a cut by characters gets wrong
    publish(publisher, pr, result, findings)
    (run,) = fake_github.check_runs.values()
    summary = run["output"]["summary"]
    assert run["status"] == "completed" and run["conclusion"] == "success"
    assert len(summary.encode()) <= 65535 and summary.endswith("(truncated)\n")
    assert summary.removesuffix(checks.TRUNCATED) in report
    assert len(run["annotations"]) == 200


def test_the_fake_refuses_a_summary_over_65535_bytes(fake_github: FakeGitHub, client: GitHubClient,
                                                     scanned: tuple[Path, str, ScanResult]) -> None:
    _, head, _ = scanned
    api = client.installation(1)
    with pytest.raises(GitHubError) as info:
        api.post("repos/octo/demo/check-runs", {"name": "x", "head_sha": head,
                                                "output": {"title": "t", "summary": "é" * 40000}})
    assert info.value.status == 422


def test_lost_state_finds_the_summary_again(setup: tuple[Publisher, PullRequest, ScanResult],
                                            fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    publish(publisher, pr, result, [finding(7)])
    publish(publisher, pr, result, [finding(7), finding(12)], ReviewState())
    assert len(fake_github.summaries_for(7)) == 1
    reviews = fake_github.reviews_for(7)
    assert [c["line"] for c in reviews[-1]["comments"]] == [12]


def test_deleted_summary_is_created_again(setup: tuple[Publisher, PullRequest, ScanResult],
                                          fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    state = publish(publisher, pr, result, [finding(7)])
    assert state.summary_comment_id is not None
    del fake_github.issue_comments[state.summary_comment_id]
    state2 = publish(publisher, pr, result, [finding(7)], state)
    assert state2.summary_comment_id != state.summary_comment_id
    assert len(fake_github.summaries_for(7)) == 1


def test_a_502_after_github_created_the_review_posts_no_duplicate(
        setup: tuple[Publisher, PullRequest, ScanResult], fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    fake_github.fail_after("POST", r"/pulls/7/reviews$", 502)  # created, but the answer is a 502
    publish(publisher, pr, result, [finding(7), finding(12, category="excessive-io")])
    (review,) = fake_github.reviews_for(7)
    assert "<!-- slopguard:review=" in review["body"]
    assert len(fake_github.calls("POST", r"/pulls/7/reviews$")) == 1
    assert len(fake_github.calls("GET", r"/pulls/7/reviews$")) == 1


def test_a_502_before_creation_is_retried_once_checked(setup: tuple[Publisher, PullRequest, ScanResult],
                                                      fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    fake_github.fail("POST", r"/pulls/7/reviews$", 502, count=2)
    publish(publisher, pr, result, [finding(7)])
    assert len(fake_github.reviews_for(7)) == 1
    assert len(fake_github.calls("POST", r"/pulls/7/reviews$")) == 3
    assert len(fake_github.calls("GET", r"/pulls/7/reviews$")) == 2



def test_a_review_post_answered_after_the_client_timeout_is_not_posted_again(
        scanned: tuple[Path, str, ScanResult], fake_github: FakeGitHub, app_keys: tuple[str, str]) -> None:
    """The POST outlives the client's 1 s timeout and GitHub creates the review at 2.5 s: the publisher
    waits until `settle_s` after the POST began, finds its marker, and does not post again."""
    repo, head, result = scanned
    fake_github.add_pull(Pull("octo", "demo", 7, head, "main", repo))
    gh = GitHubClient(fake_github.url, APP_ID, app_keys[0], policy=FAST, timeout_s=1.0)
    saved: list[ReviewState] = []
    publisher = Publisher(gh.installation(1), save=saved.append, settle_s=4.0)
    fake_github.hold("POST", r"/pulls/7/reviews$", 2.5)
    try:
        publish(publisher, PullRequest("octo", "demo", 7, head), result, [finding(7), finding(12)])
    finally:
        gh.close()
    assert len(fake_github.reviews_for(7)) == 1
    assert len(fake_github.calls("POST", r"/pulls/7/reviews$")) == 1
    assert saved[0].pending_review and "<!-- slopguard:review=" in saved[0].pending_review  # before the POST
    assert saved[-1].pending_review is None and len(saved[-1].posted) == 2  # after it


def test_a_review_pending_from_a_dead_worker_is_found_before_posting(
        setup: tuple[Publisher, PullRequest, ScanResult], fake_github: FakeGitHub) -> None:
    """A worker died while its POST was in flight (held 1 s by the fake): the next one sees the
    pending marker, waits until the POST must have landed, finds the review and posts nothing."""
    publisher, pr, result = setup
    findings = [finding(7), finding(12)]
    marker = review_marker(pr.head_sha, findings)
    pending = ReviewState(pending_review=marker, pending_since=time.time())
    fake_github.hold("POST", r"/pulls/7/reviews$", 1.0)
    dead = threading.Thread(target=publisher.api.post, args=("repos/octo/demo/pulls/7/reviews", {
        "commit_id": pr.head_sha, "event": "COMMENT", "body": "earlier attempt\n\n" + marker, "comments": []}))
    dead.start()
    try:
        wait_for(lambda: fake_github.calls("POST", r"/pulls/7/reviews$"), what="the dead worker's POST")
        later = Publisher(publisher.api, settle_s=2.0)
        state = publish(later, pr, result, findings, pending)
    finally:
        dead.join(timeout=10)
    assert len(fake_github.reviews_for(7)) == 1 and len(fake_github.calls("POST", r"/pulls/7/reviews$")) == 1
    assert set(state.posted) == {f.fingerprint for f in findings} and state.pending_review is None


def test_an_old_pending_marker_that_never_landed_is_posted(setup: tuple[Publisher, PullRequest, ScanResult],
                                                           fake_github: FakeGitHub) -> None:
    publisher, pr, result = setup
    findings = [finding(7)]
    pending = ReviewState(pending_review=review_marker(pr.head_sha, findings), pending_since=time.time() - 60)
    publish(publisher, pr, result, findings, pending)
    assert len(fake_github.reviews_for(7)) == 1
    assert len(fake_github.calls("GET", r"/pulls/7/reviews$")) == 1  # looked once, then posted
