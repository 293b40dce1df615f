"""Events as CSV for spreadsheets: local dates and times, and no cell a spreadsheet would run."""

from __future__ import annotations

import csv
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

from core.errors import FaceGateError
from core.store.engine import Database
from core.store.events import event_lines


def _cell(text: str | None) -> str:
    # A name like "=HYPERLINK(...)" would run as a formula when the export is opened in a spreadsheet.
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


class Export(Database):
    def export_csv(self, path: str | Path, start: datetime, end: datetime) -> int:
        """Writes the events with start <= time < end to a CSV file; returns how many rows were written.

        Written beside `path` first and moved over it once complete, so a failure leaves any
        earlier file as it was."""
        path = Path(path)
        partial = path.with_name(f".{path.name}.partial")
        try:
            # utf-8-sig: Excel reads a file without the BOM as the local code page and garbles names.
            with open(partial, "w", newline="", encoding="utf-8-sig") as f:
                count = self.write_csv(f, start, end)
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise FaceGateError(f"cannot write {path}: {exc.strerror}; choose another file or folder") from exc
        return count

    def write_csv(self, out: TextIO, start: datetime, end: datetime) -> int:
        """The CSV rows of export_csv to an open text stream. Date and time are this machine's
        local ones, the days the range was chosen in; time_utc keeps the stored instant."""
        lines = self._run(lambda s: event_lines(s, start, end))
        writer = csv.writer(out)
        writer.writerow(["date", "time", "time_utc", "person", "external_id", "group", "kind", "similarity", "kiosk"])
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
