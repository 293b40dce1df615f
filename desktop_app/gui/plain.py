"""Text from users (names, groups, paths, error messages that quote them) shown as typed.

Qt guesses: a label or a tooltip whose text looks like HTML is drawn as rich text, so a name like
`<span style="font-size:200pt">…<img src=…>` would draw giant text and load a local image on the
public kiosk screen. Every widget that shows such text is made here, or told here, to take it as
plain text.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def plain_label(text: str = "", **options: Any) -> QLabel:
    """A QLabel (same keyword options) that shows its text as typed."""
    return plain(QLabel(text, **options))


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
