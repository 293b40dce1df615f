"""The fields of one attendance correction (core.store.corrections): add a missed check-in or
check-out, change an event's time, or void it; each with its required reason. The Attendance page
asks for the admin PIN once this is accepted, then makes the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QComboBox, QDateTimeEdit, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from core.store import Person
from core.store.labels import REASON_LEN
from core.types import CHECK_IN, CHECK_OUT, Event, EventKind
from desktop_app.gui.admin.kind_names import event_name
from desktop_app.gui.locale_format import datetime_text
from desktop_app.gui.plain import plain_label

ADD, EDIT, VOID = "add", "edit", "void"


@dataclass(frozen=True)
class CorrectionRequest:
    """What the admin asked for: the person and kind for an add, the event for an edit or void."""

    action: str
    reason: str
    when: datetime | None = None
    person_id: int | None = None
    kind: EventKind | None = None
    event: Event | None = None


class CorrectionDialog(QDialog):
    """action ADD needs people to choose from; EDIT and VOID the event they change."""

    def __init__(
        self, action: str, people: list[Person], event: Event | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.action, self.corrected = action, event
        titles = {
            ADD: self.tr("Add a missed event"),
            EDIT: self.tr("Change an event's time"),
            VOID: self.tr("Void an event"),
        }
        self.setWindowTitle(titles[action])
        self.person = QComboBox()
        for p in people:
            self.person.addItem(p.name, p.id)
        self.kind = QComboBox()
        for kind in (CHECK_IN, CHECK_OUT):
            self.kind.addItem(event_name(kind), kind)
        now = QDateTime.currentDateTime()
        shown = QDateTime(event.time.astimezone()) if event is not None else now
        self.when = QDateTimeEdit(shown, calendarPopup=True, displayFormat="yyyy-MM-dd HH:mm")
        self.when.setMaximumDateTime(now)  # attendance is corrected after the fact
        self.reason = QLineEdit(maxLength=REASON_LEN, placeholderText=self.tr("Why the record is wrong"))
        self.message = plain_label(wordWrap=True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        if event is not None:
            about = self.tr("{kind} of {name} at {time}").format(
                kind=event_name(event.kind), name=event.name or "", time=datetime_text(event.time)
            )
            form.addRow(self.tr("Event:"), plain_label(about))
        if action == ADD:
            form.addRow(self.tr("Person:"), self.person)
            form.addRow(self.tr("Event:"), self.kind)
        if action in (ADD, EDIT):
            form.addRow(self.tr("Time:") if action == ADD else self.tr("New time:"), self.when)
        form.addRow(self.tr("Reason:"), self.reason)
        form.addRow(self.message)
        form.addRow(buttons)

    def submit(self) -> None:
        if not self.reason.text().strip():
            self.message.setText(self.tr("Give a reason: it is kept with the correction."))
            self.reason.setFocus()
            return
        if self.action == ADD and self.person.currentData() is None:
            self.message.setText(self.tr("Choose the person."))
            return
        self.accept()

    def request(self) -> CorrectionRequest:
        chosen = self.when.dateTime().toPython()
        assert isinstance(chosen, datetime)  # a QDateTime converts to a datetime
        when = chosen.astimezone() if self.action in (ADD, EDIT) else None
        if self.action == ADD:
            return CorrectionRequest(ADD, self.reason.text(), when, self.person.currentData(), self.kind.currentData())
        return CorrectionRequest(self.action, self.reason.text(), when, event=self.corrected)
