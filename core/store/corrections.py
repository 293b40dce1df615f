"""Attendance corrections: a missed check-in or check-out added by hand, an event's time changed,
an event voided. Nothing is deleted or lost: a voided event stays stored (schema.VISIBLE keeps it
out of attendance), and every correction appends a row to the trail with its reason and actor
(the first change of an event's time keeps the kiosk's time as its old_time), and is audited as
"correct attendance: ..." (audit kind "correction").

The Store takes the actor; checking the admin PIN is the caller's job, as for every admin change."""

from __future__ import annotations

import csv
import uuid
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.errors import FaceGateError
from core.store.engine import Database
from core.store.events import ATTENDANCE, event_lines, stored_event
from core.store.export import _cell as spreadsheet_text  # as audit.py: cells never run as formulas
from core.store.export import write_output
from core.store.labels import clean_label
from core.store.people import person_row
from core.store.records import CorrectedEvent, Correction
from core.store.schema import CorrectionRow, EventRow, PersonRow, utc_now
from core.store.site import write_audit
from core.types import Event, EventKind

# The kiosk id of an event an admin added: what the exports' kiosk column shows for it.
ADDED_BY = "admin"
MIN_PREFIX = 6
TRAIL_HEADER = ["corrected_at", "actor", "action", "person", "kind", "event", "old_time", "new_time", "reason"]


def _reason(reason: str) -> str:
    reason = clean_label(reason, "reason")
    if not reason:
        raise FaceGateError("a correction needs a reason: say why the record is wrong")
    return reason


