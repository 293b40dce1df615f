"""The kiosk window: check-in and unlock screens over one frame worker, the admin area in a window of
its own, and a public status bar with only the time, the site and a health dot.

Kiosk mode (full screen) hides the toolbar; leaving it, going to Unlock and opening Admin take the
admin PIN, so a passer-by cannot stop check-ins."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QKeySequence,
    QMoveEvent,
    QResizeEvent,
    QScreen,
    QShowEvent,
)
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QStackedWidget, QToolBar, QToolButton, QWidget

from core.enrol.enroller import Enroller
from core.i18n import QT_TRANSLATE_NOOP
from core.kiosk.kiosk import KioskResult
from core.matching.cascade import name_models
from core.settings import Settings
from core.store import Store
from core.types import Event
from core.vision.pipeline import FacePipeline
from desktop_app.gui import theme
from desktop_app.gui.admin.panel import AdminPanel
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.admin.window import AdminWindow
from desktop_app.gui.kiosk_view import KioskView
from desktop_app.gui.locale_format import time_text
from desktop_app.gui.plain import ElidedLabel, plain_tooltip
from desktop_app.gui.screen_fit import fit_to_screen
from desktop_app.gui.sounds import Sounds
from desktop_app.gui.unlock_view import UnlockView
from desktop_app.gui.worker import FrameWorker

Screen = KioskView | UnlockView

# A database or model problem keeps the health dot red this long after it was last reported.
PROBLEM_SHOWN_MS = 10_000
HEALTH_STYLE = {True: "color:#2e9e4f; font-size:16pt;", False: "color:#d13b3b; font-size:16pt;"}
CAMERA_ADVICE = QT_TRANSLATE_NOOP(
    "MainWindow",
    "Check that the camera is plugged in and switched on, and that no other program is using it. "
    "FaceGate keeps trying by itself; an administrator can choose another camera in Admin → Settings.",
)
VIDEO_ENDED = QT_TRANSLATE_NOOP(
    "MainWindow",
    "The video has ended: no more frames to check. Restart FaceGate, or choose a camera in Admin → Settings.",
)
# Screen switches drawn as buttons, the current screen filled in.
TOOLBAR_STYLE = """
QToolBar { spacing: 6px; padding: 4px 6px; border: none; }
QToolButton { border: 1px solid #a9b3bd; border-radius: 5px; padding: 5px 14px; background: #f3f5f7; }
QToolButton:hover:!checked { border-color: #2f6fb0; }
QToolButton:checked { background: #2f6fb0; border-color: #2f6fb0; color: white; }
"""


def source_label(name: str) -> str:
    """A camera source as a person would name it: the folder's or file's own name, not its path;
    a stream's host, not its credentials."""
    if name.isdigit() or name.startswith("camera "):
        number = name.removeprefix("camera ")
        return QCoreApplication.translate("MainWindow", "camera {number}").format(number=number)
    if "://" in name:
        parts = urlsplit(name)
        url = f"{parts.scheme}://{parts.hostname or ''}"
        return QCoreApplication.translate("MainWindow", "stream {url}").format(url=url)
    path = Path(name)
    if path.is_dir():
        said = QCoreApplication.translate("MainWindow", "folder “{name}”")
    else:
        said = QCoreApplication.translate("MainWindow", "video “{name}”")
    return said.format(name=path.name)


class MainWindow(QMainWindow):
    def __init__(
        self, store: Store, pipeline: FacePipeline, camera: str, realtime: bool = True, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("FaceGate")
        self.store = store
        self.worker = FrameWorker(store, pipeline, camera, realtime, self)
        self.kiosk = KioskView()
        self.unlock = UnlockView(store)
        settings = store.load_settings()
        verifier = pipeline.verifier if settings.verify_verdicts else None
        # A check-in's chime and a refusal's tone, on either screen's banner (Settings' sounds).
        self.sounds = Sounds(settings.sounds, self)
        for banner in (self.kiosk.banner, self.unlock.banner):
            banner.appeared.connect(self.sounds.banner_appeared)
        # Until the first frame's result says what the kiosk runs (and then whenever it changes).
        models = name_models(pipeline.embedder, verifier)
        self.admin = AdminPanel(store, Enroller(store, pipeline), self.worker, models)
        self.admin_window = AdminWindow(store, self.admin, self)
        self.stack = QStackedWidget()
        for page in (self.kiosk, self.unlock):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)
        self.pin_dialog: PinDialog | None = None

        self.toolbar = QToolBar(self.tr("Screens"), movable=False)
        # The high-contrast theme draws the screen switches itself (desktop_app/gui/theme.py).
        self.toolbar.setStyleSheet(theme.pick(TOOLBAR_STYLE, ""))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        screens = QActionGroup(self)
        screens.setExclusive(True)
        self.screen_actions: dict[Screen, QAction] = {}
        for page, text, slot in (
            (self.kiosk, self.tr("Check-in"), self.choose_kiosk),
            (self.unlock, self.tr("Unlock…"), self.open_unlock),
        ):
            action = QAction(text, self, checkable=True)
            action.triggered.connect(slot)
            screens.addAction(action)
            self.toolbar.addAction(action)
            self.screen_actions[page] = action
        self.screen_actions[self.kiosk].setChecked(True)
        self.admin_action = QAction(self.tr("Admin…"), self)
        self.admin_action.triggered.connect(self.open_admin)
        self.toolbar.addAction(self.admin_action)
        self.toolbar.addSeparator()
        self.kiosk_mode_action = QAction(
            self.tr("Kiosk mode (full screen)"), self, shortcut=QKeySequence(Qt.Key.Key_F11)
        )
        self.kiosk_mode_action.triggered.connect(self.toggle_fullscreen)
        self.toolbar.addAction(self.kiosk_mode_action)
        # The window keeps the shortcut when the toolbar is hidden.
        self.addAction(self.kiosk_mode_action)
        # In kiosk mode the only way to the screens: every entry but Check-in asks for the PIN.
        self.staff_button = QToolButton(autoRaise=True)
        self.staff_button.setText("⚙")
        self.staff_button.setToolTip(self.tr("Staff: screens, admin and leaving kiosk mode (admin PIN)"))
        self.staff_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.staff_button)
        menu.addActions([*self.screen_actions.values(), self.admin_action])
        leave = menu.addAction(self.tr("Leave kiosk mode…"))
        leave.triggered.connect(self.toggle_fullscreen)
        self.staff_button.setMenu(menu)
        self.staff_button.hide()

        self.clock = QLabel()
        self.site_label = ElidedLabel()
        self.health = QLabel("●")
        self.healthy = False
        self._camera_ok = False
        self._source_name = ""
        self._offline: str | None = None
        # A problem keeps the dot red while it keeps being reported, and lets go once it stops.
        self._problem_timer = QTimer(self, singleShot=True, interval=PROBLEM_SHOWN_MS)
        self._problem_timer.timeout.connect(self._show_health)
        self._clock_timer = QTimer(self, interval=1000)
        self._clock_timer.timeout.connect(self._tick)
        self._clock_timer.start()
        status = self.statusBar()
        status.addWidget(self.clock)
        status.addWidget(self.site_label, 1)
        status.addPermanentWidget(self.health)
        status.addPermanentWidget(self.staff_button)
        self._tick()
        self._show_site()
        self._show_health()

        self.worker.frame_ready.connect(self._show_frame)
        self.worker.events_committed.connect(self._show_events)
        self.worker.camera_status.connect(self._show_camera)
        self.worker.problem.connect(self._show_problem)
        self.worker.source_ended.connect(self._source_ended)
        self.unlock.unlock_requested.connect(self.worker.show_unlock)
        self.unlock.paused.connect(self.worker.show_preview)
        self.unlock.failed.connect(self._show_problem)
        self.admin.gallery_changed.connect(self.worker.invalidate)
        self.admin.settings_saved.connect(self.worker.invalidate)
        self.admin.settings_saved.connect(self._show_site)
        self.admin.settings_saved.connect(self._follow_settings)
        self.admin.camera_chosen.connect(self.worker.set_camera)
        self.kiosk.direction.chosen.connect(self.worker.choose_direction)
        self.worker.already_seen.connect(self.kiosk.show_already)
        fit_to_screen(self)
        self._fitted_to: QScreen = self.screen()
        self.worker.start()

    # ------------------------------------------------------------------------------------ screens

    def choose_kiosk(self) -> None:
        """Check-in; leaving an armed Unlock takes the PIN, as disarming it does."""
        if self.current_screen is self.unlock and self.unlock.armed:
            self._with_pin(self.tr("Leaving the armed Unlock screen needs the admin PIN."), self.show_kiosk)
        else:
            self.show_kiosk()

    def open_unlock(self) -> None:
        if self.current_screen is not self.unlock:
            self._with_pin(self.tr("The Unlock screen stops check-ins: it needs the admin PIN."), self.show_unlock)

    def open_admin(self) -> None:
        if not self.admin_window.isVisible():
            self._with_pin(None, self.enter_admin)

    def show_kiosk(self) -> None:
        self._leave_screen()
        self._show_page(self.kiosk)
        self.worker.show_attendance()

    def show_unlock(self) -> None:
        self._leave_screen()
        self.unlock.refresh_people()
        self._show_page(self.unlock)
        # Nobody is checked in while the door screen waits to be armed.
        self.worker.show_preview()

    def enter_admin(self) -> None:
        """Past the PIN: the admin window opens over the kiosk, which goes on checking people in."""
        self.admin_window.open(self.isFullScreen())

    @property
    def current_screen(self) -> Screen:
        page = self.stack.currentWidget()
        assert isinstance(page, Screen)  # the stack holds the two screens and nothing else
        return page

    def _with_pin(self, purpose: str | None, then: Callable[[], None]) -> None:
        """Runs `then` once the admin PIN is given; the camera keeps running behind the dialog."""
        dialog = PinDialog(self.store, self, purpose=purpose)
        dialog.accepted.connect(then)
        # The button was pressed, but the screen did not change.
        dialog.rejected.connect(self._mark_current_screen)
        dialog.finished.connect(dialog.deleteLater)
        self.pin_dialog = dialog
        dialog.open()

    def _mark_current_screen(self) -> None:
        self.screen_actions[self.current_screen].setChecked(True)

    def _show_page(self, page: Screen) -> None:
        self.stack.setCurrentWidget(page)
        self.screen_actions[page].setChecked(True)

    def _leave_screen(self) -> None:
        if self.current_screen is self.unlock:
            self.unlock.leave()

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self._with_pin(self.tr("Leaving kiosk mode needs the admin PIN."), self.leave_kiosk_mode)
        else:
            self.enter_kiosk_mode()

    def enter_kiosk_mode(self) -> None:
        fit_to_screen(self, full_screen=True)
        self.showFullScreen()

    def leave_kiosk_mode(self) -> None:
        self.showNormal()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._keep_within_screen()

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        self._keep_within_screen()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._keep_within_screen()

    def _keep_within_screen(self) -> None:
        """Moved to another screen, or grown past this one's room (its frame, known once the
        window manager has drawn it, included), the window fits that screen again."""
        if self.isFullScreen() or not self.isVisible():
            return
        room, frame = self.screen().availableGeometry(), self.frameGeometry()
        if self.screen() is not self._fitted_to or frame.width() > room.width() or frame.height() > room.height():
            self._fitted_to = self.screen()
            fit_to_screen(self)

    def changeEvent(self, event: QEvent) -> None:
        # However full screen came or went (the window manager too), the toolbar follows it.
        if event.type() == QEvent.Type.WindowStateChange:
            kiosk_mode = self.isFullScreen()
            self.toolbar.setVisible(not kiosk_mode)
            self.staff_button.setVisible(kiosk_mode)
        super().changeEvent(event)

    # ------------------------------------------------------------------------------ worker output

    def _show_frame(self) -> None:
        result = self.worker.take_result()
        if result is None:
            return
        if isinstance(result, KioskResult):
            # While the database is unreachable, how many events wait for it.
            self._offline = self.tr("offline: %n event(s) waiting", "", result.waiting) if result.waiting else None
            self.admin.system.show_kiosk(
                self.tr("{fps} fps").format(fps=QLocale().toString(result.fps, "f", 1))
                + (f" · {self._offline}" if self._offline else ""),
                result.models,
                result.model_thresholds,
            )
            self._show_health()
        self.current_screen.show_result(result)
        if self.admin_window.isVisible():
            self.admin.show_result(result)

    def _show_events(self, events: Sequence[Event]) -> None:
        self.current_screen.show_events(events)

    def _show_camera(self, text: str, ok: bool) -> None:
        # A working source by its short name (the full one on hover); a problem in full, with what to try.
        self._camera_ok = ok
        if ok:
            self._source_name = text  # as the source names itself: a stream without its credentials
        self.admin.system.show_camera(source_label(text) if ok else text, text)
        self._show_health()
        if not ok:
            said = self.tr("The camera is not working.\n\n{problem}\n\n{advice}")
            self._show_message(said.format(problem=text, advice=self.tr(CAMERA_ADVICE)))

    def _source_ended(self) -> None:
        self._camera_ok = False
        said = self.tr("{source}: no more frames").format(source=source_label(self._source_name))
        self.admin.system.show_camera(said, self._source_name)
        self._show_health()
        self._show_message(self.tr(VIDEO_ENDED))

    def _show_message(self, text: str) -> None:
        """No picture: the message fills the video area of both screens, and a capture stops."""
        self.kiosk.show_message(text)
        self.unlock.video.clear(text)
        self.unlock.banner.clear_banner()
        self.admin.enrol.camera_stopped()

    def _show_problem(self, text: str) -> None:
        self.admin.system.show_problem(text, time_text(datetime.now(), seconds=True))
        self._problem_timer.start()
        self._show_health()

    def _show_health(self) -> None:
        """The dot: green while the camera gives frames, recognition runs and the database answers."""
        problems = []
        if not self._camera_ok:
            problems.append(self.tr("camera not working"))
        if self._problem_timer.isActive():
            problems.append(self.tr("recognition or database problem (see Admin → System)"))
        if self._offline:
            problems.append(self._offline)
        self.healthy = not problems
        self.health.setStyleSheet(HEALTH_STYLE[self.healthy])
        self.health.setToolTip(
            plain_tooltip("; ".join(problems) if problems else self.tr("camera and recognition working"))
        )

    def _show_site(self, _saved: object = None) -> None:
        self.site_label.setText(self.store.load_settings().kiosk_id)

    def _follow_settings(self, settings: Settings) -> None:
        self.sounds.set_enabled(settings.sounds)
        theme.apply_theme(settings.theme)
        self.toolbar.setStyleSheet(theme.pick(TOOLBAR_STYLE, ""))

    def _tick(self) -> None:
        self.clock.setText(time_text(datetime.now()))

    def closeEvent(self, event: QCloseEvent) -> None:
        self.admin_window.log_out()
        self.worker.stop()
        super().closeEvent(event)
