"""The window: kiosk, unlock and admin screens over one frame worker, with a status bar."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QToolBar, QWidget

from core.enrol.enroller import Enroller
from core.kiosk.kiosk import KioskResult
from core.matching.cascade import name_models
from core.store import Store
from core.types import Event
from core.vision.pipeline import FacePipeline
from desktop_app.gui.admin.panel import AdminPanel
from desktop_app.gui.admin.pin_dialog import PinDialog
from desktop_app.gui.kiosk_view import KioskView
from desktop_app.gui.plain import plain_label, plain_tooltip
from desktop_app.gui.unlock_view import UnlockView
from desktop_app.gui.worker import FrameWorker

Screen = KioskView | UnlockView | AdminPanel

ERROR_STYLE = "color:#d13b3b;"
PROBLEM_SHOWN_MS = 10_000
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
    if name.isdigit():
        return f"camera {name}"
    if name.startswith("camera "):
        return name
    if "://" in name:
        parts = urlsplit(name)
        return f"stream {parts.scheme}://{parts.hostname or ''}"
    path = Path(name)
    return f"{'folder' if path.is_dir() else 'video'} “{path.name}”"


class MainWindow(QMainWindow):
    def __init__(
        self, store: Store, pipeline: FacePipeline, camera: str, realtime: bool = True, parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("FaceGate")
        self.resize(1024, 720)
        self.store = store
        self.worker = FrameWorker(store, pipeline, camera, realtime, self)
        self.kiosk = KioskView()
        self.unlock = UnlockView(store)
        self.admin = AdminPanel(store, Enroller(store, pipeline), self.worker)
        self.stack = QStackedWidget()
        for page in (self.kiosk, self.unlock, self.admin):
            self.stack.addWidget(page)
        self.setCentralWidget(self.stack)

        toolbar = QToolBar("Screens", movable=False)
        toolbar.setStyleSheet(TOOLBAR_STYLE)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(toolbar)
        screens = QActionGroup(self)
        screens.setExclusive(True)
        self.screen_actions: dict[Screen, QAction] = {}
        for page, text, slot in (
            (self.kiosk, "Check-in", self.show_kiosk),
            (self.unlock, "Unlock", self.show_unlock),
            (self.admin, "Admin…", self.open_admin),
        ):
            action = QAction(text, self, checkable=True)
            action.triggered.connect(slot)
            screens.addAction(action)
            toolbar.addAction(action)
            self.screen_actions[page] = action
        self.screen_actions[self.kiosk].setChecked(True)
        toolbar.addSeparator()
        fullscreen = QAction("Full screen", self, shortcut=QKeySequence(Qt.Key.Key_F11))
        fullscreen.triggered.connect(self.toggle_fullscreen)
        toolbar.addAction(fullscreen)

        self.fps_label, self.camera_label = QLabel(), plain_label()
        self.message_label = plain_label()
        self.message_label.setStyleSheet(ERROR_STYLE)
        # A problem stays on screen while it keeps being reported, and goes once it stops.
        self._problem_timer = QTimer(self, singleShot=True, interval=PROBLEM_SHOWN_MS)
        self._problem_timer.timeout.connect(self.message_label.clear)
        # Until the first frame's result says what the kiosk runs (and then whenever it changes).
        verifier = pipeline.verifier if store.load_settings().verify_verdicts else None
        self.model_label = QLabel(name_models(pipeline.embedder, verifier))
        status = self.statusBar()
        status.addWidget(self.camera_label)
        status.addWidget(self.message_label, 1)
        status.addPermanentWidget(self.model_label)
        self.threshold_label = QLabel()
        status.addPermanentWidget(self.threshold_label)
        status.addPermanentWidget(self.fps_label)

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
        self.admin.camera_chosen.connect(self.worker.set_camera)
        self.kiosk.direction.chosen.connect(self.worker.choose_direction)
        self.worker.already_seen.connect(self.kiosk.show_already)
        self.worker.start()

    # ------------------------------------------------------------------------------------ screens

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

    def open_admin(self) -> None:
        if self.stack.currentWidget() is self.admin:
            return
        if PinDialog(self.store, self).exec():
            self.enter_admin()
        else:
            # The button was pressed, but the screen did not change.
            self.screen_actions[self.current_screen].setChecked(True)

    def enter_admin(self) -> None:
        """Past the PIN: the camera keeps running for enrolment, but nobody is checked in."""
        self._leave_screen()
        self.worker.show_preview()
        self._show_page(self.admin)
        self.admin.refresh()

    @property
    def current_screen(self) -> Screen:
        page = self.stack.currentWidget()
        assert isinstance(page, Screen)  # the stack holds the three screens and nothing else
        return page

    def _show_page(self, page: Screen) -> None:
        self.stack.setCurrentWidget(page)
        self.screen_actions[page].setChecked(True)

    def _leave_screen(self) -> None:
        page = self.current_screen
        if isinstance(page, UnlockView | AdminPanel):
            page.leave()

    def toggle_fullscreen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    # ------------------------------------------------------------------------------ worker output

    def _show_frame(self) -> None:
        result = self.worker.take_result()
        if result is None:
            return
        if isinstance(result, KioskResult):
            # "offline: N events waiting" while the database is unreachable.
            self.fps_label.setText(f"{result.fps:.1f} fps" + (f" · {result.status}" if result.status else ""))
            if result.models is not None:
                self.model_label.setText(result.models)
            if result.model_thresholds is not None:
                self.threshold_label.setText(result.model_thresholds)
        self.current_screen.show_result(result)

    def _show_events(self, events: Sequence[Event]) -> None:
        page = self.current_screen
        if isinstance(page, KioskView | UnlockView):
            page.show_events(events)

    def _show_camera(self, text: str, ok: bool) -> None:
        # A working source by its short name (the full one on hover); a problem in full.
        self.camera_label.setText(source_label(text) if ok else text)
        self.camera_label.setToolTip(plain_tooltip(text))
        self.camera_label.setStyleSheet("" if ok else ERROR_STYLE)

    def _source_ended(self) -> None:
        self.camera_label.setText(f"{source_label(self.worker.camera)}: no more frames")

    def _show_problem(self, text: str) -> None:
        self.message_label.setText(f"⚠ {text}")
        self._problem_timer.start()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.worker.stop()
        super().closeEvent(event)
