"""Accessibility on the real windows offscreen: every control has a name a screen reader can say,
every banner kind has a sign of its own besides its colour, the high-contrast theme turns the
application black, white and yellow, and the optional sounds play once per check-in or refusal
banner, and never when they are off."""

from __future__ import annotations

import hashlib
import re
import wave
from dataclasses import replace
from datetime import datetime, timezone

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAccessible, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTextEdit,
    QWidget,
)

from core.paths import assets_dir
from core.settings import HIGH_CONTRAST, STANDARD
from core.types import CHECK_IN, Event
from desktop_app.gui.kiosk_view import ATTACK, HINT, NOTICE, PROMPT, WELCOME, Banner
from desktop_app.gui.sounds import CHECK_IN_SOUND, REFUSAL_SOUND, sound_path
from desktop_app.gui.theme import apply_theme

CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractSlider,
    QAbstractItemView,
    QTabBar,
    QPlainTextEdit,
    QTextEdit,
)
KINDS = (WELCOME, NOTICE, HINT, ATTACK, PROMPT)


def _own_controls(root: QWidget) -> list[QWidget]:
    """The controls a person reaches, without the parts Qt builds inside its own widgets (a spin
    box's editor, a combo box's list, a table's headers and corner, a toolbar's overflow button,
    a line edit's clear button, scroll bars), which Qt names through the widget they belong to."""
    found = []
    for widget in root.findChildren(QWidget):
        parent = widget.parentWidget()
        if (
            not isinstance(widget, CONTROLS)
            or isinstance(widget, QHeaderView | QScrollBar)
            or widget.objectName().startswith("qt_")
        ):
            continue
        if isinstance(parent, QAbstractSpinBox | QComboBox | QLineEdit) or type(parent).__name__ == "QFrame":
            continue  # the combo popup's list sits in a private QFrame container
        found.append(widget)
    return found


def _nameless(root: QWidget) -> list[str]:
    """The controls of root's own window without a name (another window it owns is walked by itself)."""
    return [
        f"{type(w).__name__} in {type(w.parentWidget()).__name__}"
        for w in _own_controls(root)
        if w.window() is root.window()
        and not QAccessible.queryAccessibleInterface(w).text(QAccessible.Text.Name).strip()
    ]


def test_every_control_of_every_screen_has_an_accessible_name(qtbot, window, tmp_path):
    win = window(tmp_path / "no-camera")
    assert len(_own_controls(win)) > 3 and _nameless(win) == []
    win.show_unlock()
    assert win.unlock.person in _own_controls(win) and _nameless(win.unlock) == []
    win.enter_admin()
    for page in win.admin.pages:
        win.admin.setCurrentWidget(page)
    admin = win.admin_window
    assert len(_own_controls(admin)) > 50
    assert _nameless(admin) == []
    # The video says what it is, beyond "a widget".
    assert win.kiosk.video.accessibleName() and win.kiosk.video.accessibleDescription()
    # A field beside a hint is named by its row's label.
    settings = win.admin.settings
    name = QAccessible.queryAccessibleInterface(settings.min_face).text(QAccessible.Text.Name)
    assert name.startswith("Smallest face")


def test_the_pin_dialog_goes_from_pin_to_repeat_to_ok(qtbot, store):
    from desktop_app.gui.admin.pin_dialog import PinDialog

    dialog = PinDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    dialog.pin.setFocus()
    order = [dialog.pin]
    widget = dialog.pin
    for _ in range(3):
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isVisible():
            widget = widget.nextInFocusChain()
        order.append(widget)
    assert order[:3] == [dialog.pin, dialog.repeat, dialog.ok_button]
    names = [QAccessible.queryAccessibleInterface(w).text(QAccessible.Text.Name) for w in order[:2]]
    assert names == ["PIN:", "Repeat:"] or [n.rstrip(":") for n in names] == ["PIN", "Repeat"]


def _sign(banner: Banner) -> np.ndarray:
    """Where the banner's sign is drawn: the pixels of the text's colour left of the words."""
    image = banner.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    pixels = pixels[:, : image.width() * 3].reshape(image.height(), image.width(), 3)
    sign = banner.sign_rect().toAlignedRect()
    ink = banner.palette().color(QPalette.ColorRole.WindowText)
    area = pixels[sign.top() : sign.bottom() + 1, sign.left() : sign.right() + 1]
    return np.all(np.abs(area.astype(int) - [ink.red(), ink.green(), ink.blue()]) < 40, axis=2)


@pytest.mark.parametrize("theme", [STANDARD, HIGH_CONTRAST])
def test_each_banner_kind_has_a_sign_of_its_own_and_says_its_kind(qtbot, theme):
    apply_theme(theme)
    try:
        banner = Banner()
        qtbot.addWidget(banner)
        banner.resize(700, banner.minimumHeight())
        # A short text leaves the sign in the same place for every kind.
        signs = {}
        for kind in KINDS:
            banner.show_banner(kind, "ok")
            signs[kind] = _sign(banner)
            assert signs[kind].sum() > 20, f"no sign drawn for {kind}"
            assert banner.accessibleName().endswith(": Ok") and banner.accessibleName() != ": Ok"
            assert banner.text() == "Ok"  # the words are the caller's, unchanged
        for a in KINDS:
            for b in KINDS:
                if a < b:
                    same = signs[a].shape == signs[b].shape and (signs[a] == signs[b]).all()
                    assert not same, f"{a} and {b} draw the same sign"
        # The banner keeps the same room in either theme: switching never squeezes its words.
        apply_theme(STANDARD if theme == HIGH_CONTRAST else HIGH_CONTRAST)
        other = Banner()
        qtbot.addWidget(other)
        assert other.minimumHeight() == banner.minimumHeight()
        apply_theme(theme)
        # Long text still shrinks and is cut short, now beside the sign.
        banner.show_banner(WELCOME, "x" * 300)
        assert banner.shown_lines()[0].endswith("…") and banner.height() == banner.minimumHeight()
    finally:
        apply_theme(STANDARD)


