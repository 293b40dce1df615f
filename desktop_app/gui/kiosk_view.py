"""The check-in screen: live camera with names over faces, a confirmation banner and a hint for strangers."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from core.kiosk.kiosk import KioskResult, SeenFace, already_said
from core.types import CHECK_IN, UNLOCK, Event
from desktop_app.gui.direction_bar import DirectionBar
from desktop_app.gui.plain import plain, plain_label
from desktop_app.gui.video_view import AMBER, GREEN, RED, Overlay, VideoView
from desktop_app.gui.worker import FrameResult

BANNER_MS = 5000
# A liveness hint ("photo or screen not accepted") stays this long after its last frame, so it can
# be read even when the phone is taken away at once.
PAD_HINT_MS = 3000
NOT_RECOGNISED = "Not recognised — look at the camera, or ask an administrator to enrol you"
# About a second of frames with only unknown faces before the hint shows, so that a face the
# kiosk is still confirming does not flash "not recognised".
HINT_AFTER_FRAMES = 20
BANNER_STYLE = "background:#2e9e4f; color:white; font-size:28pt; font-weight:bold; padding:16px; border-radius:8px;"
HINT_STYLE = "background:#e0a100; color:black; font-size:18pt; padding:10px; border-radius:8px;"


class HeldHint(QLabel):
    """A hint for the person at the camera. A liveness hint is held PAD_HINT_MS after the last frame
    that gave it (`held` runs meanwhile), so it can be read after the photo is taken away."""

    def __init__(self, text: str = ""):
        super().__init__(text, alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        plain(self)
        self.setStyleSheet(HINT_STYLE)
        self.hide()
        self.held = QTimer(self, singleShot=True, interval=PAD_HINT_MS)

    def hold(self, text: str | None) -> bool:
        """Shows text (sentence case) and holds it, when there is one; True while a hint is held."""
        if text:
            self.setText(text[0].upper() + text[1:])
            self.held.start()
        return self.held.isActive()


def overlays(result: FrameResult) -> list[Overlay]:
    """Names over known faces; frames from before a screen switch may carry no faces at all."""
    if not isinstance(result, KioskResult):
        return []
    return [_overlay(face) for face in result.faces]


def _overlay(face: SeenFace) -> Overlay:
    if face.live is False:
        return Overlay(face.box, "photo or screen", RED)
    if face.known:
        return Overlay(face.box, face.name or "", GREEN)
    return Overlay(face.box, "not recognised", AMBER)


def confirmation(event: Event) -> str:
    when = event.time.astimezone().strftime("%H:%M")
    if event.kind == CHECK_IN:
        return f"✓ Welcome, {event.name} — checked in at {when}"
    return f"✓ Goodbye, {event.name} — checked out at {when}"


class KioskView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.video = VideoView()
        self.banner = plain_label(alignment=Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.hide()
        self.hint = HeldHint(NOT_RECOGNISED)
        self.direction = DirectionBar()
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.direction)
        self._banner_timer = QTimer(self, singleShot=True, interval=BANNER_MS)
        self._banner_timer.timeout.connect(self.banner.hide)
        self._strange_frames = 0

    def show_result(self, result: FrameResult) -> None:
        self.video.show_frame(result.frame, overlays(result))
        self.direction.show_state(result)
        faces = result.faces if isinstance(result, KioskResult) else ()
        only_strangers = bool(faces) and not any(face.known for face in faces)
        self._strange_frames = self._strange_frames + 1 if only_strangers else 0
        if self.hint.hold(result.hint if isinstance(result, KioskResult) else None):
            self.hint.show()
            return
        self.hint.setText(NOT_RECOGNISED)
        self.hint.setVisible(self._strange_frames >= HINT_AFTER_FRAMES and not self.banner.isVisible())

    def show_events(self, events: Sequence[Event]) -> None:
        events = [e for e in events if e.kind != UNLOCK]
        if not events:
            return
        self.show_banner("\n".join(confirmation(e) for e in events))

    def show_already(self, earlier: Sequence[Event]) -> None:
        """People seen again too soon: "Ann — already checked in at 08:12"."""
        self.show_banner("\n".join(already_said(e) for e in earlier))

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.show()
        self.hint.hide()
        self._banner_timer.start()
