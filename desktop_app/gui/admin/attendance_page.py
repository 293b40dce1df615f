"""Attendance records: the daily first-in / last-out, check-ins and outs, and unlocks, filtered by
days, person and group, and each exported as CSV with the same filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.days import day_range
from core.errors import FaceGateError
from core.i18n import QT_TRANSLATE_NOOP
from core.store import DaySummary, Store
from core.store.export import shift_time
from core.types import UNLOCK, Event
from desktop_app.gui.admin.kind_names import event_name
from desktop_app.gui.admin.people_filters import refill_people_filters
from desktop_app.gui.admin.record_table import Column, RecordFilter, RecordTableModel, record_view
from desktop_app.gui.locale_format import date_text, time_text
from desktop_app.gui.plain import plain_label


@dataclass(frozen=True)
class ListedEvent:
    """A row of the events table: the event, and the group its person is in now."""

    event: Event
    group: str


def _day(edit: QDateEdit) -> date:
    chosen = edit.date()
    return date(chosen.year(), chosen.month(), chosen.day())


def _shift_text(when: datetime | None, day: DaySummary) -> str:
    """A first-in or last-out in the locale's time format, with shift_time's "+1" past its day."""
    if when is None:
        return "—"
    later = shift_time(when, day).partition(" ")[2]
    return time_text(when) + (f" {later}" if later else "")


def _instant(when: datetime | None) -> float:
    return when.timestamp() if when else float("-inf")


EVENT_COLUMNS: tuple[Column[ListedEvent], ...] = (
    Column(
        QT_TRANSLATE_NOOP("RecordTable", "Date"),
        lambda e: date_text(e.event.time.astimezone().date()),
        sort_key=lambda e: e.event.time.timestamp(),
    ),
    Column(
        QT_TRANSLATE_NOOP("RecordTable", "Time"),
        lambda e: time_text(e.event.time),
        sort_key=lambda e: e.event.time.timestamp(),
    ),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Person"), lambda e: e.event.name or ""),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Group"), lambda e: e.group),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Event"), lambda e: event_name(e.event.kind)),
    Column(
        QT_TRANSLATE_NOOP("RecordTable", "Similarity"),
        lambda e: f"{e.event.similarity:.2f}",
        sort_key=lambda e: e.event.similarity,
    ),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Kiosk"), lambda e: e.event.kiosk_id),
)
SUMMARY_COLUMNS: tuple[Column[DaySummary], ...] = (
    Column(QT_TRANSLATE_NOOP("RecordTable", "Date"), lambda d: date_text(d.day), sort_key=lambda d: d.day.toordinal()),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Person"), lambda d: d.name),
    Column(QT_TRANSLATE_NOOP("RecordTable", "Group"), lambda d: d.group or ""),
    # "—" for none.
    Column(
        QT_TRANSLATE_NOOP("RecordTable", "First in"),
        lambda d: _shift_text(d.first_in, d),
        sort_key=lambda d: _instant(d.first_in),
    ),
    Column(
        QT_TRANSLATE_NOOP("RecordTable", "Last out"),
        lambda d: _shift_text(d.last_out, d),
        sort_key=lambda d: _instant(d.last_out),
    ),
)
# What Export offers: (label, what export() writes).
EXPORTS = (
    (QT_TRANSLATE_NOOP("AttendancePage", "Daily summary…"), "summary"),
    (QT_TRANSLATE_NOOP("AttendancePage", "Check-ins and outs…"), "events"),
    (QT_TRANSLATE_NOOP("AttendancePage", "Unlocks…"), "unlocks"),
)


class AttendancePage(QWidget):
    """The chosen days are read from the Store; the person and group choices only filter what was
    read, and the exports write what the filters show."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        today = QDate.currentDate()
        self.start, self.end = QDateEdit(today.addDays(-6)), QDateEdit(today)
        self.person = QComboBox(sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group = QComboBox(sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToContents)
        for date_edit in (self.start, self.end):
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat("yyyy-MM-dd")
            date_edit.dateChanged.connect(self.refresh)
        self.event_model = RecordTableModel(EVENT_COLUMNS)
        self.event_proxy = RecordFilter(self.event_model, keep=lambda e: self._chosen(e.event.person_id, e.group))
        self.summary_model = RecordTableModel(SUMMARY_COLUMNS)
        self.summary_proxy = RecordFilter(self.summary_model, keep=lambda d: self._chosen(d.person_id, d.group))
        self.unlock_model = RecordTableModel(EVENT_COLUMNS)
        self.unlock_proxy = RecordFilter(self.unlock_model, keep=lambda e: self._chosen(e.event.person_id, e.group))
        for combo in (self.person, self.group):
            combo.activated.connect(self.apply_filters)
        self.summary = record_view(self.summary_proxy)
        self.events = record_view(self.event_proxy)
        self.unlocks = record_view(self.unlock_proxy)
        tabs = QTabWidget()
        tabs.addTab(self.summary, self.tr("Daily summary"))
        tabs.addTab(self.events, self.tr("Check-ins and outs"))
        tabs.addTab(self.unlocks, self.tr("Unlocks"))
        self.message = plain_label(wordWrap=True)
        export = QPushButton(self.tr("Export CSV"))
        self.export_menu = QMenu(export)
        for text, what in EXPORTS:
            self.export_menu.addAction(
                QCoreApplication.translate("AttendancePage", text), partial(self.choose_export, what)
            )
        export.setMenu(self.export_menu)

        filters = QHBoxLayout()
        for label, control in (
            (self.tr("From"), self.start),
            (self.tr("to"), self.end),
            (self.tr("Person"), self.person),
            (self.tr("Group"), self.group),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(control)
        filters.addStretch(1)
        filters.addWidget(export)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.message)

    @property
    def range(self) -> tuple[datetime, datetime]:
        """The chosen days, local midnight to the midnight after the last day."""
        return day_range(_day(self.start), _day(self.end))

    def refresh_filters(self) -> None:
        refill_people_filters(self.store, self.person, self.group)

    def refresh(self) -> None:
        """Reads the chosen days' events from the Store again."""
        start, end = self.range
        try:
            events = self.store.events(start, end)
            days = self.store.daily_summary(start, end, max_shift_s=self.store.load_settings().max_shift_s)
            groups = {p.id: p.group or "" for p in self.store.list_people(include_inactive=True)}
        except FaceGateError as exc:
            self.message.setText(f"⚠ {exc}")
            return
        listed = [ListedEvent(e, groups.get(e.person_id, "")) for e in events]
        self.event_model.set_records([e for e in listed if e.event.kind != UNLOCK])
        self.unlock_model.set_records([e for e in listed if e.event.kind == UNLOCK])
        self.summary_model.set_records(days)
        self._show_counts()

    def apply_filters(self) -> None:
        """The person or group choice changed: show the rows of the days already read that match it."""
        for proxy in (self.event_proxy, self.summary_proxy, self.unlock_proxy):
            proxy.refilter()
        self._show_counts()

    def _chosen(self, person_id: int, group: str | None) -> bool:
        person, chosen_group = self.person.currentData(), self.group.currentData()
        return (person is None or person_id == person) and (chosen_group is None or (group or "") == chosen_group)

    def _show_counts(self) -> None:
        unlocks = self.unlock_proxy.rowCount()
        counts = (
            self.tr("{events} event(s), {days} person-day(s), {unlocks} unlock(s).")
            if unlocks
            else self.tr("{events} event(s), {days} person-day(s).")
        )
        self.message.setText(
            counts.format(events=self.event_proxy.rowCount(), days=self.summary_proxy.rowCount(), unlocks=unlocks)
        )

    def choose_export(self, what: str) -> None:
        first, last = self.start.date().toString("yyyy-MM-dd"), self.end.date().toString("yyyy-MM-dd")
        name = {"summary": "attendance_summary", "events": "attendance", "unlocks": "unlocks"}[what]
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export"), f"{name}_{first}_{last}.csv", "CSV (*.csv)")
        if path:
            self.export(Path(path), what)

    def export(self, path: Path, what: str = "events") -> None:
        """What the chosen days, person and group show, as the CLI's `attendance export` writes it:
        what = "events" (check-ins and outs), "summary" (the daily summary) or "unlocks"."""
        person, group = self.person.currentData(), self.group.currentData()
        start, end = self.range
        try:
            if what == "summary":
                max_shift_s = self.store.load_settings().max_shift_s
                count = self.store.export_summary_csv(
                    path, start, end, max_shift_s=max_shift_s, person_id=person, group=group
                )
            else:
                count = self.store.export_csv(path, start, end, person, group, unlock=what == "unlocks")
        except FaceGateError as exc:
            self.message.setText(f"⚠ {exc}")
            return
        done = {
            "summary": self.tr("Exported {count} person-day(s) to {path}."),
            "unlocks": self.tr("Exported {count} unlock(s) to {path}."),
            "events": self.tr("Exported {count} event(s) to {path}."),
        }[what]
        self.message.setText(done.format(count=count, path=path))
