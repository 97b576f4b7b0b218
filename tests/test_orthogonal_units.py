"""orthogonal-edit's change units read their tokens only when asked (`fill`), with the same tokens
and comments as reading every unit up front."""

from __future__ import annotations

from pathlib import Path

from slopguard.detectors.orthogonal_edit.languages import SPECS
from slopguard.detectors.orthogonal_edit.units import Unit, extract, fill
from slopguard.parsing import parse_source

PYTHON = '''"""Module doc."""
import os  # trailing
# a block comment
# on two lines
LIMIT = 3  # the limit
VALUES = [  # open
    1,  # one
]  # close


class Store(Base):  # a store
    """Doc."""
    name = "x"

    def get(self, key, default=None,):  # get it
        # inside
        return self.items.get(key, default)  # trailing too

    @property
    def size(self):
        return len(self.items)


def helper(a, b):
    return (a,) + (b, 1,)
'''

TYPESCRIPT = '''// header
import { a } from "./a";  // why
export const LIMIT = 3;
export class Store {
  // a field
  name = `x${LIMIT}`;
  get(key: string): number { return this.items[key]; }  // trailing
}
export function helper(a: number, b: number) {
  return [a, b,];
}
'''


def _view(units: list[Unit]) -> list[tuple[str, str, list[tuple[str, str]], list[str], list[bool]]]:
    return [(u.key, u.kind, u.keys, u.comments, [t.doc for t in u.tokens]) for u in units]


def test_filled_on_demand_matches_filled_up_front(tmp_path: Path) -> None:
    for path, text in (("m.py", PYTHON), ("m.ts", TYPESCRIPT)):
        src = parse_source(path, text)
        spec = SPECS[src.language or ""]
        eager = extract(src, spec)
        lazy = extract(src, spec, filled=False)
        assert [u.key for u in lazy] == [u.key for u in eager]
        assert any(u.tokens for u in eager) and not any(u.tokens for u in lazy)
        for unit in lazy:
            fill(unit, spec)
            fill(unit, spec)  # a second call reads nothing again
        assert _view(lazy) == _view(eager)
    values = next(u for u in extract(parse_source("m.py", PYTHON), SPECS["python"]) if u.key == "VALUES")
    assert values.comments == ["# open", "# one", "# close"]  # its own comments, then the trailing one
