"""Detectors of the bloat category and the helpers only they use."""
