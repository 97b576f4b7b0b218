"""Detectors of the orthogonal-edit category and the helpers only they use."""
