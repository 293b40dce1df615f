"""What `facegate` runs without a command: the app's window, or with --selftest the install check."""

from __future__ import annotations

import argparse
import os
import sys

from core.errors import FaceGateError


def app(args: argparse.Namespace) -> int:
    # Without a display Qt aborts the process (exit 134) with a message about plugins.
    no_display = not any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))
    if sys.platform.startswith("linux") and no_display:
        raise FaceGateError(
            "no display to show the app on (DISPLAY is not set): run it on the kiosk's desktop, or use "
            "a command such as `facegate checkin` or `facegate --selftest` (see facegate --help)"
        )
    from desktop_app.gui.app import run_app

    return run_app(camera=args.camera, fullscreen=args.fullscreen, model=args.model)


def selftest(args: argparse.Namespace) -> int:
    from desktop_app.selftest import run_selftest

    return 0 if run_selftest() else 1
