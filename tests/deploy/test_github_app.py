"""deploy/github-app.yml: the manifest's permissions cover every GitHub call the App makes.

The calls are found by reading service/app/ (every `.get/.post/.patch/.put/.delete/.paginate/.request`
with a "repos/..." or "app/..." path), and each is mapped to the permission GitHub's documentation
("Permissions required for GitHub Apps") lists for that endpoint. An endpoint missing from the table
fails the test: add it with its permission, and the permission to the manifest if needed.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from types import ModuleType
from typing import Any

import pytest
import yaml

from .support import DEPLOY, ROOT

MANIFEST = DEPLOY / "github-app.yml"
APP_SOURCE = ROOT / "service" / "app"
LEVELS = {"read": 1, "write": 2, "admin": 3}
HTTP_METHODS = {"get": "GET", "post": "POST", "patch": "PATCH", "put": "PUT", "delete": "DELETE", "paginate": "GET"}

# (method, path template) -> the permissions any one of which allows the call; None: authenticated
# as the App itself (JWT), which no installation permission governs.
ENDPOINTS: dict[tuple[str, str], tuple[tuple[str, str], ...] | None] = {
    ("POST", "app/installations/{}/access_tokens"): None,
    ("GET", "app/hook/deliveries"): None,
    ("POST", "app/hook/deliveries/{}/attempts"): None,
    ("GET", "repos/{}/pulls/{}"): (("pull_requests", "read"),),
    ("GET", "repos/{}/pulls/{}/files"): (("pull_requests", "read"),),
    ("GET", "repos/{}/pulls/{}/comments"): (("pull_requests", "read"),),
    ("POST", "repos/{}/pulls/{}/reviews"): (("pull_requests", "write"),),
    ("GET", "repos/{}/issues/{}/comments"): (("issues", "read"), ("pull_requests", "read")),
    ("POST", "repos/{}/issues/{}/comments"): (("issues", "write"), ("pull_requests", "write")),
    ("PATCH", "repos/{}/issues/comments/{}"): (("issues", "write"), ("pull_requests", "write")),
    ("POST", "repos/{}/check-runs"): (("checks", "write"),),
    ("PATCH", "repos/{}/check-runs/{}"): (("checks", "write"),),
    ("GET", "repos/{}/commits/{}/check-runs"): (("checks", "read"),),
    ("GET", "repos/{}/collaborators/{}/permission"): (("metadata", "read"),),
    ("GET", "repos/{}/pulls/{}/reviews"): (("pull_requests", "read"),),
    ("PUT", "repos/{}/pulls/{}/reviews/{}/dismissals"): (("pull_requests", "write"),),
    ("GET", "repos/{}/.github/contents/.slopguard.yml"): (("contents", "read"),),
    ("GET", "repos/{}/contents/{}"): (("contents", "read"),),
    ("GET", "repos/{}/pulls/comments/{}"): (("pull_requests", "read"),),
    ("GET", "repos/{}/pulls/comments/{}/reactions"): (("pull_requests", "read"),),
    ("POST", "repos/{}/pulls/comments/{}/reactions"): (("pull_requests", "write"),),
    ("POST", "repos/{}/issues/comments/{}/reactions"): (("issues", "write"), ("pull_requests", "write")),
}
# Not REST: `git fetch` of refs/pull/N/head and the base branch with the installation token.
GIT_FETCH = (("contents", "read"),)
# Webhook events the service acts on -> the permission GitHub requires to subscribe to them.
EVENTS = {"pull_request": (("pull_requests", "read"),),
          "issue_comment": (("issues", "read"), ("pull_requests", "read")),
          "check_run": (("checks", "read"),), "check_suite": (("checks", "read"),)}


# Feedback on slopguard's own inline comments (service/app/feedback_events.py).
EVENTS.update({"pull_request_review_comment": (("pull_requests", "read"),),
               "pull_request_review_thread": (("pull_requests", "read"),)})


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text())
    assert isinstance(data, dict)
    return data


def _template(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    else:
        return None
    text = text.lstrip("/")
    if not text.startswith(("repos/", "app/")):
        return None
    return re.sub(r"^repos/\{\}/\{\}/", "repos/{}/", text)  # f"repos/{owner}/{repo}/..." == f"repos/{full_name}/..."


def github_calls() -> set[tuple[str, str, str]]:
    """(method, template, where) of every GitHub REST call in service/app/."""
    calls: set[tuple[str, str, str]] = set()
    for path in sorted(APP_SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                continue
            attr = node.func.attr
            if attr == "request" and len(node.args) >= 2 and isinstance(node.args[0], ast.Constant):
                method, target = str(node.args[0].value).upper(), node.args[1]
            elif attr in HTTP_METHODS:
                method, target = HTTP_METHODS[attr], node.args[0]
            else:
                continue
            template = _template(target)
            if template is not None:
                calls.add((method, template, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return calls


def _granted(manifest: dict[str, Any], needs: tuple[tuple[str, str], ...]) -> bool:
    perms = manifest["default_permissions"]
    return any(LEVELS.get(perms.get(name, ""), 0) >= LEVELS[level] for name, level in needs)


def test_manifest_shape(manifest: dict[str, Any]) -> None:
    assert manifest["public"] is False
    assert manifest["name"] and manifest["url"]
    assert manifest["hook_attributes"]["url"].endswith("/webhook"), "the service's POST /webhook"
    assert manifest["hook_attributes"]["active"] is True
    assert manifest["default_permissions"] == {"pull_requests": "write", "checks": "write", "contents": "read",
                                               "issues": "write", "metadata": "read"}


def test_events(manifest: dict[str, Any]) -> None:
    events = set(manifest["default_events"])
    assert {"pull_request", "issue_comment"} <= events
    # GitHub delivers installation events to every App and rejects a manifest that lists them
    # ("Default events unsupported: installation"): the service gets them without subscribing.
    assert not events & {"installation", "installation_repositories"}
    for event in events:
        assert event in EVENTS and _granted(manifest, EVENTS[event]), f"{event}: no permission to subscribe"


def test_service_handles_the_subscribed_events(manifest: dict[str, Any]) -> None:
    if not APP_SOURCE.is_dir():
        pytest.skip("service/app/ does not exist yet")
    source = "\n".join(p.read_text() for p in APP_SOURCE.rglob("*.py"))
    for event in [*manifest["default_events"], "installation"]:
        assert f'"{event}"' in source, f"the App subscribes to {event} but service/app/ never mentions it"


def test_permissions_cover_every_call_the_app_makes(manifest: dict[str, Any]) -> None:
    if not APP_SOURCE.is_dir():
        pytest.skip("service/app/ does not exist yet")
    calls = github_calls()
    found = {(method, template) for method, template, _ in calls}
    # The publisher's three outputs and the worker's reads must be among them, or the scan is broken.
    assert {("POST", "repos/{}/pulls/{}/reviews"), ("POST", "repos/{}/check-runs"),
            ("POST", "repos/{}/issues/{}/comments")} <= found, sorted(found)
    for method, template, where in sorted(calls):
        assert (method, template) in ENDPOINTS, f"{where}: {method} /{template} is not in ENDPOINTS: add it with " \
                                                f"the permission GitHub documents for it"
        needs = ENDPOINTS[(method, template)]
        if needs is not None:
            assert _granted(manifest, needs), f"{where}: {method} /{template} needs one of {needs}"


def test_git_fetch_is_covered(manifest: dict[str, Any]) -> None:
    clones = APP_SOURCE / "clones.py"
    if not clones.is_file():
        pytest.skip("service/app/clones.py does not exist yet")
    assert '"fetch"' in clones.read_text()
    assert _granted(manifest, GIT_FETCH)


def _helper() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_github_app", DEPLOY / "github_app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_manifest_flow_form(manifest: dict[str, Any]) -> None:
    helper = _helper()
    data = helper.manifest("https://sg.example.org/webhook")
    assert data["hook_attributes"]["url"] == "https://sg.example.org/webhook"
    assert data["redirect_url"] == data["url"] == "https://sg.example.org/"
    assert data["callback_urls"] == ["https://sg.example.org/dashboard/callback"]  # the dashboard's sign-in
    assert data["default_permissions"] == manifest["default_permissions"]
    page = helper.form(data, org="acme")
    assert 'action="https://github.com/organizations/acme/settings/apps/new"' in page
    assert 'name="manifest"' in page and "sg.example.org/webhook" in page
    ghes = helper.form(data, github_url="https://ghe.example.org/")
    assert 'action="https://ghe.example.org/settings/apps/new"' in ghes


def test_endpoint_table_is_not_stale() -> None:
    if not APP_SOURCE.is_dir():
        pytest.skip("service/app/ does not exist yet")
    found = {(method, template) for method, template, _ in github_calls()}
    stale = set(ENDPOINTS) - found
    assert not stale, f"ENDPOINTS lists calls the App no longer makes: {sorted(stale)}"
