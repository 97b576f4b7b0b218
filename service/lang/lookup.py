"""A read-only mapping answered one key at a time: what the repository indexes of both languages
expose where they used to hold a whole-repository dict (`defs`, `masked`, `sources`), so that
asking about one name or file reads only what that question needs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TypeVar

V = TypeVar("V")


class Lookup(Mapping[str, V]):
    """`fetch(key)` gives the value or None (absent: KeyError); values are remembered. Iterating
    calls `keys()`, which may read the whole tree: detectors should ask by key."""

    def __init__(self, fetch: Callable[[str], V | None], keys: Callable[[], list[str]]) -> None:
        self._fetch = fetch
        self._keys = keys
        self._known: dict[str, V | None] = {}

    def _lookup(self, key: str) -> V | None:
        if key not in self._known:
            self._known[key] = self._fetch(key)
        return self._known[key]

    def __getitem__(self, key: str) -> V:
        found = self._lookup(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._lookup(key) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())
