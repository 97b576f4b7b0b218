"""The rules of the JavaScript/TypeScript error-handling detector (documented in `js.py`)."""

from __future__ import annotations

from ...detector import Rule
from ...lang.js import syntax as js
from ...models import Severity

CATEGORY = "error-handling"


EMPTY = Rule(
    id="js.error-handling.empty-catch",
    category=CATEGORY,
    languages=js.LANGUAGES,
    severity=Severity.WARNING,
    summary="An empty catch block silently discards the error.",
)


SWALLOWED_PROMISE = Rule(
    id="js.error-handling.swallowed-promise",
    category=CATEGORY,
    languages=js.LANGUAGES,
    severity=Severity.WARNING,
    summary="A promise rejection is swallowed by `.catch(() => {})` or `.catch(() => null)`.",
)


LOGGED = Rule(
    id="js.error-handling.logged-and-ignored",
    category=CATEGORY,
    languages=js.LANGUAGES,
    severity=Severity.WARNING,
    summary="A catch only logs and returns a default, so the caller cannot tell failure from success.",
    confidence="medium",
)


AS_SUCCESS = Rule(
    id="js.error-handling.failure-as-success",
    category=CATEGORY,
    languages=js.LANGUAGES,
    severity=Severity.ERROR,
    summary="A failure is answered with a success response.",
    confidence="medium",
)


FLOATING = Rule(
    id="js.error-handling.floating-promise",
    category=CATEGORY,
    languages=js.LANGUAGES,
    severity=Severity.WARNING,
    summary="An async call's promise is neither awaited, returned nor handled; its rejection is lost.",
    confidence="medium",
)
