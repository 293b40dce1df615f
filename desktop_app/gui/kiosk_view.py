"""The check-in screen: live camera with names over faces, and one banner above it that says what
happened (a check-in) or what to do (not recognised, a photo refused)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from core.i18n import QT_TRANSLATE_NOOP
from core.kiosk.kiosk import KioskResult, SeenFace, already_said
from core.types import CHECK_IN, UNLOCK, Event
from desktop_app.gui.direction_bar import DirectionBar
from desktop_app.gui.locale_format import time_text
from desktop_app.gui.plain import ElidedLabel
from desktop_app.gui.video_view import AMBER, GREEN, RED, Overlay, VideoView
from desktop_app.gui.worker import FrameResult

# The banner's kinds: a check-in done, a notice for someone already handled, a hint for the person
# at the camera, a refused photo or screen, and the unlock screen's head-turn prompt.
WELCOME, NOTICE, HINT, ATTACK, PROMPT = "welcome", "notice", "hint", "attack", "prompt"
_BANNER_LOOK = "font-weight:bold; padding:10px; border-radius:8px;"
BANNER_STYLES = {
    WELCOME: f"background:#2e9e4f; color:white; font-size:24pt; {_BANNER_LOOK}",
    NOTICE: f"background:#1f5fbf; color:white; font-size:20pt; {_BANNER_LOOK}",
    HINT: f"background:#e0a100; color:black; font-size:18pt; {_BANNER_LOOK}",
    ATTACK: f"background:#d13b3b; color:white; font-size:18pt; {_BANNER_LOOK}",
    PROMPT: f"background:#1f5fbf; color:white; font-size:24pt; {_BANNER_LOOK}",
}
# How long each kind stays after it was last shown: a check-in long enough to read; a hint a
# moment past the last frame that gave it, so it can be read after the photo is taken away.
BANNER_MS = {WELCOME: 5000, NOTICE: 5000, HINT: 1500, ATTACK: 3000, PROMPT: 1500}
# On a narrow screen a banner is drawn smaller, down to this, before it is cut short.
SMALLEST_PT = 14
NOT_RECOGNISED = QT_TRANSLATE_NOOP(
    "KioskView", "Not recognised — look at the camera, or ask an administrator to enrol you"
)
# About a second of frames with only unknown faces before the hint shows, so that a face the
# kiosk is still confirming does not flash "not recognised".
HINT_AFTER_FRAMES = 20


class Banner(ElidedLabel):
    """The one place a screen speaks to the person at the camera: each message has a kind (its
    colour) and goes by itself a few seconds after it was last shown. Its room stays while it is
    hidden, so the video below never jumps."""

    def __init__(self) -> None:
        super().__init__("✓", smallest_pt=SMALLEST_PT, alignment=Qt.AlignmentFlag.AlignCenter)
        self.kind: str | None = None
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        # The room it keeps is one line of the largest kind.
        self.setStyleSheet(BANNER_STYLES[WELCOME])
        self.ensurePolished()
        self.setMinimumHeight(self.sizeHint().height())
        self.setText("")
        self.hide()
        self.expiry = QTimer(self, singleShot=True)
        self.expiry.timeout.connect(self.clear_banner)

    def show_banner(self, kind: str, text: str) -> None:
        """Shows text (first letter capitalised) in the kind's colour for BANNER_MS[kind]."""
        self.kind = kind
        self.setStyleSheet(BANNER_STYLES[kind])
        self.setText(text[:1].upper() + text[1:])
        self.show()
        self.expiry.start(BANNER_MS[kind])

    def clear_banner(self) -> None:
        self.expiry.stop()
        self.kind = None
        self.hide()

    def showing(self, *kinds: str) -> bool:
        return self.kind in kinds


def overlays(result: FrameResult) -> list[Overlay]:
    """Names over known faces; frames from before a screen switch may carry no faces at all."""
    if not isinstance(result, KioskResult):
        return []
    return [_overlay(face) for face in result.faces]


def _overlay(face: SeenFace) -> Overlay:
    if face.live is False:
        return Overlay(face.box, QCoreApplication.translate("KioskView", "photo or screen"), RED)
    if face.known:
        return Overlay(face.box, face.name or "", GREEN)
    return Overlay(face.box, QCoreApplication.translate("KioskView", "not recognised"), AMBER)


def show_hint(banner: Banner, result: FrameResult) -> bool:
    """The frame's hint in the banner (red when a face was refused as a photo or screen); an attack
    banner goes as soon as a frame shows only faces taken as live, so it never stands over the next
    person. True when the frame had a hint."""
    if not isinstance(result, KioskResult):
        return False
    refused = any(face.live is False for face in result.faces)
    if result.hint:
        banner.show_banner(ATTACK if refused else HINT, kiosk_text(result.hint))
        return True
    if banner.showing(ATTACK) and result.faces and not refused:
        banner.clear_banner()
    return False


def kiosk_text(text: str) -> str:
    """Text from core/kiosk and core/liveness (hints, prompts, marked in context "Kiosk"), translated."""
    return QCoreApplication.translate("Kiosk", text)


def confirmation(event: Event) -> str:
    if event.kind == CHECK_IN:
        said = QCoreApplication.translate("KioskView", "✓ Welcome, {name} — checked in at {time}")
    else:
        said = QCoreApplication.translate("KioskView", "✓ Goodbye, {name} — checked out at {time}")
    return said.format(name=event.name, time=time_text(event.time))


class KioskView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.video = VideoView()
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.banner = Banner()
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        self.direction = DirectionBar()
        layout.addWidget(self.video, 1)
        layout.addWidget(self.direction)
        self._strange_frames = 0

    def show_result(self, result: FrameResult) -> None:
        self.video.show_frame(result.frame, overlays(result))
        self.direction.show_state(result)
        faces = result.faces if isinstance(result, KioskResult) else ()
        only_strangers = bool(faces) and not any(face.known for face in faces)
        self._strange_frames = self._strange_frames + 1 if only_strangers else 0
        # A check-in stays readable: the person it names may look away meanwhile.
        if self.banner.showing(WELCOME, NOTICE):
            return
        if not show_hint(self.banner, result) and self._strange_frames >= HINT_AFTER_FRAMES:
            self.banner.show_banner(HINT, self.tr(NOT_RECOGNISED))

    def show_events(self, events: Sequence[Event]) -> None:
        events = [e for e in events if e.kind != UNLOCK]
        if events:
            self.banner.show_banner(WELCOME, "\n".join(confirmation(e) for e in events))

    def show_message(self, text: str) -> None:
        """No camera picture to show (a camera problem, the end of a video): the message fills the
        video area, and what was drawn over the last frame goes with it. A check-in just made stays
        its few seconds: it happened."""
        self.video.clear(text)
        if not self.banner.showing(WELCOME, NOTICE):
            self.banner.clear_banner()
        self._strange_frames = 0

    def show_already(self, earlier: Sequence[Event]) -> None:
        """People seen again too soon: "Ann — already checked in at 8:12 AM"."""
        self.banner.show_banner(NOTICE, "\n".join(already_said(e, kiosk_text, time_text) for e in earlier))
