"""The unlock screen: pick who may open, then the door shows LOCKED until they are confirmed."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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
from desktop_app.gui import theme
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.kiosk_view import NOTICE, PROMPT, SMALLEST_PT, Banner, kiosk_text, overlays, show_hint
from desktop_app.gui.plain import ElidedLabel
from desktop_app.gui.video_view import VideoView
from desktop_app.gui.worker import FrameResult

UNLOCKED_MS = 5000
LOCKED_STYLE = "background:#d13b3b; color:white; font-size:26pt; font-weight:bold; padding:10px; border-radius:8px;"
UNLOCKED_STYLE = LOCKED_STYLE.replace("#d13b3b", "#2e9e4f")
# The high-contrast theme's: the words say which; locked is framed in white, unlocked is yellow.
HIGH_LOCKED_STYLE = LOCKED_STYLE.replace("background:#d13b3b", "background:black; border:4px solid white")
HIGH_UNLOCKED_STYLE = LOCKED_STYLE.replace("background:#d13b3b; color:white", "background:#ffff00; color:black")


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
        # A long name must not widen the screen: the list shows it whole when opened.
        self.person.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.person.setMinimumContentsLength(12)
        self.start_button = QPushButton(self.tr("Arm…"))
        self.start_button.clicked.connect(self.toggle_armed)
        self.state = ElidedLabel(smallest_pt=SMALLEST_PT, alignment=Qt.AlignmentFlag.AlignCenter)
        self.video = VideoView()
        # The head-turn challenge's prompt, and what liveness or a failed challenge asks of the person.
        self.banner = Banner()
        chooser = QHBoxLayout()
        who = QLabel(self.tr("Unlock for:"))
        who.setBuddy(self.person)
        chooser.addWidget(who)
        chooser.addWidget(self.person, 1)
        chooser.addWidget(self.start_button)
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.state)
        layout.addWidget(self.banner)
        layout.addWidget(self.video, 1)
        self._relock = QTimer(self, singleShot=True, interval=UNLOCKED_MS)
        self._relock.timeout.connect(self._rearm)
        self._armed: list[int] | None = None
        self._armed_for = ""
        self.pin_dialog: PinDialog | None = None
        self._show_locked()

    @property
    def armed(self) -> bool:
        return self._armed is not None

    def leave(self) -> None:
        """Another screen takes over: disarm, so a pending re-arm cannot take the camera back."""
        self._armed = None
        self._relock.stop()
        self._show_locked()

    def refresh_people(self) -> None:
        self.person.clear()
        self.person.addItem(self.tr("Anyone in the '{group}' group").format(group=ADMIN_GROUP), None)
        for p in self.store.list_people():
            self.person.addItem(p.name, p.id)

    def toggle_armed(self) -> None:
        """Anyone may stand at the kiosk: choosing who opens the door, and disarming it, take the
        admin PIN (set on first use)."""
        if self.armed:
            self._ask_pin(self.tr("Disarming Unlock needs the admin PIN."), self.disarm)
        else:
            self.arm()

    def arm(self) -> None:
        self._ask_pin(self.tr("Arming Unlock needs the admin PIN."), self._arm_chosen)

    def disarm(self) -> None:
        self.leave()
        self.paused.emit()

    def _ask_pin(self, purpose: str, then: Callable[[], None]) -> None:
        self.pin_dialog = PinDialog(self.store, self, purpose=purpose)
        self.pin_dialog.accepted.connect(then)
        self.pin_dialog.open()  # not exec(): the camera keeps running behind the dialog

    def _arm_chosen(self) -> None:
        chosen = self.person.currentData()
        try:
            ids = [chosen] if chosen is not None else unlock_people(self.store)
        except FaceGateError as exc:
            self.banner.show_banner(NOTICE, str(exc))
            self.failed.emit(str(exc))
            return
        self._armed = ids
        self._armed_for = self.person.currentText()
        self._rearm()

    def show_result(self, result: FrameResult) -> None:
        self.video.show_frame(result.frame, overlays(result))
        prompt = result.prompt if isinstance(result, KioskResult) else None
        # A failed challenge says why on one frame only: the banner holds it a moment.
        if not show_hint(self.banner, result) and prompt:
            self.banner.show_banner(PROMPT, kiosk_text(prompt))

    def show_events(self, events: Sequence[Event]) -> None:
        unlocks = [e for e in events if e.kind == UNLOCK]
        if not unlocks:
            return
        self.state.setText(self.tr("UNLOCKED — {name}").format(name=unlocks[0].name))
        self.state.setStyleSheet(theme.pick(UNLOCKED_STYLE, HIGH_UNLOCKED_STYLE))
        self.banner.clear_banner()  # a head-turn prompt is answered
        self.paused.emit()
        self._relock.start()

    def _rearm(self) -> None:
        self._show_locked()
        if self._armed is not None:
            self.unlock_requested.emit(self._armed)

    def _show_locked(self) -> None:
        """LOCKED, and whom it waits for once armed; the chooser is fixed while armed."""
        self.state.setText(
            self.tr("LOCKED — armed for {who}").format(who=self._armed_for) if self.armed else self.tr("LOCKED")
        )
        self.state.setStyleSheet(theme.pick(LOCKED_STYLE, HIGH_LOCKED_STYLE))
        self.person.setEnabled(not self.armed)
        self.start_button.setText(self.tr("Disarm…") if self.armed else self.tr("Arm…"))
