"""The dashboard's routes under /dashboard, mounted on the service's FastAPI app by `install`.

Every page re-checks against GitHub (through GitHubUsers' short cache) which repositories the
signed-in user can access; a repository outside that set answers 404, whoever asks. Every form
carries the session's CSRF token, checked before anything else; restoring a rule also needs the
maintain or admin role on the repository.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs, quote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from ...registry import Registry
from ...reporters.help import rule_help
from ..errors import GitHubError
from ..feedback_store import FeedbackStore, Session
from ..github_client import GitHubClient
from ..settings import Settings
from ..store import Store
from . import data, pages
from .github_user import GitHubUsers, RepoAccess, SignInError
from .sessions import SESSION_COOKIE, SESSION_TTL_S, STATE_COOKIE, STATE_TTL_S, Signer, cookie_options, same_token

log = logging.getLogger("slopguard.dashboard")
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store",
}


def html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=HEADERS)


class Dashboard:
    def __init__(self, settings: Settings, store: Store, github: GitHubClient, registry: Callable[[], Registry],
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.store = FeedbackStore(store)
        self.github = github
        self.registry = registry
        self.signer = Signer(settings.session_secret)
        self.users = GitHubUsers(github, settings.web_url, settings.oauth_client_id, settings.oauth_client_secret,
                                 transport=transport, cache_s=settings.dashboard_cache_s)

    def close(self) -> None:
        self.users.close()

    # ------------------------------------------------------------------ helpers

    def base_url(self, request: Request) -> str:
        return self.settings.public_url or str(request.base_url).rstrip("/")

    def session(self, request: Request) -> Session | None:
        raw = self.signer.unsign(SESSION_COOKIE, request.cookies.get(SESSION_COOKIE))
        return self.store.session(raw) if raw else None

    def end_session(self, request: Request) -> None:
        raw = self.signer.unsign(SESSION_COOKIE, request.cookies.get(SESSION_COOKIE))
        if raw:
            self.store.end_session(raw)

    def repo(self, session: Session, owner: str, name: str) -> RepoAccess | None:
        return self.users.repositories(session.token).get(f"{owner}/{name}")

    # ------------------------------------------------------------------ pages

    def home(self, request: Request) -> Response:
        session = self.session(request)
        if session is None:
            return html(pages.sign_in())
        repos = self.users.repositories(session.token)
        return html(pages.home(session.login, session.csrf, sorted(repos.values(), key=lambda r: r.full_name)))

    def login(self, request: Request) -> Response:
        state = secrets.token_urlsafe(24)
        target = self.users.authorize_url(self.base_url(request) + "/dashboard/callback", state)
        response = RedirectResponse(target, status_code=302, headers=HEADERS)
        response.set_cookie(STATE_COOKIE, self.signer.sign(STATE_COOKIE, state),
                            **cookie_options(self.base_url(request), STATE_TTL_S))  # type: ignore[arg-type]
        return response

    def callback(self, request: Request) -> Response:
        expected = self.signer.unsign(STATE_COOKIE, request.cookies.get(STATE_COOKIE))
        code = request.query_params.get("code", "")
        if expected is None or not code or not same_token(expected, request.query_params.get("state")):
            return html(pages.sign_in("The sign-in was not started here or took too long; please try again."), 400)
        try:
            token = self.users.exchange(code, self.base_url(request) + "/dashboard/callback")
        except SignInError as exc:
            return html(pages.sign_in(f"GitHub did not complete the sign-in: {exc}"), 400)
        login = self.users.login(token)
        raw = self.store.create_session(login, token, SESSION_TTL_S)
        response = RedirectResponse("/dashboard", status_code=303, headers=HEADERS)
        options = cookie_options(self.base_url(request), int(SESSION_TTL_S))
        response.set_cookie(SESSION_COOKIE, self.signer.sign(SESSION_COOKIE, raw), **options)  # type: ignore[arg-type]
        response.delete_cookie(STATE_COOKIE, path="/dashboard")
        log.info("dashboard: %s signed in", login)
        return response

    def logout(self, request: Request, form: dict[str, str]) -> Response:
        session = self.session(request)
        if session is None or not same_token(session.csrf, form.get("csrf")):
            return html(pages.message("Refused", "The form's CSRF token is missing or wrong."), 403)
        self.end_session(request)
        response = RedirectResponse("/dashboard", status_code=303, headers=HEADERS)
        response.delete_cookie(SESSION_COOKIE, path="/dashboard")
        return response

    def repository(self, request: Request, owner: str, name: str) -> Response:
        session = self.session(request)
        if session is None:
            return RedirectResponse("/dashboard", status_code=303, headers=HEADERS)
        repo = self.repo(session, owner, name)
        if repo is None:
            return html(pages.message("Not found", "No such repository among those your account can access.",
                                      login=session.login, csrf=session.csrf), 404)
        view = data.repo_view(self.store, self.github.installation(repo.installation_id), repo.full_name,
                              self.registry())
        restored = request.query_params.get("restored", "")
        flash = ""
        if restored and self.store.calibration(repo.full_name).get(restored, {}).get("state") == "restored":
            flash = f"{restored} is restored: its findings get inline comments again."
        return html(pages.repository(view, login=session.login, csrf=session.csrf, flash=flash,
                                     can_restore=self.users.can_maintain(repo, session.login)))

    def restore(self, request: Request, owner: str, name: str, form: dict[str, str]) -> Response:
        session = self.session(request)
        if session is None or not same_token(session.csrf, form.get("csrf")):
            return html(pages.message("Refused", "The form's CSRF token is missing or wrong."), 403)
        repo = self.repo(session, owner, name)
        if repo is None:
            return html(pages.message("Not found", "No such repository among those your account can access.",
                                      login=session.login, csrf=session.csrf), 404)
        if not self.users.can_maintain(repo, session.login):
            return html(pages.message("Refused", "Restoring a rule needs the maintain or admin role on this "
                                      "repository.", login=session.login, csrf=session.csrf), 403)
        rule = form.get("rule", "")
        if self.store.calibration(repo.full_name).get(rule, {}).get("state") != "demoted":
            return html(pages.message("Nothing to restore", "That rule is not demoted in this repository.",
                                      login=session.login, csrf=session.csrf), 409)
        self.store.set_calibration(repo.full_name, rule, "restored", by=session.login)
        log.info("dashboard: %s restored %s in %s", session.login, rule, repo.full_name)
        return RedirectResponse(f"/dashboard/repos/{repo.full_name}?restored={quote(rule)}", status_code=303,
                                headers=HEADERS)

    def rule_doc(self, request: Request, rule_id: str) -> Response:
        session = self.session(request)
        rule = self.registry().rules.get(rule_id)
        if rule is None:
            return html(pages.message("Not found", "slopguard has no rule with that id."), 404)
        doc = rule_help(rule)  # the rule's documentation, and its docs/rules/<rule-id>.md page
        return html(pages.rule_doc(rule.id, doc.text, doc.uri, login=session.login if session else "",
                                   csrf=session.csrf if session else ""))


def install(app: FastAPI, dashboard: Dashboard | None) -> None:
    """Add /dashboard to the service (a page saying how to turn it on when sign-in is not configured)."""
    if dashboard is None:
        @app.api_route("/dashboard{rest:path}", methods=["GET", "POST"])
        def off(rest: str) -> Response:
            return html(pages.message("Dashboard off", "Sign-in with GitHub is not configured: set "
                                      "SLOPGUARD_OAUTH_CLIENT_ID, SLOPGUARD_OAUTH_CLIENT_SECRET and "
                                      "SLOPGUARD_SESSION_SECRET."), 503)
        return
    board = dashboard

    def guarded(request: Request, handler: Callable[[], Response]) -> Response:
        try:
            return handler()
        except GitHubError as exc:
            if exc.status == 401:  # the user's token expired or was revoked: sign in again
                board.end_session(request)
                response = html(pages.sign_in("Your GitHub sign-in has expired; please sign in again."), 401)
                response.delete_cookie(SESSION_COOKIE, path="/dashboard")
                return response
            log.warning("dashboard: GitHub: %s", exc)
            return html(pages.message("GitHub did not answer", f"GitHub answered {exc.status}; try again."), 502)

    async def form(request: Request) -> dict[str, str]:
        body = (await request.body())[:65536].decode("utf-8", "replace")
        return {k: v[0] for k, v in parse_qs(body).items()}

    @app.get("/dashboard")
    def home(request: Request) -> Response:
        return guarded(request, lambda: board.home(request))

    @app.get("/dashboard/login")
    def login(request: Request) -> Response:
        return guarded(request, lambda: board.login(request))

    @app.get("/dashboard/callback")
    def callback(request: Request) -> Response:
        return guarded(request, lambda: board.callback(request))

    @app.post("/dashboard/logout")
    async def logout(request: Request) -> Response:
        fields = await form(request)
        return await run_in_threadpool(guarded, request, lambda: board.logout(request, fields))

    @app.get("/dashboard/repos/{owner}/{name}")
    def repository(request: Request, owner: str, name: str) -> Response:
        return guarded(request, lambda: board.repository(request, owner, name))

    @app.post("/dashboard/repos/{owner}/{name}/restore")
    async def restore(request: Request, owner: str, name: str) -> Response:
        fields = await form(request)
        return await run_in_threadpool(guarded, request, lambda: board.restore(request, owner, name, fields))

    @app.get("/dashboard/rules/{rule_id}")
    def rule_doc(request: Request, rule_id: str) -> Response:
        return guarded(request, lambda: board.rule_doc(request, rule_id))
