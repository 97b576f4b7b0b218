"""Which routes are public, for the dropped-auth rules: by structure, an explicit allow-list marker on
the route (`@permission_classes([AllowAny])`, `@login_not_required`, a `skipAuth` middleware); by
name only, a route whose path or handler name contains a public-route word (`/login`, `health`).

A name alone never drops a finding: a new route only its name calls public, or a module whose auth
norm holds only when such routes are left out of the count, keeps its finding at low confidence, and
the message names the words. Likewise a norm that holds only because sibling routes carry auth that
only its name suggests (`python_auth_evidence.py`) is reported at low confidence, naming it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tree_sitter import Node

from ...detector import RepoView
from ...parsing import SourceFile, walk
from ...ruledata import data_lists

_IDENTIFIERS = ("identifier", "property_identifier", "shorthand_property_identifier")


def public_markers(repo: RepoView | None) -> frozenset[str]:
    """Names of the decorators, middlewares and options that mark a route public on purpose."""
    return data_lists("insecure-auth", repo).get("public_markers")


def marked_public(src: SourceFile, marks: Iterable[Node], markers: frozenset[str]) -> bool:
    """A decorator, middleware or route option names an allow-list marker (identifiers only: a route path
    string containing `public` is not a marker)."""
    return any(n.type in _IDENTIFIERS and src.node_text(n) in markers for mark in marks for n in walk(mark))


def public_word(pattern: re.Pattern[str], *names: str) -> str:
    """The first of `names` (a path, a handler name) that contains a public-route word, as written."""
    return next((name for name in names if name and pattern.search(name)), "")


@dataclass(frozen=True)
class Sibling:
    authed: bool
    marked: bool  # an allow-list marker makes it public by structure: not counted
    word: str  # its path or name when that contains a public-route word ('' otherwise)
    named_auth: str = ""  # its auth when only the name of that auth suggests it authenticates


@dataclass(frozen=True)
class Norm:
    """The module's auth norm: `with_auth` of `counted` sibling routes require auth; `named` are the
    unauthenticated siblings left out of the count only because their names suggest they are public."""

    with_auth: int
    counted: int
    named: tuple[str, ...]
    named_auth: tuple[str, ...] = ()  # the auth of siblings the norm needs that only its name suggests
    by_name: int = 0  # of `with_auth`, the siblings whose auth only its name suggests

    @property
    def shown(self) -> int:
        """The siblings whose auth the repository shows."""
        return self.with_auth - self.by_name


def module_norm(siblings: list[Sibling], min_siblings: int, min_ratio: float) -> Norm | None:
    """The norm a new route without auth breaks, or None when the module does not require auth."""
    counted = [s for s in siblings if not s.marked]
    with_auth = sum(1 for s in counted if s.authed)

    def holds(total: int) -> bool:
        return with_auth >= min_siblings and with_auth >= min_ratio * total

    if holds(len(counted)):
        norm = Norm(with_auth, len(counted), ())
    else:
        named = tuple(s.word for s in counted if s.word and not s.authed)
        if not named or not holds(len(counted) - len(named)):
            return None
        norm = Norm(with_auth, len(counted) - len(named), named)
    by_name = [s.named_auth for s in counted if s.authed and s.named_auth]
    shown = with_auth - len(by_name)
    needed = tuple(dict.fromkeys(by_name)) if by_name and not (
        shown >= min_siblings and shown >= min_ratio * norm.counted) else ()
    return Norm(norm.with_auth, norm.counted, norm.named, needed, len(by_name))


def wording_note(norm: Norm, own_word: str) -> str:
    """The sentence a low-confidence finding adds: which names alone excuse the route or its siblings."""
    notes = []
    if own_word:
        notes.append(f"only its path or name `{own_word[:40]}` suggests it is public by design")
    if norm.named:
        shown = ", ".join(f"`{w[:30]}`" for w in norm.named[:3])
        notes.append(f"{len(norm.named)} other route(s) without auth are not counted because only their names "
                     f"({shown}) suggest they are public")
    if norm.named_auth:
        shown = ", ".join(f"`{w[:30]}`" for w in norm.named_auth[:3])
        notes.append(f"the auth of sibling routes is recognised only by the name of {shown}: its definition is not "
                     "in the repository or does not show it reading credentials or answering 401/403")
    return (" Note: " + "; ".join(notes) + ".") if notes else ""
