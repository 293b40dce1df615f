"""Corrections on the Attendance page: add a missed check-out and void an event through the
dialog and the admin PIN; the table marks them. A wrong PIN changes nothing. Real widgets, a real
SQLite store."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date, datetime, time, timedelta

import numpy as np
from PySide6.QtCore import QDateTime, Qt

from core.settings import Settings
from core.store import CheckinRule
from core.store.pin import hash_pin
from core.types import CHECK_IN, CHECK_OUT, Event
from desktop_app.gui.locale_format import time_text

PIN = "246813"
YESTERDAY = date.today() - timedelta(days=1)


def at(hour: float) -> datetime:
    return datetime.combine(YESTERDAY, time()).astimezone() + timedelta(hours=hour)


def _page(qtbot, store):
    from desktop_app.gui.admin.attendance_page import AttendancePage

    store.save_settings(dataclasses.replace(store.load_settings(), admin_pin_hash=hash_pin(PIN)))
    ann = store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name="Ann").person.id
    store.record_attendance(Event(ann, None, at(8), CHECK_IN, 0.8, "door"), CheckinRule.from_settings(Settings()))
    page = AttendancePage(store)
    qtbot.addWidget(page)
    page.refresh_filters()
    page.refresh()
    return page


def _rows(page) -> list[tuple[str, str, str]]:
    model = page.events.model()
    columns = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    pick = [columns.index(name) for name in ("Time", "Event", "Correction")]
    return [tuple(model.index(r, c).data() for c in pick) for r in range(model.rowCount())]


def _confirm(page, pin: str) -> None:
    page.correction_dialog.submit()
    assert page.pin_dialog is not None and page.pin_dialog.isVisible()
    page.pin_dialog.pin.setText(pin)
    page.pin_dialog.submit()


def test_a_missed_check_out_is_added_and_an_event_voided_with_the_pin(qtbot, store, tmp_path):
    page = _page(qtbot, store)
    page.correct("add")
    dialog = page.correction_dialog
    dialog.kind.setCurrentIndex(dialog.kind.findData(CHECK_OUT))
    dialog.when.setDateTime(QDateTime(at(17)))
    dialog.submit()
    assert not page.pin_dialog and "reason" in dialog.message.text()  # no reason: not accepted
    dialog.reason.setText("left by the back door")
    _confirm(page, PIN)
    assert _rows(page) == [(time_text(at(8)), CHECK_IN, ""), (time_text(at(17)), CHECK_OUT, "added")]
    summary = page.summary.model()
    assert summary.index(0, 4).data() == time_text(at(17))

    page.events.selectRow(0)
    page.correct("void")
    page.correction_dialog.reason.setText("a colleague's face")
    _confirm(page, PIN)
    assert _rows(page) == [(time_text(at(17)), CHECK_OUT, "added")]
    page.show_voided.setChecked(True)
    assert _rows(page) == [(time_text(at(8)), CHECK_IN, "voided"), (time_text(at(17)), CHECK_OUT, "added")]
    entries = store.audit_between(at(-24), datetime.now().astimezone() + timedelta(hours=1), kinds=["correction"])
    assert [e.action for e in entries] == ["correct attendance: add", "correct attendance: void"]
    assert PIN not in " ".join(e.detail for e in entries)
    page.export(tmp_path / "trail.csv", "corrections")
    with open(tmp_path / "trail.csv", newline="", encoding="utf-8-sig") as f:
        assert [(r["action"], r["reason"]) for r in csv.DictReader(f)] == [
            ("add", "left by the back door"),
            ("void", "a colleague's face"),
        ]


def test_a_wrong_pin_changes_nothing(qtbot, store):
    page = _page(qtbot, store)
    page.events.selectRow(0)
    page.correct("edit")
    page.correction_dialog.when.setDateTime(QDateTime(at(7.5)))
    page.correction_dialog.reason.setText("the queue")
    _confirm(page, "000000")
    assert page.pin_dialog.isVisible() and page.pin_dialog.message.text()  # refused, still asking
    page.pin_dialog.reject()
    assert _rows(page) == [(time_text(at(8)), CHECK_IN, "")]
    assert store.corrections(at(-24), at(24)) == []


def test_edit_and_void_need_a_selected_event(qtbot, store):
    page = _page(qtbot, store)
    page.correct("void")
    assert page.correction_dialog is None and "Select" in page.message.text()
