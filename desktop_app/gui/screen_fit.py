"""Windows never larger than their screen: what they hold scrolls or is cut short instead."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

PREFERRED_SIZE = QSize(1024, 720)


def fit_to_screen(window: QWidget, near: QWidget | None = None, full_screen: bool = False) -> None:
    """Caps the window to its screen (the one `near` is on, when given, and the window moves
    there): the whole screen in full screen, otherwise the room left by panels and docks; a window
    bigger than that shrinks to it, and one off that room moves into it."""
    screen = (near or window).screen()
    if window.screen() is not screen:
        window.setScreen(screen)
        window.move(screen.availableGeometry().topLeft())
    if full_screen:
        window.setMaximumSize(screen.geometry().size())
        return
    room = screen.availableGeometry()
    # The window manager's frame (title bar, borders) takes room too, once the window is shown.
    frame = window.frameGeometry().size() - window.geometry().size()
    inside = room.size() - frame
    window.setMaximumSize(inside)
    window.resize(PREFERRED_SIZE.boundedTo(inside))
    if not room.contains(window.frameGeometry()):
        window.move(room.topLeft())
