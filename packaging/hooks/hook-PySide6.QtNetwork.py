# Replaces PyInstaller's hook for PySide6.QtNetwork (hooks named in the spec take precedence). The
# app does no networking through Qt: the module ships only because PySide6.QtMultimedia's binding
# imports it. Its plugins (TLS backends, network information) and the OpenSSL copies PyInstaller's
# hook would add stay out; network streams are opened by FFmpeg, which brings its own.
from pathlib import Path

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

UNUSED_PLUGIN_TYPES = {"tls", "networkinformation"}

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries if Path(dest).name not in UNUSED_PLUGIN_TYPES]
