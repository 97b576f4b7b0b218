"""What the dashboard shows for one repository, computed from the store and GitHub."""

from __future__ import annotations

import base64
import binascii
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...config import Config, default_config, parse_config
from ...engine import CONFIG_FILE
from ...errors import ConfigError
from ...registry import Registry
from ..errors import GitHubError
from ..feedback_calibration import RuleStats, exempt, rule_stats
from ..feedback_store import FeedbackStore
from ..github_client import Installation

DAY_S = 86400.0


@dataclass(frozen=True)
class EffectiveConfig:
    source: str  # where the configuration comes from
    text: str  # the file as it is ("" for the built-in defaults)
    config: Config | None  # None when the file does not validate
    error: str = ""


@dataclass(frozen=True)
class RuleRow:
    stats: RuleStats
    state: str  # "" | demoted | restored
    exempt: str  # why it is never demoted automatically ("" when it may be)


@dataclass(frozen=True)
class RepoView:
    repo: str
    reviews: int
    reviews_by_day: list[tuple[str, float]]
    density: list[tuple[str, float]]
    changed_lines: int
    rules: list[RuleRow]
    demotions: list[dict[str, Any]]
    config: EffectiveConfig


def repo_view(store: FeedbackStore, api: Installation, repo: str, registry: Registry) -> RepoView:
    reviews = store.reviews(repo)
    calibration = store.calibration(repo)
    restored = {r: float(row["changed_at"]) for r, row in calibration.items() if row["state"] == "restored"}
    stats = rule_stats(store.signals(repo), restored)
    config = effective_config(api, repo, registry)
    rows = [RuleRow(s, calibration.get(rule, {}).get("state", ""),
                    exempt(rule, config.config or default_config(), registry) or "")
            for rule, s in sorted(stats.items())]
    demotions = [dict(row) for rule, row in sorted(calibration.items()) if row["state"] == "demoted"]
    changed = sum(int(r["added_lines"]) + int(r["removed_lines"]) for r in reviews)
    return RepoView(repo, len(reviews), reviews_by_day(reviews), density(reviews), changed, rows, demotions, config)


def reviews_by_day(reviews: Iterable[Mapping[str, Any]], days: int = 30,
                   now: float | None = None) -> list[tuple[str, float]]:
    """Reviews published per day (UTC) over the last `days` days."""
    now = time.time() if now is None else now
    counts = Counter(_day(float(r["created_at"])) for r in reviews)
    return [(_day(now - i * DAY_S)[5:], float(counts.get(_day(now - i * DAY_S), 0))) for i in range(days - 1, -1, -1)]


def density(reviews: Iterable[Mapping[str, Any]]) -> list[tuple[str, float]]:
    """Findings per 1,000 changed lines, per category, over all reviews."""
    rows = list(reviews)
    changed = sum(int(r["added_lines"]) + int(r["removed_lines"]) for r in rows)
    if not changed:
        return []
    totals: Counter[str] = Counter()
    for r in rows:
        totals.update({str(k): int(v) for k, v in (r["categories"] or {}).items()})
    return [(category, 1000.0 * n / changed) for category, n in sorted(totals.items(), key=lambda kv: -kv[1])]


def effective_config(api: Installation, repo: str, registry: Registry) -> EffectiveConfig:
    """The repository's `.slopguard.yml` (default branch), else its organisation's, else the defaults."""
    owner = repo.split("/", 1)[0]
    for source in (repo, f"{owner}/.github"):
        text = _file(api, source, CONFIG_FILE)
        if text is None:
            continue
        label = f"{source}:{CONFIG_FILE}"
        try:
            return EffectiveConfig(label, text, parse_config(text, label, registry.rules.values()))
        except ConfigError as exc:
            return EffectiveConfig(label, text, None, str(exc))
    return EffectiveConfig("the built-in defaults (no .slopguard.yml in the repository or its organisation)", "",
                           default_config())


def _file(api: Installation, repo: str, path: str) -> str | None:
    try:
        data = api.get(f"repos/{repo}/contents/{path}")
    except GitHubError as exc:
        if exc.status in (403, 404):
            return None
        raise
    if not isinstance(data, dict) or data.get("type", "file") != "file" or data.get("encoding") != "base64":
        return None
    try:
        return base64.b64decode(str(data.get("content", ""))).decode("utf-8", "replace")
    except (ValueError, binascii.Error):
        return None


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
