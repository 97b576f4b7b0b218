"""The record of posted findings in the summary comment: round trip, size bound, damaged records."""

from __future__ import annotations

import hashlib

from slopguard.app import posted_record


def test_round_trip_inside_an_html_comment() -> None:
    posted = {"fp-1": "`app.py:3` dead-code: `os` is imported but never used -->", "fp-2": "`b.py:9` bloat: long"}
    tag = posted_record.encode(posted)
    assert tag.startswith("<!-- slopguard:posted=") and tag.endswith(" -->") and tag.count("-->") == 1
    assert posted_record.decode(f"<!-- slopguard:summary -->\n{tag}\n## slopguard review\n") == posted


def _many(n: int) -> dict[str, str]:
    return {hashlib.sha256(str(i).encode()).hexdigest()[:20]: f"`src/m{i}.py:{i}` " + "x" * 150 for i in range(n)}


def test_many_findings_fit_by_shortening_descriptions() -> None:
    posted = _many(1000)
    tag = posted_record.encode(posted)
    assert len(tag) <= posted_record.MAX_CHARS + 40
    assert set(posted_record.decode(tag)) == set(posted)  # every fingerprint kept


def test_too_many_findings_keep_the_newest_within_the_bound() -> None:
    posted = _many(5000)
    tag = posted_record.encode(posted)
    assert len(tag) <= posted_record.MAX_CHARS + 40
    kept = posted_record.decode(tag)
    assert 1000 < len(kept) < 5000 and list(posted)[-1] in kept and next(iter(posted)) not in kept


def test_a_damaged_or_missing_record_is_empty() -> None:
    assert posted_record.decode("no record here") == {}
    assert posted_record.decode("<!-- slopguard:posted=AAAA -->") == {}
    assert posted_record.decode("<!-- slopguard:posted=bm90IHpsaWI= -->") == {}
