"""Times and dates as the GUI shows them: in the format of the app's language (the default QLocale
that desktop_app/i18n sets at start), short form, so 12- or 24-hour as that locale writes it
("8:12 AM" in US English, "08:12" in German). Exports, the command line and CSV keep fixed formats.

The admin pages call these too; nothing else on screen formats a time or date itself.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

_SHORT = QLocale.FormatType.ShortFormat


def time_text(when: datetime, seconds: bool = False) -> str:
    """The time of day of `when` (aware times in the computer's time zone), e.g. "8:12 AM"; with
    seconds, the locale's long form without its time zone ("8:12:05 AM")."""
    local = when.astimezone() if when.tzinfo else when
    time = QTime(local.hour, local.minute, local.second)
    if not seconds:
        return QLocale().toString(time, _SHORT)
    # The long form names the time zone; the short form's pattern with seconds does not.
    pattern = QLocale().timeFormat(_SHORT)
    if ":ss" not in pattern:
        pattern = pattern.replace("mm", "mm:ss", 1)
    return QLocale().toString(time, pattern)


def date_text(day: date) -> str:
    """A date in the locale's short form, e.g. "12/7/26" or "07.12.26"."""
    return QLocale().toString(QDate(day.year, day.month, day.day), _SHORT)


def day_month_text(day: date) -> str:
    """The day of the month and the month's short name in the locale's language, e.g. "07 Dec"
    or "07 déc." (the attendance chart's days)."""
    return QLocale().toString(QDate(day.year, day.month, day.day), "dd MMM")


def datetime_text(when: datetime) -> str:
    """Date and time in the locale's short form, e.g. "12/7/26 8:12 AM"."""
    local = when.astimezone() if when.tzinfo else when
    moment = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second))
    return QLocale().toString(moment, _SHORT)
