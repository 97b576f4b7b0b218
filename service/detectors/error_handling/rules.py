"""The rules of the error-handling category, both languages in one table: one row per failure mode
and language (the detectors that check them: `python.py`, `python_unawaited.py`, `js.py` with
`js_promises.py` and `js_fire_and_forget.py`)."""

from __future__ import annotations

from ...detector import Rule
from ...lang.js import syntax as js
from ...models import Confidence, Severity

CATEGORY = "error-handling"
LANGUAGES = {"python": ("python",), "js": js.LANGUAGES}


def _rule(language: str, name: str, severity: Severity, summary: str, confidence: Confidence = "high") -> Rule:
    return Rule(id=f"{language}.{CATEGORY}.{name}", category=CATEGORY, languages=LANGUAGES[language],
                severity=severity, summary=summary, confidence=confidence)


# ---------------------------------------------------------------------------- Python

SWALLOWED = _rule("python", "swallowed-exception", Severity.WARNING,
                  "An exception is caught and silently discarded (except: pass, except Exception: continue).")
LOGGED = _rule("python", "logged-and-ignored", Severity.WARNING,
               "A broad except only logs and then returns a default or skips the work as if it succeeded.",
               "medium")
AS_SUCCESS = _rule("python", "failure-as-success", Severity.ERROR,
                   "A failure is turned into a success: a 2xx response or a 'succeeded' status after an error.",
                   "medium")
RETRY = _rule("python", "retry-swallows-error", Severity.WARNING,
              "A retry loop retries every exception or drops the last error when the attempts run out.", "medium")
COMMIT = _rule("python", "ignored-commit-failure", Severity.WARNING,
               "A failed commit/flush is only logged: no rollback, no re-raise, the caller sees success.")
UNAWAITED = _rule("python", "unawaited-coroutine", Severity.ERROR,
                  "An async function is called without `await`: the coroutine never runs.")
DROPPED_TASK = _rule("python", "dropped-task", Severity.WARNING,
                     "The task of `asyncio.create_task(...)` is dropped: it may be collected mid-run, its error "
                     "is lost.")

# ---------------------------------------------------------------------------- JavaScript / TypeScript

JS_EMPTY = _rule("js", "empty-catch", Severity.WARNING, "An empty catch block silently discards the error.")
JS_SWALLOWED_PROMISE = _rule("js", "swallowed-promise", Severity.WARNING,
                             "A promise rejection is swallowed by `.catch(() => {})` or `.catch(() => null)`.")
JS_LOGGED = _rule("js", "logged-and-ignored", Severity.WARNING,
                  "A catch only logs and returns a default, so the caller cannot tell failure from success.", "medium")
JS_AS_SUCCESS = _rule("js", "failure-as-success", Severity.ERROR, "A failure is answered with a success response.",
                      "medium")
JS_FLOATING = _rule("js", "floating-promise", Severity.WARNING,
                    "An async call's promise is neither awaited, returned nor handled; its rejection is lost.",
                    "medium")
