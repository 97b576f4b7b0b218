"""slopguard: a reviewer for the documented failure modes of AI-written pull requests."""

__version__ = "0.1.0"
