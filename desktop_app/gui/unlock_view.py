"""The unlock screen: pick who may open, then the door shows LOCKED until they are confirmed."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import FaceGateError
from core.kiosk.kiosk import ADMIN_GROUP, KioskResult, unlock_people
from core.store import Store
from core.types import UNLOCK, Event
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.kiosk_view import HeldHint, overlays
from desktop_app.gui.plain import plain_label
from desktop_app.gui.video_view import VideoView
from desktop_app.gui.worker import FrameResult

UNLOCKED_MS = 5000
LOCKED_STYLE = "background:#d13b3b; color:white; font-size:32pt; font-weight:bold; padding:16px; border-radius:8px;"
UNLOCKED_STYLE = LOCKED_STYLE.replace("#d13b3b", "#2e9e4f")
PROMPT_STYLE = "background:#1f5fbf; color:white; font-size:26pt; font-weight:bold; padding:12px; border-radius:8px;"


class UnlockView(QWidget):
    """Armed, it waits for one of the chosen people; once they unlock it stays open for a few
    seconds without recognising anyone (one event per opening), then locks and re-arms."""

    unlock_requested = Signal(object)  # the person ids who may unlock
    paused = Signal()  # stop recognising while the door is open
    failed = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.person = QComboBox()
        self.start_button = QPushButton("Arm")
        self.start_button.clicked.connect(self.arm)
        self.state = plain_label(alignment=Qt.AlignmentFlag.AlignCenter)
        self.video = VideoView()
        # The head-turn challenge's prompt, and what liveness or a failed challenge asks of the person.
        self.prompt = plain_label(alignment=Qt.AlignmentFlag.AlignCenter)
        self.prompt.setStyleSheet(PROMPT_STYLE)
        self.prompt.hide()
        self.hint = HeldHint()
        chooser = QHBoxLayout()
        chooser.addWidget(QLabel("Unlock for:"))
        chooser.addWidget(self.person, 1)
        chooser.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.state)
        layout.addWidget(self.prompt)
        layout.addWidget(self.video, 1)
        layout.addWidget(self.hint)
        self._relock = QTimer(self, singleShot=True, interval=UNLOCKED_MS)
        self._relock.timeout.connect(self._rearm)
        self._armed: list[int] | None = None
        self.pin_dialog: PinDialog | None = None
        # The camera pauses once unlocked, so no later frame would take the hint away.
        self.hint.held.timeout.connect(self.hint.hide)
        self._show_locked()

    def leave(self) -> None:
        """Another screen takes over: disarm, so a pending re-arm cannot take the camera back."""
        self._armed = None
        self._relock.stop()
        self._show_locked()

    def refresh_people(self) -> None:
        self.person.clear()
        self.person.addItem(f"Anyone in the '{ADMIN_GROUP}' group", None)
        for p in self.store.list_people():
            self.person.addItem(p.name, p.id)

    def arm(self) -> None:
        """Anyone may stand at the kiosk: choosing who opens the door takes the admin PIN (set on first use)."""
        self.pin_dialog = PinDialog(self.store, self, purpose="Arming Unlock needs the admin PIN.")
        self.pin_dialog.accepted.connect(self._arm_chosen)
        self.pin_dialog.open()  # not exec(): the camera keeps running behind the dialog

    def _arm_chosen(self) -> None:
        chosen = self.person.currentData()
        try:
            ids = [chosen] if chosen is not None else unlock_people(self.store)
        except FaceGateError as exc:
            self.failed.emit(str(exc))
            return
        self._armed = ids
        self._rearm()

    def show_result(self, result: FrameResult) -> None:
        self.video.show_frame(result.frame, overlays(result))
        prompt = result.prompt if isinstance(result, KioskResult) else None
        if prompt:
            self.prompt.setText(prompt)
        self.prompt.setVisible(bool(prompt))
        # Held a moment: a failed challenge says why on one frame only.
        self.hint.setVisible(self.hint.hold(result.hint if isinstance(result, KioskResult) else None))

    def show_events(self, events: Sequence[Event]) -> None:
        unlocks = [e for e in events if e.kind == UNLOCK]
        if not unlocks:
            return
        self.state.setText(f"UNLOCKED — {unlocks[0].name}")
        self.state.setStyleSheet(UNLOCKED_STYLE)
        self.paused.emit()
        self._relock.start()

    def _rearm(self) -> None:
        self._show_locked()
        if self._armed is not None:
            self.unlock_requested.emit(self._armed)

    def _show_locked(self) -> None:
        self.state.setText("LOCKED")
        self.state.setStyleSheet(LOCKED_STYLE)
