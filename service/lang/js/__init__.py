"""The JavaScript/TypeScript layer: tree-sitter JS/TS/TSX helpers shared by detectors of several
categories."""
