"""Detectors of the test-tampering category and the helpers only they use."""
