"""What a language layer answers about a new test file its test runner will not collect.

Language-neutral: `lang/python/collection.py` and `lang/js/collection.py` each decide, from the
repository's runner configuration, whether a file is collected; the uncollected-test-file detector
reports what they return.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Uncollected:
    """A new file with tests that the runner never collects."""

    runner: str  # "pytest", "jest", "vitest"
    why: str  # why not, as a clause ("its name matches none of ...")
    tests: int  # how many tests the file holds
    line: int  # where the first test starts
    advice: str  # what to do instead, one sentence
