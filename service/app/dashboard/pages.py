"""The dashboard's HTML, rendered on the server. Every value from outside goes through `escape`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from . import charts
from .data import RepoView
from .github_user import RepoAccess

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:10px 24px;display:flex;gap:16px;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600} header .who{margin-left:auto}
main{max-width:980px;margin:0 auto;padding:16px 24px} section{background:#fff;border:1px solid #d0d7de;
border-radius:6px;padding:12px 16px;margin:12px 0} h1{font-size:22px} h2{font-size:17px;margin-top:0}
table{border-collapse:collapse;width:100%;font-size:13px} th,td{border-bottom:1px solid #d0d7de;padding:4px 6px;
text-align:left} td.n{text-align:right} pre{background:#f6f8fa;padding:8px;overflow:auto} .error{color:#cf222e}
.note{color:#57606a;font-size:13px} .empty{color:#57606a} button{cursor:pointer} .flash{background:#ddf4ff;
padding:8px;border-radius:6px} form.inline{display:inline}
"""


def layout(title: str, body: str, *, login: str = "", csrf: str = "") -> str:
    who = ""
    if login:
        who = (f'<span class="who">Signed in as <strong id="login">{escape(login)}</strong> '
               f'<form class="inline" method="post" action="/dashboard/logout">{_csrf(csrf)}'
               '<button type="submit">Sign out</button></form></span>')
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · slopguard</title>'
            f'<meta name="viewport" content="width=device-width"><style>{STYLE}</style></head><body>'
            f'<header><a href="/dashboard">slopguard</a>{who}</header><main>{body}</main></body></html>')


