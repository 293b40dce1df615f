# Replaces PyInstaller's hook for PySide6.QtGui (hooks named in the spec take precedence) to leave
# out Qt plugins the app does without:
#  - the virtual keyboard, which needs QML and Qt Quick (17 MB), and PDF as an image format (QtPdf, 4 MB);
#  - the GTK 3 theme, which would load the kiosk's own GTK against the build machine's cairo, glib
#    and pango copied into the bundle; Qt's built-in Fusion style draws the widgets instead.
from pathlib import Path

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

UNUSED_PLUGINS = {"libqtvirtualkeyboardplugin", "libqpdf", "libqgtk3"}

hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries if Path(src).name.split(".")[0] not in UNUSED_PLUGINS]
