"""What the kiosk tells the person in front of it, on the real window offscreen: banners have one
place and go by themselves, an attack banner never stands over the next (live) person, the end of
a video takes the boxes away, and a camera problem fills the video area with what to try."""

from datetime import datetime, timezone

import numpy as np

from core.kiosk.kiosk import KioskResult, SeenFace
from core.types import CHECK_IN, Event
from desktop_app.gui.admin.enrol_page import NO_CAMERA
from desktop_app.gui.kiosk_view import ATTACK, BANNER_MS, HINT, WELCOME
from desktop_app.gui.main_window import CAMERA_ADVICE, VIDEO_ENDED
from tests.gui.test_windows import TIMEOUT_MS, _person

BOX = np.array([100, 100, 200, 220], np.float32)


def _result(*faces: SeenFace, hint: str | None = None) -> KioskResult:
    frame = np.zeros((480, 640, 3), np.uint8)
    return KioskResult(frame, faces, (), 10.0, datetime.now(timezone.utc), hint=hint)


def test_banners_keep_one_place_and_expire(qtbot, window, tmp_path):
    win = window(tmp_path / "no-camera")
    banner = win.kiosk.banner
    layout = win.kiosk.layout()
    # Above the video, always: a hint and a check-in take the same slot.
    assert layout.indexOf(banner) < layout.indexOf(win.kiosk.video)
    place = banner.geometry()
    win.kiosk.show_result(_result(SeenFace(BOX, None, None, 0.1, live=False), hint="photo or screen not accepted"))
    assert banner.showing(ATTACK) and banner.isVisible() and banner.geometry() == place
    qtbot.waitUntil(lambda: banner.isHidden(), timeout=BANNER_MS[ATTACK] + 2000)
    now = datetime.now(timezone.utc)
    win.kiosk.show_events([Event(1, "Ada Lovelace", now, CHECK_IN, 0.9, "front-door")])
    assert banner.showing(WELCOME) and banner.geometry() == place
    qtbot.wait(BANNER_MS[WELCOME] // 2)
    assert banner.isVisible()  # long enough to read
    qtbot.waitUntil(lambda: banner.isHidden(), timeout=BANNER_MS[WELCOME])


def test_an_attack_banner_goes_when_a_live_person_steps_up(qtbot, window, tmp_path):
    win = window(tmp_path / "no-camera")
    banner = win.kiosk.banner
    win.kiosk.show_result(_result(SeenFace(BOX, None, None, 0.1, live=False), hint="photo or screen not accepted"))
    # The photo taken away: the banner stays a moment so it can be read.
    win.kiosk.show_result(_result())
    assert banner.showing(ATTACK)
    # The next person, taken as live: the warning is not theirs.
    win.kiosk.show_result(_result(SeenFace(BOX, 7, "Ada Lovelace", 0.8, live=True)))
    assert banner.isHidden() and banner.kind is None


def test_the_end_of_a_video_clears_the_boxes(qtbot, window, enrolled, person_folder):
    win = window(person_folder)
    qtbot.waitUntil(lambda: win.kiosk.video.overlays != (), timeout=TIMEOUT_MS)  # names drawn while it plays
    qtbot.waitUntil(win.worker.isFinished, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not win.kiosk.video.showing_frame, timeout=TIMEOUT_MS)
    assert win.kiosk.video.overlays == () and win.kiosk.video.placeholder == VIDEO_ENDED
    assert not win.kiosk.banner.showing(HINT)  # nothing is said about a face no longer there
    assert not win.healthy


def test_a_camera_failure_fills_the_video_area_and_capture_says_so(qtbot, window, tmp_path):
    win = window(tmp_path / "unplugged")
    video = win.kiosk.video
    qtbot.waitUntil(lambda: video.placeholder.startswith("The camera is not working"), timeout=TIMEOUT_MS)
    assert "unplugged" in video.placeholder and CAMERA_ADVICE in video.placeholder
    assert not video.showing_frame and video.overlays == ()
    assert win.unlock.video.placeholder == video.placeholder
    assert not win.healthy and "camera not working" in win.health.toolTip()
    # The public status bar: the time, the site, the dot; the details are in Admin → System.
    assert "unplugged" not in " ".join(label.text() for label in (win.clock, win.site_label, win.health))

    win.enter_admin()
    enrol = win.admin.enrol
    enrol.capture_button.click()
    assert enrol.feedback.text() == NO_CAMERA and enrol.capture_button.text() == "Start camera capture"
    assert "unplugged" in win.admin.system.camera_label.text()


def test_arming_unlock_shows_the_armed_state_and_disarming_takes_the_pin(qtbot, window, store, tmp_path):
    _person(store, "Ada Lovelace", group="admin")
    win = window(tmp_path / "no-camera")
    win.show_unlock()
    unlock = win.unlock
    assert unlock.state.text() == "LOCKED" and unlock.start_button.text() == "Arm…"
    unlock.start_button.click()
    unlock.pin_dialog.pin.setText("135790")
    unlock.pin_dialog.repeat.setText("135790")
    unlock.pin_dialog.ok_button.click()
    assert unlock.armed and unlock.state.text() == "LOCKED — armed for Anyone in the 'admin' group"
    assert unlock.start_button.text() == "Disarm…"
    unlock.start_button.click()
    unlock.pin_dialog.pin.setText("000000")
    unlock.pin_dialog.ok_button.click()
    unlock.pin_dialog.reject()
    assert unlock.armed
    unlock.start_button.click()
    unlock.pin_dialog.pin.setText("135790")
    unlock.pin_dialog.ok_button.click()
    assert not unlock.armed and unlock.state.text() == "LOCKED" and unlock.start_button.text() == "Arm…"
