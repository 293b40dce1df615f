"""A webhook's secret: read from its own file when a document is signed, never stored or shown."""

from __future__ import annotations

import stat
from pathlib import Path

from core.errors import FaceGateError


def read_secret(path: str | Path) -> bytes:
    """The file's bytes without surrounding white space. FaceGateError when it is missing, empty, or
    readable by anyone but its owner (a secret others can read signs nothing)."""
    path = Path(path).expanduser()
    try:
        mode = path.stat().st_mode
        if not stat.S_ISREG(mode):
            raise FaceGateError(f"the secret file {path} is not a file")
        if mode & 0o077:
            raise FaceGateError(f"the secret file {path} may be read by others: chmod 600 {path}")
        secret = path.read_bytes().strip()
    except OSError as exc:
        raise FaceGateError(f"cannot read the secret file {path}: {exc.strerror or exc}") from exc
    if not secret:
        raise FaceGateError(f"the secret file {path} is empty")
    return secret
