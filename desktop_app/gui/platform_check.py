"""Can Qt show a window here? Answered before QApplication exists: Qt itself aborts the process
(exit 134) when its platform plugin cannot load, with a message that names the wrong library."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

# The libraries Qt's xcb platform links that a stock Debian/Ubuntu desktop may lack, by name without
# the soname's version, with their Debian packages; README's quick start installs them with one apt line.
PACKAGES = {
    "libxcb-cursor": "libxcb-cursor0",
    "libxcb-icccm": "libxcb-icccm4",
    "libxcb-keysyms": "libxcb-keysyms1",
    "libxcb-image": "libxcb-image0",
    "libxcb-render-util": "libxcb-render-util0",
    "libxcb-shape": "libxcb-shape0",
    "libxcb-xkb": "libxcb-xkb1",
    "libxcb-util": "libxcb-util1",
    "libxcb-randr": "libxcb-randr0",
    "libxcb-xfixes": "libxcb-xfixes0",
    "libxkbcommon-x11": "libxkbcommon-x11-0",
    "libxkbcommon": "libxkbcommon0",
    "libEGL": "libegl1",
    "libGL": "libgl1",
    "libfontconfig": "libfontconfig1",
    "libdbus-1": "libdbus-1-3",
}
# Platforms that need no display server (tests, screenshots) or that this check does not know.
_NO_CHECK = ("offscreen", "minimal", "vnc", "linuxfb", "eglfs")


def display_problem(environ: Mapping[str, str] | None = None) -> str | None:
    """Why the app's window cannot open here, in one line naming what to do; None if it can."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in _NO_CHECK:
        return None
    wayland = platform == "wayland" or (not platform and env.get("WAYLAND_DISPLAY"))
    if not wayland and not env.get("DISPLAY"):
        return (
            "no display to show the app on (DISPLAY is not set): run it on the kiosk's desktop, or use "
            "a command such as `facegate checkin` or `facegate --selftest` (see facegate --help)"
        )
    try:
        from PySide6.QtCore import QLibraryInfo
    except ImportError as exc:
        return _missing_message([_library_in(str(exc))], "Qt")
    plugins = Path(
        env.get("QT_QPA_PLATFORM_PLUGIN_PATH")
        or Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    )
    # Wayland's own plugin, which this check does not know; without it (the built bundle leaves it
    # out) Qt falls back to xcb through XWayland.
    if wayland and ((plugins / "libqwayland.so").is_file() or not env.get("DISPLAY")):
        return None
    missing = missing_libraries(plugins / "libqxcb.so")
    if missing:
        return _missing_message(missing, "Qt's X11 (xcb) platform")
    return _connect_problem(env.get("DISPLAY", ""))


def missing_libraries(library: Path) -> list[str]:
    """The shared libraries `library` needs that the loader cannot find, as `ldd` lists them; [] if
    there is no ldd or no such file (then Qt has its own say)."""
    ldd = shutil.which("ldd")
    if ldd is None or not library.is_file():
        return []
    listed = subprocess.run([ldd, str(library)], capture_output=True, text=True, timeout=30, check=False).stdout
    return [line.split("=>")[0].strip() for line in listed.splitlines() if "not found" in line]


def _connect_problem(display: str) -> str | None:
    # Qt aborts when the X server does not answer; libxcb says so without aborting.
    name = ctypes.util.find_library("xcb")
    if not name:
        return None
    xcb = ctypes.CDLL(name)
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        if xcb.xcb_connection_has_error(connection):
            return (
                f"cannot reach the display {display!r} (no X server answers there): run the app on the "
                "kiosk's desktop session, or check DISPLAY"
            )
    finally:
        xcb.xcb_disconnect(connection)
    return None


def _library_in(message: str) -> str:
    """The library an ImportError names ('libEGL.so.1: cannot open shared object file')."""
    return message.split(":")[0].strip()


def _missing_message(libraries: list[str], what: str) -> str:
    packages = sorted({PACKAGES[stem] for stem in (name.split(".so")[0] for name in libraries) if stem in PACKAGES})
    # A library of no known package is one of Qt's own: the wheel's files are incomplete.
    fix = f"install them (Debian/Ubuntu: sudo apt install {' '.join(packages)})" if packages else "reinstall FaceGate"
    return f"{what} cannot load: missing {', '.join(libraries)}; {fix}, then start facegate again"
