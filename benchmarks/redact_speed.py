"""Secret redaction on attacker-shaped text (issue 14): wall time of `redact` per input shape and size.

Every pattern run on a PR description or code must be linear: doubling the size should roughly
double the time. Run: `.venv/bin/python benchmarks/redact_speed.py`.
"""

from __future__ import annotations

import time

from slopguard.llm.redact import redact

SHAPES = {
    "repeated password": lambda n: "password" * (n // 8),
    "unclosed quoted value": lambda n: 'password = "' + "x" * n,
    "one long identifier": lambda n: "a.b-c_" * (n // 6) + " = ",
    "quote starts": lambda n: 'x="' * (n // 3),
    "sk- prefixes": lambda n: "sk-" * (n // 3),
    "real assignments": lambda n: "password: 'hunter22'\n" * (n // 21),
}
SIZES = (4_000, 100_000, 1_000_000)


def main() -> None:
    print(f"{'shape':<24}" + "".join(f"{size:>14,}" for size in SIZES) + "   (seconds)")
    for name, make in SHAPES.items():
        cells = []
        for size in SIZES:
            text = make(size)
            started = time.perf_counter()
            redact(text)
            cells.append(f"{time.perf_counter() - started:>14.4f}")
        print(f"{name:<24}" + "".join(cells))


if __name__ == "__main__":
    main()
