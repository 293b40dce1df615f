"""The Qt app on the offscreen platform with real faces: check-in, unlock, PIN, enrolment, people,
attendance and settings screens."""

import csv
from datetime import datetime, timezone

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from core.store.pin import verify_pin
from core.types import CHECK_IN, Event

DAY = (datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))
TIMEOUT_MS = 20_000


def test_kiosk_window_checks_in_once_and_confirms_by_name(qtbot, window, store, enrolled, person_folder):
    win = window(person_folder)
    qtbot.waitUntil(lambda: win.worker.isFinished() and "checked in" in win.kiosk.banner.text(), timeout=TIMEOUT_MS)
    assert [(e.name, e.kind) for e in store.events(*DAY)] == [("George W Bush", CHECK_IN)]
    assert "Welcome, George W Bush" in win.kiosk.banner.text() and not win.kiosk.banner.isHidden()
    assert win.fps_label.text().endswith("fps")
    # The status bar names the folder, not its path (the path is in the tooltip).
    assert person_folder.name in win.camera_label.text() and str(person_folder.parent) not in win.camera_label.text()
    assert win.camera_label.toolTip() == str(person_folder)


def test_stranger_gets_the_not_recognised_hint(qtbot, window, store, enrolled, camera_folder, lfw_photos):
    folder = camera_folder("stranger", lfw_photos("Jean_Chretien", ("0002", "0008")), repeats=12)
    win = window(folder)
    qtbot.waitUntil(lambda: not win.kiosk.hint.isHidden(), timeout=TIMEOUT_MS)
    assert store.events(*DAY) == []


def test_unlock_screen_opens_for_the_chosen_person_after_a_camera_error(
    qtbot, window, tmp_path, enrolled, person_folder
):
    win = window(tmp_path / "unplugged")
    qtbot.waitUntil(lambda: "unplugged" in win.camera_label.text(), timeout=TIMEOUT_MS)
    assert "retrying" in win.camera_label.text()
    win.show_unlock()
    win.unlock.person.setCurrentIndex(win.unlock.person.findData(enrolled.id))
    win.unlock.start_button.click()
    # Arming takes the admin PIN (chosen here on first use): a passer-by cannot pick who opens.
    dialog = win.unlock.pin_dialog
    assert dialog.isVisible() and dialog.setting and win.unlock._armed is None
    dialog.pin.setText("135790")
    dialog.repeat.setText("135790")
    dialog.ok_button.click()
    assert win.unlock._armed == [enrolled.id]
    assert win.unlock.state.text() == "LOCKED"
    win.worker.set_camera(str(person_folder))
    qtbot.waitUntil(lambda: win.unlock.state.text() == "UNLOCKED — George W Bush", timeout=TIMEOUT_MS)


def test_admin_pin_is_set_on_first_use_then_verified(qtbot, store):
    from desktop_app.gui.admin.pin_dialog import PinDialog

    first = PinDialog(store)
    qtbot.addWidget(first)
    assert first.setting
    first.pin.setText("12")
    first.repeat.setText("12")
    first.ok_button.click()
    assert "at least 6 digits" in first.message.text() and not first.result()
    first.pin.setText("abcdefgh")
    first.repeat.setText("abcdefgh")
    first.ok_button.click()
    assert "digits" in first.message.text() and not first.result()
    first.pin.setText("246813")
    first.repeat.setText("864213")
    first.ok_button.click()
    assert "differ" in first.message.text()
    first.pin.setText("246813")
    first.repeat.setText("246813")
    first.ok_button.click()
    assert first.result() == PinDialog.DialogCode.Accepted
    assert verify_pin("246813", store.load_settings().admin_pin_hash)

    later = PinDialog(store)
    qtbot.addWidget(later)
    assert not later.setting and later.repeat.isHidden()
    later.pin.setText("000000")
    later.ok_button.click()
    assert later.message.text() == "Wrong PIN." and not later.result()
    assert any(entry.action == "wrong admin PIN" for entry in store.audit_log())
    later.pin.setText("246813")
    later.ok_button.click()
    assert later.result() == PinDialog.DialogCode.Accepted


def _drop(widget, paths) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    widget.dropEvent(event)


