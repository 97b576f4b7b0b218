"""What a language says about its imports, for the language-neutral unused-import detector
(`service/detectors/dead_code/unused_import.py`); each language fills an `ImportSyntax`
(`python_imports.py`, `js_imports.py` beside the detector)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tree_sitter import Node

from ..detector import FileContext
from ..models import Confidence
from ..parsing import SourceFile


@dataclass(frozen=True)
class Imported:
    """One name an import statement binds."""

    name: str
    node: Node  # the node a finding is reported on
    stmt: Node  # the import statement


@dataclass(frozen=True)
class ImportSyntax:
    """What one language says about imports and their uses."""

    applies: Callable[[FileContext, SourceFile], bool]  # the file is one whose imports are checked
    imports: Callable[[Node], list[Imported]]  # every name the file's import statements bind
    uses: Callable[[SourceFile], Counter[str]]  # references of each name outside the imports
    # left alone whatever its uses (given the module's uses)
    exempt: Callable[[FileContext, SourceFile, Imported, Counter[str]], bool]
    kept: Callable[[FileContext, Imported], bool]  # used from outside the module (checked last)
    group: Literal["line", "file"]  # one finding per import line or per file
    orphan_confidence: Confidence  # of a finding on an import whose last use the change removed
