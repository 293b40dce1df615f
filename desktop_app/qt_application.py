"""The Qt application object that the CLI's Qt work needs (camera capture, the PDF report); the GUI
makes its own before any of it runs, and keeps it."""

from __future__ import annotations

import locale
import os
import sys

from PySide6.QtCore import QCoreApplication

_application: QCoreApplication | None = None


def ensure_application(gui: bool = False) -> None:
    """A core application, or with gui a widgets one on Qt's offscreen platform unless
    QT_QPA_PLATFORM names another (text layout and painting need a GUI application; QApplication
    rather than a bare QGuiApplication, so that widgets made later in the same process work)."""
    global _application
    if QCoreApplication.instance() is not None:
        return
    if os.name == "posix" and locale.nl_langinfo(locale.CODESET).replace("-", "").upper() != "UTF8":
        # Qt needs a UTF-8 locale and, without one (a bare `env -i` start, a service), switches to
        # C.UTF-8 by itself with a four-line warning; the same choice, made quietly.
        os.environ["LC_ALL"] = "C.UTF-8"
    argv = [sys.argv[0] if sys.argv else "facegate"]
    if gui:
        from PySide6.QtWidgets import QApplication

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _application = QApplication(argv)
    else:
        _application = QCoreApplication(argv)
