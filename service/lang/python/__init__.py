"""The Python layer: tree-sitter-python helpers shared by detectors of several categories."""
