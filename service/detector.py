"""What a detector is and what it sees.

A detector is one module under `service/detectors/<category>/` holding one `Detector` subclass;
the engine discovers it (modules that define none are helpers, see `detectors/__init__.py`). It declares
the rule(s) it reports and implements `check_file` (one changed file, both sides parsed) and/or
`check_change` (the change as a whole, for cross-file analyses). It yields `Finding`s built with
`FileContext.finding`; the engine then applies configuration, fingerprints, suppressions and the
diff filter, so a detector never needs to know about any of those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, TypeVar

from tree_sitter import Node

from .models import Confidence, FileDiff, Finding, Severity, Side
from .parsing import SourceFile, end_line_of, line_of

T = TypeVar("T")
S = TypeVar("S")


@dataclass(frozen=True)
class NoSettings:
    """The settings of a rule that has none."""


NO_SETTINGS = NoSettings()


@dataclass(frozen=True)
class Rule:
    """A rule's metadata: what `slopguard rules` lists and what configuration addresses."""

    id: str
    category: str
    languages: tuple[str, ...]
    severity: Severity
    summary: str
    confidence: Confidence = "high"  # the default confidence of the rule's findings
    # a frozen dataclass instance: the rule's typed settings, each field's default the only default
    settings: object = NO_SETTINGS


class RepoView(Protocol):
    """Read access to both trees of the scanned change, parsed lazily and cached."""

    def paths(self, side: Side) -> Sequence[str]:
        """Every file path of the head (RIGHT) or base (LEFT) tree."""
        ...

    def source(self, side: Side, path: str) -> SourceFile | None:
        """The parsed file at `path` on `side`, or None when absent, binary or too large."""
        ...

    def files_containing(self, side: Side, patterns: Iterable[str], *, mode: str = "identifier",
                         word_chars: str = "A-Za-z0-9_") -> frozenset[str]:
        """Paths of one side whose bytes contain one of `patterns`, found by `git grep` without
        reading or parsing the files in Python: the candidate files of a repository-wide question
        ("is this name used elsewhere?"). `mode` "identifier": the pattern as a whole token
        (`word_chars` are the identifier characters, as a bracket-expression body); "fixed": a
        substring; "regex": an extended regular expression. A superset of the files a parser
        would find a use in: a hit may sit in a comment or a string."""
        ...

    def derived(self, side: Side, path: str, kind: str, build: Callable[[SourceFile], T]) -> T | None:
        """`build(source)` for one file, computed once per content (blob id) and kept on disk
        when the scan has a cache folder: a later scan reads it without parsing the file. `build`
        must be a pure function of the file's content and language returning plain data."""
        ...

    def cached_paths(self, side: Side, paths: list[str], kind: str) -> set[str]:
        """Those of `paths` whose `derived(kind)` value is known without parsing (prefetch the rest)."""
        ...

    def prefetch(self, side: Side, paths: list[str]) -> None:
        """Read and parse many files of one side at once (one git process)."""
        ...

    def with_keys(self, side: Side, paths: list[str], kind: str,
                  keys: Callable[[list[str]], Mapping[str, Iterable[int]]], wanted: set[int]) -> list[str]:
        """Those of `paths`, in order, some of whose keys are in `wanted`. `keys(paths)` gives the
        keys of many files at once (for each a pure function of the file's content and language,
        such as the window hashes of its functions).
        With a cache folder the keys are kept by blob id in one inverted index, so a later scan
        computes them only for the files it has not met and finds the others by one query."""
        ...

    def memo(self, key: str, build: Callable[[], T]) -> T:
        """A value built once per scan and shared by detectors (repository indexes); it lives as
        long as this view, so nothing outlives the scan and no module-level cache is needed."""
        ...


class Options(Protocol):
    def settings(self, rule: Rule, kind: type[S]) -> S:
        """The settings of `rule` (an instance of `kind`): configured values over its defaults."""
        ...


@dataclass(frozen=True)
class FileContext:
    """One changed file as a detector sees it."""

    diff: FileDiff
    head: SourceFile | None
    base: SourceFile | None
    repo: RepoView
    options: Options
    intent: str = ""

    @property
    def path(self) -> str:
        return self.diff.path

    @property
    def language(self) -> str | None:
        src = self.head or self.base
        return src.language if src else None

    def changed(self, node: Node) -> bool:
        """True when any line of `node` (a head node) is an added line."""
        added = self.diff.added
        return any(n in added for n in range(line_of(node), end_line_of(node) + 1))

    def finding(
        self,
        rule: Rule,
        at: Node | int,
        message: str,
        *,
        end: Node | int | None = None,
        side: Side = "RIGHT",
        severity: Severity | None = None,
        anchor: str = "line",
        confidence: Confidence | None = None,
        evidence: str = "",
    ) -> Finding:
        """A finding of `rule` at a node or a 1-based line of the `side` version."""
        line = line_of(at) if isinstance(at, Node) else at
        if end is None:
            end_line = end_line_of(at) if isinstance(at, Node) else line
        else:
            end_line = end_line_of(end) if isinstance(end, Node) else end
        path = self.diff.path if side == "RIGHT" else (self.diff.old_path or self.diff.path)
        return Finding(
            rule=rule.id,
            category=rule.category,
            severity=severity or rule.severity,
            path=path,
            line=line,
            end_line=max(line, end_line),
            side=side,
            message=message,
            anchor="definition" if anchor == "definition" else "line",
            confidence=confidence or rule.confidence,
            evidence=evidence,
        )


@dataclass(frozen=True)
class ChangeContext:
    """The whole change: every changed file, both trees, the PR's stated intent."""

    files: tuple[FileContext, ...]
    repo: RepoView
    options: Options
    intent: str = ""


class Detector:
    """Base class of all detectors. Subclasses set `rules` and override one or both hooks."""

    rules: ClassVar[tuple[Rule, ...]] = ()

    def check_file(self, ctx: FileContext) -> Iterable[Finding]:
        return ()

    def check_change(self, ctx: ChangeContext) -> Iterable[Finding]:
        return ()
