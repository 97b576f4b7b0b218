"""Suggested fixes as GitHub ```suggestion blocks: the publisher posts them on the lines they replace,
and applying the block as GitHub does (the commented lines become the block's lines) fixes the code."""

from __future__ import annotations

import re
from pathlib import Path

from slopguard.app.github_client import GitHubClient
from slopguard.app.publisher import Publisher, PullRequest, ReviewState
from slopguard.config import default_config
from slopguard.engine import Target, scan

from tests.app.conftest import pr_repository
from tests.app.fake_github import FakeGitHub, Pull

BASE = {"client.py": "import requests\n\n\ndef get(url):\n    return requests.get(url, timeout=5)\n"}
HEAD = {
    "client.py": (
        "import os\n"
        "import requests\n"
        "\n"
        "\n"
        "def get(url):\n"
        "    return requests.get(url, timeout=5, verify=False)\n"
    ),
}
SUGGESTION = re.compile(r"```suggestion\n(.*?)```", re.S)


def apply_suggestion(text: str, comment: dict) -> str:
    """What "Commit suggestion" does on GitHub: lines start_line..line become the block's content."""
    (block,) = SUGGESTION.findall(comment["body"])
    lines = text.splitlines(keepends=True)
    start = comment.get("start_line", comment["line"])
    return "".join(lines[: start - 1]) + block + "".join(lines[comment["line"]:])


def test_inline_comments_carry_suggestions_that_fix_the_code(tmp_path: Path, fake_github: FakeGitHub,
                                                             client: GitHubClient) -> None:
    repo, head = pr_repository(tmp_path, BASE, HEAD)
    fake_github.add_pull(Pull("octo", "demo", 3, head, "main", repo))
    result = scan(Target(repo, "main", head, "change"), default_config())
    assert {f.rule for f in result.findings} >= {"python.dead-code.unused-import",
                                                 "python.insecure-auth.tls-verify-disabled"}
    Publisher(client.installation(1)).publish(PullRequest("octo", "demo", 3, head), result, default_config(),
                                              ReviewState())
    (review,) = fake_github.reviews_for(3)  # the fake accepted every comment's lines as lines of the diff
    with_blocks = [c for c in review["comments"] if "```suggestion" in c["body"]]
    assert len(with_blocks) == 2
    text = HEAD["client.py"]
    # apply the lower one first so the upper one's line numbers still hold
    for comment in sorted(with_blocks, key=lambda c: -c["line"]):
        text = apply_suggestion(text, comment)
    assert text == "import requests\n\n\ndef get(url):\n    return requests.get(url, timeout=5, verify=True)\n"
    others = [c for c in review["comments"] if c not in with_blocks]
    assert all("suggestion" not in c["body"] for c in others)
