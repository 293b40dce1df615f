"""Kiosk mode on the real window offscreen: full screen hides the toolbar; leaving it, the Unlock
screen and Admin take the admin PIN (a wrong one keeps them closed); Admin is a window of its own
while check-ins go on behind it, and logs out by itself when left idle."""

import time
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from PySide6.QtCore import Qt

from core.store.pin import hash_pin
from core.types import CHECK_IN
from tests.gui.test_windows import TIMEOUT_MS

PIN = "246813"
DAY = (datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))


@pytest.fixture
def pin_set(store):
    store.save_settings(replace(store.load_settings(), admin_pin_hash=hash_pin(PIN)))


def _give_pin(win, pin: str) -> None:
    dialog = win.pin_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.setting
    dialog.pin.setText(pin)
    dialog.ok_button.click()


def test_kiosk_mode_hides_the_toolbar_and_leaving_it_takes_the_pin(qtbot, window, pin_set, tmp_path):
    win = window(tmp_path / "no-camera")
    assert win.toolbar.isVisibleTo(win) and not win.staff_button.isVisibleTo(win)
    win.kiosk_mode_action.trigger()  # F11, or the toolbar's button
    qtbot.waitUntil(win.isFullScreen)
    assert not win.toolbar.isVisibleTo(win) and win.staff_button.isVisibleTo(win)
    win.kiosk_mode_action.trigger()  # F11 again, or the staff menu's "Leave kiosk mode…"
    _give_pin(win, "000000")
    assert win.pin_dialog.message.text() == "Wrong PIN." and win.isFullScreen()
    win.pin_dialog.reject()
    assert win.isFullScreen() and not win.toolbar.isVisibleTo(win)
    win.kiosk_mode_action.trigger()
    _give_pin(win, PIN)
    qtbot.waitUntil(lambda: not win.isFullScreen())
    assert win.toolbar.isVisibleTo(win) and not win.staff_button.isVisibleTo(win)


def test_the_unlock_screen_takes_the_pin(qtbot, window, pin_set, tmp_path):
    win = window(tmp_path / "no-camera")
    unlock = win.screen_actions[win.unlock]
    unlock.trigger()
    _give_pin(win, "000000")
    win.pin_dialog.reject()
    # The kiosk still checks people in, and the toolbar says so.
    assert win.current_screen is win.kiosk and win.screen_actions[win.kiosk].isChecked() and not unlock.isChecked()
    unlock.trigger()
    _give_pin(win, PIN)
    assert win.current_screen is win.unlock and unlock.isChecked()


def test_admin_takes_the_pin_and_check_ins_go_on_while_it_is_open(
    qtbot, window, store, pin_set, enrolled, person_folder
):
    win = window(person_folder)
    win.admin_action.trigger()
    _give_pin(win, "000000")
    win.pin_dialog.reject()
    assert not win.admin_window.isVisible()
    win.admin_action.trigger()
    _give_pin(win, PIN)
    assert win.admin_window.isVisible()
    # The camera plays on behind the admin window, and the person is checked in meanwhile.
    qtbot.waitUntil(lambda: "checked in" in win.kiosk.banner.text(), timeout=TIMEOUT_MS)
    assert win.admin_window.isVisible()
    assert [(e.name, e.kind) for e in store.events(*DAY)] == [("George W Bush", CHECK_IN)]


def test_admin_logs_out_after_the_idle_time(qtbot, window, store, tmp_path):
    idle_s = 5.0  # the shortest Settings takes
    store.save_settings(replace(store.load_settings(), admin_idle_s=idle_s))
    win = window(tmp_path / "no-camera")
    win.enter_admin()
    opened = time.monotonic()
    admin = win.admin_window
    assert admin.isVisible() and admin.idle.interval() == idle_s * 1000
    qtbot.wait(2000)
    # Someone working in it: typing restarts the wait.
    qtbot.keyClicks(win.admin.enrol.name, "Ada")
    assert admin.idle.remainingTime() > (idle_s - 0.5) * 1000
    typed = time.monotonic()
    win.admin.setCurrentWidget(win.admin.people)
    win.admin.enrol.name.setText("half-typed")  # a program's change is not a person's activity
    qtbot.waitUntil(lambda: not admin.isVisible(), timeout=int(idle_s * 1000) + 5000)
    assert time.monotonic() - typed >= idle_s - 0.5 and time.monotonic() - opened > idle_s
    # Back at the kiosk; what was typed on the way out is gone.
    assert win.current_screen is win.kiosk and win.admin.enrol.name.text() == ""
    qtbot.mouseClick(win, Qt.MouseButton.LeftButton)  # the kiosk window's clicks are not admin activity
    assert not admin.isVisible()
