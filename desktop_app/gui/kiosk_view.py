"""The check-in screen: live camera with names over faces, and one banner above it that says what
happened (a check-in) or what to do (not recognised, a photo refused)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QSizePolicy, QVBoxLayout, QWidget

from core.i18n import QT_TRANSLATE_NOOP
from core.kiosk.kiosk import KioskResult, SeenFace, already_said
from core.types import CHECK_IN, UNLOCK, Event
from desktop_app.gui import theme
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
# The high-contrast theme's (desktop_app/gui/theme.py): black and yellow, each kind with a border of
# its own, a refusal the one drawn in yellow. The border takes 4 px of the padding, so the banner's
# room is the same in both themes and switching theme never squeezes its words.
_HIGH_LOOK = "font-weight:bold; padding:6px; border-radius:8px;"
HIGH_CONTRAST_BANNER_STYLES = {
    WELCOME: f"background:black; color:white; border:4px solid #00ff00; font-size:24pt; {_HIGH_LOOK}",
    NOTICE: f"background:black; color:white; border:4px solid #00ffff; font-size:20pt; {_HIGH_LOOK}",
    HINT: f"background:black; color:#ffff00; border:4px dashed #ffff00; font-size:18pt; {_HIGH_LOOK}",
    ATTACK: f"background:#ffff00; color:black; border:4px solid white; font-size:18pt; {_HIGH_LOOK}",
    PROMPT: f"background:black; color:#ffff00; border:4px solid #ffff00; font-size:24pt; {_HIGH_LOOK}",
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


def _draw_icon(painter: QPainter, kind: str, box: QRectF) -> None:
    """The kind's sign, drawn in the text's colour so that it never depends on colour alone or on a
    font having the glyph: a tick (checked in), an i (notice), a triangle with ! (hint), a crossed
    circle (refused), arrows both ways (turn your head)."""
    pen = QPen(painter.pen().color(), max(2.0, box.width() / 10))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    x, y, w = box.left(), box.top(), box.width()

    def at(fx: float, fy: float) -> QPointF:
        return QPointF(x + fx * w, y + fy * w)

    if kind == HINT:
        painter.drawPolygon([at(0.5, 0.05), at(0.97, 0.92), at(0.03, 0.92)])
    else:
        painter.drawEllipse(box.adjusted(pen.widthF() / 2, pen.widthF() / 2, -pen.widthF() / 2, -pen.widthF() / 2))
    if kind == WELCOME:
        painter.drawPolyline([at(0.27, 0.52), at(0.43, 0.68), at(0.74, 0.33)])
    elif kind == NOTICE:
        painter.drawLine(at(0.5, 0.45), at(0.5, 0.75))
        painter.drawPoint(at(0.5, 0.28))
    elif kind == HINT:
        painter.drawLine(at(0.5, 0.38), at(0.5, 0.62))
        painter.drawPoint(at(0.5, 0.78))
    elif kind == ATTACK:
        painter.drawLine(at(0.32, 0.32), at(0.68, 0.68))
        painter.drawLine(at(0.68, 0.32), at(0.32, 0.68))
    elif kind == PROMPT:
        arrows = QPainterPath(at(0.22, 0.5))
        arrows.lineTo(at(0.78, 0.5))
        for tip, back in ((0.22, 0.36), (0.78, 0.64)):
            arrows.moveTo(at(back, 0.35))
            arrows.lineTo(at(tip, 0.5))
            arrows.lineTo(at(back, 0.65))
        painter.drawPath(arrows)


class Banner(ElidedLabel):
    """The one place a screen speaks to the person at the camera: each message has a kind (its
    colour, a sign drawn beside the words, and a word for screen readers) and goes by itself a few
    seconds after it was last shown. Its room stays while it is hidden, so the video below never jumps."""

    # A kind that was not showing has just appeared (not every frame that repeats it): the sounds follow it.
    appeared = Signal(str)

    def __init__(self) -> None:
        super().__init__("✓", smallest_pt=SMALLEST_PT, alignment=Qt.AlignmentFlag.AlignCenter)
        self.kind: str | None = None
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        # The room it keeps is one line of the largest kind.
        self.setStyleSheet(self.style_of(WELCOME))
        self.ensurePolished()
        self.setMinimumHeight(self.sizeHint().height())
        self.setText("")
        self.hide()
        self.expiry = QTimer(self, singleShot=True)
        self.expiry.timeout.connect(self.clear_banner)

    @staticmethod
    def style_of(kind: str) -> str:
        return theme.pick(BANNER_STYLES[kind], HIGH_CONTRAST_BANNER_STYLES[kind])

    def kind_word(self, kind: str) -> str:
        """What the sign says, for a screen reader."""
        words = {
            WELCOME: self.tr("Done"),
            NOTICE: self.tr("Notice"),
            HINT: self.tr("Hint"),
            ATTACK: self.tr("Refused"),
            PROMPT: self.tr("Please do this"),
        }
        return words[kind]

    def show_banner(self, kind: str, text: str) -> None:
        """Shows text (first letter capitalised) in the kind's colour for BANNER_MS[kind]."""
        appeared = self.kind != kind or self.isHidden()
        self.kind = kind
        self.setStyleSheet(self.style_of(kind))
        self.setText(text[:1].upper() + text[1:])
        self.setAccessibleName(self.tr("{kind}: {text}").format(kind=self.kind_word(kind), text=self.text()))
        self.show()
        self.expiry.start(BANNER_MS[kind])
        if appeared:
            self.appeared.emit(kind)

    def clear_banner(self) -> None:
        self.expiry.stop()
        self.kind = None
        self.hide()

    def showing(self, *kinds: str) -> bool:
        return self.kind in kinds

    def icon_size(self) -> int:
        return QFontMetrics(self.font()).ascent()

    def text_rect(self) -> QRect:
        # The sign and a gap of half its size stand before the words: on their left, or their right
        # in a right-to-left language.
        gap = self.icon_size() * 3 // 2
        return self.contentsRect().adjusted(0 if self._rtl() else gap, 0, -gap if self._rtl() else 0, 0)

    def sign_rect(self) -> QRectF:
        """Where the sign goes: before the words, the two centred as one block."""
        metrics = QFontMetrics(self.shown_font())
        width = max(metrics.horizontalAdvance(line) for line in self.shown_lines())
        size, room = self.icon_size(), self.contentsRect()
        margin = max(0, (room.width() - size * 3 // 2 - width) // 2)
        left = room.right() - margin - size if self._rtl() else room.left() + margin
        return QRectF(left, room.center().y() - size / 2, size, size)

    def _rtl(self) -> bool:
        return self.layoutDirection() == Qt.LayoutDirection.RightToLeft

    def paintEvent(self, event: QPaintEvent) -> None:
        QFrame.paintEvent(self, event)
        if self.kind is None:
            return
        painter = QPainter(self)
        painter.setFont(self.shown_font())
        sign, room = self.sign_rect(), self.contentsRect()
        if self._rtl():
            words = QRectF(room.left(), room.top(), sign.left() - sign.width() / 2 - room.left(), room.height())
        else:
            words = QRectF(sign.right() + sign.width() / 2, room.top(), room.right() - sign.right(), room.height())
        # AlignLeft is the words' start: the right edge in a right-to-left language, next to the sign.
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(words, align, "\n".join(self.shown_lines()))
        _draw_icon(painter, self.kind, sign)


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
        said = QCoreApplication.translate("KioskView", "Welcome, {name} — checked in at {time}")
    else:
        said = QCoreApplication.translate("KioskView", "Goodbye, {name} — checked out at {time}")
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
