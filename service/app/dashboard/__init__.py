"""The maintainers' dashboard at /dashboard: sign-in with GitHub, per-repository reviews, feedback,
estimated precision, demotions (with a restore action) and the effective configuration."""

from .routes import Dashboard, install

__all__ = ["Dashboard", "install"]
