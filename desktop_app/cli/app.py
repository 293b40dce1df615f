"""What `facegate` runs without a command: the app's window, or with --selftest the install check."""

from __future__ import annotations

import argparse

from core.errors import FaceGateError


def app(args: argparse.Namespace) -> int:
    from desktop_app.gui.platform_check import display_problem

    # Checked before Qt starts: where its platform cannot load, Qt aborts the process (exit 134).
    problem = display_problem()
    if problem:
        raise FaceGateError(problem)
    from desktop_app.gui.app import run_app

    return run_app(camera=args.camera, fullscreen=args.fullscreen, model=args.model)


def selftest(args: argparse.Namespace) -> int:
    from desktop_app.selftest import run_selftest

    return 0 if run_selftest() else 1
