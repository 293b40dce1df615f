"""Attendance as CSV for spreadsheets: the events, the unlocks, or the daily summary, of a date range
and optionally one person or group; local dates and times, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import os
import stat
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import TextIO

from core.errors import FaceGateError
from core.store.engine import Database
from core.store.events import ATTENDANCE, day_summaries, event_lines
from core.store.records import DaySummary
from core.types import UNLOCK

EVENT_HEADER = ["date", "time", "time_utc", "person", "external_id", "group", "kind", "similarity", "kiosk"]
SUMMARY_HEADER = ["date", "person", "external_id", "group", "first_in", "last_out"]


def _cell(text: str | None) -> str:
    # A name like "=HYPERLINK(...)" would run as a formula when the export is opened in a spreadsheet.
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def shift_time(when: datetime | None, day: DaySummary, tz: tzinfo | None = None) -> str:
    """A first-in or last-out as the Attendance page's summary shows it and its export writes it:
    local HH:MM, with "+1" (days) when a night shift ends after its day; "" for none."""
    if when is None:
        return ""
    local = when.astimezone(tz)
    later = (local.date() - day.day).days
    return f"{local:%H:%M}" + (f" +{later}" if later else "")


class Export(Database):
    def export_csv(
        self,
        path: str | Path,
        start: datetime,
        end: datetime,
        person_id: int | None = None,
        group: str | None = None,
        unlock: bool = False,
    ) -> int:
        """Writes the attendance events with start <= time < end (of that person or group; with
        unlock, the unlock events instead) to a CSV file (see write_output); returns how many rows
        were written."""
        return write_output(path, lambda f: self.write_csv(f, start, end, person_id, group, unlock))

    def write_csv(
        self,
        out: TextIO,
        start: datetime,
        end: datetime,
        person_id: int | None = None,
        group: str | None = None,
        unlock: bool = False,
    ) -> int:
        """The CSV rows of export_csv to an open text stream. Date and time are this machine's
        local ones, the days the range was chosen in; time_utc keeps the stored instant."""
        kinds = (UNLOCK,) if unlock else ATTENDANCE
        lines = self._run(lambda s: event_lines(s, start, end, person_id, group, kinds))
        writer = csv.writer(out)
        writer.writerow(EVENT_HEADER)
        for line in lines:
            e = line.event
            local = e.time.astimezone()
            writer.writerow(
                [
                    local.date().isoformat(),
                    local.strftime("%H:%M:%S"),
                    e.time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    _cell(line.name),
                    _cell(line.external_id),
                    _cell(line.group),
                    e.kind,
                    f"{e.similarity:.3f}",
                    _cell(e.kiosk_id),
                ]
            )
        return len(lines)

    def export_summary_csv(
        self,
        path: str | Path,
        start: datetime,
        end: datetime,
        tz: tzinfo | None = None,
        *,
        max_shift_s: float = 0.0,
        person_id: int | None = None,
        group: str | None = None,
    ) -> int:
        """The daily summary (Events.daily_summary, same arguments) as a CSV file, one row per person
        and shift as the Attendance page lists them; returns how many rows were written."""
        return write_output(
            path,
            lambda f: self.write_summary_csv(
                f, start, end, tz, max_shift_s=max_shift_s, person_id=person_id, group=group
            ),
        )

    def write_summary_csv(
        self,
        out: TextIO,
        start: datetime,
        end: datetime,
        tz: tzinfo | None = None,
        *,
        max_shift_s: float = 0.0,
        person_id: int | None = None,
        group: str | None = None,
    ) -> int:
        """The CSV rows of export_summary_csv to an open text stream."""
        days = self._run(lambda s: day_summaries(s, start, end, tz, max_shift_s, person_id, group))
        writer = csv.writer(out)
        writer.writerow(SUMMARY_HEADER)
        for d in days:
            writer.writerow(
                [
                    d.day.isoformat(),
                    _cell(d.name),
                    _cell(d.external_id),
                    _cell(d.group),
                    shift_time(d.first_in, d, tz),
                    shift_time(d.last_out, d, tz),
                ]
            )
        return len(days)


def write_output(path: str | Path, write: Callable[[TextIO], int]) -> int:
    """Runs write on a text stream for path; returns what write returns.

    A regular file, or a new path, is written beside its target and moved over it once complete,
    so a failure leaves any earlier file as it was; it keeps the mode of the file it replaces, and a
    new one is private (0600: attendance is personal data). A device or FIFO is written in place,
    never replaced. A symbolic link is refused: whoever planted it chose the target, not the user."""
    if not str(path):
        raise FaceGateError("no output file given: name a file, or - for standard output")
    path = Path(path)
    try:
        info: os.stat_result | None = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    if info is None or stat.S_ISREG(info.st_mode):
        return _replace(path, write, info)
    if stat.S_ISLNK(info.st_mode):
        raise FaceGateError(
            f"cannot write {path}: it is a symbolic link, which FaceGate does not follow; give the file itself"
        )
    if stat.S_ISDIR(info.st_mode):
        raise FaceGateError(f"cannot write {path}: it is a folder; give the name of a file in it")
    return _in_place(path, write)


def _replace(path: Path, write: Callable[[TextIO], int], replaced: os.stat_result | None) -> int:
    # mkstemp: an unguessable name, opened with O_EXCL (never a planted file or link) and mode 0600.
    try:
        fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc
    try:
        with _text(fd) as f:
            if replaced is not None:
                os.fchmod(fd, stat.S_IMODE(replaced.st_mode))
            result = write(f)
            f.flush()
            os.fsync(fd)
        os.replace(partial, path)
    except OSError as exc:
        Path(partial).unlink(missing_ok=True)
        raise _cannot_write(path, exc) from exc
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return result


def _in_place(path: Path, write: Callable[[TextIO], int]) -> int:
    try:
        # O_NOFOLLOW: a link swapped in since the check above is refused, not followed.
        fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_NOCTTY)
        if stat.S_ISREG(os.fstat(fd).st_mode):
            # Replaced by a regular file since the check: writing over it in place would leave old bytes.
            os.close(fd)
            raise FaceGateError(f"cannot write {path}: it changed while it was being opened; try again")
        with _text(fd) as f:
            return write(f)
    except OSError as exc:
        raise _cannot_write(path, exc) from exc


def _text(fd: int) -> TextIO:
    # utf-8-sig: Excel reads a file without the BOM as the local code page and garbles names.
    return open(fd, "w", newline="", encoding="utf-8-sig")


def _cannot_write(path: Path, exc: OSError) -> FaceGateError:
    return FaceGateError(f"cannot write {path}: {exc.strerror or exc}; choose another file or folder")
