"""Names, groups and ids as people type them: one clean line, checked once for every way in."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from core.errors import FaceGateError

# Column sizes of the people table (the Store declares its columns with them): PostgreSQL refuses
# what does not fit, SQLite would store it, so everything is checked before it is written.
NAME_LEN, ID_LEN, GROUP_LEN = 200, 100, 100
# An attendance correction's reason (core.store.corrections): one line, long enough to explain.
REASON_LEN = 255
# people.name_key's column: room for most names' fold, which may grow (NFKC spells "ﬃ" as "ffi").
KEY_LEN = 2 * NAME_LEN
_LIMITS = {"name": NAME_LEN, "external id": ID_LEN, "group": GROUP_LEN, "reason": REASON_LEN}


def check_length(what: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise FaceGateError(f"the {what} is too long ({len(value)} characters; at most {limit})")


def clean_label(text: str, what: str = "name") -> str:
    """`text` stripped; FaceGateError if it holds a control character (a newline or tab would break
    the tab-separated `people` listing and CSV rows) or is longer than its column."""
    text = unicodedata.normalize("NFC", text).strip()
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")), None)
    if bad is not None:
        raise FaceGateError(f"the {what} {text!r} holds a control character ({bad!r}); use one plain line")
    if text and not any(_visible(c) for c in text):
        raise FaceGateError(f"the {what} {text!r} has no visible character")
    check_length(what, text, _LIMITS.get(what, ID_LEN))
    return text


# Letters that draw as nothing, though Unicode files them as letters or symbols (Hangul fillers,
# the blank Braille pattern): a name of them alone looks empty on every screen.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _visible(c: str) -> bool:
    # Spaces, control and format characters, and combining marks draw nothing on their own.
    return unicodedata.category(c)[0] not in "ZC" and unicodedata.category(c) not in ("Mn", "Me") and c not in _BLANK


# Cyrillic and Greek letters drawn like a Latin one in common fonts, after case-folding, so
# "Сolin" (Cyrillic С) is "Colin". Covers the look-alikes of a-z among the two alphabets' basic
# letters (lower case, and lower case of look-alike capitals: Cyrillic н of Н, Greek ν of Ν); not
# digits (0/O, 1/l) nor look-alikes within Latin, nor other scripts.
_CONFUSABLE = str.maketrans(
    {
        **dict(zip("авеёіїјкмнорстухѕһԁԛԝӏ", "abeëiïjkmhopctyxshdqwl", strict=True)),  # Cyrillic
        **dict(zip("αβεηικμνορτυχζ", "abehikmnoptyxz", strict=True)),  # Greek
    }
)


def name_key(name: str) -> str:
    """What makes two names the same person's: NFKC (full-width and ligature forms as their plain
    letters), trimmed, inner spaces collapsed, case-folded (ß is ss), Cyrillic and Greek look-alikes
    as Latin: "ZOË  Smith ", "zoë smith", "Ｚoë Smith" and "Ζoë Smith" (Greek Ζ) collide."""
    folded = " ".join(unicodedata.normalize("NFKC", name).split()).casefold()
    return unicodedata.normalize("NFC", folded.translate(_CONFUSABLE))


def stored_keys(people: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """(id, name_key) for people already stored, in id order, for a migration that (re)computes the
    keys: a later person whose key an earlier one holds gets " #id" added, so both stay (an admin
    renames one) and the unique index can be built."""
    taken: set[str] = set()
    for person_id, name in people:
        key = name_key(name)
        key = key if key not in taken else f"{key} #{person_id}"
        taken.add(key)
        yield person_id, key
