"""Dates and times as the chosen language writes them on screen (the default QLocale, which the
language loader sets); files written for other programs keep their fixed formats."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

SHORT = QLocale.FormatType.ShortFormat


def _local(dt: datetime) -> datetime:
    return dt.astimezone() if dt.tzinfo is not None else dt


def time_text(dt: datetime) -> str:
    """Hours and minutes, 12- or 24-hour as the locale has it."""
    t = _local(dt)
    return QLocale().toString(QTime(t.hour, t.minute, t.second), SHORT)


def date_text(d: date) -> str:
    return QLocale().toString(QDate(d.year, d.month, d.day), SHORT)


def datetime_text(dt: datetime) -> str:
    t = _local(dt)
    return QLocale().toString(QDateTime(QDate(t.year, t.month, t.day), QTime(t.hour, t.minute, t.second)), SHORT)
