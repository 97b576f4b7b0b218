"""The findings already posted on a pull request, recorded in the summary comment's hidden data.

The GitHub Action has no database: what it posted on earlier pushes is read back from the summary
comment it edits in place. The record is `fingerprint -> one-line description` (the descriptions
list findings as resolved when they go away), as zlib-compressed JSON in base64 inside an HTML
comment, which GitHub does not render. The App keeps the same record in its store and writes it too,
so a lost store recovers from it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping

TAG = "<!-- slopguard:posted="
MAX_CHARS = 20000  # the record's share of GitHub's 65536-character comment
_RECORD = re.compile(re.escape(TAG) + r"([A-Za-z0-9+/=]*) -->")


def encode(posted: Mapping[str, str]) -> str:
    """The hidden tag holding `posted`, at most MAX_CHARS long: descriptions are shortened, then
    dropped; past about 1,500 findings the oldest fingerprints are left out (they may be posted again)."""
    items = list(posted.items())
    for width in (160, 60, 0):
        packed = _pack({fp: desc[:width] for fp, desc in items})
        if len(packed) <= MAX_CHARS:
            return f"{TAG}{packed} -->"
    keep = len(items)
    while len(packed) > MAX_CHARS and keep > 0:
        keep = int(keep * MAX_CHARS / len(packed) * 0.95)
        packed = _pack({fp: "" for fp, _ in items[len(items) - keep:]})
    return f"{TAG}{packed} -->"


def _pack(record: Mapping[str, str]) -> str:
    return base64.b64encode(zlib.compress(json.dumps(record, separators=(",", ":")).encode(), 9)).decode()


def decode(body: str) -> dict[str, str]:
    """The record in a summary comment's body; {} when it has none or it does not decode."""
    match = _RECORD.search(body)
    if match is None:
        return {}
    try:
        data = json.loads(zlib.decompress(base64.b64decode(match.group(1), validate=True)))
    except (binascii.Error, zlib.error, ValueError):
        return {}  # edited by hand or cut off: the inline comments' tags still tell what was posted
    if not isinstance(data, dict):
        return {}
    return {str(fp): str(desc) for fp, desc in data.items()}
