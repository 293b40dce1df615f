"""Attendance corrections on a real SQLite file: an added, moved or voided event changes what the
summary, the exports and the check-in rule see, while the original and the trail stay."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from alembic import command
from sqlalchemy import create_engine, insert

from core.days import day_range
from core.errors import FaceGateError
from core.reports.rollcall import who_is_in
from core.store import CheckinRule, Store
from core.store.engine import alembic_config
from core.store.schema import EventRow, PersonRow
from core.types import CHECK_IN, CHECK_OUT, Event

UTC = timezone.utc
D = date(2024, 3, 4)
H = timedelta(hours=1)
AUTO = CheckinRule(cooldown_s=300, checkout_min_gap_s=7200, max_shift_s=16 * 3600)


@pytest.fixture
def store(any_db_url):
    """A real SQLite file, and a PostgreSQL server where one is installed."""
    with Store(any_db_url) as s:
        yield s


def at(hour: float) -> datetime:
    return datetime(D.year, D.month, D.day, tzinfo=UTC) + hour * H


def person(store: Store, name: str) -> int:
    return store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name=name).person.id


def sight(store: Store, pid: int, when: datetime):
    return store.record_attendance(Event(pid, None, when, CHECK_IN, 0.8, "door"), AUTO, UTC).stored


def summary(store: Store):
    start, end = day_range(D, D, UTC)
    return [(d.name, d.first_in, d.last_out) for d in store.daily_summary(start, end, UTC, max_shift_s=16 * 3600)]


def exported(store: Store) -> list[dict[str, str]]:
    out = io.StringIO()
    store.write_csv(out, *day_range(D, D, UTC))
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_a_voided_event_leaves_the_summary_and_export_and_stays_in_the_audit(store):
    ann = person(store, "Ann")
    sight(store, ann, at(8))
    out = sight(store, ann, at(17))
    assert summary(store) == [("Ann", at(8), at(17))]
    voided = store.void_attendance(out.uid[:8], "walked past the kiosk at lunch", actor="admin")
    assert voided.uid == out.uid
    assert summary(store) == [("Ann", at(8), None)]
    assert [r["kind"] for r in exported(store)] == ["check-in"]
    entries = store.audit_between(at(-24), datetime.now(UTC) + H, kinds=["correction"])
    assert [(e.action, e.actor) for e in entries] == [("correct attendance: void", "admin")]
    assert "walked past the kiosk at lunch" in entries[0].detail
    # Kept: listed with the voided ones, and in the trail with its time.
    start, end = day_range(D, D, UTC)
    kept = store.corrected_events(start, end, voided=True)
    assert [(c.event.uid, c.voided) for c in kept] == [(kept[0].event.uid, False), (out.uid, True)]
    assert [(c.action, c.old_time, c.new_time) for c in store.corrections(start, end)] == [("void", at(17), None)]
    with pytest.raises(FaceGateError, match="voided already"):
        store.void_attendance(out.uid, "again", actor="admin")
    with pytest.raises(FaceGateError, match="voided already"):
        store.edit_attendance(out.uid, at(18), "move it", actor="admin")


def test_the_check_in_rule_ignores_a_voided_check_in(store):
    bob = person(store, "Bob")
    wrong = sight(store, bob, at(7))
    assert [i.name for i in who_is_in(store, at(8), UTC)] == ["Bob"]
    store.void_attendance(wrong.uid, "a colleague's face was matched", actor="admin")
    assert who_is_in(store, at(8), UTC) == []  # the roll-call reads the corrected view too
    assert sight(store, bob, at(9)).kind == CHECK_IN  # not the check-out it would have been
    assert store.people_facts("m")[bob].last_seen == at(9)


def test_an_edit_moves_the_event_and_keeps_the_kiosk_time_in_the_trail(store):
    cy = person(store, "Cy")
    first = sight(store, cy, at(8.2))
    store.edit_attendance(first.uid, at(8), "the queue at the door", actor="admin")
    store.edit_attendance(first.uid, at(7.5), "really half past seven", actor="admin")
    assert summary(store) == [("Cy", at(7.5), None)]
    start, end = day_range(D, D, UTC)
    [corrected] = store.corrected_events(start, end)
    assert corrected.original_time == at(8.2) and not corrected.added and not corrected.voided
    trail = store.corrections(start, end)
    assert [(c.action, c.old_time, c.new_time, c.reason) for c in trail] == [
        ("edit", at(8.2), at(8), "the queue at the door"),
        ("edit", at(8), at(7.5), "really half past seven"),
    ]


def test_a_missed_check_out_is_added_and_marked(store):
    dee = person(store, "Dee")
    sight(store, dee, at(8))
    added = store.add_attendance(dee, CHECK_OUT, at(16), "left by the back door", actor="admin")
    assert added.kiosk_id == "admin"
    assert summary(store) == [("Dee", at(8), at(16))]
    start, end = day_range(D, D, UTC)
    assert [c.added for c in store.corrected_events(start, end)] == [False, True]
    out = io.StringIO()
    assert store.write_corrections_csv(out, start, end) == 1
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["action"], row["person"], row["kind"], row["reason"]) == (
        "add",
        "Dee",
        "check-out",
        "left by the back door",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s, uid: s.void_attendance(uid, "   ", actor="admin"), "needs a reason"),
        (lambda s, uid: s.void_attendance(uid, "x" * 300, actor="admin"), "too long"),
        (lambda s, uid: s.void_attendance("12345", "typo", actor="admin"), "at least 6"),
        (lambda s, uid: s.void_attendance("zzzzzzzz", "typo", actor="admin"), "not an event id"),
        (lambda s, uid: s.void_attendance("abcdef0123", "typo", actor="admin"), "no event"),
        (lambda s, uid: s.edit_attendance(uid, datetime.now(UTC) + H, "later", actor="admin"), "future"),
    ],
)
def test_bad_corrections_are_refused_and_change_nothing(store, change, message):
    eve = person(store, "Eve")
    uid = sight(store, eve, at(8)).uid
    with pytest.raises(FaceGateError, match=message):
        change(store, uid)
    assert summary(store) == [("Eve", at(8), None)]
    assert store.corrections(*day_range(D, D, UTC)) == []


def test_an_ambiguous_prefix_is_refused(store):
    fay = person(store, "Fay")
    for i, uid in enumerate(("aaaaaa01" + "0" * 24, "aaaaaa02" + "0" * 24)):
        store.record_event(Event(fay, None, at(8 + 3 * i), CHECK_IN, 0.8, "door", uid))
    with pytest.raises(FaceGateError, match="more than one"):
        store.void_attendance("aaaaaa", "typo", actor="admin")
    store.void_attendance("aaaaaa02", "typo", actor="admin")


def test_a_database_at_0005_is_upgraded_and_its_events_stay(tmp_path):
    url = f"sqlite:///{tmp_path / 'facegate.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
        now = datetime.now(UTC)
        connection.execute(insert(PersonRow.__table__).values(name="Gus", name_key="gus", active=True, created_at=now))
        connection.execute(
            insert(EventRow.__table__).values(
                person_id=1, time=at(8), kind=CHECK_IN, similarity=0.8, kiosk_id="door", uid="b" * 32
            )
        )
    engine.dispose()
    with Store(url) as store:
        assert summary(store) == [("Gus", at(8), None)]
        store.void_attendance("bbbbbbbb", "test row", actor="admin")
        assert summary(store) == []
