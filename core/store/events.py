"""Attendance and unlock events, and THE attendance rule: whether a kiosk's sighting of a person is
the day's check-in, a check-out, or nothing because of the cooldown. Decided here alone, inside the
transaction that stores it, so it holds for every kiosk and process on the database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.days import day_of
from core.store.actions import event_document, queue_event
from core.store.engine import Database
from core.store.labels import check_length
from core.store.people import person_row
from core.store.records import DaySummary
from core.store.schema import KIOSK_LEN, EventRow, PersonRow
from core.types import CHECK_IN, CHECK_OUT, UNLOCK, Event, EventKind

# The schema's CHECK constraint keeps the column to these.
_KINDS: dict[str, EventKind] = {kind: kind for kind in (CHECK_IN, CHECK_OUT, UNLOCK)}


def attendance_kind(session: Session, sighting: Event, cooldown_s: float, tz: tzinfo | None) -> EventKind | None:
    """None when any kiosk stored an attendance event for the person less than cooldown_s before
    or after the sighting; else a check-in when it is their first on its day (from local midnight
    in tz, None = this machine's zone), a check-out when it is not. The caller holds the person's
    row lock, so two kiosks deciding for one person take turns."""
    attendance = (EventRow.person_id == sighting.person_id) & (EventRow.kind != UNLOCK)
    near = timedelta(seconds=cooldown_s)
    if cooldown_s > 0 and session.scalar(
        select(func.count()).where(
            attendance, EventRow.time > sighting.time - near, EventRow.time < sighting.time + near
        )
    ):
        return None
    day_start, _ = day_of(sighting.time, tz)
    earlier = session.scalar(
        select(func.count()).where(attendance, EventRow.time >= day_start, EventRow.time < sighting.time)
    )
    return CHECK_OUT if earlier else CHECK_IN


def _insert(session: Session, e: Event, kind: EventKind, name: str | None = None) -> Event:
    check_length("kiosk id", e.kiosk_id, KIOSK_LEN)
    session.add(
        EventRow(
            person_id=e.person_id,
            time=e.time,
            kind=kind,
            similarity=float(e.similarity),
            kiosk_id=e.kiosk_id,
            uid=e.uid,
        )
    )
    return replace(e, kind=kind, name=name or e.name)


def _event(row: EventRow, name: str) -> Event:
    return Event(row.person_id, name, row.time, _KINDS[row.kind], row.similarity, row.kiosk_id, row.uid)


def _stored(session: Session, uid: str) -> Event | None:
    found = session.execute(
        select(EventRow, PersonRow.name).join(PersonRow, PersonRow.id == EventRow.person_id).where(EventRow.uid == uid)
    ).first()
    return None if found is None else _event(*found)


@dataclass(frozen=True)
class EventLine:
    """An event with the person it belongs to, for summaries and exports."""

    event: Event
    name: str
    external_id: str | None
    group: str | None


def event_lines(
    session: Session, start: datetime, end: datetime, person_id: int | None = None, group: str | None = None
) -> list[EventLine]:
    """Events with start <= time < end, oldest first."""
    query = (
        select(EventRow, PersonRow.name, PersonRow.external_id, PersonRow.group)
        .join(PersonRow, PersonRow.id == EventRow.person_id)
        .where(EventRow.time >= start, EventRow.time < end)
        .order_by(EventRow.time, EventRow.id)
    )
    if person_id is not None:
        query = query.where(EventRow.person_id == person_id)
    if group is not None:
        query = query.where(PersonRow.group == group)
    return [
        EventLine(_event(row, name), name, external_id, group)
        for row, name, external_id, group in session.execute(query)
    ]


class Events(Database):
    def record_event(self, e: Event) -> bool:
        """Stores e as it is; False when an event with its uid is stored already (a retry).
        Committed when this returns, so the screen may confirm; StoreError means not stored."""

        def work(s: Session) -> bool:
            if _stored(s, e.uid) is not None:
                return False
            _insert(s, e, e.kind)
            return True

        return self._run(work, write=True)

    def record_attendance(self, e: Event, cooldown_s: float, tz: tzinfo | None = None) -> Event | None:
        """Stores e, a kiosk's confirmed sighting of a person, as attendance_kind decides: as their
        check-in or check-out (whatever kind e carries), or not at all (None) within the cooldown.
        Days start at midnight in tz; None is this machine's zone, the kiosk's own.

        One transaction holding the person's row lock, so kiosks racing on one person store one
        event. Sending the same uid again returns the event stored the first time, so a retry
        after a lost connection, or a spooled resend, never doubles."""
        if e.kind == UNLOCK:
            raise ValueError("unlock events are not attendance; use record_event")

        def work(s: Session) -> Event | None:
            person = person_row(s, e.person_id, lock=True)  # serialises this person's events on PostgreSQL
            stored = _stored(s, e.uid)
            if stored is not None:
                return stored
            kind = attendance_kind(s, e, cooldown_s, tz)
            if kind is None:
                return None
            # Its actions' deliveries are queued in this transaction: stored and queued, or neither.
            queue_event(s, e.uid, kind, event_document(e.uid, kind, e.time, e.kiosk_id, e.similarity, person))
            return _insert(s, e, kind, person.name)

        return self._run(work, write=True)

    def events(
        self, start: datetime, end: datetime, person_id: int | None = None, group: str | None = None
    ) -> list[Event]:
        """Events with start <= time < end, oldest first."""
        return [line.event for line in self._run(lambda s: event_lines(s, start, end, person_id, group))]

    def daily_summary(self, start: datetime, end: datetime, tz: tzinfo | None = None) -> list[DaySummary]:
        """First event and last check-out per person per day; days in tz, None = this machine's zone."""
        days: dict[tuple[date, int], DaySummary] = {}
        for line in self._run(lambda s: event_lines(s, start, end)):
            e = line.event
            if e.kind == UNLOCK:
                continue
            key = (e.time.astimezone(tz).date(), e.person_id)
            seen = days.get(key) or DaySummary(
                key[0], e.person_id, line.name, line.external_id, line.group, e.time, None
            )
            days[key] = replace(seen, last_out=e.time) if e.kind == CHECK_OUT else seen
        return sorted(days.values(), key=lambda d: (d.day, d.name.casefold(), d.person_id))