def message(title: str, text: str, *, login: str = "", csrf: str = "") -> str:
    return layout(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>", login=login, csrf=csrf)


def sign_in(error: str = "") -> str:
    shown = f'<p class="error">{escape(error)}</p>' if error else ""
    return layout("Sign in", f"<h1>slopguard dashboard</h1>{shown}<p>See what slopguard found in your repositories "
                  "and how people judged it.</p><p><a id=\"sign-in\" href=\"/dashboard/login\">Sign in with "
                  "GitHub</a></p>")


def home(login: str, csrf: str, repos: Sequence[RepoAccess]) -> str:
    if not repos:
        body = "<p>None of the repositories your GitHub account can access has slopguard installed.</p>"
    else:
        by_account: dict[str, list[RepoAccess]] = {}
        for repo in repos:
            by_account.setdefault(repo.account, []).append(repo)
        body = "".join(f"<section><h2>{escape(account)}</h2><ul>"
                       + "".join(f'<li><a class="repo" href="/dashboard/repos/{_path(r.full_name)}">'
                                 f"{escape(r.full_name)}</a></li>" for r in items) + "</ul></section>"
                       for account, items in sorted(by_account.items()))
    return layout("Repositories", f"<h1>Your repositories</h1>{body}", login=login, csrf=csrf)


def repository(view: RepoView, *, login: str, csrf: str, can_restore: bool, flash: str = "") -> str:
    out = [f"<h1>{escape(view.repo)}</h1>"]
    if flash:
        out.append(f'<p class="flash" id="flash">{escape(flash)}</p>')
    out.append(f"<section><h2>Reviews over time</h2><p class=\"note\">{view.reviews} review(s) published; "
               "per day, last 30 days (UTC).</p>" + charts.columns(view.reviews_by_day, "Reviews per day")
               + "</section>")
    out.append(f"<section><h2>Findings per 1,000 changed lines</h2><p class=\"note\">{view.changed_lines} changed "
               "lines reviewed.</p>" + charts.bars(view.density, "Findings per 1,000 changed lines by category")
               + "</section>")
    out.append(_rules(view))
    out.append(_demotions(view, csrf, can_restore))
    out.append(_config(view))
    return layout(view.repo, "".join(out), login=login, csrf=csrf)


def _rules(view: RepoView) -> str:
    if not view.rules:
        return "<section><h2>Feedback per rule</h2><p class=\"empty\">No feedback yet.</p></section>"
    head = ("<tr><th>rule</th><th>marked</th><th>wrong</th><th>acted on</th><th>useful</th><th>ignored</th>"
            "<th>dismissed</th><th>+1</th><th>-1</th><th>precision (est.)</th><th>state</th></tr>")
    rows = []
    for row in view.rules:
        s = row.stats
        precision = "n/a" if s.precision is None else f"{100 * s.precision:.0f}%"
        state = row.state or ("never demoted: " + row.exempt if row.exempt else "")
        rows.append(f'<tr data-rule="{escape(s.rule)}"><td><a href="/dashboard/rules/{quote(s.rule)}">'
                    f"{escape(s.rule)}</a></td>" + "".join(f'<td class="n">{n}</td>' for n in (
                        s.marked, s.wrong, s.verdicts["acted_on"], s.verdicts["useful"], s.verdicts["ignored"],
                        s.verdicts["dismissed"], s.ups, s.downs)) + f'<td class="n">{precision}</td>'
                    f"<td>{escape(state)}</td></tr>")
    chart = charts.bars([(r.stats.rule.rsplit(".", 1)[-1], 100 * (r.stats.precision or 0.0)) for r in view.rules
                         if r.stats.precision is not None], "Estimated precision per rule", maximum=100, unit="%")
    return ("<section><h2>Feedback per rule</h2><p class=\"note\">Precision is estimated as the share of marked "
            "findings nobody marked wrong.</p>" + chart + f"<table>{head}{''.join(rows)}</table></section>")


def _demotions(view: RepoView, csrf: str, can_restore: bool) -> str:
    if not view.demotions:
        return "<section><h2>Demoted rules</h2><p class=\"empty\">No rule is demoted in this repository.</p></section>"
    items = []
    for row in view.demotions:
        when = datetime.fromtimestamp(float(row["changed_at"]), UTC).strftime("%Y-%m-%d %H:%M UTC")
        action = ""
        if can_restore:
            target = f"/dashboard/repos/{_path(view.repo)}/restore"
            action = (f'<form class="inline restore" method="post" action="{target}">'
                      f'{_csrf(csrf)}<input type="hidden" name="rule" value="{escape(str(row["rule"]))}">'
                      '<button type="submit">Restore</button></form>')
        items.append(f'<li class="demotion" data-rule="{escape(str(row["rule"]))}"><code>{escape(str(row["rule"]))}'
                     f"</code>: {int(row['wrong'])} of {int(row['marks'])} marked wrong, demoted {when} {action}</li>")
    hint = "" if can_restore else ('<p class="note" id="no-restore">Restoring a rule needs the maintain or admin '
                                   "role on this repository.</p>")
    return f"<section><h2>Demoted rules</h2><ul>{''.join(items)}</ul>{hint}</section>"


def _config(view: RepoView) -> str:
    c = view.config
    out = [f"<section><h2>Effective configuration</h2><p>From {escape(c.source)}.</p>"]
    if c.error:
        out.append(f'<p class="error" id="config-error">{escape(c.error)}</p>')
    if c.config is not None:
        fail_on = c.config.fail_check_on.value if c.config.fail_check_on else "never"
        out.append(f"<p class=\"note\">ruleset {escape(c.config.ruleset.name)} · review event "
                   f"{escape(c.config.review_event)} · fails the check on {escape(fail_on)} · at most "
                   f"{c.config.max_inline_comments} inline comments · demotion after {c.config.demote_after} marks "
                   f"at {100 * c.config.demote_wrong_ratio:.0f}% wrong</p>")
    if c.text:
        out.append(f"<pre>{escape(c.text)}</pre>")
    return "".join(out) + "</section>"


def rule_doc(rule_id: str, text: str, uri: str, *, login: str, csrf: str) -> str:
    body = f"<h1><code>{escape(rule_id)}</code></h1><pre class=\"doc\">{escape(text)}</pre>"
    if uri:
        body += f'<p><a id="doc-page" href="{escape(uri)}">The rule\'s documentation page</a></p>'
    return layout(rule_id, body, login=login, csrf=csrf)


def _csrf(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(token)}">'


def _path(full_name: str) -> str:
    return "/".join(quote(part, safe="") for part in full_name.split("/", 1))
