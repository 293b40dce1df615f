"""Start the desktop app: open the database and the models, then show the kiosk window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from core.errors import FaceGateError
from core.store import Store
from core.vision.embed import load_embedder
from core.vision.pipeline import FacePipeline, model_spec
from desktop_app.gui.collector import collect_on_gui_thread
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.theme import apply_theme
from desktop_app.i18n import install_language


def run_app(camera: str | None = None, fullscreen: bool = False, model: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("FaceGate")
    collect_on_gui_thread(app)
    try:
        store = Store()
    except FaceGateError as exc:
        install_language(app, "system")  # no settings to read: the computer's language
        QMessageBox.critical(None, QCoreApplication.translate("App", "FaceGate cannot start"), str(exc))
        return 2
    try:
        settings = store.load_settings()
        # Before any window is built: widgets take their text and direction when they are made.
        install_language(app, settings.language)
        pipeline = FacePipeline(embedder=load_embedder(model_spec(model)))
        camera = camera if camera is not None else settings.camera_source
    except FaceGateError as exc:
        QMessageBox.critical(None, QCoreApplication.translate("App", "FaceGate cannot start"), str(exc))
        store.close()
        return 2
    apply_theme(settings.theme)
    window = MainWindow(store, pipeline, camera)
    window.enter_kiosk_mode() if fullscreen else window.show()
    try:
        return app.exec()
    finally:
        store.close()
