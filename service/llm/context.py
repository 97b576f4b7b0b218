"""What the model sees: the change's intent, each changed region inside its whole enclosing
function or class (head line numbers, added lines marked `+`), signatures of repository functions
the change calls, and the static findings already made. Files are packed riskiest first into
chunks that fit a token budget; what does not fit is listed, never silently dropped."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tree_sitter import Node

from ..detector import FileContext
from ..models import Finding
from ..parsing import SourceFile, end_line_of, line_of, walk
from .pricing import estimate_tokens
from .redact import redact

_DEFINITIONS = {
    "function_definition", "class_definition", "decorated_definition",  # python
    "function_declaration", "method_definition", "class_declaration", "arrow_function",  # js/ts
    "function_expression", "method_declaration", "constructor_declaration",  # go/java
}
_CALLS = {"call", "call_expression", "method_invocation"}
_SIGNATURE_FILES = 200
_TAG = re.compile(r"</?\s*(untrusted_[a-z_]*)", re.I)


def neutralise(text: str) -> str:
    """Untrusted text cannot close or open our data framing tags."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "&lt;"), text)


@dataclass
class FileBlock:
    path: str
    text: str
    tokens: int
    risk: float
    spans: list[tuple[int, int]] = field(default_factory=list)  # head lines shown, for call names


@dataclass
class Packed:
    chunks: list[list[FileBlock]] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)
    redactions: int = 0


def _regions(src: SourceFile, added: Sequence[int]) -> list[tuple[int, int]]:
    """Line ranges to show: the outermost enclosing definition of each added line, else the
    added lines with three lines of context."""
    spans: list[tuple[int, int]] = []
    root = src.root
    for line in added:
        span = (max(1, line - 3), min(len(src.lines), line + 3))
        if root is not None:
            node: Node | None = root.descendant_for_point_range((line - 1, 0), (line - 1, 0))
            best = None
            while node is not None:
                if node.type in _DEFINITIONS and end_line_of(node) - line_of(node) < 400:
                    best = node
                node = node.parent
            if best is not None:
                span = (line_of(best), end_line_of(best))
        spans.append(span)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _called_names(src: SourceFile, spans: Iterable[tuple[int, int]]) -> set[str]:
    names: set[str] = set()
    if src.root is None:
        return names
    wanted = [range(a, b + 1) for a, b in spans]
    for node in walk(src.root):
        if node.type in _CALLS and any(line_of(node) in r for r in wanted):
            fn = node.child_by_field_name("function") or node.child_by_field_name("name")
            if fn is not None:
                names.add(src.node_text(fn).split(".")[-1].split("(")[0])
    return names


def _signatures(ctx_files: Sequence[FileContext], names: set[str]) -> list[str]:
    """`path:line: def name(params) -> ret` for repository functions the change calls."""
    if not names or not ctx_files:
        return []
    repo = ctx_files[0].repo
    dirs = {f.path.rsplit("/", 1)[0] if "/" in f.path else "" for f in ctx_files}
    suffixes = {f.path.rsplit(".", 1)[-1] for f in ctx_files}
    candidates = [
        p for p in repo.paths("RIGHT")
        if (p.rsplit("/", 1)[0] if "/" in p else "") in dirs and p.rsplit(".", 1)[-1] in suffixes
    ][:_SIGNATURE_FILES]
    found: list[str] = []
    for path in candidates:
        src = repo.source("RIGHT", path)
        if src is None or src.root is None:
            continue
        for node in walk(src.root):
            if node.type in ("function_definition", "function_declaration", "method_definition",
                             "method_declaration"):
                name = node.child_by_field_name("name")
                if name is not None and src.node_text(name) in names:
                    body = node.child_by_field_name("body")
                    head = src.data[node.start_byte: body.start_byte if body else node.end_byte]
                    sig = " ".join(head.decode("utf-8", "replace").split()).rstrip(":{ ")
                    found.append(f"{path}:{line_of(node)}: {sig}")
    return found[:60]


def file_block(ctx: FileContext, findings: Sequence[Finding]) -> FileBlock | None:
    src = ctx.head
    if src is None or not ctx.diff.added:
        return None
    added = sorted(ctx.diff.added)
    spans = _regions(src, added)
    added_set = set(added)
    lines = [f"<file path=\"{ctx.path}\" status=\"{ctx.diff.status}\">"]
    for start, end in spans:
        for n in range(start, end + 1):
            mark = "+" if n in added_set else " "
            lines.append(f"{n:>5}{mark} {src.line_text(n)}")
        lines.append("  ...")
    removed = [t for h in ctx.diff.hunks for t in h.removed][:60]
    if removed:
        lines.append("  removed lines:")
        lines += [f"      - {t}" for t in removed]
    mine = [f for f in findings if f.path == ctx.path]
    if mine:
        lines.append("  static findings already reported (do not repeat them):")
        lines += [f"    line {f.line}: [{f.category}] {f.message}" for f in mine]
    lines.append("</file>")
    text = "\n".join(lines)
    risk = 3.0 * len(mine) + len(added) / 20.0 + (2.0 if "test" not in ctx.path else 0.0)
    return FileBlock(ctx.path, text, estimate_tokens(text), risk, spans)


def pack(files: Sequence[FileContext], findings: Sequence[Finding], chunk_tokens: int,
         total_tokens: int) -> tuple[Packed, list[str]]:
    """Blocks riskiest first, in chunks of at most `chunk_tokens`, `total_tokens` in all."""
    packed = Packed()
    blocks = []
    names: set[str] = set()
    for ctx in files:
        block = file_block(ctx, findings)
        if block is None:
            continue
        clean, hits = redact(neutralise(block.text))
        packed.redactions += hits
        block.text, block.tokens = clean, estimate_tokens(clean)
        blocks.append(block)
        if ctx.head is not None:
            names |= _called_names(ctx.head, block.spans)
    blocks.sort(key=lambda b: -b.risk)
    used = 0
    current: list[FileBlock] = []
    size = 0
    for block in blocks:
        if block.tokens > chunk_tokens or used + block.tokens > total_tokens:
            packed.not_sent.append(block.path)
            continue
        if size + block.tokens > chunk_tokens and current:
            packed.chunks.append(current)
            current, size = [], 0
        current.append(block)
        size += block.tokens
        used += block.tokens
    if current:
        packed.chunks.append(current)
    signatures = [redact(s)[0] for s in _signatures(files, names)]
    return packed, signatures
