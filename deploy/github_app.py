"""Create the slopguard GitHub App from deploy/github-app.yml with GitHub's manifest flow.

    python deploy/github_app.py form --org ORG --webhook-url https://HOST/webhook > app.html
        open app.html in a browser and submit: GitHub asks for the App's name, creates it and
        sends the browser to redirect_url?code=CODE (the page may not exist: copy CODE from the
        address bar; it is valid for one hour).
    python deploy/github_app.py convert CODE [--secrets-dir deploy/secrets]
        exchanges CODE for the App's id, private key and webhook secret: writes the key to
        SECRETS_DIR/private-key.pem and prints the lines for deploy/.env.

--github-url https://HOST (and --api-url https://HOST/api/v3) for GitHub Enterprise Server.
Needs only the standard library and PyYAML (both in slopguard's venv).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import sys
import urllib.request
from pathlib import Path
from typing import Any

import yaml

MANIFEST = Path(__file__).resolve().parent / "github-app.yml"


def manifest(webhook_url: str, redirect_url: str | None = None, name: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    data["hook_attributes"]["url"] = webhook_url
    root = webhook_url.rsplit("/webhook", 1)[0] + "/"
    data["url"] = root
    data["redirect_url"] = redirect_url or root
    data["callback_urls"] = [root + "dashboard/callback"]
    if name:
        data["name"] = name
    return data


def form(data: dict[str, Any], github_url: str = "https://github.com", org: str | None = None) -> str:
    base = github_url.rstrip("/")
    action = f"{base}/organizations/{org}/settings/apps/new" if org else f"{base}/settings/apps/new"
    value = html.escape(json.dumps(data), quote=True)
    return ("<!doctype html>\n<meta charset=utf-8><title>Create the slopguard GitHub App</title>\n"
            f'<form action="{html.escape(action, quote=True)}" method="post">\n'
            f'  <input type="hidden" name="manifest" value="{value}">\n'
            '  <button type="submit">Create the slopguard GitHub App</button>\n</form>\n')


def convert(code: str, api_url: str = "https://api.github.com") -> dict[str, Any]:
    request = urllib.request.Request(f"{api_url.rstrip('/')}/app-manifests/{code}/conversions", method="POST",
                                     headers={"Accept": "application/vnd.github+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, Any] = json.load(response)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    f = sub.add_parser("form", help="print an HTML page that submits the manifest to GitHub")
    f.add_argument("--webhook-url", required=True, help="the service's public POST /webhook URL")
    f.add_argument("--redirect-url", help="where GitHub sends the browser with ?code= (default: the service root)")
    f.add_argument("--org", help="the organisation that owns the App (default: your user account)")
    f.add_argument("--name", help="the App's name (default: slopguard; names are unique on GitHub)")
    f.add_argument("--github-url", default="https://github.com")
    c = sub.add_parser("convert", help="exchange the code for the App's credentials")
    c.add_argument("code")
    c.add_argument("--api-url", default="https://api.github.com")
    c.add_argument("--secrets-dir", default=str(MANIFEST.parent / "secrets"))
    args = parser.parse_args(argv)
    if args.command == "form":
        sys.stdout.write(form(manifest(args.webhook_url, args.redirect_url, args.name), args.github_url, args.org))
        return 0
    app = convert(args.code, args.api_url)
    secrets = Path(args.secrets_dir)
    secrets.mkdir(parents=True, exist_ok=True)
    key = secrets / "private-key.pem"
    key.write_text(app["pem"])
    os.chmod(key, 0o600)
    print(f"# the App {app.get('html_url', app.get('slug', ''))}: private key written to {key}", file=sys.stderr)
    print(f"SLOPGUARD_APP_ID={app['id']}")
    print(f"SLOPGUARD_WEBHOOK_SECRET={app.get('webhook_secret') or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
