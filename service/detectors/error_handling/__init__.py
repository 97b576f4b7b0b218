"""Detectors of the error-handling category and the helpers only they use."""
