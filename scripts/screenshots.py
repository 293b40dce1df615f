"""Regenerate the screenshots in docs/screenshots: every screen, drawn offscreen, with a throwaway
database and only the sample photos in assets/samples (never a dataset's faces). Besides the
1024x700 window, the kiosk and admin screens in kiosk mode on an 800x480 panel and a 1920x1080
screen (*_800x480.png, *_1920x1080.png): the offscreen screens of tests/gui/screens.json.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [OUT_DIR] [--language LANGUAGE]

With --language (zh_CN, de, ar) it draws the kiosk, unlock and Reports screens in that language
instead, named kiosk_ar.png and so on. Chinese needs a CJK font (Debian/Ubuntu: fonts-noto-cjk);
Arabic's glyphs are in DejaVu Sans (fonts-dejavu-core).

A developer's tool: it stays out of the shipped package.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.paths import samples_dir  # noqa: E402
from core.vision.imaging import encode_jpeg, load_image  # noqa: E402
from core.vision.raster import resize_linear  # noqa: E402

PORTRAIT, GROUP = "Tom_Hanks_54745.png", "t1.jpg"
# Names for five of the six people of the group photo, so that the People screen has someone to
# list; the sixth plays the stranger at the kiosk.
GROUP_NAMES = ("Ada Park", "Ben Okafor", "Chloé Martin", "Dev Sharma", "Eva Lindqvist")
SIZE = (1024, 700)
SCREENS_CONFIG = Path(__file__).resolve().parent.parent / "tests" / "gui" / "screens.json"
# Kiosk mode on each screen of SCREENS_CONFIG: its name there, and the shots' suffix.
KIOSK_SCREENS = (("panel", "800x480"), ("desktop", "1920x1080"))


def _wait(app, done: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not reach the state to capture")
        app.processEvents()
        time.sleep(0.01)


def _group_faces(pipeline, photos: Path) -> list:
    """Each face of the group photo with room around it, doubled in size, left to right."""
    group = load_image(photos / GROUP)
    crops = []
    for face in sorted(pipeline.detector.detect(group), key=lambda f: f.box[0]):
        x1, y1, x2, y2 = face.box.astype(int)
        pad = (x2 - x1) // 2
        crop = group[max(y1 - pad, 0) : y2 + pad, max(x1 - pad, 0) : x2 + pad]
        crops.append(_doubled(crop))
    return crops


def _doubled(image: np.ndarray) -> np.ndarray:
    return resize_linear(image, (2 * image.shape[1], 2 * image.shape[0]))


def _enrol_samples(store, pipeline, portrait, group_faces) -> None:
    """Tom Hanks from his portrait and its mirror image; five faces of the group photo as named people."""
    from core.enrol.enroller import Enroller

    enroller = Enroller(store, pipeline)
    samples = []
    for image in (portrait, portrait[:, ::-1]):
        sample = enroller.assess(image, detail=PORTRAIT).sample
        if sample is None:  # every screenshot shows him: better no screenshots than wrong ones
            raise RuntimeError(f"the sample portrait {PORTRAIT} failed the enrolment gates")
        samples.append(sample)
    enroller.save(samples, "photo", name="Tom Hanks", group="admin", external_id="E-1001")
    for name, face in zip(GROUP_NAMES, group_faces):
        sample = enroller.assess(face, detail=GROUP).sample
        if sample:
            enroller.save([sample], "photo", name=name, group="staff")


def _history(store, days: int = 4) -> None:
    """A few past working days for everyone, so the attendance screen has a summary to show."""
    from core.types import CHECK_IN, CHECK_OUT, Event

    today = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    for back in range(days, 0, -1):
        for i, person in enumerate(store.list_people()):
            arrive = today - timedelta(days=back, hours=-8, minutes=-7 * i - 3 * back)
            leave = arrive + timedelta(hours=8, minutes=40 - 5 * i)
            for time_, kind in ((arrive, CHECK_IN), (leave, CHECK_OUT)):
                store.record_event(Event(person.id, person.name, time_, kind, 0.72 + 0.02 * i, "front-door"))


def _camera_frame(portrait, stranger):
    """A 640x480 frame: Tom Hanks in front, the stranger further back on the right."""
    frame = np.tile(np.linspace(70, 150, 640, dtype=np.uint8)[None, :, None], (480, 1, 3))
    frame[110 : 110 + portrait.shape[0], 90 : 90 + portrait.shape[1]] = portrait
    small = resize_linear(stranger, (150, 150 * stranger.shape[0] // stranger.shape[1]))
    frame[150 : 150 + small.shape[0], 440 : 440 + small.shape[1]] = small[: 480 - 150]
    return frame


def _liveness(store, pad: bool, challenge: bool) -> None:
    from dataclasses import replace

    store.save_settings(replace(store.load_settings(), pad_enabled=pad, challenge_enabled=challenge))


def capture(out: Path, language: str | None = None) -> list[Path]:
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS_CONFIG}"
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from core.store import Store
    from core.vision.pipeline import FacePipeline
    from desktop_app.gui.admin.pin_dialog import PinDialog
    from desktop_app.gui.kiosk_view import ATTACK, WELCOME
    from desktop_app.gui.main_window import MainWindow
    from desktop_app.gui.theme import HIGH_CONTRAST, STANDARD, apply_theme
    from desktop_app.gui.unlock_view import HIGH_UNLOCKED_STYLE, UNLOCKED_STYLE
    from desktop_app.i18n import install_language

    app = QApplication.instance() or QApplication([])
    install_language(app, language or "en")
    suffix = f"_{language}" if language else ""
    photos = samples_dir()
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def save(widget, name: str) -> None:
        # Let layouts settle after the last change: a wrapped label's height takes a second pass
        # once its width is known.
        settle = time.monotonic() + 0.2
        while time.monotonic() < settle:
            app.processEvents()
            time.sleep(0.01)
        path = out / f"{name}{suffix}.png"
        widget.grab().save(str(path))
        saved.append(path)

    with tempfile.TemporaryDirectory(prefix="facegate-shots-") as tmp:
        store = Store(f"sqlite:///{Path(tmp, 'shots.db').as_posix()}")
        pipeline = FacePipeline()
        # The portrait is a 112 px crop: doubled, its face clears the enrolment size gate with room.
        portrait = _doubled(load_image(photos / PORTRAIT))
        group_faces = _group_faces(pipeline, photos)
        _enrol_samples(store, pipeline, portrait, group_faces)
        _history(store)
        frames = Path(tmp, "camera")
        frames.mkdir()
        frame = _camera_frame(portrait, group_faces[len(GROUP_NAMES)])
        jpeg = encode_jpeg(frame, 95)
        for i in range(600):
            (frames / f"{i:04d}.jpg").write_bytes(jpeg)

        pin = PinDialog(store)
        pin.pin.setText("246813")
        pin.repeat.setText("246813")
        pin.show()
        if not language:
            save(pin, "admin_pin")
        pin.submit()

        def kiosk_window(pad: bool) -> MainWindow:
            _liveness(store, pad=pad, challenge=True)
            window = MainWindow(store, pipeline, str(frames), realtime=True)
            window.resize(*SIZE)
            window.show()
            return window

        # The camera is one still frame of sample photos: liveness rightly refuses it, so it is
        # off for the check-in and unlock shots and on for the shot of its hint.
        window = kiosk_window(pad=True)
        _wait(app, lambda: window.kiosk.banner.showing(ATTACK))
        save(window, "kiosk_liveness")
        window.close()

        # A camera that is not there: the video area says so, and what to try.
        window = MainWindow(store, pipeline, str(Path(tmp, "unplugged")), realtime=True)
        window.resize(*SIZE)
        window.show()
        waiting = window.kiosk.video.placeholder
        _wait(app, lambda: window.kiosk.video.placeholder != waiting)
        save(window, "kiosk_no_camera")
        window.close()

        window = kiosk_window(pad=False)
        _wait(app, lambda: window.kiosk.banner.showing(WELCOME))
        save(window, "kiosk")
        now = datetime.now().astimezone()
        checked_in = store.events(now - timedelta(minutes=5), now + timedelta(minutes=1))

        window.show_unlock()
        window.unlock.person.setCurrentIndex(window.unlock.person.findText("Tom Hanks"))
        window.unlock.arm()  # takes the admin PIN
        asked = window.unlock.pin_dialog
        if asked is None:
            raise RuntimeError("arming Unlock did not ask for the admin PIN")
        asked.pin.setText("246813")
        asked.submit()
        _wait(app, lambda: window.unlock.banner.isVisible())
        save(window, "unlock_challenge")

        _liveness(store, pad=False, challenge=False)
        window.worker.invalidate()
        _wait(app, lambda: window.unlock.state.styleSheet() in (UNLOCKED_STYLE, HIGH_UNLOCKED_STYLE))
        save(window, "unlock")
        _liveness(store, pad=True, challenge=True)  # the Settings shot shows the defaults

        window.enter_admin()
        admin = window.admin_window
        admin.resize(*SIZE)
        if language:
            window.admin.setCurrentWidget(window.admin.reports)
            save(admin, "reports")
            admin.log_out()
            window.close()
            store.close()
            return saved
        enrol = window.admin.enrol
        enrol.name.setText("Tom Hanks")
        enrol.add_photos([photos / PORTRAIT, photos / GROUP])
        _wait(app, lambda: enrol.photo_list.count() == 2)
        enrol.toggle_capture()
        _wait(app, lambda: enrol.feedback.text().startswith("3/"))
        save(admin, "enrol")
        enrol.reset()

        for page, name in ((window.admin.people, "people"), (window.admin.attendance, "attendance")):
            window.admin.setCurrentWidget(page)
            save(admin, name)
        window.admin.setCurrentWidget(window.admin.settings)
        window.admin.settings.calibrate()
        _wait(app, lambda: "false accepts" in window.admin.settings.calibration.text())
        save(admin, "settings")
        window.admin.setCurrentWidget(window.admin.system)
        save(admin, "system")
        admin.log_out()
        window.close()

        screens = {screen.name(): screen for screen in QGuiApplication.screens()}
        for screen_name, tag in KIOSK_SCREENS:
            if screen_name not in screens:
                raise RuntimeError(f"no {tag} screen: run with QT_QPA_PLATFORM=offscreen (or unset)")
            window = kiosk_window(pad=False)
            window.setScreen(screens[screen_name])
            window.move(screens[screen_name].geometry().topLeft())
            window.enter_kiosk_mode()
            _wait(app, lambda shown=window: bool(shown.kiosk.video.overlays))
            # He was checked in above and the cooldown holds: his confirmation is shown again.
            window.kiosk.show_events(checked_in)
            save(window, f"kiosk_{tag}")
            window.enter_admin()
            for page, name in ((window.admin.enrol, "enrol"), (window.admin.settings, "settings")):
                window.admin.setCurrentWidget(page)
                _wait(app, lambda shown=window: shown.admin.enrol.video.showing_frame)
                save(window.admin_window, f"{name}_{tag}")
            window.admin_window.log_out()
            window.close()

        # The high-contrast theme (Settings → Accessibility): a check-in, and a refused photo.
        apply_theme(HIGH_CONTRAST)
        window = kiosk_window(pad=False)
        _wait(app, lambda: bool(window.kiosk.video.overlays))
        window.kiosk.show_events(checked_in)
        save(window, "kiosk_high_contrast")
        window.close()
        window = kiosk_window(pad=True)
        _wait(app, lambda: window.kiosk.banner.showing(ATTACK))
        save(window, "kiosk_liveness_high_contrast")
        window.close()
        apply_theme(STANDARD)
        store.close()
    return saved


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Regenerate the screenshots.")
    parser.add_argument("out", nargs="?", default="docs/screenshots", type=Path)
    parser.add_argument("--language", choices=("zh_CN", "de", "ar"), help="the screens in this language")
    args = parser.parse_args()
    for path in capture(args.out, args.language):
        print(path)
