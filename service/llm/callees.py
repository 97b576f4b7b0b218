"""Repository functions the changed lines call: the body (capped) when the pull request changes
the function or it is short, else its signature. Found by name in the changed files and the
files beside them (same folder, same extension)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tree_sitter import Node

from ..detector import FileContext
from ..parsing import SourceFile, end_line_of, line_of, walk
from .redact import redact

_CALLS = {"call", "call_expression", "method_invocation", "new_expression"}
_DEFINITIONS = {"function_definition", "function_declaration", "method_definition", "method_declaration",
                "generator_function_declaration"}
_SEARCHED_FILES = 200
SHORT_BODY = 25  # lines: a function this short is sent whole
BODY_CAP = 40  # lines: a changed function's body is cut here
_PER_NAME = 2


@dataclass(frozen=True)
class Callee:
    path: str
    line: int
    end_line: int
    name: str
    text: str  # the signature, or `path:line` plus the (capped) body
    signature: str  # `path:line: signature`
    changed: bool  # the pull request changes this function
    whole: bool  # text is a body, not only a signature


def called_names(src: SourceFile, lines: set[int]) -> set[str]:
    """Names of the functions called on `lines`."""
    names: set[str] = set()
    if src.root is None:
        return names
    for node in walk(src.root):
        if node.type in _CALLS and line_of(node) in lines:
            fn = (node.child_by_field_name("function") or node.child_by_field_name("name")
                  or node.child_by_field_name("constructor"))
            if fn is not None:
                names.add(src.node_text(fn).split(".")[-1].split("(")[0].split("<")[0].strip())
    return {n for n in names if n.isidentifier()}


def _signature(src: SourceFile, node: Node) -> str:
    body = node.child_by_field_name("body")
    head = src.data[node.start_byte: body.start_byte if body else node.end_byte]
    return " ".join(head.decode("utf-8", "replace").split()).rstrip(":{ ")


def _candidates(files: Sequence[FileContext]) -> list[str]:
    repo = files[0].repo
    changed = [f.path for f in files if f.head is not None]
    dirs = {p.rsplit("/", 1)[0] if "/" in p else "" for p in changed}
    suffixes = {p.rsplit(".", 1)[-1] for p in changed}
    beside = [p for p in repo.paths("RIGHT")
              if (p.rsplit("/", 1)[0] if "/" in p else "") in dirs and p.rsplit(".", 1)[-1] in suffixes]
    out = list(dict.fromkeys(changed + beside))
    return out[:_SEARCHED_FILES]


def callees(files: Sequence[FileContext], names: set[str]) -> list[Callee]:
    """Definitions of `names`: changed ones first, then short ones, then signatures."""
    if not names or not files:
        return []
    added = {f.path: f.diff.added for f in files}
    found: list[Callee] = []
    per_name: dict[str, int] = {}
    for path in _candidates(files):
        src = files[0].repo.source("RIGHT", path)
        if src is None or src.root is None:
            continue
        for node in walk(src.root):
            if node.type not in _DEFINITIONS:
                continue
            name_node = node.child_by_field_name("name")
            name = src.node_text(name_node) if name_node is not None else ""
            if name not in names or per_name.get(name, 0) >= _PER_NAME:
                continue
            per_name[name] = per_name.get(name, 0) + 1
            start, end = line_of(node), end_line_of(node)
            changed = any(start <= n <= end for n in added.get(path, ()))
            whole = changed or end - start < SHORT_BODY
            signature = f"{path}:{start}: {_signature(src, node)}"
            text = signature
            if whole:
                last = min(end, start + BODY_CAP - 1)
                body = [f"{n:>5}  {src.line_text(n)}" for n in range(start, last + 1)]
                if last < end:
                    body.append(f"      ... ({end - last} more lines)")
                text = f"{path}:{start}:{' (changed in this pull request)' if changed else ''}\n" + "\n".join(body)
            found.append(Callee(path, start, end, name, redact(text)[0], redact(signature)[0], changed, whole))
    found.sort(key=lambda c: (not c.changed, not c.whole, c.path, c.line))
    return found
