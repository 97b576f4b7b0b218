"""A local fake of GitHub's REST API: a real HTTP server on 127.0.0.1.

It follows GitHub's documented request and response shapes for what the App uses and enforces what
GitHub enforces: App JWTs (RS256, verified with the test App's public key, iss = App id, at most ten
minutes), installation tokens on every repository call, review comments only on lines of the pull
request's diff (computed with `git diff` from the local repository, three lines of context, like
GitHub), at most 50 check run annotations per request, check run output counted in bytes (65,535).
Faults (502s, rate limits) are injected per endpoint; a secondary rate limit on writes can be switched
on, and a primary rate limit per installation (`primary_limits`: installation id -> reset time on the
fake's `clock`, which a test may move forward) answers that installation's calls with GitHub's 403
and x-ratelimit-* headers until it resets. Webhooks: `send_webhook` delivers an event to
`webhook_url` signed as GitHub signs it and logs the attempt in the App's delivery log, which the App
reads with `GET /app/hook/deliveries` and redelivers with `POST /app/hook/deliveries/{id}/attempts`.
Installation tokens may be narrowed (`repositories` / `repository_ids`, `permissions`): a call to
another repository with such a token is answered 404, as GitHub does. A renamed repository
(`rename`) answers its old name with 301 (GET) or 307 (other methods) and a Location on the new one.
GraphQL (`POST /graphql`, on GHES `/api/graphql`): the two operations the App sends, a pull request's
`reviewThreads` (one thread per top-level review comment) and `resolveReviewThread`, in GitHub's shapes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from tests.app.fake_github_feedback import FeedbackEndpoints
from tests.app.fake_github_oauth import OAuthEndpoints
from tests.app.fake_lifecycle import LifecycleEndpoints, Reply, repository_id

__all__ = ["BOT", "FakeGitHub", "Fault", "Pull", "Reply", "repository_id"]

BOT = {"login": "slopguard[bot]", "id": 99, "type": "Bot"}


SECONDARY_MESSAGE = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."


@dataclass
class Pull:
    owner: str
    repo: str
    number: int
    head_sha: str
    base_ref: str
    repo_path: Path  # the local repository holding both commits (the App's clone_url)
    title: str = "A change"
    body: str = ""
    draft: bool = False
    head_repo: str = ""  # owner/name of a fork; default: the base repository
    author: str = "dev"

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"


@dataclass
class Fault:
    method: str
    pattern: str
    status: int
    count: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    message: str = "Server Error"
    hold_s: float = 0.0  # with status 0: answer normally after holding the request this long
    after: bool = False  # act on the request first, then answer with the error (GitHub's "502 but done")


class FakeGitHub(LifecycleEndpoints, FeedbackEndpoints, OAuthEndpoints):
    def __init__(self, app_id: str, public_key: str, prefix: str = "") -> None:
        self.app_id = app_id
        self.public_key = public_key
        self.prefix = prefix.rstrip("/")
        self.lock = threading.RLock()
        self._init_feedback()
        self._init_oauth()
        self.pulls: dict[tuple[str, int], Pull] = {}
        self.tokens: dict[str, float] = {}
        self.permissions: dict[str, str] = {}
        self.contents: dict[tuple[str, str], str] = {}  # (owner/repo, path) -> text on the default branch
        self.issue_comments: dict[int, dict[str, Any]] = {}
        self.review_comments: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, Any]] = []
        self.faults: list[Fault] = []
        self.secondary_limit: tuple[int, float] | None = None  # (writes, per seconds)
        self._writes: list[float] = []
        self._ids = iter(range(1000, 10**9))
        self.token_ttl_s = 3600.0
        self.clock: Callable[[], float] = time.time
        self.primary_limits: dict[int, float] = {}  # installation id -> when its primary limit resets
        self.token_installation: dict[str, int] = {}
        self.limited: list[tuple[float, str, str]] = []  # (clock, method, path) answered with a primary limit
        self.abandoned = 0  # answers the client was no longer there to read
        self.repo_ids: dict[str, int] = {}  # owner/name -> id, for renamed repositories
        self.renamed: dict[str, str] = {}  # old owner/name -> new owner/name
        self.token_scopes: dict[str, dict[str, Any]] = {}  # token -> the body that asked for it
        self.resolved_threads: set[str] = set()
        self.webhook_url = ""
        self.webhook_secret = ""
        self.hook_deliveries: list[dict[str, Any]] = []  # the App's delivery log, oldest first
        self._hook_bodies: dict[str, tuple[str, dict[str, Any]]] = {}  # guid -> (event, payload)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{self.prefix}"

    def start(self) -> FakeGitHub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    # ------------------------------------------------------------------ test helpers

    def reset(self) -> None:
        """Forget everything but the installation tokens handed out (a long-running App keeps them)."""
        with self.lock:
            self._reset_feedback()
            self._reset_oauth()
            for store in (self.pulls, self.permissions, self.contents, self.issue_comments, self.check_runs):
                store.clear()
            for items in (self.review_comments, self.reviews, self.requests, self.faults, self._writes):
                items.clear()
            self.secondary_limit = None
            self.token_ttl_s = 3600.0
            self.primary_limits.clear()
            self.limited.clear()
            self.abandoned = 0
            self.hook_deliveries.clear()
            self.renamed.clear()
            self.resolved_threads.clear()
            self.repo_ids.clear()
            self._hook_bodies.clear()

    def add_pull(self, pull: Pull) -> None:
        with self.lock:
            self.pulls[(pull.full_name, pull.number)] = pull

    def fail(self, method: str, pattern: str, status: int, count: int = 1, headers: dict[str, str] | None = None,
             message: str = "Server Error") -> None:
        with self.lock:
            self.faults.append(Fault(method, pattern, status, count, headers or {}, message))

    def fail_after(self, method: str, pattern: str, status: int, count: int = 1) -> None:
        """Carry out matching requests, then answer them with `status` anyway."""
        with self.lock:
            self.faults.append(Fault(method, pattern, status, count, message="Bad Gateway", after=True))

    def hold(self, method: str, pattern: str, seconds: float, count: int = 1) -> None:
        """Keep matching requests waiting `seconds` before answering them (a slow GitHub)."""
        with self.lock:
            self.faults.append(Fault(method, pattern, 0, count, hold_s=seconds))

    def calls(self, method: str, pattern: str) -> list[tuple[str, str, Any]]:
        with self.lock:
            return [r for r in self.requests if r[0] == method and re.search(pattern, r[1])]

    def reviews_for(self, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.reviews if r["pull_number"] == number]

    def summaries_for(self, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return [c for c in self.issue_comments.values()
                    if c["issue_number"] == number and "<!-- slopguard:summary -->" in c["body"]]

    # ------------------------------------------------------------------ dispatch

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        parts = urlsplit(raw_path)
        path = parts.path
        if path == self.prefix.removesuffix("/v3") + "/graphql":  # GHES: /api/graphql beside /api/v3
            path = self.prefix + "/graphql"
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                return Reply(404, {"message": "Not Found"})
            path = path[len(self.prefix):]
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if path.startswith("/login/oauth/"):  # github.com's pages (same host as the API here)
            return self.oauth_page(method, path, query, body)
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return Reply(400, {"message": "Problems parsing JSON"})
        with self.lock:
            self.requests.append((method, path, data))
            fault = next((f for f in self.faults
                          if f.method == method and re.search(f.pattern, path) and f.count), None)
            if fault:
                fault.count -= 1
        if fault and fault.status == 0:
            time.sleep(fault.hold_s)
        elif fault and not fault.after:
            return Reply(fault.status, {"message": fault.message}, dict(fault.headers))
        auth = headers.get("authorization", "")
        if path == "/user" or path.startswith("/user/"):
            with self.lock:
                return self.user_api(method, path, auth, query)
        if path.startswith("/app/"):
            if not self._jwt_ok(auth):
                return Reply(401, {"message": "A JSON web token could not be decoded",
                                   "documentation_url": "https://docs.github.com/rest"})
        elif not self._token_ok(auth):
            return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        else:
            installation = self.token_installation.get(auth.partition(" ")[2], 0)
            reset = self.primary_limits.get(installation)
            if reset is not None and self.clock() < reset:
                with self.lock:
                    self.limited.append((self.clock(), method, path))
                return Reply(403, {"message": f"API rate limit exceeded for installation ID {installation}.",
                                   "documentation_url": "https://docs.github.com/rest/rate-limit"},
                             {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0", "x-ratelimit-used": "5000",
                              "x-ratelimit-reset": str(int(reset)), "x-ratelimit-resource": "core"})
        repo_path = re.match(r"/repos/([^/]+/[^/]+)(/.*)?$", path)
        if repo_path and repo_path[1] in self.renamed:
            moved = f"{self.url}/repos/{self.renamed[repo_path[1]]}{repo_path[2] or ''}"
            moved += f"?{parts.query}" if parts.query else ""
            return Reply(301 if method == "GET" else 307, {
                "message": "Moved Permanently", "url": moved,
                "documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api"},
                {"location": moved})
        if repo_path and not self._in_scope(auth, repo_path[1]):
            return Reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        if method != "GET" and self._over_secondary_limit():
            return Reply(403, {"message": SECONDARY_MESSAGE}, {"retry-after": "1"})
        for verb, pattern, fn in self._routes():
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                with self.lock:
                    reply = fn(match, data, query)
                if fault and fault.after:
                    return Reply(fault.status, {"message": fault.message}, dict(fault.headers))
                return reply
        return Reply(404, {"message": "Not Found"})

    def _routes(self) -> list[tuple[str, str, Callable[[re.Match[str], Any, dict[str, str]], Reply]]]:
        repo = r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)"
        return [
            ("POST", r"/app/installations/(?P<id>\d+)/access_tokens", self._access_token),
            ("POST", r"/graphql", self._graphql),
            ("PUT", repo + r"/pulls/(?P<n>\d+)/reviews/(?P<id>\d+)/dismissals", self._dismiss_review),
            ("GET", r"/app/hook/deliveries", self._list_hook_deliveries),
            ("POST", r"/app/hook/deliveries/(?P<id>\d+)/attempts", self._redeliver),
            ("GET", repo + r"/pulls/(?P<n>\d+)", self._get_pull),
            ("GET", repo + r"/pulls/(?P<n>\d+)/files", self._pull_files),
            ("POST", repo + r"/pulls/(?P<n>\d+)/reviews", self._create_review),
            ("GET", repo + r"/pulls/(?P<n>\d+)/comments", self._list_review_comments),
            ("GET", repo + r"/issues/(?P<n>\d+)/comments", self._list_issue_comments),
            ("POST", repo + r"/issues/(?P<n>\d+)/comments", self._create_issue_comment),
            ("PATCH", repo + r"/issues/comments/(?P<id>\d+)", self._edit_issue_comment),
            ("POST", repo + r"/check-runs", self._create_check_run),
            ("PATCH", repo + r"/check-runs/(?P<id>\d+)", self._update_check_run),
            ("GET", repo + r"/commits/(?P<ref>[^/]+)/check-runs", self._list_check_runs_for_ref),
            ("GET", repo + r"/collaborators/(?P<user>[^/]+)/permission", self._permission),
            ("GET", repo + r"/contents/(?P<path>.+)", self._get_contents),
            ("GET", repo + r"/pulls/(?P<n>\d+)/reviews", self._list_reviews),
            *self._feedback_routes(),
        ]

    # ------------------------------------------------------------------ auth

    def _jwt_ok(self, auth: str) -> bool:
        if not auth.startswith("Bearer "):
            return False
        try:
            claims = jwt.decode(auth[7:], self.public_key, algorithms=["RS256"],
                                options={"require": ["iat", "exp", "iss"]}, leeway=60)
        except jwt.PyJWTError:
            return False
        return str(claims["iss"]) == self.app_id and int(claims["exp"]) - int(claims["iat"]) <= 660

    def _token_ok(self, auth: str) -> bool:
        scheme, _, token = auth.partition(" ")
        if scheme.lower() not in ("token", "bearer"):
            return False
        with self.lock:
            expires = self.tokens.get(token)
        return expires is not None and expires > time.time()

    def _over_secondary_limit(self) -> bool:
        if self.secondary_limit is None:
            return False
        limit, window = self.secondary_limit
        now = time.monotonic()
        with self.lock:
            self._writes = [t for t in self._writes if now - t < window]
            if len(self._writes) >= limit:
                return True
            self._writes.append(now)
        return False

    # ------------------------------------------------------------------ endpoints

    def _access_token(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        token = "ghs_" + secrets.token_hex(16)
        expires = time.time() + self.token_ttl_s
        self.tokens[token] = expires
        self.token_installation[token] = int(m["id"])
        scope = dict(data) if isinstance(data, dict) else {}
        self.token_scopes[token] = scope
        stamp = datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        permissions = scope.get("permissions") or {"pull_requests": "write", "checks": "write", "issues": "write",
                                                   "contents": "read", "metadata": "read"}
        return Reply(201, {"token": token, "expires_at": stamp, "permissions": permissions,
                           "repository_selection": "selected" if scope else "all"})

    def _pull(self, m: re.Match[str]) -> Pull | None:
        return self.pulls.get((f"{m['owner']}/{m['repo']}", int(m["n"])))

    def _get_pull(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        pull = self._pull(m)
        if pull is None:
            return Reply(404, {"message": "Not Found"})
        base_repo = {"full_name": pull.full_name, "name": pull.repo, "owner": {"login": pull.owner},
                     "clone_url": str(pull.repo_path)}
        head_name = pull.head_repo or pull.full_name
        owner, name = head_name.split("/")
        head_repo = {"full_name": head_name, "name": name, "owner": {"login": owner},
                     "clone_url": str(pull.repo_path), "fork": head_name != pull.full_name}
        base_sha = _git(pull.repo_path, "rev-parse", pull.base_ref)
        return Reply(200, {
            "number": pull.number, "state": "open", "draft": pull.draft, "title": pull.title, "body": pull.body,
            "user": {"login": pull.author, "type": "User"},
            "head": {"ref": f"pr-{pull.number}", "sha": pull.head_sha, "repo": head_repo},
            "base": {"ref": pull.base_ref, "sha": base_sha, "repo": base_repo},
        })

    def _patches(self, pull: Pull) -> dict[str, str]:
        out = _git(pull.repo_path, "diff", "--no-color", "-U3", f"{pull.base_ref}...{pull.head_sha}")
        files: dict[str, str] = {}
        name = ""
        for chunk in re.split(r"^diff --git ", out, flags=re.M)[1:]:
            lines = chunk.split("\n")
            for line in lines:
                if line.startswith("+++ "):
                    name = line[6:] if line != "+++ /dev/null" else name
                elif line.startswith("--- ") and line != "--- /dev/null":
                    name = line[6:]
            start = next((i for i, line in enumerate(lines) if line.startswith("@@")), None)
            if start is not None:
                files[name] = "\n".join(lines[start:]).rstrip("\n")
        return files

    def _pull_files(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        pull = self._pull(m)
        if pull is None:
            return Reply(404, {"message": "Not Found"})
        return Reply(200, [{"filename": name, "status": "modified", "patch": patch}
                           for name, patch in self._patches(pull).items()])

    def _create_review(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        pull = self._pull(m)
        if pull is None:
            return Reply(404, {"message": "Not Found"})
        if data.get("event") not in (None, "COMMENT", "APPROVE", "REQUEST_CHANGES"):
            return Reply(422, {"message": "Unprocessable Entity", "errors": ["event is invalid"]})
        if data.get("commit_id") != pull.head_sha:
            return Reply(422, {"message": "Unprocessable Entity",
                               "errors": ["commit_id is not part of the pull request"]})
        allowed = _commentable(self._patches(pull))
        for comment in data.get("comments") or []:
            side = comment.get("side", "RIGHT")
            line = comment.get("line")
            start = comment.get("start_line", line)
            lines = allowed.get((comment.get("path"), side), set())
            if not isinstance(line, int) or not isinstance(start, int) or start > line:
                return Reply(422, {"message": "Unprocessable Entity", "errors": ["line is invalid"]})
            if "start_line" in comment and start == line:
                return Reply(422, {"message": "Unprocessable Entity",
                                   "errors": ["start_line must be before the end line"]})
            if any(n not in lines for n in range(start, line + 1)):
                return Reply(422, {"message": "Unprocessable Entity",
                                   "errors": ["Pull request review thread line must be part of the diff"]})
        review_id = next(self._ids)
        state = {"REQUEST_CHANGES": "CHANGES_REQUESTED", "APPROVE": "APPROVED"}.get(data.get("event"), "COMMENTED")
        review = {"id": review_id, "user": BOT, "body": data.get("body", ""), "state": state,
                  "commit_id": data["commit_id"], "pull_number": pull.number, "repo": pull.full_name,
                  "comments": list(data.get("comments") or [])}
        self.reviews.append(review)
        for comment in review["comments"]:
            self.review_comments.append({"id": next(self._ids), "pull_request_review_id": review_id,
                                         "pull_number": pull.number, "user": BOT, **comment,
                                         "original_line": comment["line"], "original_commit_id": data["commit_id"]})
        return Reply(200, {k: v for k, v in review.items() if k not in ("comments", "pull_number", "repo")})

    def _list_review_comments(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        items = [self.review_comment_view(c) for c in self.review_comments if c["pull_number"] == int(m["n"])]
        return self._page(items, q, m.string)

    def _list_issue_comments(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        items = [c for c in self.issue_comments.values()
                 if c["issue_number"] == int(m["n"]) and c["repo"] == f"{m['owner']}/{m['repo']}"]
        return self._page(items, q, m.string)

    def _page(self, items: list[dict[str, Any]], q: dict[str, str], path: str) -> Reply:
        per_page = min(int(q.get("per_page", 30)), 100)
        page = int(q.get("page", 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            headers["link"] = f'<{self.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return Reply(200, chunk, headers)

    def _create_issue_comment(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        if not isinstance(data, dict) or not isinstance(data.get("body"), str):
            return Reply(422, {"message": "Invalid request.", "errors": ["body is missing"]})
        if len(data["body"]) > 65536:
            return Reply(422, {"message": "Validation Failed", "errors": [{"message": "body is too long"}]})
        comment = {"id": next(self._ids), "body": data["body"], "user": BOT, "issue_number": int(m["n"]),
                   "repo": f"{m['owner']}/{m['repo']}", "edits": 0}
        self.issue_comments[comment["id"]] = comment
        return Reply(201, comment)

    def _edit_issue_comment(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        comment = self.issue_comments.get(int(m["id"]))
        if comment is None:
            return Reply(404, {"message": "Not Found"})
        if len(data.get("body", "")) > 65536:
            return Reply(422, {"message": "Validation Failed", "errors": [{"message": "body is too long"}]})
        comment["body"] = data["body"]
        comment["edits"] += 1
        return Reply(200, comment)

    def _create_check_run(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        if not data.get("name") or not data.get("head_sha"):
            return Reply(422, {"message": "Invalid request.", "errors": ["name and head_sha are required"]})
        run = {"id": next(self._ids), "name": data["name"], "head_sha": data["head_sha"],
               "status": data.get("status", "queued"), "conclusion": data.get("conclusion"), "annotations": [],
               "output": data.get("output", {}), "repo": f"{m['owner']}/{m['repo']}", "updates": 0,
               "app": {"id": int(self.app_id), "slug": "slopguard"}}
        error = self._apply_output(run, data)
        if error:
            return error
        self.check_runs[run["id"]] = run
        return Reply(201, {k: v for k, v in run.items() if k != "annotations"})

    def _update_check_run(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        run = self.check_runs.get(int(m["id"]))
        if run is None:
            return Reply(404, {"message": "Not Found"})
        error = self._apply_output(run, data)
        if error:
            return error
        for key in ("status", "conclusion"):
            if key in data:
                run[key] = data[key]
        if run["status"] == "completed" and not run["conclusion"]:
            return Reply(422, {"message": "Invalid request.", "errors": ["conclusion is required when completed"]})
        run["updates"] += 1
        return Reply(200, {k: v for k, v in run.items() if k != "annotations"})

    def _apply_output(self, run: dict[str, Any], data: dict[str, Any]) -> Reply | None:
        output = data.get("output")
        if not output:
            return None
        annotations = output.get("annotations") or []
        if len(annotations) > 50:
            return Reply(422, {"message": "Invalid request.",
                               "errors": ["Only 50 annotations are allowed per request"]})
        for key in ("summary", "text"):  # GitHub counts bytes here, not characters
            size = len(str(output.get(key) or "").encode("utf-8"))
            if size > 65535:
                return Reply(422, {"message": "Invalid request.",
                                   "errors": [f"Only 65535 characters are allowed; {size} were supplied."]})
        for a in annotations:
            if not {"path", "start_line", "end_line", "annotation_level", "message"} <= set(a):
                return Reply(422, {"message": "Invalid request.", "errors": ["annotation is missing fields"]})
            if a["annotation_level"] not in ("notice", "warning", "failure"):
                return Reply(422, {"message": "Invalid request.", "errors": ["annotation_level is invalid"]})
        run["annotations"] += annotations
        run["output"] = {k: v for k, v in output.items() if k != "annotations"}
        return None

    def _get_contents(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        text = self.contents.get((f"{m['owner']}/{m['repo']}", m["path"]))
        if text is None or q.get("ref"):
            return Reply(404, {"message": "Not Found",
                               "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content"})
        raw = text.encode()
        encoded = base64.encodebytes(raw).decode()  # GitHub wraps the base64 at 60 columns... with newlines
        return Reply(200, {"type": "file", "encoding": "base64", "size": len(raw), "name": m["path"].split("/")[-1],
                           "path": m["path"], "content": encoded, "sha": hashlib.sha1(raw).hexdigest()})

    def _list_reviews(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        items = [{k: v for k, v in r.items() if k not in ("comments", "pull_number", "repo")}
                 for r in self.reviews if r["pull_number"] == int(m["n"]) and r["repo"] == f"{m['owner']}/{m['repo']}"]
        return self._page(items, q, m.string)

    def _permission(self, m: re.Match[str], data: Any, q: dict[str, str]) -> Reply:
        permission = self.permission_of(f"{m['owner']}/{m['repo']}", m["user"])
        return Reply(200, {"permission": permission, "role_name": permission, "user": {"login": m["user"]}})


def _commentable(patches: dict[str, str]) -> dict[tuple[str, str], set[int]]:
    out: dict[tuple[str, str], set[int]] = {}
    for name, patch in patches.items():
        right, left = out.setdefault((name, "RIGHT"), set()), out.setdefault((name, "LEFT"), set())
        old = new = 0
        for line in patch.split("\n"):
            hunk = re.match(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@", line)
            if hunk:
                old, new = int(hunk[1]), int(hunk[2])
            elif line.startswith("+"):
                right.add(new)
                new += 1
            elif line.startswith("-"):
                left.add(old)
                old += 1
            elif line.startswith(" "):
                right.add(new)
                left.add(old)
                old, new = old + 1, new + 1
    return out


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = fake.handle(self.command, self.path, headers, body)
            if isinstance(reply.body, bytes):
                payload = reply.body
            else:
                payload = b"" if reply.body is None else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("content-type", reply.content_type)
            self.send_header("content-length", str(len(payload)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            try:
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout) or died
                with fake.lock:
                    fake.abandoned += 1
                self.close_connection = True

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    return Handler
