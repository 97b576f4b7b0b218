"""Detectors of the dead-code category and the helpers only they use."""
