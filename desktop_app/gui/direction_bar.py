"""In and Out buttons (keys I and O) for a kiosk whose check-in mode is "buttons": the person picks
a direction, then looks at the camera, and the kiosk records them so (core/kiosk/rules.py)."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from core.kiosk.kiosk import KioskResult
from core.types import CHECK_IN, CHECK_OUT, EventKind

# A choice nobody's face followed is taken back, so the next person is not recorded with it.
CHOICE_MS = 10_000
BUTTON_STYLE = (
    "QPushButton { font-size:24pt; font-weight:bold; padding:14px 40px; border-radius:8px; }"
    "QPushButton:checked { background:#2e9e4f; color:white; }"
)


class DirectionBar(QWidget):
    """Hidden until a result says the kiosk runs in buttons mode; shows the kiosk's own choice."""

    chosen = Signal(object)  # CHECK_IN, CHECK_OUT, or None when a choice is taken back

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.buttons: dict[EventKind, QPushButton] = {}
        layout = QHBoxLayout(self)
        layout.addStretch(1)
        # The keys stay I and O in every language; the words are translated.
        for kind, text, key in ((CHECK_IN, self.tr("In"), "I"), (CHECK_OUT, self.tr("Out"), "O")):
            button = QPushButton(self.tr("{direction}  ({key})").format(direction=text, key=key))
            button.setCheckable(True)
            button.setStyleSheet(BUTTON_STYLE)
            button.clicked.connect(lambda _checked=False, kind=kind: self.choose(kind))
            # Only while the bar is shown, so typing on the admin pages never chooses anything.
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda kind=kind: self.choose(kind))
            layout.addWidget(button)
            self.buttons[kind] = button
        layout.addStretch(1)
        self._expiry = QTimer(self, singleShot=True, interval=CHOICE_MS)
        self._expiry.timeout.connect(lambda: self.choose(None))
        self.hide()

    def choose(self, kind: EventKind | None) -> None:
        for each, button in self.buttons.items():
            button.setChecked(each == kind)
        if kind is None:
            self._expiry.stop()
        else:
            self._expiry.start()
        self.chosen.emit(kind)

    def show_state(self, result: object) -> None:
        """Follows a frame's result: shown in buttons mode, with the choice the kiosk still holds
        (it uses a choice up on the person it records)."""
        buttons = isinstance(result, KioskResult) and result.buttons
        self.setVisible(buttons)
        if isinstance(result, KioskResult) and buttons:
            for kind, button in self.buttons.items():
                button.setChecked(result.direction == kind)
