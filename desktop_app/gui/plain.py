"""Text from users (names, groups, paths, error messages that quote them) shown as typed.

Qt guesses: a label or a tooltip whose text looks like HTML is drawn as rich text, so a name like
`<span style="font-size:200pt">…<img src=…>` would draw giant text and load a local image on the
public kiosk screen. Every widget that shows such text is made here, or told here, to take it as
plain text.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QLabel, QMessageBox, QSizePolicy, QWidget


def plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_label(text: str = "", **options: Any) -> QLabel:
    """A QLabel (same keyword options) that shows its text as typed."""
    return plain(QLabel(text, **options))


class ElidedLabel(QLabel):
    """Plain text that never widens its window past the screen: too wide for the width it is
    given, it is drawn smaller (down to `smallest_pt`), then cut short with "…", line by line; the
    whole text is in its tooltip."""

    def __init__(self, text: str = "", smallest_pt: float | None = None, **options: Any):
        super().__init__(**options)
        plain(self)
        self.smallest_pt = smallest_pt
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(plain_tooltip(text) if text else "")

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(0, super().sizeHint().height())

    def text_rect(self) -> QRect:
        """Where the text is drawn: the contents, less what a subclass draws beside it."""
        return self.contentsRect()

    def shown_font(self) -> QFont:
        """The font the text is drawn in at the current width."""
        font = QFont(self.font())
        width, lines = self.text_rect().width(), self.text().split("\n")
        while (
            self.smallest_pt is not None
            and font.pointSizeF() - 1 >= self.smallest_pt
            and max(QFontMetrics(font).horizontalAdvance(line) for line in lines) > width
        ):
            font.setPointSizeF(font.pointSizeF() - 1)
        return font

    def shown_lines(self) -> list[str]:
        """The lines as drawn at the current width."""
        width, metrics = self.text_rect().width(), QFontMetrics(self.shown_font())
        return [metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in self.text().split("\n")]

    def paintEvent(self, event: QPaintEvent) -> None:
        QFrame.paintEvent(self, event)  # the frame; a style sheet's background is drawn before
        painter = QPainter(self)
        painter.setFont(self.shown_font())
        painter.drawText(self.contentsRect(), self.alignment(), "\n".join(self.shown_lines()))


def plain_tooltip(text: str) -> str:
    """A tooltip that shows text as typed: tooltips have no text format of their own, so the text is
    escaped inside rich text, which Qt then takes as such."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


def ask(parent: QWidget, title: str, text: str) -> bool:
    """A Yes/Cancel question (Cancel by default) whose text is shown as typed."""
    buttons = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Question, title, text, buttons.Yes | buttons.Cancel, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(buttons.Cancel)
    return box.exec() == buttons.Yes
