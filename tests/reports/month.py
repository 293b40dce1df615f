"""A generated month of attendance with known figures: 20 people, March 2025, stored through the
Store's own event API (record_attendance decides check-in and check-out) in a real SQLite file.

The plan below is the truth the tests compare against; it is counted here as the month is made,
never by the code under test."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np

from core.store import CheckinRule, Store
from core.types import CHECK_IN, Event

FIRST, LAST = date(2025, 3, 1), date(2025, 3, 31)
HOLIDAY = date(2025, 3, 17)  # a Monday
PEOPLE = 20
SATURDAY = date(2025, 3, 8)  # a day off some people work anyway


@dataclass
class Expected:
    name: str
    group: str
    days_present: int = 0
    hours: float = 0.0
    no_check_out: int = 0
    late: int = 0
    absent: int = 0
    present_on: set[date] = field(default_factory=set)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    """The aware instant of that wall-clock time in this machine's zone, as the reports read days."""
    return datetime(day.year, day.month, day.day, hour, minute).astimezone()


def working(day: date) -> bool:
    return day.weekday() < 5 and day != HOLIDAY


def build_month(url: str) -> dict[str, Expected]:
    """Fills the database at url; returns the expected figures by name."""
    expected: dict[str, Expected] = {}
    with Store(url) as store:
        store.save_settings(replace(store.load_settings(), late_grace_min=5, holidays=HOLIDAY.isoformat()))
        for i in range(PEOPLE):
            name, group = f"Person {i:02d}", "Day shift" if i % 2 else "Office"
            person = store.enrol(
                np.eye(1, 4, i % 4, dtype=np.float32), "m", "1", 0.9, "photo", name=name, group=group
            ).person
            want = expected[name] = Expected(name, group)
            workdays = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
            for k, day in enumerate(d for d in workdays if working(d) or (d == SATURDAY and i < 3)):
                if working(day) and (k + i) % 9 == 0:
                    want.absent += 1
                    continue
                # Late by 20 minutes every fourth day for some; 09:04 is inside the 5-minute grace.
                arrive = (
                    local(day, 9, 20) if (k + i) % 4 == 0 else local(day, 9, 4) if i % 5 == 0 else local(day, 8, 50)
                )
                want.late += working(day) and arrive.hour == 9 and arrive.minute == 20
                stays = timedelta(hours=7 + i % 3, minutes=30 * (k % 2))
                record(store, person.id, arrive)
                want.days_present += 1
                want.present_on.add(day)
                if (k + 2 * i) % 11 == 0:  # forgot to check out: no hours that day
                    want.no_check_out += 1
                    continue
                if i % 3 == 0:  # out for lunch: a check-out that is not the last one
                    record(store, person.id, arrive + timedelta(hours=3))
                record(store, person.id, arrive + stays)
                want.hours += stays.total_seconds() / 3600
    return expected


def record(store: Store, person_id: int, when: datetime) -> None:
    stored = store.record_attendance(Event(person_id, None, when, CHECK_IN, 0.8, "gate"), CheckinRule(cooldown_s=300))
    assert stored.stored is not None
