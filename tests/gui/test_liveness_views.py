"""The screens with liveness on (the default): a still photo gets the polite hint, never a check-in;
the unlock screen shows the head-turn prompt and stays locked for a still head."""

from dataclasses import replace
from datetime import datetime, timezone

from desktop_app.gui.kiosk_view import ATTACK, PROMPT

DAY = (datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))
TIMEOUT_MS = 20_000


def test_kiosk_shows_the_photo_hint_and_checks_nobody_in(qtbot, window, store, enrolled, person_folder):
    win = window(person_folder, liveness=True)
    qtbot.waitUntil(
        lambda: "Photo or screen not accepted" in win.kiosk.banner.text() and win.kiosk.banner.showing(ATTACK),
        timeout=TIMEOUT_MS,
    )
    assert "please look at the camera yourself" in win.kiosk.banner.text()
    qtbot.waitUntil(win.worker.isFinished, timeout=TIMEOUT_MS)
    assert store.events(*DAY) == []


def test_unlock_screen_prompts_for_a_head_turn_and_stays_locked(
    qtbot, window, store, enrolled, camera_folder, lfw_photos, tmp_path
):
    # Liveness off (the still photo would be refused before any prompt), the challenge on. One
    # photo: several photos of him in a row can turn the head as asked by chance.
    store.save_settings(replace(store.load_settings(), pad_enabled=False, challenge_enabled=True))
    # Armed (with the admin PIN, chosen here on first use) before the camera plays, so no frame of
    # the still is spent in check-in mode while the PIN is hashed.
    win = window(tmp_path / "unplugged", liveness=True)
    win.show_unlock()
    win.unlock.person.setCurrentIndex(win.unlock.person.findData(enrolled.id))
    win.unlock.start_button.click()
    win.unlock.pin_dialog.pin.setText("135790")
    win.unlock.pin_dialog.repeat.setText("135790")
    win.unlock.pin_dialog.ok_button.click()
    win.worker.set_camera(str(camera_folder("still", lfw_photos("George_W_Bush", ("0150",)), repeats=30)))
    qtbot.waitUntil(lambda: win.unlock.banner.showing(PROMPT), timeout=TIMEOUT_MS)
    assert win.unlock.banner.text() in ("Turn your head to your left", "Turn your head to your right")
    qtbot.waitUntil(win.worker.isFinished, timeout=TIMEOUT_MS)
    assert win.unlock.state.text().startswith("LOCKED") and store.events(*DAY) == []
