"""Where bundled files live, from source and when frozen by PyInstaller."""

from __future__ import annotations

import sys
from pathlib import Path

from .errors import ModelError


def assets_dir() -> Path:
    # PyInstaller unpacks data next to the executable under sys._MEIPASS; from source the
    # assets folder sits beside the core package.
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parent.parent
    return root / "assets"


def samples_dir() -> Path:
    """The two sample photos the selftest, `bench` and the README use (see assets/samples/README.md)."""
    return assets_dir() / "samples"


def model_path(name: str) -> Path:
    path = assets_dir() / "models" / name
    if not path.is_file():
        raise ModelError(f"bundled model {name!r} is missing at {path}; reinstall FaceGate")
    return path
