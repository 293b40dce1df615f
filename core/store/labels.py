"""Names, groups and ids as people type them: one clean line, checked once for every way in."""

from __future__ import annotations

import unicodedata

from core.errors import FaceGateError

# Column sizes of the people table (the Store declares its columns with them): PostgreSQL refuses
# what does not fit, SQLite would store it, so everything is checked before it is written.
NAME_LEN, ID_LEN, GROUP_LEN = 200, 100, 100
_LIMITS = {"name": NAME_LEN, "external id": ID_LEN, "group": GROUP_LEN}


def check_length(what: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise FaceGateError(f"the {what} is too long ({len(value)} characters; at most {limit})")


def clean_label(text: str, what: str = "name") -> str:
    """`text` stripped; FaceGateError if it holds a control character (a newline or tab would break
    the tab-separated `people` listing and CSV rows) or is longer than its column."""
    text = text.strip()
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")), None)
    if bad is not None:
        raise FaceGateError(f"the {what} {text!r} holds a control character ({bad!r}); use one plain line")
    check_length(what, text, _LIMITS.get(what, ID_LEN))
    return text


def name_key(name: str) -> str:
    """What makes two names the same person's: Unicode-normalised, trimmed, inner spaces collapsed,
    case-folded ("ZOË  Smith " and "zoë smith" collide; casefold also maps ß to ss)."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()
