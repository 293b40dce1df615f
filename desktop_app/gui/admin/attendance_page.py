"""Attendance records: the daily first-in / last-out, check-ins and outs, and unlocks, filtered by
days, person and group, and each exported as CSV with the same filters. The check-ins and outs
can be corrected (added, moved, voided) with a reason and the admin PIN; corrected ones are marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.days import day_range
from core.errors import FaceGateError
from core.i18n import QT_TRANSLATE_NOOP
from core.store import CorrectedEvent, DaySummary, Store
from core.store.export import shift_time
from core.types import UNLOCK, Event
from desktop_app.gui.accessible import add_labelled
from desktop_app.gui.admin.correction_dialog import ADD, EDIT, VOID, CorrectionDialog, CorrectionRequest
from desktop_app.gui.admin.kind_names import event_name
from desktop_app.gui.admin.people_filters import refill_people_filters
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.admin.record_table import Column, RecordFilter, RecordTableModel, record_view
from desktop_app.gui.locale_format import date_text, datetime_text, time_text
from desktop_app.gui.plain import plain_label
from desktop_app.i18n import problem_text


@dataclass(frozen=True)
class ListedEvent:
    """A row of the events table: the event, and the group its person is in now."""

    event: Event
    group: str
    note: str = ""  # what corrections did to it, as the Correction column shows it
    voided: bool = False


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
CHECK_COLUMNS = (*EVENT_COLUMNS, Column(QT_TRANSLATE_NOOP("RecordTable", "Correction"), lambda e: e.note))
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
        self.event_model = RecordTableModel(CHECK_COLUMNS, dimmed=lambda e: e.voided)
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
        tabs.addTab(self._corrections_tab(), self.tr("Check-ins and outs"))
        tabs.addTab(self.unlocks, self.tr("Unlocks"))
        self.message = plain_label(wordWrap=True)
        export = QPushButton(self.tr("Export CSV"))
        self.export_menu = QMenu(export)
        for text, what in EXPORTS:
            self.export_menu.addAction(
                QCoreApplication.translate("AttendancePage", text), partial(self.choose_export, what)
            )
        self.export_menu.addAction(self.tr("Corrections…"), partial(self.choose_export, "corrections"))
        export.setMenu(self.export_menu)

        filters = QHBoxLayout()
        for label, control in (
            (self.tr("From"), self.start),
            (self.tr("to"), self.end),
            (self.tr("Person"), self.person),
            (self.tr("Group"), self.group),
        ):
            add_labelled(filters, label, control)
        filters.addStretch(1)
        filters.addWidget(export)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.message)

    def _corrections_tab(self) -> QWidget:
        """The check-ins and outs, with the buttons that correct them."""
        self.show_voided = QCheckBox(self.tr("Show voided"))
        self.show_voided.toggled.connect(self.refresh)
        self.pin_dialog: PinDialog | None = None
        self.correction_dialog: CorrectionDialog | None = None
        row = QHBoxLayout()
        for text, action in ((self.tr("Add missed…"), ADD), (self.tr("Change time…"), EDIT), (self.tr("Void…"), VOID)):
            button = QPushButton(text)
            button.clicked.connect(partial(self.correct, action))
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.show_voided)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.events, 1)
        return tab

    def correct(self, action: str) -> None:
        """Opens the correction dialog; edit and void act on the selected check-in or check-out."""
        event = None
        if action != ADD:
            chosen = self.events.selectionModel().selectedRows()
            if not chosen:
                self.message.setText(self.tr("Select a check-in or check-out first."))
                return
            listed = self.event_proxy.record_at(chosen[0])
            if listed.voided:
                self.message.setText(self.tr("That event is voided already."))
                return
            event = listed.event
        try:
            people = self.store.list_people()
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.correction_dialog = CorrectionDialog(action, people, event, self)
        self.correction_dialog.accepted.connect(self._ask_pin)
        self.correction_dialog.open()

    def _ask_pin(self) -> None:
        assert self.correction_dialog is not None  # accepted just now
        request = self.correction_dialog.request()
        self.pin_dialog = PinDialog(self.store, self, purpose=self.tr("Corrections need the admin PIN."))
        self.pin_dialog.accepted.connect(partial(self.apply_correction, request))
        self.pin_dialog.open()

    def apply_correction(self, request: CorrectionRequest) -> None:
        """Makes the change the admin asked for, the PIN checked; audited by the Store as "admin"."""
        try:
            if request.action == ADD:
                assert request.person_id is not None and request.kind is not None and request.when is not None
                self.store.add_attendance(request.person_id, request.kind, request.when, request.reason, "admin")
            elif request.action == EDIT:
                assert request.event is not None and request.when is not None
                self.store.edit_attendance(request.event.uid, request.when, request.reason, "admin")
            else:
                assert request.event is not None
                self.store.void_attendance(request.event.uid, request.reason, "admin")
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.refresh()

    def _note(self, c: CorrectedEvent) -> str:
        notes = [self.tr("added")] if c.added else []
        if c.original_time is not None:
            notes.append(self.tr("edited (was {time})").format(time=datetime_text(c.original_time)))
        if c.voided:
            notes.append(self.tr("voided"))
        return ", ".join(notes)

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
            checks = self.store.corrected_events(start, end, voided=self.show_voided.isChecked())
            unlocks = self.store.events(start, end, kinds=(UNLOCK,))
            days = self.store.daily_summary(start, end, max_shift_s=self.store.load_settings().max_shift_s)
            groups = {p.id: p.group or "" for p in self.store.list_people(include_inactive=True)}
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        self.event_model.set_records(
            [ListedEvent(c.event, groups.get(c.event.person_id, ""), self._note(c), c.voided) for c in checks]
        )
        self.unlock_model.set_records([ListedEvent(e, groups.get(e.person_id, "")) for e in unlocks])
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
        events = self.tr("%n event(s)", "", self.event_proxy.rowCount())
        days = self.tr("%n person-day(s)", "", self.summary_proxy.rowCount())
        counts = (
            self.tr("{events}, {days}, {unlocks}.").format(
                events=events, days=days, unlocks=self.tr("%n unlock(s)", "", unlocks)
            )
            if unlocks
            else self.tr("{events}, {days}.").format(events=events, days=days)
        )
        self.message.setText(counts)

    def choose_export(self, what: str) -> None:
        first, last = self.start.date().toString("yyyy-MM-dd"), self.end.date().toString("yyyy-MM-dd")
        name = {"summary": "attendance_summary", "events": "attendance", "unlocks": "unlocks"}.get(what, what)
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export"), f"{name}_{first}_{last}.csv", "CSV (*.csv)")
        if path:
            self.export(Path(path), what)

    def export(self, path: Path, what: str = "events") -> None:
        """What the chosen days, person and group show, as the CLI's `attendance export` writes it:
        what = "events" (check-ins and outs), "summary" (the daily summary), "unlocks" or
        "corrections" (the trail of the chosen days and person)."""
        person, group = self.person.currentData(), self.group.currentData()
        start, end = self.range
        try:
            if what == "summary":
                max_shift_s = self.store.load_settings().max_shift_s
                count = self.store.export_summary_csv(
                    path, start, end, max_shift_s=max_shift_s, person_id=person, group=group
                )
            elif what == "corrections":
                count = self.store.export_corrections_csv(path, start, end, person)
                self.message.setText(self.tr("Exported %n correction(s) to {path}.", "", count).format(path=path))
                return
            else:
                count = self.store.export_csv(path, start, end, person, group, unlock=what == "unlocks")
        except FaceGateError as exc:
            self.message.setText(problem_text(exc))
            return
        done = {
            "summary": self.tr("Exported %n person-day(s) to {path}.", "", count),
            "unlocks": self.tr("Exported %n unlock(s) to {path}.", "", count),
            "events": self.tr("Exported %n event(s) to {path}.", "", count),
        }[what]
        self.message.setText(done.format(path=path))
