"""The window: kiosk, unlock and admin screens over one frame worker, with a status bar."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QToolBar, QWidget

from core.enroll import Enroller
from core.kiosk import KioskResult
from core.pipeline import FacePipeline
from core.store import Store

from .admin.panel import AdminPanel
from .admin.pin_dialog import PinDialog
from .kiosk_view import KioskView
from .unlock_view import UnlockView
from .worker import FrameWorker

ERROR_STYLE = "color:#d13b3b;"
PROBLEM_SHOWN_MS = 10_000


class MainWindow(QMainWindow):
    def __init__(self, store: Store, pipeline: FacePipeline, camera: str, realtime: bool = True,
                 parent: QWidget | None = None):
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
        self.addToolBar(toolbar)
        toolbar.addAction("Check-in", self.show_kiosk)
        toolbar.addAction("Unlock", self.show_unlock)
        toolbar.addAction("Admin…", self.open_admin)
        fullscreen = QAction("Full screen", self, shortcut=QKeySequence(Qt.Key.Key_F11), triggered=self.toggle_fullscreen)
        toolbar.addAction(fullscreen)

        self.fps_label, self.camera_label = QLabel(), QLabel()
        self.message_label = QLabel(styleSheet=ERROR_STYLE)
        # A problem stays on screen while it keeps being reported, and goes once it stops.
        self._problem_timer = QTimer(self, singleShot=True, interval=PROBLEM_SHOWN_MS, timeout=self.message_label.clear)
        embedder = pipeline.embedder
        files = "+".join(m.path.name for m in getattr(embedder, "members", [embedder]))
        self.model_label = QLabel(f"model {files} ({embedder.model_id})")
        status = self.statusBar()
        status.addWidget(self.camera_label)
        status.addWidget(self.message_label, 1)
        status.addPermanentWidget(self.model_label)
        status.addPermanentWidget(self.fps_label)

        self.worker.frame_ready.connect(self._show_frame)
        self.worker.events_committed.connect(self._show_events)
        self.worker.camera_status.connect(self._show_camera)
        self.worker.problem.connect(self._show_problem)
        self.worker.source_ended.connect(lambda: self._show_camera(f"{self.worker.camera}: no more frames", True))
        self.unlock.unlock_requested.connect(self.worker.show_unlock)
        self.unlock.paused.connect(self.worker.show_preview)
        self.unlock.failed.connect(self._show_problem)
        self.admin.gallery_changed.connect(self.worker.invalidate)
        self.admin.settings_saved.connect(self.worker.invalidate)
        self.admin.camera_chosen.connect(self.worker.set_camera)
        self.worker.start()

    # ------------------------------------------------------------------------------------ screens

    def show_kiosk(self) -> None:
        self._leave_screen()
        self.stack.setCurrentWidget(self.kiosk)
        self.worker.show_attendance()

    def show_unlock(self) -> None:
        self._leave_screen()
        self.unlock.refresh_people()
        self.stack.setCurrentWidget(self.unlock)
        # Nobody is checked in while the door screen waits to be armed.
        self.worker.show_preview()

    def open_admin(self) -> None:
        if self.stack.currentWidget() is self.admin:
            return
        if PinDialog(self.store, self).exec():
            self.enter_admin()

    def enter_admin(self) -> None:
        """Past the PIN: the camera keeps running for enrolment, but nobody is checked in."""
        self._leave_screen()
        self.worker.show_preview()
        self.stack.setCurrentWidget(self.admin)
        self.admin.refresh()

    def _leave_screen(self) -> None:
        page = self.stack.currentWidget()
        if page in (self.unlock, self.admin):
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
        self.stack.currentWidget().show_result(result)

    def _show_events(self, events) -> None:
        page = self.stack.currentWidget()
        if page in (self.kiosk, self.unlock):
            page.show_events(events)

    def _show_camera(self, text: str, ok: bool) -> None:
        self.camera_label.setText(text)
        self.camera_label.setStyleSheet("" if ok else ERROR_STYLE)

    def _show_problem(self, text: str) -> None:
        self.message_label.setText(f"⚠ {text}")
        self._problem_timer.start()

    def closeEvent(self, event) -> None:
        self.worker.stop()
        super().closeEvent(event)
