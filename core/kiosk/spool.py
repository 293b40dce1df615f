"""The kiosk's local spool: confirmed events wait here, on disk, until the database has them.

Every confirmed event (an unlock, or an attendance sighting whose kind the Store decides as it
stores it) is written here first (one small file per event, fsynced, renamed into place), then
sent; its file goes only once the Store has committed it. So a kiosk that loses the
database, or is killed between recognising someone and storing the event, loses nothing, and
because the Store keeps one event per uid, sending a file twice never doubles the event.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path

from core.errors import FaceGateError
from core.types import Event

SUFFIX = ".event.json"
QUARANTINE = "quarantine"  # beside the spool's files: what could not be read, kept for a person to look at
_FIELDS = tuple(f.name for f in fields(Event))
log = logging.getLogger(__name__)


class Spool:
    def __init__(self, folder: Path):
        self.folder = folder
        # Events that could not be written here (a full or failing disk): kept in memory and sent
        # like the rest, so the database gets them while it is up; lost only if FaceGate stops first.
        self._unwritten: dict[str, Event] = {}
        self.write_problem: str | None = None  # why the last put() could not write, until one can
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise FaceGateError(f"cannot create the event spool {folder}: {exc.strerror}") from exc

    def put(self, e: Event) -> None:
        record = {**asdict(e), "time": e.time.isoformat()}
        final = self.folder / f"{e.time.strftime('%Y%m%dT%H%M%S%f')}-{e.uid}{SUFFIX}"
        tmp = final.with_suffix(".tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(record, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, final)
            _sync_dir(self.folder)
        except OSError as exc:
            tmp.unlink(missing_ok=True)  # a half-written file would be quarantined on the next pass
            self._unwritten[e.uid] = e
            self.write_problem = f"the event spool {self.folder} cannot be written ({exc.strerror})"
            log.warning("%s: event kept in memory until the database has it", self.write_problem)
            return
        self.write_problem = None

    def pending(self) -> tuple[list[tuple[Path | None, Event]], list[str]]:
        """(waiting events oldest first, each with its file or None when only in memory; what was
        set aside). A file that cannot be read as an event (truncated, damaged) is moved to the
        quarantine folder beside the spool and named in the second list, once; fields this version
        does not know (a newer FaceGate sharing the folder) are skipped."""
        out: list[tuple[Path | None, Event]] = []
        set_aside = []
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                known = {name: record[name] for name in _FIELDS if name in record}
                known["time"] = datetime.fromisoformat(known["time"])
                out.append((path, Event(**known)))
            except FileNotFoundError:  # another kiosk on this folder sent it meanwhile
                continue
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                set_aside.append(self._quarantine(path, exc))
        in_memory = sorted(self._unwritten.values(), key=lambda e: e.time)
        return sorted(out + [(None, e) for e in in_memory], key=lambda item: item[1].time), set_aside

    def _quarantine(self, path: Path, exc: Exception) -> str:
        aside = self.folder / QUARANTINE
        damaged = f"spool file {path.name} is damaged ({type(exc).__name__}: {exc})"
        try:
            aside.mkdir(exist_ok=True, mode=0o700)
            os.replace(path, aside / path.name)
        except OSError as moving:
            return f"{damaged} and cannot be moved to {aside} ({moving.strerror}); skipped"
        return f"{damaged}; moved to {aside}"

    def done(self, path: Path | None, e: Event) -> None:
        if path is None:
            self._unwritten.pop(e.uid, None)
        else:
            path.unlink(missing_ok=True)

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob(f"*{SUFFIX}")) + len(self._unwritten)


def _sync_dir(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk (POSIX; Windows has no dir fds).
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
