"""The typed settings of the insecure-auth rules (`rules: {<rule>: {<setting>: value}}` in .slopguard.yml)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DroppedAuthSettings:
    min_siblings: int = field(default=2, metadata={
        "help": "sibling routes that must carry the auth check before a route without it is flagged"})
    min_ratio: float = field(default=0.8, metadata={
        "help": "share of the sibling routes that must carry the auth check"})


@dataclass(frozen=True)
class HardcodedSecretSettings:
    min_length: int = field(default=12, metadata={"help": "shortest literal considered a secret"})
    min_entropy: float = field(default=3.0, metadata={
        "help": "lowest Shannon entropy (bits per character) of a literal considered a secret"})
