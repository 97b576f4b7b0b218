"""Detectors of the insecure-auth category and the helpers only they use."""
