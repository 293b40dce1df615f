"""Attendance and unlock events, and THE attendance rule: whether a kiosk's sighting of a person is
a check-in, a check-out, or nothing (a repeat). Decided here alone, inside the transaction that
stores it, so it holds for every kiosk and process on the database; the daily summary groups the
events by the same shifts (core.days.same_shift)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from core.days import same_shift
from core.settings import Settings
from core.store.actions import event_document, queue_event
from core.store.engine import Database
from core.store.labels import check_length
from core.store.people import person_row
from core.store.records import Attendance, DaySummary
from core.store.schema import KIOSK_LEN, VISIBLE, EventRow, PersonRow
from core.types import CHECK_IN, CHECK_OUT, UNLOCK, Event, EventKind

# The schema's CHECK constraint keeps the column to these.
_KINDS: dict[str, EventKind] = {kind: kind for kind in (CHECK_IN, CHECK_OUT, UNLOCK)}
ATTENDANCE: tuple[EventKind, ...] = (CHECK_IN, CHECK_OUT)


@dataclass(frozen=True)
class CheckinRule:
    """The site's check-in rules (Settings: cooldown_s, checkout_min_gap_s, max_shift_s, checkin_mode;
    README "Check-in rules"). chosen: the sighting's kind is the direction the person picked on the
    kiosk (buttons mode), not one for the Store to decide."""

    cooldown_s: float
    checkout_min_gap_s: float = 0.0
    max_shift_s: float = 0.0
    chosen: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> CheckinRule:
        return cls(
            settings.cooldown_s, settings.checkout_min_gap_s, settings.max_shift_s, settings.checkin_mode == "buttons"
        )


def decide(
    session: Session, sighting: Event, rule: CheckinRule, tz: tzinfo | None
) -> tuple[EventKind | None, Event | None]:
    """(the kind to store the sighting as, None) or (None, the earlier event that makes it a repeat).

    A repeat: any kiosk stored an attendance event for the person less than cooldown_s before or
    after the sighting (in buttons mode, one of the chosen kind). Otherwise in buttons mode the
    chosen kind. In auto mode a sighting continues the shift of the person's latest check-in before
    it when same_shift says so (the same local day in tz, None = this machine's zone, or less than
    max_shift_s later): a check-out, or a repeat when sooner than checkout_min_gap_s after the
    check-in; else it is a new shift's check-in. Voided events do not count. The caller holds the person's row lock, so two
    kiosks deciding for one person take turns."""
    mine = (EventRow.person_id == sighting.person_id) & EventRow.kind.in_(ATTENDANCE) & VISIBLE
    if rule.cooldown_s > 0:
        near = timedelta(seconds=rule.cooldown_s)
        window = mine & (EventRow.time > sighting.time - near) & (EventRow.time < sighting.time + near)
        if rule.chosen:
            window &= EventRow.kind == sighting.kind
        nearby = _events(session, window)
        if nearby:
            return None, min(nearby, key=lambda e: abs(e.time - sighting.time))
    if rule.chosen:
        return sighting.kind, None
    opened = _events(session, mine & (EventRow.kind == CHECK_IN) & (EventRow.time < sighting.time), latest=True)
    if not opened or not same_shift(opened[0].time, sighting.time, rule.max_shift_s, tz):
        return CHECK_IN, None
    if (sighting.time - opened[0].time).total_seconds() < rule.checkout_min_gap_s:
        return None, opened[0]
    return CHECK_OUT, None


def _events(session: Session, where: ColumnElement[bool], latest: bool = False) -> list[Event]:
    """The events where `where` holds; with latest, only the last one."""
    query = select(EventRow, PersonRow.name).join(PersonRow, PersonRow.id == EventRow.person_id).where(where)
    if latest:
        query = query.order_by(EventRow.time.desc(), EventRow.id.desc()).limit(1)
    return [stored_event(row, name) for row, name in session.execute(query)]


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


def stored_event(row: EventRow, name: str) -> Event:
    """The event a row holds, with its person's name."""
    return Event(row.person_id, name, row.time, _KINDS[row.kind], row.similarity, row.kiosk_id, row.uid)


def _stored(session: Session, uid: str) -> Event | None:
    found = _events(session, EventRow.uid == uid)
    return found[0] if found else None


@dataclass(frozen=True)
class EventLine:
    """An event with the person it belongs to, for summaries and exports."""

    event: Event
    name: str
    external_id: str | None
    group: str | None
    voided: bool = False


