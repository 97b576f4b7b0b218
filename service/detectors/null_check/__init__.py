"""Detectors of the null-check category and the helpers only they use."""
