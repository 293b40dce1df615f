"""Windows never larger than their screen: what they hold scrolls or is cut short instead."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

PREFERRED_SIZE = QSize(1024, 720)


def fit_to_screen(window: QWidget, near: QWidget | None = None, full_screen: bool = False) -> None:
    """Caps the window to its screen (the one `near` is on, when given): the whole screen in full
    screen, otherwise the room left by panels and docks; a window bigger than that shrinks to it."""
    screen = (near or window).screen()
    room = screen.geometry() if full_screen else screen.availableGeometry()
    window.setMaximumSize(room.size())
    if not full_screen:
        window.resize(PREFERRED_SIZE.boundedTo(room.size()))
