"""Values that may be None / null / undefined, dereferenced without a check.

## What it does
Tracks, inside one function, values that can be missing and reports the first dereference that
no check guards. One detector serves Python and JS/TS: each language says what may be missing,
what dereferences it and what guards it (`python_optional.py`, `js_optional.py`); the detector
leaves test files alone and reports one finding per line and value.
- Python: `dict.get(key)` / `os.getenv()` without a default, `re.match/search/fullmatch`, ORM
  lookups (`.first()`, `.one_or_none()`, `session.get(Model, id)`, `.fetchone()`: the lists
  `python_orm_lookups` and `python_cursor_fetches` of `rules/data/null-check.yml`),
  `next(iterator, None)`, repository functions annotated `-> Optional[...]`, parameters and class
  fields declared Optional or nullable, payload keys a module documents as null. Dereferences:
  attribute access, method call, subscript, arithmetic, iteration, `len()` and the other calls of
  `python_deref_calls`. Guards: `if x:` / `if x is not None:` around the use, an early
  `return`/`raise`/`continue` (or a call of `python_noreturn_calls`) when it is None, `assert x`,
  `try/except (AttributeError, TypeError)`, every caller of a method checking the attribute first.
- JS/TS: `array.find()`, `map.get(key)`, DOM lookups, `str.match(re)`, ORM lookups,
  `process.env.X` used as a string, calls declared to return `T | null`, properties declared
  optional. Guards: `?.`, `??`/`||` defaults, `if (x)` blocks or early exits, ternaries,
  `assert(x)`/`invariant(x)`, `map.has(key)`, a try/catch with a fallback.

## Why is this bad?
The missing case is the one the happy-path test never hits: an unknown id, an unset environment
variable, a line the pattern does not match. It then fails as an `AttributeError` /
`TypeError: Cannot read properties of undefined` far from its cause (a 500 instead of a 404, a
crash at start-up instead of a default). A `# type: ignore` or a non-null assertion `!` only
silences the type checker.

## Example
```python
coupon = Coupon.query.filter_by(code=code).first()
if coupon.is_expired(now):
    abort(422)
```

## Use instead
```python
coupon = Coupon.query.filter_by(code=code).first()
if coupon is None:
    abort(422, description="unknown coupon")
if coupon.is_expired(now):
    abort(422)
```
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar

from ...detector import Detector, FileContext, Rule
from ...lang.js import syntax as js
from ...models import Finding, Severity
from .js_optional import js_findings
from .python_optional import is_test, python_findings

PYTHON_RULE = Rule(
    id="python.null-check.unguarded-optional",
    category="null-check",
    languages=("python",),
    severity=Severity.WARNING,
    summary="A value that may be None is dereferenced without a check.",
)
JS_RULE = Rule(
    id="js.null-check.unguarded-optional",
    category="null-check",
    languages=js.LANGUAGES,
    severity=Severity.WARNING,
    summary="A value that may be null/undefined is dereferenced without a check.",
)


@dataclass(frozen=True)
class Language:
    """What one language contributes to the unguarded-optional check."""

    rule: Rule
    is_test: Callable[[str], bool]  # a test file: a missing value there fails loudly anyway
    removals: bool  # a change that only removes lines can make a value unguarded (a removed check)
    # (finding, the value it is about) for every unguarded dereference the change is responsible for
    findings: Callable[[FileContext, Rule], Iterator[tuple[Finding, str]]]


PYTHON = Language(PYTHON_RULE, is_test, True, python_findings)
JS = Language(JS_RULE, js.is_test_path, False, js_findings)
LANGUAGES = {"python": PYTHON, **{name: JS for name in js.LANGUAGES}}


class UnguardedOptional(Detector):
    rules: ClassVar[tuple[Rule, ...]] = (PYTHON_RULE, JS_RULE)

    def check_file(self, ctx: FileContext) -> Iterator[Finding]:
        src = ctx.head
        language = LANGUAGES.get(src.language or "") if src is not None else None
        if src is None or src.root is None or language is None or language.is_test(ctx.path):
            return
        if not (ctx.diff.added or (language.removals and ctx.diff.removed)):
            return
        reported: set[tuple[int, str]] = set()
        for finding, value in language.findings(ctx, language.rule):
            if (finding.line, value) not in reported:
                reported.add((finding.line, value))
                yield finding
