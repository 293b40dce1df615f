"""Where FaceGate keeps its data; FACEGATE_HOME and FACEGATE_DB override the defaults."""
from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

from .errors import StoreError

APP_NAME = "FaceGate"


def data_dir() -> Path:
    """The user data folder (created if missing): FACEGATE_HOME, else the platform's per-user one."""
    override = os.environ.get("FACEGATE_HOME")
    path = Path(override).expanduser() if override else Path(user_data_dir(APP_NAME, appauthor=False))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the data folder {path}: {exc.strerror}; "
            "set FACEGATE_HOME to a folder you can write to"
        ) from exc
    return path


def database_url() -> str:
    """FACEGATE_DB (any SQLAlchemy URL), else SQLite in the data folder."""
    override = os.environ.get("FACEGATE_DB")
    if override:
        return override
    # as_posix: SQLAlchemy URLs take forward slashes on Windows too.
    return f"sqlite:///{(data_dir() / 'facegate.db').as_posix()}"
