"""The Settings page checks what is typed before it saves, keeps unsaved edits across a tab switch
and asks about them on leaving, and names the camera playing when it is not the saved one."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

TIMEOUT_MS = 30_000


def _settings(win):
    win.enter_admin()
    win.admin.setCurrentWidget(win.admin.settings)
    return win.admin.settings


def _leave(qtbot, win, answer: QMessageBox.StandardButton) -> None:
    page = win.admin.settings
    win.admin.setCurrentWidget(win.admin.people)
    qtbot.waitUntil(page.leave_prompt.isVisible, timeout=TIMEOUT_MS)
    page.leave_prompt.button(answer).click()
    qtbot.waitUntil(lambda: not page.leave_prompt.isVisible(), timeout=TIMEOUT_MS)


def test_an_invalid_camera_source_is_refused_beside_the_field(qtbot, window, store, sample_person_folder, tmp_path):
    win = window(sample_person_folder)
    page = _settings(win)
    # The source playing (given as the window's camera) is not the saved one (camera 0): the page says so.
    assert page.playing.isVisible() and sample_person_folder.name in page.playing.text()
    page.camera.setText(str(tmp_path / "no such folder"))
    assert page.save() is False
    assert page.camera_error.isVisible()
    assert "not a camera number, a URL, or an existing video file or folder" in page.camera_error.text()
    assert page.message.text().startswith("⚠ Not saved")
    assert store.load_settings().camera_source == "0"
    # A password in a refused URL is not echoed.
    page.camera.setText("ftp://cam:s3cret@10.0.0.5/x")
    assert page.save() is False and "s3cret" not in page.camera_error.text() + page.message.text()
    page.camera.setText(str(sample_person_folder))
    assert page.save() is True
    assert not page.camera_error.isVisible() and page.message.text() == "Saved."
    assert store.load_settings().camera_source == str(sample_person_folder)
    assert not page.playing.isVisible()


def test_unsaved_edits_are_kept_and_asked_about_when_leaving_the_tab(qtbot, window, store, sample_person_folder):
    win = window(sample_person_folder)
    page = _settings(win)
    stored = store.load_settings().cooldown_s
    page.cooldown.setValue(int(stored) + 60)
    _leave(qtbot, win, QMessageBox.StandardButton.Cancel)  # Keep editing
    assert win.admin.currentWidget() is page and page.cooldown.value() == int(stored) + 60
    assert store.load_settings().cooldown_s == stored
    _leave(qtbot, win, QMessageBox.StandardButton.Save)
    assert store.load_settings().cooldown_s == stored + 60 and win.admin.currentWidget() is win.admin.people
    win.admin.setCurrentWidget(page)
    assert page.cooldown.value() == int(stored) + 60 and not page.unsaved()
    page.kiosk_id.setText("lobby")
    _leave(qtbot, win, QMessageBox.StandardButton.Discard)
    assert store.load_settings().kiosk_id != "lobby"
    win.admin.setCurrentWidget(page)
    assert page.kiosk_id.text() == store.load_settings().kiosk_id and not page.unsaved()


def test_a_refused_save_on_leaving_comes_back_to_the_field(qtbot, window, store, sample_person_folder, tmp_path):
    win = window(sample_person_folder)
    page = _settings(win)
    page.camera.setText(str(tmp_path / "gone"))
    _leave(qtbot, win, QMessageBox.StandardButton.Save)
    assert win.admin.currentWidget() is page and page.camera_error.isVisible()
    assert store.load_settings().camera_source == "0"


def test_the_numbers_are_under_advanced(qtbot, window, sample_person_folder):
    win = window(sample_person_folder)
    page = _settings(win)
    assert not page.match_threshold.isVisible() and not page.advanced.isVisible()
    page.advanced_button.click()
    assert page.match_threshold.isVisible() and "stored face" in page.effective.text()
    assert "template" not in page.effective.text()


def test_check_in_rules_idle_time_and_working_days_are_on_the_page(qtbot, window, store, sample_person_folder):
    win = window(sample_person_folder)
    page = _settings(win)
    page.checkin_mode.setCurrentIndex(1)
    page.checkout_gap.setValue(30)
    page.max_shift.setValue(12)
    page.admin_idle.setValue(300)
    page.work_start.setText("8:5")
    assert page.save() is False and "HH:MM" in page.message.text()
    assert store.load_settings().checkin_mode == "auto"  # nothing of a refused save is stored
    page.work_start.setText("08:30")
    page.holidays.setText("2026-12-25")
    assert page.save() is True
    s = store.load_settings()
    assert (s.checkin_mode, s.checkout_min_gap_s, s.max_shift_s, s.admin_idle_s) == ("buttons", 1800, 43200, 300)
    assert (s.work_start, s.holidays) == ("08:30", "2026-12-25")
