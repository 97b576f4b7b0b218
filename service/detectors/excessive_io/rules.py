"""The rules of the excessive-io detectors (documented in `python.py`, `js.py` and rules/docs/excessive-io)."""

from __future__ import annotations

from ...detector import Confidence, Rule
from ...lang.js.syntax import LANGUAGES
from ...models import Severity


def _rule(rule_id: str, languages: tuple[str, ...], summary: str, confidence: Confidence = "high") -> Rule:
    return Rule(id=rule_id, category="excessive-io", languages=languages, severity=Severity.WARNING,
                summary=summary, confidence=confidence)


IO_IN_LOOP = _rule("python.excessive-io.io-in-loop", ("python",),
                   "I/O (query, HTTP request, subprocess, file read, connection) once per loop iteration")
REPEATED_READ = _rule("python.excessive-io.repeated-read", ("python",),
                      "the same file or URL read again on every request", "medium")
UNBOUNDED_READ = _rule("python.excessive-io.unbounded-read", ("python",),
                       "a whole file, response or result set read into memory instead of streamed", "medium")

JS_IO_IN_LOOP = _rule("js.excessive-io.io-in-loop", LANGUAGES,
                      "query, HTTP request or file read awaited once per loop iteration (N+1)")
FAN_OUT = _rule("js.excessive-io.unbatched-fan-out", LANGUAGES,
                "Promise.all over one query/request per item where a batch query or API exists", "medium")
SYNC_READ = _rule("js.excessive-io.sync-read-in-handler", LANGUAGES,
                  "blocking fs call (readFileSync...) inside an HTTP request handler")
REQUEST_PER_ROW = _rule("js.excessive-io.request-per-row", LANGUAGES,
                        "a component rendered once per list item fetches its own data (one request per row)", "medium")
