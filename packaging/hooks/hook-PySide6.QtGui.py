# Replaces PyInstaller's hook for PySide6.QtGui (hooks named in the spec take precedence) to leave
# out Qt plugins the app does without, before their libraries are scanned for dependencies:
#  - every platform but xcb (X11, and XWayland on a Wayland desktop), offscreen and minimal (headless
#    runs and tests): Wayland, EGLFS, linuxfb, VNC and Vulkan take their own Qt libraries with them;
#  - the virtual keyboard, which needs QML and Qt Quick (17 MB), and PDF and SVG as image formats and
#    icons (QtPdf, QtSvg): the app opens no such image; the reports' SVG charts go through QtSvg's
#    renderer itself, which needs no plugin;
#  - the desktop portal and GTK 3 themes: the first needs D-Bus services a kiosk may lack, the second
#    would load the kiosk's own GTK against the build machine's cairo, glib and pango copied into the
#    bundle; Qt's built-in Fusion style draws the widgets instead;
#  - evdev and TUIO input, which only the EGLFS and linuxfb platforms read.
from pathlib import Path

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

PLATFORMS = {"libqxcb", "libqoffscreen", "libqminimal"}
UNUSED_PLUGINS = {"libqtvirtualkeyboardplugin", "libqpdf", "libqsvg", "libqsvgicon"}
UNUSED_PLUGIN_TYPES = {
    "egldeviceintegrations",
    "generic",
    "iconengines",
    "platformthemes",
    "wayland-decoration-client",
    "wayland-graphics-integration-client",
    "wayland-shell-integration",
}


def _wanted(src: str, dest: str) -> bool:
    name = Path(src).name.split(".")[0]
    kind = Path(dest).name
    if kind == "platforms":
        return name in PLATFORMS
    return kind not in UNUSED_PLUGIN_TYPES and name not in UNUSED_PLUGINS


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries if _wanted(src, dest)]