def _past(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("naive datetime: pass timezone-aware times to the Store")
    if when > utc_now():
        raise FaceGateError(f"{_local(when)} is in the future: attendance can only be corrected after the fact")
    return when


def _local(when: datetime | None) -> str:
    return "" if when is None else when.astimezone().strftime("%Y-%m-%d %H:%M")


def _event_row(session: Session, uid: str) -> tuple[EventRow, str]:
    """The attendance event whose uid is uid or begins with it (at least MIN_PREFIX hex digits)."""
    prefix = uid.strip().casefold()
    if len(prefix) < MIN_PREFIX or len(prefix) > 32 or any(c not in "0123456789abcdef" for c in prefix):
        raise FaceGateError(
            f"{uid!r} is not an event id: give at least {MIN_PREFIX} of its hex digits (see facegate attendance list)"
        )
    query = (
        select(EventRow, PersonRow.name)
        .join(PersonRow, PersonRow.id == EventRow.person_id)
        .where(EventRow.uid.startswith(prefix))
        .limit(2)
        .with_for_update(of=EventRow)  # two admins voiding one event at once: one is told it is voided
    )
    found = list(session.execute(query))
    if not found:
        raise FaceGateError(f"there is no event {uid!r}: see facegate attendance list")
    if len(found) > 1:
        raise FaceGateError(f"more than one event begins with {uid!r}: give more of its digits")
    row, name = found[0]
    if row.kind not in ATTENDANCE:
        raise FaceGateError(f"event {uid!r} is an unlock: only check-ins and check-outs are corrected")
    if row.voided_at is not None:
        raise FaceGateError(f"event {uid!r} is voided already: add a new one instead")
    return row, name


class Corrections(Database):
    def add_attendance(self, person_id: int, kind: EventKind, when: datetime, reason: str, actor: str) -> Event:
        """Stores a check-in or check-out the kiosk missed, kiosk id ADDED_BY; audited with reason."""
        if kind not in ATTENDANCE:
            raise FaceGateError(f"{kind!r} is not check-in or check-out")
        reason, when = _reason(reason), _past(when)
        uid = uuid.uuid4().hex

        def work(s: Session) -> Event:
            person = person_row(s, person_id, lock=True)  # as record_attendance: one change at a time
            s.add(EventRow(person_id=person_id, time=when, kind=kind, similarity=0.0, kiosk_id=ADDED_BY, uid=uid))
            s.flush()  # the trail's row refers to the event's uid
            self._note(s, uid, "add", None, when, reason, actor, f"{person.name}, {kind} at {_local(when)}")
            return Event(person_id, person.name, when, kind, 0.0, ADDED_BY, uid)

        return self._run(work, write=True)

    def edit_attendance(self, uid: str, when: datetime, reason: str, actor: str) -> Event:
        """Moves the event uid (or the one uid begins) to when; its old time stays in the trail."""
        reason, when = _reason(reason), _past(when)

        def work(s: Session) -> Event:
            row, name = _event_row(s, uid)
            old, row.time = row.time, when
            detail = f"{name}, {row.kind} {_local(old)} -> {_local(when)}"
            self._note(s, row.uid, "edit", old, when, reason, actor, detail)
            return stored_event(row, name)

        return self._run(work, write=True)

    def void_attendance(self, uid: str, reason: str, actor: str) -> Event:
        """Voids the event uid (or the one uid begins): kept, with the trail, but no longer attendance."""
        reason = _reason(reason)

        def work(s: Session) -> Event:
            row, name = _event_row(s, uid)
            row.voided_at = utc_now()
            self._note(s, row.uid, "void", row.time, None, reason, actor, f"{name}, {row.kind} at {_local(row.time)}")
            return stored_event(row, name)

        return self._run(work, write=True)

    @staticmethod
    def _note(
        s: Session,
        uid: str,
        action: str,
        old: datetime | None,
        new: datetime | None,
        reason: str,
        actor: str,
        what: str,
    ) -> None:
        # The audit line names the event and the reason; the trail row keeps the times exactly.
        write_audit(s, actor, f"correct attendance: {action}", f"{what} (event {uid[:8]}): {reason}")
        s.add(
            CorrectionRow(
                event_uid=uid, action=action, old_time=old, new_time=new, reason=reason, actor=actor, time=utc_now()
            )
        )

    def corrected_events(
        self, start: datetime, end: datetime, person_id: int | None = None, voided: bool = False
    ) -> list[CorrectedEvent]:
        """The check-ins and outs with start <= time < end (of that person), oldest first, each
        with what corrections did to it; the voided ones too when voided is set."""
        in_range = select(EventRow.uid).where(EventRow.time >= start, EventRow.time < end)
        trail = select(CorrectionRow).where(CorrectionRow.event_uid.in_(in_range)).order_by(CorrectionRow.id)

        def work(s: Session) -> list[CorrectedEvent]:
            added: set[str] = set()
            original: dict[str, datetime | None] = {}
            for c in s.scalars(trail):
                if c.action == "add":
                    added.add(c.event_uid)
                elif c.action == "edit":
                    original.setdefault(c.event_uid, c.old_time)
            lines = event_lines(s, start, end, person_id, None, ATTENDANCE, voided=voided)
            return [
                CorrectedEvent(line.event, line.event.uid in added, original.get(line.event.uid), line.voided)
                for line in lines
            ]

        return self._run(work)

    def corrections(self, start: datetime, end: datetime, person_id: int | None = None) -> list[Correction]:
        """The trail of the events that were, or now are, at start <= time < end, oldest first."""
        query = (
            select(CorrectionRow, EventRow.person_id, PersonRow.name, EventRow.kind)
            .join(EventRow, EventRow.uid == CorrectionRow.event_uid)
            .join(PersonRow, PersonRow.id == EventRow.person_id)
            .where(
                or_(
                    (CorrectionRow.old_time >= start) & (CorrectionRow.old_time < end),
                    (CorrectionRow.new_time >= start) & (CorrectionRow.new_time < end),
                )
            )
            .order_by(CorrectionRow.time, CorrectionRow.id)
        )
        if person_id is not None:
            query = query.where(EventRow.person_id == person_id)
        return self._run(
            lambda s: [
                Correction(c.time, c.actor, c.action, c.event_uid, pid, name, kind, c.old_time, c.new_time, c.reason)
                for c, pid, name, kind in s.execute(query)
            ]
        )

    def export_corrections_csv(
        self, path: str | Path, start: datetime, end: datetime, person_id: int | None = None
    ) -> int:
        """The trail (corrections()) as a CSV file (export.write_output); returns how many rows."""
        return write_output(path, lambda f: self.write_corrections_csv(f, start, end, person_id))

    def write_corrections_csv(self, out: TextIO, start: datetime, end: datetime, person_id: int | None = None) -> int:
        """The CSV rows of export_corrections_csv to an open text stream, in local times."""
        trail = self.corrections(start, end, person_id)
        writer = csv.writer(out)
        writer.writerow(TRAIL_HEADER)
        for c in trail:
            writer.writerow(
                [
                    _local(c.time),
                    spreadsheet_text(c.actor),
                    c.action,
                    spreadsheet_text(c.name),
                    c.kind,
                    c.event_uid,
                    _local(c.old_time),
                    _local(c.new_time),
                    spreadsheet_text(c.reason),
                ]
            )
        return len(trail)
