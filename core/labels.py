"""Names, groups and ids as people type them: one clean line, checked once for every way in."""

from __future__ import annotations

import unicodedata

from .errors import FaceGateError

# Long enough for any real name; a limit keeps tables and CSV cells readable.
MAX_LABEL_CHARS = 100


def clean_label(text: str, what: str = "name") -> str:
    """`text` stripped; FaceGateError if it holds a control character (a newline or tab would break
    the tab-separated `people` listing and CSV rows) or is over MAX_LABEL_CHARS."""
    text = text.strip()
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")), None)
    if bad is not None:
        raise FaceGateError(f"the {what} {text!r} holds a control character ({bad!r}); use one plain line")
    if len(text) > MAX_LABEL_CHARS:
        raise FaceGateError(f"the {what} is {len(text)} characters long; at most {MAX_LABEL_CHARS} are allowed")
    return text
