"""Detectors of the excessive-io category and the helpers only they use."""
