"""The kiosk's local spool: confirmed events wait here, on disk, until the database has them.

Every confirmed event (an unlock, or an attendance sighting whose kind the Store decides as it
stores it) is written here first (one small file per event, fsynced, renamed into place), then
sent; its file goes only once the Store has committed it. So a kiosk that loses the
database, or is killed between recognising someone and storing the event, loses nothing, and
because the Store keeps one event per uid, sending a file twice never doubles the event.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from core.errors import FaceGateError
from core.types import Event

SUFFIX = ".event.json"


class Spool:
    def __init__(self, folder: Path):
        self.folder = folder
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise FaceGateError(f"cannot create the event spool {folder}: {exc.strerror}") from exc

    def put(self, e: Event) -> None:
        record = {**asdict(e), "time": e.time.isoformat()}
        final = self.folder / f"{e.time.strftime('%Y%m%dT%H%M%S%f')}-{e.uid}{SUFFIX}"
        tmp = final.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(record, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
        _sync_dir(self.folder)

    def pending(self) -> list[tuple[Path, Event]]:
        """Waiting events, oldest first (names start with the event time)."""
        out = []
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:  # another kiosk on this folder sent it meanwhile
                continue
            record["time"] = datetime.fromisoformat(record["time"])
            out.append((path, Event(**record)))
        return out

    def done(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob(f"*{SUFFIX}"))


def _sync_dir(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk (POSIX; Windows has no dir fds).
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
