"""The admin area in its own window over the kiosk, so check-ins go on while it is open; it logs
out by itself after Settings' admin_idle_s without a key press, click or touch."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.store import Store
from desktop_app.gui.admin.panel import AdminPanel
from desktop_app.gui.screen_fit import fit_to_screen

# What a person does; a mouse merely moving over the window is not someone working in it.
ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
}


def _app() -> QCoreApplication:
    app = QApplication.instance()
    assert app is not None  # a window exists, so the application does
    return app


class AdminWindow(QWidget):
    logged_out = Signal()

    def __init__(self, store: Store, panel: AdminPanel, parent: QWidget | None = None):
        # A window of its own, kept above the kiosk window it belongs to.
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(self.tr("FaceGate — admin"))
        self.store, self.panel = store, panel
        log_out = QPushButton(self.tr("Log out"))
        log_out.clicked.connect(self.log_out)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Admin — check-ins go on in the kiosk window.")), 1)

        top.addWidget(log_out)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(panel, 1)
        self.idle = QTimer(self, singleShot=True)
        self.idle.timeout.connect(self.log_out)

    def open(self, full_screen: bool) -> None:
        self.idle.setInterval(round(self.store.load_settings().admin_idle_s * 1000))
        self.idle.start()
        _app().installEventFilter(self)
        fit_to_screen(self, self.parentWidget(), full_screen)
        self.showFullScreen() if full_screen else self.show()
        fit_to_screen(self, self.parentWidget(), full_screen)  # now with the frame's size known
        self.raise_()
        self.activateWindow()
        self.panel.refresh()

    def log_out(self) -> None:
        if not self.isVisible():
            return
        self.idle.stop()
        _app().removeEventFilter(self)
        self.panel.leave()
        self.hide()
        self.logged_out.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY and isinstance(watched, QWidget) and self._owns(watched):
            self.idle.start()
        return False

    def _owns(self, widget: QWidget | None) -> bool:
        """The widget is in this window or in a dialog it opened."""
        while widget is not None:
            if widget is self:
                return True
            widget = widget.parentWidget()
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        self.log_out()
        super().closeEvent(event)
