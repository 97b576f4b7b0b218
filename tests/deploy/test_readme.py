"""README's operating sections name only files, settings and metrics that exist."""

from __future__ import annotations

import re

import pytest

from .support import ROOT

README = ROOT / "README.md"
SECTIONS = ("## Run it for your organisation", "## Scale out")


def _ops_text() -> str:
    text = README.read_text()
    for heading in SECTIONS:
        assert f"\n{heading}\n" in text, f"README lacks {heading!r}"
    return text[text.index(f"\n{SECTIONS[0]}\n"):]


def test_deploy_paths_exist() -> None:
    for path in set(re.findall(r"\bdeploy/[A-Za-z0-9_./-]*[A-Za-z0-9_]", _ops_text())):
        if path.startswith(("deploy/.env", "deploy/secrets")) and not path.endswith(".example"):
            continue  # made by the operator, git-ignored
        assert (ROOT / path).exists(), f"README names {path}, which does not exist"


def test_settings_are_read_by_the_service() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "service").rglob("*.py"))
    for name in set(re.findall(r"\b(?:SLOPGUARD|ANTHROPIC)_[A-Z0-9_]+", _ops_text())):
        assert f'"{name}"' in source, f"README names {name}, which the service does not read"


def test_metrics_exist() -> None:
    metrics = ROOT / "service" / "app" / "metrics.py"
    if not metrics.is_file():
        pytest.skip("service/app/metrics.py does not exist yet")
    source = metrics.read_text()
    for name in set(re.findall(r"`(slopguard_[a-z_]+)`", _ops_text())):
        assert f'"{name}"' in source, f"README names the metric {name}, which service/app/metrics.py does not define"
