"""The audit log read by dates and kind, for the admins' Audit page and `facegate audit`.

The kinds group the actions the Store and the kiosk write (site.py, people.py, templates.py,
kiosk.py) into what an admin looks for; an action this table does not know is "other", so a new
one is never hidden."""

from __future__ import annotations

import csv
from collections.abc import Collection, Sequence
from datetime import datetime, timezone
from typing import TextIO

from sqlalchemy import select

from core.store.engine import Database

# The CSV export's rule for cells a spreadsheet would run as formulas (one owner; its module is
# another change's to rename).
from core.store.export import _cell as spreadsheet_text
from core.store.records import AuditEntry
from core.store.schema import AuditRow

KINDS: dict[str, tuple[str, ...]] = {
    "enrolment": ("add person", "enrol", "recompute templates"),
    "deletion": ("delete person", "deactivate person", "remove template", "erase face crops"),
    "person": ("edit person", "reactivate person"),
    "pin": ("wrong admin PIN", "admin PIN refused"),
    "refused-photo": ("presentation attack",),
    "settings": ("change settings",),
}
AUDIT_KINDS = (*KINDS, "correction", "other")


def audit_kind(action: str) -> str:
    """What kind of entry an audited action is, one of AUDIT_KINDS."""
    for kind, actions in KINDS.items():
        if action in actions:
            return kind
    # Corrections to attendance are audited by their own module under names of its choosing.
    return "correction" if "correct" in action.casefold() else "other"


class AuditLog(Database):
    def audit_between(self, start: datetime, end: datetime, kinds: Collection[str] | None = None) -> list[AuditEntry]:
        """Entries with start <= time < end, oldest first; of the given kinds (AUDIT_KINDS) only,
        when kinds is given."""
        query = select(AuditRow).where(AuditRow.time >= start, AuditRow.time < end).order_by(AuditRow.time, AuditRow.id)
        entries = self._run(lambda s: [AuditEntry(r.time, r.actor, r.action, r.detail) for r in s.scalars(query)])
        return entries if kinds is None else [e for e in entries if audit_kind(e.action) in kinds]


def write_audit_csv(out: TextIO, entries: Sequence[AuditEntry]) -> int:
    """The entries as CSV rows (local time, and the stored instant in UTC); returns how many."""
    writer = csv.writer(out)
    writer.writerow(["time", "time_utc", "kind", "actor", "action", "detail"])
    for e in entries:
        writer.writerow(
            [
                e.time.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                e.time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                audit_kind(e.action),
                spreadsheet_text(e.actor),
                spreadsheet_text(e.action),
                spreadsheet_text(e.detail),
            ]
        )
    return len(entries)