def test_the_high_contrast_theme_is_saved_and_applied(qtbot, window, store, tmp_path):
    win = window(tmp_path / "no-camera")
    page = win.admin.settings
    win.enter_admin()
    win.admin.setCurrentWidget(page)
    standard_window = QApplication.palette().color(QPalette.ColorRole.Window)
    try:
        page.theme.setCurrentIndex(1)
        assert page.save() is True
        assert store.load_settings().theme == HIGH_CONTRAST
        palette = QApplication.palette()
        assert palette.color(QPalette.ColorRole.Window).name() == "#000000"
        assert palette.color(QPalette.ColorRole.WindowText).name() == "#ffffff"
        assert palette.color(QPalette.ColorRole.Highlight).name() == "#ffff00"
        assert "3px solid yellow" in QApplication.instance().styleSheet()  # the focus outline
        win.kiosk.banner.show_banner(ATTACK, "Photo or screen not accepted")
        assert "border:4px" in win.kiosk.banner.styleSheet()
        win.unlock.leave()  # the door state takes the theme when it is next shown
        assert "border:4px solid white" in win.unlock.state.styleSheet()
        page.theme.setCurrentIndex(0)
        assert page.save() is True
        assert QApplication.palette().color(QPalette.ColorRole.Window) == standard_window
        assert QApplication.instance().styleSheet() == ""
    finally:
        apply_theme(STANDARD)


def _check_in(win) -> None:
    now = datetime.now(timezone.utc)
    win.kiosk.show_events([Event(1, "Ann", now, CHECK_IN, 0.9, "front-door")])


def test_sounds_play_once_per_check_in_or_refusal_and_only_when_on(qtbot, window, store, tmp_path):
    store.save_settings(replace(store.load_settings(), sounds=True))
    win = window(tmp_path / "no-camera")
    played: list[str] = []
    win.sounds.played.connect(played.append)
    _check_in(win)
    _check_in(win)  # the same banner still up: no second chime
    assert played == [CHECK_IN_SOUND]
    win.kiosk.banner.clear_banner()
    for _ in range(5):  # a photo held up for five frames: one tone
        win.kiosk.banner.show_banner(ATTACK, "Photo or screen not accepted")
    win.kiosk.banner.show_banner(HINT, "come closer")
    assert played == [CHECK_IN_SOUND, REFUSAL_SOUND]
    win.unlock.banner.show_banner(ATTACK, "Photo or screen not accepted")
    assert played == [CHECK_IN_SOUND, REFUSAL_SOUND, REFUSAL_SOUND]
    # Each effect plays its shipped file.
    for name, effect in win.sounds.effects.items():
        assert effect.source().toLocalFile() == str(sound_path(name))

    page = win.admin.settings
    win.enter_admin()
    win.admin.setCurrentWidget(page)
    assert page.sounds.isChecked()
    page.sounds.setChecked(False)
    assert page.save() is True and store.load_settings().sounds is False
    win.kiosk.banner.clear_banner()
    _check_in(win)
    assert played == [CHECK_IN_SOUND, REFUSAL_SOUND, REFUSAL_SOUND]


def test_sounds_are_off_by_default_and_load_nothing(qtbot, window, tmp_path):
    win = window(tmp_path / "no-camera")
    played: list[str] = []
    win.sounds.played.connect(played.append)
    _check_in(win)
    assert played == [] and win.sounds.effects == {}


def test_the_shipped_sounds_are_short_valid_wavs_as_their_readme_lists():
    readme = (assets_dir() / "sounds" / "README.md").read_text(encoding="utf-8")
    for name in (CHECK_IN_SOUND, REFUSAL_SOUND):
        path = sound_path(name)
        with wave.open(str(path)) as sound:
            assert (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
            assert 0.2 < sound.getnframes() / sound.getframerate() < 1.0
            samples = np.frombuffer(sound.readframes(sound.getnframes()), "<i2")
        assert 0 < np.abs(samples).max() < 32767  # audible, not clipped
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert re.search(rf"`{path.name}`.*`{digest}`", readme), f"{path.name}'s sha256 is not the README's"


def test_video_boxes_differ_by_more_than_colour(qtbot):
    from desktop_app.gui.video_view import AMBER, GREEN, RED, Overlay, VideoView

    def drawn(color) -> QImage:
        view = VideoView()
        qtbot.addWidget(view)
        view.resize(200, 200)
        frame = np.full((200, 200, 3), 128, np.uint8)
        view.show_frame(frame, [Overlay(np.array([50, 50, 150, 150]), "", color)])
        return view.grab().toImage()

    def marked(image: QImage, rect: QRect) -> int:
        """Pixels in rect that are not the grey frame."""
        return sum(
            image.pixelColor(x, y).name() != "#808080"
            for x in range(rect.left(), rect.right())
            for y in range(rect.top(), rect.bottom())
        )

    edge, middle = QRect(60, 49, 80, 3), QRect(90, 90, 20, 20)
    solid, dashed, crossed = drawn(GREEN), drawn(AMBER), drawn(RED)
    assert marked(dashed, edge) < marked(solid, edge) * 0.9  # gaps in the line
    assert marked(solid, middle) == 0 and marked(crossed, middle) > 0  # the cross through the face
