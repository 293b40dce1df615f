"""Every location FaceGate uses: bundled assets (from source and when frozen by PyInstaller), the
user data folder, the database and the face-data key. FACEGATE_HOME, FACEGATE_DB and
FACEGATE_KEY_FILE override the defaults."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir

from core.errors import ModelError, StoreError

APP_NAME = "FaceGate"


def data_dir() -> Path:
    """The user data folder (created if missing): FACEGATE_HOME, else the platform's per-user one."""
    override = os.environ.get("FACEGATE_HOME")
    path = Path(override).expanduser() if override else Path(user_data_dir(APP_NAME, appauthor=False))
    try:
        # 0700: the database holds face templates; no other local user has any business in here.
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not override:  # a folder named in FACEGATE_HOME may be shared on purpose: only made 0700 when new
            path.chmod(0o700)
    except OSError as exc:
        raise StoreError(
            f"cannot create the data folder {path}: {exc.strerror}; set FACEGATE_HOME to a folder you can write to"
        ) from exc
    return path


def private_file(path: Path) -> None:
    """Creates path (if missing) or narrows it to mode 0600, before SQLite opens it; SQLite gives
    its -wal and -shm files the database's mode."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        path.chmod(0o600)
    except OSError as exc:
        raise StoreError(
            f"cannot create or open the database {path}: {exc.strerror}; "
            "check that its folder exists and that you may write to it"
        ) from exc


def database_url() -> str:
    """FACEGATE_DB (any SQLAlchemy URL), else SQLite in the data folder."""
    override = os.environ.get("FACEGATE_DB")
    if override:
        return override
    # as_posix: SQLAlchemy URLs take forward slashes on Windows too.
    return f"sqlite:///{(data_dir() / 'facegate.db').as_posix()}"


def bundle_dir() -> Path | None:
    """The frozen executable's data folder (PyInstaller's sys._MEIPASS); None when running from source."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base).resolve() if base else None


def assets_dir() -> Path:
    # From source the assets folder sits beside the core package.
    return (bundle_dir() or Path(__file__).resolve().parent.parent) / "assets"


def samples_dir() -> Path:
    """The two sample photos the selftest, `bench` and the README use (see assets/samples/README.md)."""
    return assets_dir() / "samples"


def model_path(name: str) -> Path:
    path = assets_dir() / "models" / name
    if not path.is_file():
        raise ModelError(f"bundled model {name!r} is missing at {path}; reinstall FaceGate")
    return path


def key_path() -> Path:
    """The face-data key file: FACEGATE_KEY_FILE, else facegate.key in the user config folder."""
    override = os.environ.get("FACEGATE_KEY_FILE")
    return (
        Path(override).expanduser() if override else Path(user_config_dir(APP_NAME, appauthor=False)) / "facegate.key"
    )
