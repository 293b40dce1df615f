"""What people type, and what cameras are called, shown on the real widgets offscreen: a name that
looks like HTML is drawn as typed (no giant font, no local image loaded), and a stream's password
never reaches the status bar or its tooltip."""

import html
from dataclasses import replace
from datetime import datetime, timezone

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QStyledItemDelegate

from core.enrol.enroller import Review
from core.types import CHECK_IN, UNLOCK, Event, Match
from tests.gui.test_windows import TIMEOUT_MS, _person

# Drawn as rich text, the 200 pt span or the 400 px image alone is taller than this.
PLAIN_HEIGHT = 150


def _shows_as_typed(label, text: str) -> None:
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert text in label.text()
    assert label.sizeHint().height() < PLAIN_HEIGHT, label.sizeHint()


def _rich_name(tmp_path) -> str:
    image = tmp_path / "probe.png"
    probe = QImage(400, 400, QImage.Format.Format_RGB32)
    probe.fill(0)
    assert probe.save(str(image))
    return f'<span style="font-size:200pt">Mallory</span><img src="{image}">'


def test_a_rich_text_name_is_drawn_as_typed_on_every_screen(qtbot, window, store, tmp_path):
    from desktop_app.gui.admin.attendance_page import AttendancePage

    name = _rich_name(tmp_path)
    person = _person(store, name, group="staff")
    checked_in = Event(person.id, name, datetime.now(timezone.utc), CHECK_IN, 0.9, "front-door")
    store.record_event(checked_in)
    win = window(tmp_path / "no-camera")

    win.kiosk.show_events([checked_in])
    _shows_as_typed(win.kiosk.banner, name)
    win.unlock.show_events([replace(checked_in, kind=UNLOCK)])
    _shows_as_typed(win.unlock.state, name)
    win._show_problem(name)
    _shows_as_typed(win.admin.system.problem_label, name)
    win._show_camera(name, False)
    _shows_as_typed(win.admin.system.camera_label, name)
    tooltip = win.admin.system.camera_label.toolTip()
    assert "<img" not in tooltip and "<span" not in tooltip and name in html.unescape(tooltip)

    win.enter_admin()
    enrol = win.admin.enrol
    enrol._checked("Someone", Review("Someone", duplicates=(Match(person.id, 0.9, name),)), [])
    _shows_as_typed(enrol.warning, name)
    people = win.admin.people
    people.refresh()
    # Table cells are drawn by the default delegate, which draws text, never HTML.
    assert isinstance(people.table.itemDelegate(), QStyledItemDelegate)
    model = people.table.model()
    assert name in [model.index(0, column).data() for column in range(model.columnCount())]

    attendance = AttendancePage(store)
    qtbot.addWidget(attendance)
    attendance.refresh_filters()
    attendance.refresh()
    assert isinstance(attendance.summary.itemDelegate(), QStyledItemDelegate)
    assert attendance.summary.model().index(0, 1).data() == name


def test_a_stream_password_never_reaches_the_status_bar_or_its_tooltip(qtbot, window, tmp_path):
    win = window("rtsp://admin:S3cretPW@127.0.0.1:1/stream")
    system = win.admin.system
    qtbot.waitUntil(lambda: "retrying" in system.camera_label.text(), timeout=TIMEOUT_MS)
    shown = system.camera_label.text() + system.camera_label.toolTip() + system.problem_label.text()
    # The public screen says so in the video area: with the host, never the credentials.
    shown += win.kiosk.video.placeholder + win.unlock.video.placeholder
    assert "S3cretPW" not in shown and "admin:" not in shown
    assert "127.0.0.1" in system.camera_label.text() and "127.0.0.1" in win.kiosk.video.placeholder