def event_lines(
    session: Session,
    start: datetime,
    end: datetime,
    person_id: int | None = None,
    group: str | None = None,
    kinds: Collection[EventKind] | None = None,
    voided: bool = False,
) -> list[EventLine]:
    """Events with start <= time < end (of those kinds, of that person or group), oldest first;
    the voided ones too only when voided is set (to show the corrections made)."""
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
    if kinds is not None:
        query = query.where(EventRow.kind.in_(list(kinds)))
    if not voided:
        query = query.where(VISIBLE)
    return [
        EventLine(stored_event(row, name), name, external_id, group, row.voided_at is not None)
        for row, name, external_id, group in session.execute(query)
    ]


def day_summaries(
    session: Session,
    start: datetime,
    end: datetime,
    tz: tzinfo | None,
    max_shift_s: float,
    person_id: int | None = None,
    group: str | None = None,
) -> list[DaySummary]:
    """The shifts that began with start <= time < end: first check-in and last check-out each, by
    the shifts decide() made (a check-out belongs to the latest check-in before it when same_shift
    says so; one that follows none makes a row of its own day). Days in tz, None = this machine's
    zone; sorted by day, then name."""
    reach = timedelta(seconds=max_shift_s)
    lines = event_lines(session, _moved(start, -reach), _moved(end, reach), person_id, group, ATTENDANCE)
    return sorted(
        (d for d, opened_at in _shifts(lines, tz, max_shift_s) if start <= opened_at < end),
        key=lambda d: (d.day, d.name.casefold(), d.person_id),
    )


def _shifts(lines: Iterable[EventLine], tz: tzinfo | None, max_shift_s: float) -> list[tuple[DaySummary, datetime]]:
    """Each shift, with the time of the event that opened it."""
    days: dict[tuple[date, int], tuple[DaySummary, datetime]] = {}
    opened: dict[int, datetime] = {}  # person -> their latest check-in so far
    for line in lines:
        e = line.event
        began = e.time
        if e.kind == CHECK_IN:
            opened[e.person_id] = e.time
        elif (start := opened.get(e.person_id)) is not None and same_shift(start, e.time, max_shift_s, tz):
            began = start
        key = (began.astimezone(tz).date(), e.person_id)
        day, opened_at = days.get(key) or (
            DaySummary(key[0], e.person_id, line.name, line.external_id, line.group, None, None),
            e.time,
        )
        if e.kind == CHECK_IN and day.first_in is None:
            day = replace(day, first_in=e.time)
        elif e.kind == CHECK_OUT:
            day = replace(day, last_out=e.time)
        days[key] = day, opened_at
    return list(days.values())


def _moved(when: datetime, by: timedelta) -> datetime:
    try:
        return when + by
    except OverflowError:  # a range reaching the first or last representable day stays open-ended
        return when


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

    def record_attendance(self, e: Event, rule: CheckinRule, tz: tzinfo | None = None) -> Attendance:
        """Stores e, a kiosk's confirmed sighting of a person, as decide() says under rule: as their
        check-in or check-out (whatever kind e carries, unless rule.chosen), or not at all within
        the cooldown or before the minimum gap, with the earlier event that makes it a repeat.
        Days start at midnight in tz; None is this machine's zone, the kiosk's own.

        One transaction holding the person's row lock, so kiosks racing on one person store one
        event. Sending the same uid again returns the event stored the first time, so a retry
        after a lost connection, or a spooled resend, never doubles."""
        if e.kind == UNLOCK:
            raise ValueError("unlock events are not attendance; use record_event")

        def work(s: Session) -> Attendance:
            person = person_row(s, e.person_id, lock=True)  # serialises this person's events on PostgreSQL
            stored = _stored(s, e.uid)
            if stored is not None:
                return Attendance(stored)
            kind, earlier = decide(s, e, rule, tz)
            if kind is None:
                return Attendance(None, earlier)
            # Its actions' deliveries are queued in this transaction: stored and queued, or neither.
            queue_event(s, e.uid, kind, event_document(e.uid, kind, e.time, e.kiosk_id, e.similarity, person))
            return Attendance(_insert(s, e, kind, person.name), earlier)

        return self._run(work, write=True)

    def events(
        self,
        start: datetime,
        end: datetime,
        person_id: int | None = None,
        group: str | None = None,
        kinds: Collection[EventKind] | None = None,
    ) -> list[Event]:
        """Events with start <= time < end (of those kinds, of that person or group), oldest first."""
        return [line.event for line in self._run(lambda s: event_lines(s, start, end, person_id, group, kinds))]

    def daily_summary(
        self,
        start: datetime,
        end: datetime,
        tz: tzinfo | None = None,
        *,
        max_shift_s: float = 0.0,
        person_id: int | None = None,
        group: str | None = None,
    ) -> list[DaySummary]:
        """First check-in and last check-out of each shift that began with start <= time < end
        (day_summaries; pass the site's Settings.max_shift_s, as its kiosks decided with it)."""
        return self._run(lambda s: day_summaries(s, start, end, tz, max_shift_s, person_id, group))
