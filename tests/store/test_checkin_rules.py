"""The check-in rules on a real SQLite file: the minimum gap before a check-out, night shifts that
belong to the day they began, directions chosen on the kiosk, and exports that keep to a person,
a group, the summary or the unlocks."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from core.days import day_range
from core.store import CheckinRule, Store
from core.store.export import SUMMARY_HEADER, shift_time
from core.types import CHECK_IN, CHECK_OUT, UNLOCK, Event

UTC = timezone.utc
D = date(2024, 3, 4)
H = timedelta(hours=1)
# The Settings defaults: 5 min cooldown, 2 h before a check-out, shifts of up to 16 h.
AUTO = CheckinRule(cooldown_s=300, checkout_min_gap_s=7200, max_shift_s=16 * 3600)
BUTTONS = CheckinRule(cooldown_s=300, checkout_min_gap_s=7200, max_shift_s=16 * 3600, chosen=True)


@pytest.fixture
def store(any_db_url):
    """A real SQLite file, and a PostgreSQL server where one is installed."""
    with Store(any_db_url) as s:
        yield s


def at(day: date, hour: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + hour * H


def person(store: Store, name: str, group: str | None = None) -> int:
    return store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name=name, group=group).person.id


def sight(store: Store, pid: int, when: datetime, rule: CheckinRule = AUTO, kind=CHECK_IN):
    return store.record_attendance(Event(pid, None, when, kind, 0.8, "door"), rule, UTC)


def days(day: date) -> tuple[datetime, datetime]:
    return day_range(day, day, UTC)


def read(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f))


def test_a_night_shift_across_midnight_is_one_day_the_day_it_began(store):
    nina = person(store, "Nina")
    assert sight(store, nina, at(D, 22)).stored.kind == CHECK_IN
    out = sight(store, nina, at(D, 30))  # 06:00 the next morning
    assert out.stored.kind == CHECK_OUT
    # The next evening is the next shift, although a check-out was stored that day.
    assert sight(store, nina, at(D, 46)).stored.kind == CHECK_IN
    (night,) = store.daily_summary(*days(D), UTC, max_shift_s=AUTO.max_shift_s)
    assert (night.day, night.first_in, night.last_out) == (D, at(D, 22), at(D, 30))
    assert shift_time(night.last_out, night, UTC) == "06:00 +1"
    # The morning's check-out belongs to the day before: the next day shows only its own shift.
    (next_night,) = store.daily_summary(*days(D + timedelta(days=1)), UTC, max_shift_s=AUTO.max_shift_s)
    assert (next_night.day, next_night.first_in, next_night.last_out) == (D + timedelta(days=1), at(D, 46), None)


def test_without_a_shift_length_every_day_starts_at_midnight(store):
    nina = person(store, "Nina")
    rule = CheckinRule(cooldown_s=300, checkout_min_gap_s=7200, max_shift_s=0)
    assert [sight(store, nina, at(D, h), rule).stored.kind for h in (22, 30)] == [CHECK_IN, CHECK_IN]


def test_a_check_out_waits_for_the_minimum_gap_and_says_what_stands(store):
    ann = person(store, "Ann")
    first = sight(store, ann, at(D, 8)).stored
    # Walking past again at 08:10 (past the 5 min cooldown) is no check-out: nothing is stored and
    # the answer carries the check-in, for "already checked in at 08:00".
    early = sight(store, ann, at(D, 8 + 10 / 60))
    assert early.stored is None and early.earlier == first
    assert sight(store, ann, at(D, 9.99)).stored is None
    assert sight(store, ann, at(D, 10)).stored.kind == CHECK_OUT
    # After a check-out the last-out moves on, the gap counting from the check-in.
    assert sight(store, ann, at(D, 17)).stored.kind == CHECK_OUT
    assert [e.kind for e in store.events(*days(D))] == [CHECK_IN, CHECK_OUT, CHECK_OUT]
    (day,) = store.daily_summary(*days(D), UTC)
    assert (day.first_in, day.last_out) == (at(D, 8), at(D, 17))


def test_buttons_mode_stores_the_chosen_direction(store):
    bo = person(store, "Bo")
    # Out first thing (they forgot to check in): stored as chosen, not turned into a check-in.
    assert sight(store, bo, at(D, 7), BUTTONS, CHECK_OUT).stored.kind == CHECK_OUT
    assert sight(store, bo, at(D, 8), BUTTONS, CHECK_IN).stored.kind == CHECK_IN
    # In again a minute later is a repeat; Out a minute later is what they chose (no minimum gap).
    again = sight(store, bo, at(D, 8 + 1 / 60), BUTTONS, CHECK_IN)
    assert again.stored is None and again.earlier.time == at(D, 8)
    assert sight(store, bo, at(D, 8 + 2 / 60), BUTTONS, CHECK_OUT).stored.kind == CHECK_OUT
    (day,) = store.daily_summary(*days(D), UTC, max_shift_s=BUTTONS.max_shift_s)
    assert (day.first_in, day.last_out) == (at(D, 8), at(D, 8 + 2 / 60))


def test_exports_keep_to_the_person_group_summary_or_unlocks(store, tmp_path):
    ann, bob, cy = person(store, "Ann", "staff"), person(store, "Bob", "staff"), person(store, "Cy", "visitors")
    for pid, hours in ((ann, (8, 17)), (bob, (9, 18)), (cy, (10,))):
        for h in hours:
            sight(store, pid, at(D, h))
    store.record_event(Event(ann, None, at(D, 12), UNLOCK, 0.9, "door"))
    span = days(D)

    path = tmp_path / "ann.csv"
    assert store.export_csv(path, *span, person_id=ann) == 2
    assert [(r[3], r[6]) for r in read(path)[1:]] == [("Ann", CHECK_IN), ("Ann", CHECK_OUT)]
    assert store.export_csv(path, *span, group="staff") == 4
    assert {r[3] for r in read(path)[1:]} == {"Ann", "Bob"}
    assert store.export_csv(path, *span) == 5
    assert UNLOCK not in {r[6] for r in read(path)[1:]}
    assert store.export_csv(path, *span, unlock=True) == 1
    assert [(r[3], r[6]) for r in read(path)[1:]] == [("Ann", UNLOCK)]

    assert store.export_summary_csv(path, *span, UTC, group="staff") == 2
    rows = read(path)
    summary = store.daily_summary(*span, UTC, group="staff")
    assert rows[0] == SUMMARY_HEADER
    assert rows[1:] == [
        [d.day.isoformat(), d.name, "", "staff", shift_time(d.first_in, d, UTC), shift_time(d.last_out, d, UTC)]
        for d in summary
    ]
    assert rows[1:] == [
        ["2024-03-04", "Ann", "", "staff", "08:00", "17:00"],
        ["2024-03-04", "Bob", "", "staff", "09:00", "18:00"],
    ]


@pytest.mark.parametrize("rule", [AUTO, BUTTONS])
def test_a_retried_sighting_returns_what_was_stored(store, rule):
    ann = person(store, "Ann")
    sighting = Event(ann, None, at(D, 8), CHECK_IN, 0.8, "door")
    first = store.record_attendance(sighting, rule, UTC)
    assert store.record_attendance(sighting, rule, UTC) == first
    assert len(store.events(*days(D))) == 1
