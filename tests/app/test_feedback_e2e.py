"""End to end: feedback on slopguard's inline comments, with the real service (embedded, and as
separate `serve` and `worker` processes on PostgreSQL and Redis) and the fake GitHub.

A `/slopguard wrong` reply is recorded and answered with a reaction; a resolved thread counts as
dismissed or, once a push changed its lines, as acted on; the 👍/👎 are read when the PR closes;
a rule marked wrong often enough goes to the summary only, and `/slopguard restore RULE` undoes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from slopguard.app.feedback_store import FeedbackStore

from tests.app import test_e2e as e2e
from tests.app.conftest import BASE_FILES, HEAD_FILES
from tests.app.fake_github import BOT, FakeGitHub
from tests.app.feedback_payloads import pull_request_closed, review_comment_created, review_thread
from tests.app.harness import Origin, comment_event, pr_event, wait_for
from tests.app.test_e2e import AnyService

# The end-to-end fixtures of test_e2e.py, in both deployment shapes (embedded, distributed).
mode, deployment, fake_github = e2e.mode, e2e.deployment, e2e.fake_github
start_service, service = e2e.start_service, e2e.service

RULE = "python.excessive-io.io-in-loop"
REPO = "octo/demo"


def io_function(i: int) -> str:
    return (f"\ndef fetch{i}(ids):\n    out = []\n    for i in ids:\n"
            f"        out.append(requests.get('http://svc{i}/%s' % i))\n    return out\n")


@pytest.fixture
def origin(tmp_path: Path) -> Origin:
    origin = Origin.create(tmp_path / "src", dict(BASE_FILES), dict(HEAD_FILES))
    origin.open_pr(7)
    return origin


def signals(service: AnyService, **match: Any) -> list[dict[str, Any]]:
    rows = FeedbackStore(service.store).signals(REPO)
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


def comment_on(fake: FakeGitHub, number: int, rule: str) -> dict[str, Any]:
    return next(c for c in fake.bot_comments(number) if f"`{rule}`" in c["body"])


def reactions_by_bot(fake: FakeGitHub, comment_id: int) -> list[str]:
    with fake.lock:
        return [r["content"] for r in fake.reactions.get(comment_id, []) if r["user"] == BOT]


def test_wrong_reply_is_recorded_and_acknowledged(service: AnyService, origin: Origin, fake_github: FakeGitHub) -> None:
    fake_github.permissions.update(maintainer="write", visitor="read")
    service.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
    service.idle()
    target = comment_on(fake_github, 7, RULE)
    fp = target["body"].split("<!-- slopguard:fp=", 1)[1].split(" ", 1)[0]

    reply = fake_github.reply_to(target["id"], "dev", "/slopguard wrong the list is three items long")
    assert service.deliver("pull_request_review_comment",
                           review_comment_created(origin, 7, fake_github, reply)).json()["status"] == "queued"
    wait_for(lambda: reactions_by_bot(fake_github, reply["id"]) == ["+1"], what="the 👍 on the reply")
    (row,) = signals(service, kind="wrong")
    assert (row["rule"], row["fingerprint"], row["user"], row["comment_id"]) == (RULE, fp, "dev", target["id"])
    assert row["reason"] == "the list is three items long"

    # Someone who neither wrote the PR nor can write to the repository: acknowledged, not counted.
    stranger = fake_github.reply_to(target["id"], "visitor", "/slopguard wrong")
    service.deliver("pull_request_review_comment", review_comment_created(origin, 7, fake_github, stranger))
    wait_for(lambda: reactions_by_bot(fake_github, stranger["id"]) == ["confused"], what="the 😕 on the reply")
    assert [r["user"] for r in signals(service)] == ["dev"]

    # A reply that is no command, and a command in a reply to someone else's comment: nothing recorded.
    chat = fake_github.reply_to(target["id"], "maintainer", "thanks, will look")
    assert service.deliver("pull_request_review_comment",
                           review_comment_created(origin, 7, fake_github, chat)).json()["status"] == "ignored"
    assert len(signals(service)) == 1


def test_resolved_thread_dismissed_or_acted_on(service: AnyService, origin: Origin, fake_github: FakeGitHub) -> None:
    service.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
    service.idle()
    swallowed = next(c for c in fake_github.bot_comments(7) if "error-handling" in c["body"])
    io = comment_on(fake_github, 7, RULE)

    service.deliver("pull_request_review_thread", review_thread("resolved", origin, 7, fake_github, swallowed["id"],
                                                                "maintainer"))
    wait_for(lambda: signals(service, kind="resolved"), what="the dismissed thread")
    service.deliver("pull_request_review_thread", review_thread("unresolved", origin, 7, fake_github, swallowed["id"],
                                                                "maintainer"))
    wait_for(lambda: not signals(service, kind="resolved"), what="the thread reopened")

    # A push rewrites the loop the I/O comment is on: GitHub marks that comment outdated.
    origin.push(7, {"app.py": HEAD_FILES["app.py"].replace(
        "    for i in ids:\n        requests.get('http://x/%s' % i)\n",
        "    return requests.post('http://x/batch', json=list(ids))\n")})
    service.deliver("pull_request", pr_event("synchronize", origin, 7, fake_github))
    service.idle()
    assert comment_on(fake_github, 7, RULE)["line"] is None and swallowed["line"] is not None
    service.deliver("pull_request_review_thread", review_thread("resolved", origin, 7, fake_github, io["id"], "dev"))
    wait_for(lambda: signals(service, kind="acted_on", user="dev"), what="the acted-on thread")
    (acted,) = signals(service, kind="acted_on", user="dev")
    assert acted["rule"] == RULE and acted["comment_id"] == io["id"]


def test_reactions_read_on_the_next_review_and_on_close(service: AnyService, origin: Origin,
                                                        fake_github: FakeGitHub) -> None:
    fake_github.permissions.update(maintainer="write", visitor="read")
    service.deliver("pull_request", pr_event("opened", origin, 7, fake_github))
    service.idle()
    io = comment_on(fake_github, 7, RULE)
    swallowed = next(c for c in fake_github.bot_comments(7) if "error-handling" in c["body"])
    fake_github.react(io["id"], "maintainer", "-1")
    origin.push(7, {"notes.md": "more\n"})  # the next review reads what is there by then
    service.deliver("pull_request", pr_event("synchronize", origin, 7, fake_github))
    service.idle()
    assert [(r["comment_id"], r["kind"], r["user"]) for r in signals(service)] == [
        (io["id"], "thumbs_down", "maintainer")]

    fake_github.react(io["id"], "dev", "-1")
    fake_github.react(swallowed["id"], "maintainer", "+1")
    fake_github.react(swallowed["id"], "visitor", "-1")  # read access, not the author: not counted
    fake_github.react(swallowed["id"], "dev", "heart")
    service.deliver("pull_request", pull_request_closed(origin, 7, fake_github))
    wait_for(lambda: len(signals(service)) == 3, what="the reactions to be read")
    got = sorted((r["comment_id"], r["kind"], r["user"]) for r in signals(service))
    assert got == sorted([(io["id"], "thumbs_down", "maintainer"), (io["id"], "thumbs_down", "dev"),
                          (swallowed["id"], "thumbs_up", "maintainer")])


def test_rule_demoted_after_enough_marks_and_restored(tmp_path: Path, service: AnyService,
                                                      fake_github: FakeGitHub) -> None:
    fake_github.permissions.update(maintainer="write", visitor="read")
    head = {"io.py": "import requests\n" + "".join(io_function(i) for i in range(5))}
    origin = Origin.create(tmp_path / "io", dict(BASE_FILES), head)
    origin.open_pr(9)
    service.deliver("pull_request", pr_event("opened", origin, 9, fake_github))
    service.idle()
    io_comments = [c for c in fake_github.bot_comments(9) if f"`{RULE}`" in c["body"]]
    assert len(io_comments) == 5
    for i, comment in enumerate(io_comments):
        verdict = "ignore not worth it" if i == 4 else "wrong these lists are tiny"
        reply = fake_github.reply_to(comment["id"], "maintainer", f"/slopguard {verdict}")
        service.deliver("pull_request_review_comment", review_comment_created(origin, 9, fake_github, reply))
    wait_for(lambda: len(signals(service)) == 5, what="five marks")

    # 4 of 5 marked wrong (>= 60%): the next review puts the rule's new finding in the summary only.
    origin.push(9, {"more.py": "import requests\n" + io_function(5)})
    service.deliver("pull_request", pr_event("synchronize", origin, 9, fake_github))
    service.idle()
    latest = fake_github.reviews_for(9)[-1]
    assert latest["commit_id"] == origin.prs[9]
    assert not any(f"`{RULE}`" in c["body"] for c in latest["comments"])
    assert "more.py" in latest["body"] and RULE in latest["body"]
    (summary,) = fake_github.summaries_for(9)
    assert f"`{RULE}`: 4 of its 5 marked inline comments" in summary["body"]
    assert "/slopguard restore RULE" in summary["body"]

    # A reader may not restore it (a 😕 on the comment, no reply); a maintainer may.
    asked = fake_github.comment_as(REPO, 9, "visitor", f"/slopguard restore {RULE}")
    event = comment_event(origin, 9, "visitor", asked["body"])
    event["comment"]["id"] = asked["id"]
    comments_before = len(fake_github.issue_comments)
    service.deliver("issue_comment", event)
    wait_for(lambda: reactions_by_bot(fake_github, asked["id"]) == ["confused"], what="the 😕 on the request")
    assert len(fake_github.issue_comments) == comments_before
    assert FeedbackStore(service.store).calibration(REPO)[RULE]["state"] == "demoted"
    service.deliver("issue_comment", comment_event(origin, 9, "maintainer", f"/slopguard restore {RULE}"))
    wait_for(lambda: any(f"`{RULE}` is restored" in c["body"] for c in fake_github.issue_comments.values()),
             what="the restore acknowledgement")
    origin.push(9, {"again.py": "import requests\n" + io_function(6)})
    service.deliver("pull_request", pr_event("synchronize", origin, 9, fake_github))
    service.idle()
    latest = fake_github.reviews_for(9)[-1]
    assert any(f"`{RULE}`" in c["body"] and c["path"] == "again.py" for c in latest["comments"])
    assert "Shown in this summary only" not in fake_github.summaries_for(9)[0]["body"]
