"""The two views every rendering of a report shows, as columns: per person and per day, and the
corrections of its days when there are any. Values
stay numbers here (the XLSX keeps them as numbers); `shown` is how the HTML, the PDF and the page
write them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from core.i18n import QT_TRANSLATE_NOOP, Phrase
from core.reports.figures import WEEKDAYS, CorrectionLine, DayFigures, PersonFigures

R = TypeVar("R")
Value = str | int | float
# The page shows these translated (a Phrase); the files keep the English.
YES, NO = (
    Phrase("RecordTable", QT_TRANSLATE_NOOP("RecordTable", "yes")),
    Phrase("RecordTable", QT_TRANSLATE_NOOP("RecordTable", "no")),
)


@dataclass(frozen=True)
class ReportColumn(Generic[R]):
    header: str
    value: Callable[[R], Value]


PERSON_COLUMNS: tuple[ReportColumn[PersonFigures], ...] = (
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Person"), lambda p: p.name),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Group"), lambda p: p.group or ""),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Days present"), lambda p: p.days_present),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Hours"), lambda p: round(p.hours, 2)),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "No check-out"), lambda p: p.no_check_out),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Late"), lambda p: p.late),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Absent"), lambda p: p.absent),
)
DAY_COLUMNS: tuple[ReportColumn[DayFigures], ...] = (
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Date"), lambda d: d.day.isoformat()),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Day"), lambda d: WEEKDAYS[d.day.weekday()]),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Working day"), lambda d: YES if d.working else NO),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Present"), lambda d: len(d.present)),
    ReportColumn(QT_TRANSLATE_NOOP("RecordTable", "Who"), lambda d: ", ".join(d.present)),
)

CORRECTION_COLUMNS: tuple[ReportColumn[CorrectionLine], ...] = (
    ReportColumn("Corrected", lambda c: c.made),
    ReportColumn("Person", lambda c: c.name),
    ReportColumn("Event", lambda c: c.kind),
    ReportColumn("Action", lambda c: c.action),
    ReportColumn("Time (old -> new)", lambda c: c.change),
    ReportColumn("Reason", lambda c: c.reason),
    ReportColumn("By", lambda c: c.actor),
)


def shown(value: Value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)
