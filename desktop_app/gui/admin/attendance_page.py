"""Attendance records: events and the daily first-in / last-out, filtered, and exported as CSV."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.days import day_range
from core.errors import FaceGateError
from core.store.facade import Store

EVENT_COLUMNS = ("Date", "Time", "Person", "Group", "Event", "Similarity", "Kiosk")
SUMMARY_COLUMNS = ("Date", "Person", "Group", "First in", "Last out")


def _table(columns: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.setItem(r, c, QTableWidgetItem(value))


class AttendancePage(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-6), calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.end = QDateEdit(today, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.person = QComboBox(sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.group = QComboBox(sizeAdjustPolicy=QComboBox.SizeAdjustPolicy.AdjustToContents)
        for control in (self.start, self.end):
            control.dateChanged.connect(self.refresh)
        for control in (self.person, self.group):
            control.activated.connect(self.refresh)
        self.summary = _table(SUMMARY_COLUMNS)
        self.events = _table(EVENT_COLUMNS)
        tabs = QTabWidget()
        tabs.addTab(self.summary, "Daily summary")
        tabs.addTab(self.events, "All events")
        self.message = QLabel(wordWrap=True)

        filters = QHBoxLayout()
        for label, control in (("From", self.start), ("to", self.end), ("Person", self.person), ("Group", self.group)):
            filters.addWidget(QLabel(label))
            filters.addWidget(control)
        filters.addStretch(1)
        filters.addWidget(QPushButton("Export CSV…", clicked=self.choose_export))
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.message)

    @property
    def range(self) -> tuple[datetime, datetime]:
        """The chosen days, local midnight to the midnight after the last day."""
        return day_range(self.start.date().toPython(), self.end.date().toPython())

    def refresh_filters(self) -> None:
        """Reload the person and group choices (people change while the app runs)."""
        person, group = self.person.currentData(), self.group.currentData()
        people = self.store.list_people(include_inactive=True)
        self.person.clear()
        self.person.addItem("Everyone", None)
        for p in people:
            self.person.addItem(p.name, p.id)
        self.group.clear()
        self.group.addItem("All groups", None)
        for g in sorted({p.group for p in people if p.group}, key=str.casefold):
            self.group.addItem(g, g)
        self.person.setCurrentIndex(max(self.person.findData(person), 0))
        self.group.setCurrentIndex(max(self.group.findData(group), 0))

    def refresh(self) -> None:
        start, end = self.range
        person, group = self.person.currentData(), self.group.currentData()
        try:
            events = self.store.events(start, end, person_id=person, group=group)
            days = self.store.daily_summary(start, end)
            groups = {p.id: p.group or "" for p in self.store.list_people(include_inactive=True)}
        except FaceGateError as exc:
            self.message.setText(f"⚠ {exc}")
            return
        days = [d for d in days if (person is None or d.person_id == person) and (group is None or d.group == group)]
        _fill(
            self.events,
            [
                (
                    f"{e.time.astimezone():%Y-%m-%d}",
                    f"{e.time.astimezone():%H:%M:%S}",
                    e.name or "",
                    groups.get(e.person_id, ""),
                    e.kind,
                    f"{e.similarity:.2f}",
                    e.kiosk_id,
                )
                for e in events
            ],
        )
        _fill(
            self.summary,
            [
                (
                    d.day.isoformat(),
                    d.name,
                    d.group or "",
                    f"{d.first_in.astimezone():%H:%M}",
                    f"{d.last_out.astimezone():%H:%M}" if d.last_out else "—",
                )
                for d in days
            ],
        )
        self.message.setText(f"{len(events)} event(s), {len(days)} person-day(s).")

    def choose_export(self) -> None:
        first, last = self.start.date().toString("yyyy-MM-dd"), self.end.date().toString("yyyy-MM-dd")
        path, _ = QFileDialog.getSaveFileName(
            self, "Export attendance", f"attendance_{first}_{last}.csv", "CSV (*.csv)"
        )
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> None:
        """Every event of the chosen days (all people), as the CLI's `attendance export` writes it."""
        try:
            count = self.store.export_csv(path, *self.range)
        except FaceGateError as exc:
            self.message.setText(f"⚠ {exc}")
            return
        self.message.setText(f"Exported {count} event(s) to {path}.")
