"""The typed settings of the bloat rules (`rules: {<rule>: {<setting>: value}}` in .slopguard.yml)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CopyPasteSettings:
    min_lines: int = field(default=8, metadata={"help": "normalised lines two functions must share (at least 2)"})
    test_min_lines: int = field(default=15, metadata={
        "help": "the same for functions in test files (never below min_lines)"})


@dataclass(frozen=True)
class LongFunctionSettings:
    max_lines: int = field(default=80, metadata={"help": "a function longer than this is flagged (a floor)"})
    max_branches: int = field(default=15, metadata={"help": "a function with more branches is flagged (a floor)"})
    percentile_factor: float = field(default=2.0, metadata={
        "help": "the limits rise to this factor times the repository's 95th percentile"})


@dataclass(frozen=True)
class ConfigHierarchySettings:
    max_constants: int = field(default=8, metadata={
        "help": "a class hierarchy that only carries up to this many constants is flagged"})


@dataclass(frozen=True)
class RepeatedConditionalSettings:
    min_repeats: int = field(default=3, metadata={"help": "how many times one shape must be written"})
    min_tokens: int = field(default=12, metadata={"help": "the smallest conditional (in tokens) counted"})
