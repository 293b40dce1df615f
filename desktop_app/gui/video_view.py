"""A widget that shows a camera frame scaled to fit, with labelled boxes drawn over the faces."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

GREEN, AMBER, RED = QColor("#2e9e4f"), QColor("#e0a100"), QColor("#d13b3b")
# Not colour alone: a recognised face's box is solid, an unrecognised one's dashed, and a refused
# photo's or screen's crossed through.
DASHED = {AMBER.name()}
CROSSED = {RED.name()}


@dataclass(frozen=True)
class Overlay:
    box: np.ndarray  # x1, y1, x2, y2 in frame pixels
    label: str
    color: QColor


def to_qimage(frame: np.ndarray) -> QImage:
    height, width = frame.shape[:2]
    # copy(): the QImage must own its pixels, the numpy frame is reused by the worker.
    return QImage(frame.data, width, height, frame.strides[0], QImage.Format.Format_BGR888).copy()


class VideoView(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        # Small enough for an 800x480 panel with the controls around it.
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._image: QImage | None = None
        self._overlays: Sequence[Overlay] = ()
        self.placeholder = self.tr("Waiting for the camera…")
        self.setAccessibleName(self.tr("Camera picture"))
        self.setAccessibleDescription(
            self.tr(
                "The live camera, with a box and a name over each face; what happened is said in the banner above it"
            )
        )

    def show_frame(self, frame: np.ndarray, overlays: Sequence[Overlay] = ()) -> None:
        self._image = to_qimage(frame)
        self._overlays = overlays
        self.update()

    def clear(self, placeholder: str) -> None:
        """No frame, no boxes: the message fills the area instead (a camera problem and what to
        try, or the end of a video), wrapped to its width."""
        self._image, self._overlays, self.placeholder = None, (), placeholder
        self.update()

    @property
    def showing_frame(self) -> bool:
        return self._image is not None

    @property
    def overlays(self) -> Sequence[Overlay]:
        return self._overlays

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), Qt.GlobalColor.black)
        if self._image is None:
            painter.setPen(Qt.GlobalColor.white)
            font = QFont(self.font())
            font.setPointSize(14)
            painter.setFont(font)
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.rect().adjusted(16, 16, -16, -16), flags, self.placeholder)
            return
        scale = min(self.width() / self._image.width(), self.height() / self._image.height())
        left = (self.width() - self._image.width() * scale) / 2
        top = (self.height() - self._image.height() * scale) / 2
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(left, top, self._image.width() * scale, self._image.height() * scale), self._image)
        font = QFont(self.font())
        font.setPointSize(max(10, int(14 * scale)))
        font.setBold(True)
        painter.setFont(font)
        for overlay in self._overlays:
            x1, y1, x2, y2 = (float(v) for v in overlay.box)
            rect = QRectF(left + x1 * scale, top + y1 * scale, (x2 - x1) * scale, (y2 - y1) * scale)
            pen = QPen(overlay.color, 3)
            if overlay.color.name() in DASHED:
                pen.setStyle(Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRect(rect)
            if overlay.color.name() in CROSSED:
                painter.drawLine(rect.topLeft(), rect.bottomRight())
                painter.drawLine(rect.topRight(), rect.bottomLeft())
            if overlay.label:
                text = painter.fontMetrics().boundingRect(overlay.label)
                tag = QRectF(rect.left(), rect.top() - text.height() - 6, text.width() + 12, text.height() + 6)
                painter.fillRect(tag, overlay.color)
                # Black on amber, as the hint banner: white on it is too faint to read.
                painter.setPen(Qt.GlobalColor.black if overlay.color.name() in DASHED else Qt.GlobalColor.white)
                painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, overlay.label)
