"""Every location FaceGate uses: bundled assets (from source and when frozen by PyInstaller), the
user data folder, the database and the face-data key. FACEGATE_HOME, FACEGATE_DB and
FACEGATE_KEY_FILE override the defaults."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from pathlib import Path
from urllib.parse import quote

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


# What a file must hold before FaceGate narrows a mode it did not set: SQLite's header, and the
# tables every migrated FaceGate database has.
_SQLITE_HEADER = b"SQLite format 3\x00"
_OWN_TABLES = {"alembic_version", "people", "site"}
# Not on Windows, where there are no symlinked files to chmod through and no FIFOs to block on.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def private_file(path: Path, narrow: bool = True) -> None:
    """Makes the database private (0600) before SQLite opens it, since SQLite gives its -wal and
    -shm files the database's mode: a missing file is created 0600; an existing one is narrowed
    only when `narrow` (a read-only job changes nothing) and it is a FaceGate database. Never
    through a symlink: FACEGATE_DB may name any file, and its mode is not ours to change."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600))
    except FileExistsError:  # also a symlink, dangling or not: O_EXCL does not follow it
        if narrow:
            _narrow_database(path)
    except OSError as exc:
        raise StoreError(
            f"cannot create or open the database {path}: {exc.strerror}; "
            "check that its folder exists and that you may write to it"
        ) from exc


def _narrow_database(path: Path) -> None:
    """chmod 0600 on the file itself (not a link's target) once it is seen to be FaceGate's; any
    other file is left as it is for SQLite to open or refuse."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    except OSError:  # a symlink (ELOOP), or unreadable: SQLite says what is wrong with it
        return
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, len(_SQLITE_HEADER)) == _SQLITE_HEADER:
            if _OWN_TABLES <= _tables(path) and os.chmod in os.supports_fd:
                try:
                    os.chmod(fd, 0o600)
                except OSError:  # read-only or immutable: the Store then says it may not write there
                    pass
    finally:
        os.close(fd)


def _tables(path: Path) -> set[str]:
    try:
        connection = sqlite3.connect(f"file:{quote(path.as_posix())}?mode=ro", uri=True)
        try:
            return {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.Error:  # damaged, or locked: not verified, so not narrowed
        return set()


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
