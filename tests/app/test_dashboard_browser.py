"""The dashboard in a real headless Chromium (Debian's `chromium`, driven by playwright), against the
real service and the fake GitHub's OAuth pages. Screenshots go to .cache/artifacts/dashboard/.

Users: alice (maintain on octo/demo), bob (read on octo/demo), carol (admin on acme/tool only).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slopguard.app.feedback_store import FeedbackStore, Signal

from tests.app.conftest import APP_ID, BASE_FILES, HEAD_FILES
from tests.app.fake_github import FakeGitHub
from tests.app.fake_github_oauth import OAuthClient
from tests.app.harness import ROOT, Origin, Service, pr_event, settings_for

playwright = pytest.importorskip("playwright.sync_api", reason="the dev extra installs playwright")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / ".cache" / "artifacts" / "dashboard"
CLIENT_ID, CLIENT_SECRET = "Iv1.dashboardtest", "oauth-client-secret"
RULE, OTHER = "python.excessive-io.io-in-loop", "python.error-handling.swallowed-exception"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{CHROMIUM} is missing (.ci/run installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(app_keys: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, FakeGitHub]]:
    """The service with sign-in configured, a reviewed pull request on octo/demo and a demoted rule."""
    root = tmp_path_factory.mktemp("dashboard")
    fake = FakeGitHub(APP_ID, app_keys[1]).start()
    settings = settings_for(root, fake, app_keys[0], oauth_client_id=CLIENT_ID, oauth_client_secret=CLIENT_SECRET,
                            session_secret="s" * 48)
    service = Service(settings).start()
    try:
        fake.oauth_clients[CLIENT_ID] = OAuthClient(CLIENT_SECRET, f"http://127.0.0.1:{service.port}/dashboard/")
        fake.installations.update({77: {"account": "octo", "repos": ["octo/demo"]},
                                   78: {"account": "acme", "repos": ["acme/tool"]}})
        fake.add_user("alice", ["octo/demo"])
        fake.add_user("bob", ["octo/demo"])
        fake.add_user("carol", ["acme/tool"])
        fake.repo_permissions.update({("octo/demo", "alice"): "maintain", ("octo/demo", "bob"): "read",
                                      ("acme/tool", "carol"): "admin"})
        fake.contents[("octo/demo", ".slopguard.yml")] = "review: {max_inline_comments: lots}\n"
        origin = Origin.create(root / "src", dict(BASE_FILES), dict(HEAD_FILES))
        origin.open_pr(7)
        service.deliver("pull_request", pr_event("opened", origin, 7, fake))
        service.idle()
        store = FeedbackStore(service.store)
        for i in range(5):
            kind = "wrong" if i < 4 else "ignore"
            store.record(Signal("octo/demo", 7, RULE, f"fp{i}", 100 + i, kind, "alice", "noise"))
        store.record(Signal("octo/demo", 7, OTHER, "fp9", 109, "thumbs_up", "alice"))
        store.set_calibration("octo/demo", RULE, "demoted", marks=5, wrong=4, by="slopguard")
        store.set_calibration("octo/demo", OTHER, "demoted", marks=5, wrong=5, by="slopguard")
        yield service, fake
    finally:
        service.stop()
        fake.stop()


def url(service: Service, path: str) -> str:
    return f"http://127.0.0.1:{service.port}{path}"


def sign_in(browser: Any, service: Service, login: str) -> tuple[Any, Any, list[str]]:
    """A fresh browser context signed in as `login` through the fake GitHub's authorize page."""
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(url(service, "/dashboard"))
    page.click("#sign-in")
    page.fill("#login", login)
    page.click("#authorize")
    page.wait_for_url(url(service, "/dashboard"))
    assert page.inner_text("#login") == login
    return context, page, requested


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_each_user_sees_only_their_repositories(browser: Any, site: tuple[Service, FakeGitHub]) -> None:
    service, _ = site
    alice, page, requested = sign_in(browser, service, "alice")
    shot(page, "alice-home")
    assert page.locator("a.repo").all_inner_texts() == ["octo/demo"]
    (cookie,) = [c for c in alice.cookies() if c["name"] == "slopguard_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # Secure off on localhost

    page.click("text=octo/demo")
    assert page.locator("svg.chart").count() >= 3
    assert page.locator(f'tr[data-rule="{RULE}"]').inner_text().split("\t")[1:3] == ["5", "4"]
    assert "max_inline_comments" in page.inner_text("#config-error")
    shot(page, "alice-octo-demo")
    page.click(f'a[href="/dashboard/rules/{RULE}"]')
    assert RULE in page.inner_text("h1") and page.inner_text("pre.doc").strip()
    assert page.get_attribute("#doc-page", "href").endswith(f"/docs/rules/{RULE}.md")
    assert all(u.startswith(("http://127.0.0.1:", "data:")) for u in requested)  # nothing from outside

    carol, page, _ = sign_in(browser, service, "carol")
    assert page.locator("a.repo").all_inner_texts() == ["acme/tool"]
    assert page.goto(url(service, "/dashboard/repos/octo/demo")).status == 404
    shot(page, "carol-cannot-see-octo-demo")
    page.goto(url(service, "/dashboard/repos/acme/tool"))
    assert "built-in defaults" in page.inner_text("main")
    for context in (alice, carol):
        context.close()


def test_restore_refused_without_permission_accepted_for_maintainer(browser: Any,
                                                                    site: tuple[Service, FakeGitHub]) -> None:
    service, _ = site
    store = FeedbackStore(service.store)
    bob, page, _ = sign_in(browser, service, "bob")
    page.goto(url(service, "/dashboard/repos/octo/demo"))
    assert page.locator("form.restore").count() == 0 and page.is_visible("#no-restore")
    # bob builds the restore form himself, with his own valid CSRF token (from the sign-out form)
    page.evaluate("""([target, rule]) => {
        const form = document.createElement("form");
        form.method = "post"; form.action = target; form.id = "forged";
        const token = document.querySelector("input[name=csrf]").cloneNode();
        const field = Object.assign(document.createElement("input"), {type: "hidden", name: "rule", value: rule});
        form.append(token, field); document.body.append(form); }""", ["/dashboard/repos/octo/demo/restore", RULE])
    with page.expect_navigation() as navigation:
        page.evaluate("document.getElementById('forged').submit()")
    assert navigation.value.status == 403 and "maintain or admin" in page.inner_text("main")
    assert store.calibration("octo/demo")[RULE]["state"] == "demoted"
    shot(page, "bob-no-restore")

    alice, page, _ = sign_in(browser, service, "alice")
    page.goto(url(service, "/dashboard/repos/octo/demo"))
    page.click(f'li[data-rule="{RULE}"] button')
    page.wait_for_selector("#flash")
    assert store.calibration("octo/demo")[RULE]["state"] == "restored"
    assert store.calibration("octo/demo")[RULE]["changed_by"] == "alice"
    assert page.locator(f'li[data-rule="{RULE}"]').count() == 0
    shot(page, "alice-restored")
    for context in (bob, alice):
        context.close()


def test_missing_or_wrong_csrf_token_refused(browser: Any, site: tuple[Service, FakeGitHub]) -> None:
    service, _ = site
    store = FeedbackStore(service.store)
    alice, page, _ = sign_in(browser, service, "alice")
    page.goto(url(service, "/dashboard/repos/octo/demo"))
    page.evaluate(f"document.querySelector('li[data-rule=\"{OTHER}\"] input[name=csrf]').remove()")
    with page.expect_navigation() as navigation:
        page.click(f'li[data-rule="{OTHER}"] button')
    assert navigation.value.status == 403 and "CSRF" in page.inner_text("main")
    shot(page, "missing-csrf-refused")
    page.goto(url(service, "/dashboard/repos/octo/demo"))
    page.evaluate(f"document.querySelector('li[data-rule=\"{OTHER}\"] input[name=csrf]').value = 'forged'")
    with page.expect_navigation() as navigation:
        page.click(f'li[data-rule="{OTHER}"] button')
    assert navigation.value.status == 403
    assert store.calibration("octo/demo")[OTHER]["state"] == "demoted"
    alice.close()