def test_enrol_from_photos_in_the_admin_screen_with_duplicate_warning(
    qtbot, window, store, lfw_photos, stranger_folder, tmp_path
):
    win = window(stranger_folder)
    win.enter_admin()
    page = win.admin.enrol
    page.name.setText("George W Bush")
    page.group.setText("staff")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"no")
    photos = lfw_photos("George_W_Bush", ("0007", "0016", "0065"))
    page.add_photos(photos[:2] + [broken])
    qtbot.waitUntil(lambda: page.photo_list.count() == 3, timeout=TIMEOUT_MS)
    _drop(page, photos[2:])  # drag-and-drop goes the same way
    qtbot.waitUntil(lambda: page.photo_list.count() == 4, timeout=TIMEOUT_MS)
    items = [page.photo_list.item(i).text() for i in range(4)]
    assert items[0].startswith("✓") and items[2].startswith("✗ broken.jpg") and items[3].startswith("✓")
    page.enrol_button.click()
    qtbot.waitUntil(lambda: page.status.text().startswith("Enrolled"), timeout=TIMEOUT_MS)
    person = store.find_person_by_name("George W Bush")
    assert person.group == "staff" and "3 template" in page.status.text()

    page.name.setText("Someone Else")
    page.add_photos(photos[:1])
    qtbot.waitUntil(lambda: page.enrol_button.isEnabled(), timeout=TIMEOUT_MS)
    page.enrol_button.click()
    qtbot.waitUntil(lambda: not page.warning.isHidden(), timeout=TIMEOUT_MS)
    assert "George W Bush" in page.warning.text() and page.enrol_button.text() == "Enrol anyway"
    assert store.find_person_by_name("Someone Else") is None
    page.enrol_button.click()
    qtbot.waitUntil(lambda: page.status.text().startswith("Enrolled Someone Else"), timeout=TIMEOUT_MS)


def _staff(store, name: str):
    """A person of the staff group as enrolment makes one: with a template (of a model not in use here)."""
    return store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name=name, group="staff").person


def test_people_page_searches_and_deactivates(qtbot, window, store, tmp_path):
    _staff(store, "George W Bush")
    _staff(store, "Ada Lovelace")
    win = window(tmp_path / "no-camera")
    win.enter_admin()
    win.admin.setCurrentWidget(win.admin.people)
    page = win.admin.people
    assert page.table.rowCount() == 2
    page.search.setText("ada")
    assert page.table.rowCount() == 1
    page.table.selectRow(0)
    page.toggle_active()
    assert not store.find_person_by_name("Ada Lovelace").active
    assert page.table.rowCount() == 0


def test_attendance_page_filters_summarises_and_exports_csv(qtbot, store, tmp_path):
    from desktop_app.gui.admin.attendance_page import AttendancePage

    enrolled = _staff(store, "George W Bush")
    now = datetime.now(timezone.utc)
    store.record_event(Event(enrolled.id, enrolled.name, now, CHECK_IN, 0.8, "front-door"))
    page = AttendancePage(store)
    qtbot.addWidget(page)
    page.refresh_filters()
    page.refresh()
    assert page.events.rowCount() == 1 and page.summary.rowCount() == 1
    assert page.summary.item(0, 1).text() == "George W Bush"
    page.group.setCurrentIndex(page.group.findData("staff"))
    page.refresh()
    assert page.events.rowCount() == 1
    page.person.setCurrentIndex(page.person.findData(None))
    path = tmp_path / "attendance.csv"
    page.export(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["person"], r["kind"], r["kiosk"]) for r in rows] == [("George W Bush", "check-in", "front-door")]
    assert "Exported 1 event" in page.message.text()


def test_settings_page_saves_and_calibrates(qtbot, window, store, enrolled, stranger_folder):
    win = window(stranger_folder)
    win.enter_admin()
    # The toolbar shows which screen is up.
    assert [page for page, action in win.screen_actions.items() if action.isChecked()] == [win.admin]
    win.admin.setCurrentWidget(win.admin.settings)
    page = win.admin.settings
    page.cooldown.setValue(600)
    page.kiosk_id.setText("lobby")
    page.save()
    saved = store.load_settings()
    assert (saved.cooldown_s, saved.kiosk_id) == (600.0, "lobby")
    # The stored camera was not changed, so the one given on the command line keeps playing.
    assert win.worker.camera == str(stranger_folder)
    page.camera.setText(str(stranger_folder.parent))
    page.save()
    assert win.worker.camera == store.load_settings().camera_source == str(stranger_folder.parent)
    page.calibrate_button.click()
    qtbot.waitUntil(lambda: "false accepts" in page.calibration.text(), timeout=TIMEOUT_MS)
    assert "3 genuine pairs" in page.calibration.text()
