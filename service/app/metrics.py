"""Prometheus metrics, one registry per process (no module-level collectors)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        reg = self.registry
        self.deliveries = Counter("slopguard_webhook_deliveries", "Webhook deliveries by event and outcome",
                                  ["event", "outcome"], registry=reg)
        self.jobs = Counter("slopguard_jobs", "Review jobs by state change", ["state"], registry=reg)
        self.jobs_running = Gauge("slopguard_jobs_running", "Review jobs running now", registry=reg)
        self.scan_seconds = Histogram("slopguard_scan_duration_seconds", "Engine scan duration", registry=reg)
        self.publish_seconds = Histogram("slopguard_publish_duration_seconds", "Publishing duration",
                                         registry=reg)
        self.findings = Counter("slopguard_findings", "Findings by category", ["category"], registry=reg)
        self.github_calls = Counter("slopguard_github_api_calls", "GitHub REST calls", ["method", "status"],
                                    registry=reg)
        self.rate_limit_waits = Counter("slopguard_github_rate_limit_waits", "Waits for a GitHub rate limit",
                                        registry=reg)
        self.rate_limit_wait_seconds = Counter("slopguard_github_rate_limit_wait_seconds",
                                               "Seconds spent waiting for GitHub rate limits", registry=reg)

    def render(self) -> bytes:
        return generate_latest(self.registry)
