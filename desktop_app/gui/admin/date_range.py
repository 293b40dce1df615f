"""The From/to pair of day pickers the Reports and Audit pages read a date range with."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import QDateEdit, QHBoxLayout

from core.days import day_range
from core.i18n import QT_TRANSLATE_NOOP
from desktop_app.gui.accessible import add_labelled


class DateRange:
    def __init__(self, first: QDate, last: QDate):
        self.start, self.end = QDateEdit(first), QDateEdit(last)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")

    def set_days(self, first: date, last: date) -> None:
        self.start.setDate(QDate(first.year, first.month, first.day))
        self.end.setDate(QDate(last.year, last.month, last.day))

    @property
    def days(self) -> tuple[date, date]:
        return _day(self.start), _day(self.end)

    @property
    def instants(self) -> tuple[datetime, datetime]:
        """Local midnight of the first day to the midnight after the last."""
        return day_range(*self.days)

    def add_to(self, row: QHBoxLayout) -> None:
        for label, edit in (
            (QT_TRANSLATE_NOOP("DateRange", "From"), self.start),
            (QT_TRANSLATE_NOOP("DateRange", "to"), self.end),
        ):
            add_labelled(row, QCoreApplication.translate("DateRange", label), edit)


def _day(edit: QDateEdit) -> date:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day())
