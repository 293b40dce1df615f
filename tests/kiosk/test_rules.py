"""AttendanceRules and UnlockRules on time-stepped frame sequences of synthetic track verdicts; the
kinds of attendance events as the Store, which alone decides them, stores the rules' sightings.
(How a track earns its verdict: tests/kiosk/test_evidence.py.)"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from core.kiosk.rules import AttendanceRules, UnlockRules, Verdict
from core.settings import Settings
from core.store import CheckinRule
from core.types import Event, Match

UTC = timezone.utc
T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
FRAME = timedelta(milliseconds=200)
ANN, BOB = Match(1, 0.7, "Ann"), Match(2, 0.6, "Bob")
UNKNOWN = Match(None, 0.9)


def rules(**kw) -> AttendanceRules:
    kw = {"cooldown_s": 300, "kiosk_id": "k1", **kw}
    return AttendanceRules(**kw)


def run(r, frames: list[list[Match]], start: datetime = T0, step: timedelta = FRAME) -> list[Event]:
    """The sightings (or unlocks) the rules report, frame by frame."""
    events = []
    for i, matches in enumerate(frames):
        # Each named person is their own track here (track id = person id).
        events += r.update(start + i * step, [Verdict(m.person_id or 0, m) for m in matches])
    return events


def stored(store, r, frames, start: datetime = T0, step: timedelta = FRAME, tz=UTC) -> list[Event]:
    """What the Store keeps of those sightings, as the kiosk sends them: the kinds it decided."""
    kept = (store.record_attendance(e, CheckinRule(r.cooldown_s), tz).stored for e in run(r, frames, start, step))
    return [e for e in kept if e is not None]


@pytest.fixture
def site(store):
    """A database where Ann and Bob are people 1 and 2, the ids ANN and BOB carry."""
    for name in ("Ann", "Bob"):
        store.enrol(np.ones(4, np.float32) / 2, "m", "1", 0.9, "photo", name=name)
    assert [p.id for p in store.list_people()] == [ANN.person_id, BOB.person_id]
    return store


def test_a_named_track_is_one_check_in(site):
    r = rules()
    (sighting,) = run(r, [[ANN]] * 3)
    expected = Event(1, "Ann", T0, "check-in", pytest.approx(0.7), "k1")
    assert site.record_attendance(sighting, CheckinRule(r.cooldown_s), UTC).stored == expected


def test_cooldown_suppresses_repeats_then_next_event_is_check_out(site):
    r = rules()
    assert [e.kind for e in stored(site, r, [[ANN]] * 20)] == ["check-in"]
    # Within the cooldown the kiosk does not even ask the database again.
    assert run(r, [[ANN]] * 5, start=T0 + timedelta(seconds=290)) == []
    later = stored(site, r, [[ANN]] * 3, start=T0 + timedelta(minutes=6))
    assert [(e.kind, e.time) for e in later] == [("check-out", T0 + timedelta(minutes=6))]


def test_first_event_of_a_new_day_is_a_check_in_again(site):
    r = rules()
    stored(site, r, [[ANN]] * 3)
    assert [e.kind for e in stored(site, r, [[ANN]] * 3, start=T0 + timedelta(days=1))] == ["check-in"]


def test_day_boundary_follows_the_given_time_zone(site):
    tokyo = timezone(timedelta(hours=9))
    r = rules()
    stored(site, r, [[ANN]] * 3, start=datetime(2024, 3, 4, 23, 0, tzinfo=UTC), tz=tokyo)  # 08:00 on the 5th there
    later = stored(site, r, [[ANN]] * 3, start=datetime(2024, 3, 5, 8, 0, tzinfo=UTC), tz=tokyo)
    assert [e.kind for e in later] == ["check-out"]


def test_unknown_faces_never_make_events():
    assert run(rules(), [[UNKNOWN]] * 30) == []


def test_two_people_in_the_same_frames_get_their_own_events(site):
    events = stored(site, rules(), [[ANN, BOB, UNKNOWN]] * 3)
    assert sorted((e.person_id, e.kind, e.similarity) for e in events) == [
        (1, "check-in", pytest.approx(0.7)),
        (2, "check-in", pytest.approx(0.6)),
    ]


def test_seed_keeps_check_out_and_cooldown_after_restart(site):
    site.record_attendance(Event(1, "Ann", T0, "check-in", 0.7, "k1"), CheckinRule(300), UTC)
    site.record_event(Event(2, "Bob", T0, "unlock", 0.9, "k1"))
    r = rules()  # a restarted kiosk remembers nothing: the database has the day
    assert stored(site, r, [[ANN]] * 3, start=T0 + timedelta(minutes=1)) == []  # still cooling down
    later = stored(site, r, [[ANN, BOB]] * 3, start=T0 + timedelta(hours=1))
    assert [e.kind for e in later] == ["check-out", "check-in"]


def test_a_second_kiosk_stores_the_days_second_sighting_as_a_check_out(site):
    stored(site, rules(kiosk_id="front"), [[ANN]] * 3)
    back = stored(site, rules(kiosk_id="back"), [[ANN]] * 3, start=T0 + timedelta(hours=8))
    assert [(e.kind, e.kiosk_id) for e in back] == [("check-out", "back")]


def test_from_settings_takes_the_cooldown_and_kiosk_id(site):
    r = AttendanceRules.from_settings(Settings(cooldown_s=60, kiosk_id="door"))
    assert stored(site, r, [[ANN]] * 2) == [Event(1, "Ann", T0, "check-in", pytest.approx(0.7), "door")]
    assert r.cooldown_s == 60


def test_unlock_needs_a_target_person():
    unlock = UnlockRules({1, 3}, kiosk_id="k1")
    assert run(unlock, [[Match(2, 0.9, "Bob")]] * 5) == []  # not an allowed person
    # Once per track: the track stays named while followed, and opens the door once.
    events = run(unlock, [[Match(1, 0.7, "Ann"), Match(2, 0.9, "Bob")]] * 3)
    assert events == [Event(1, "Ann", T0, "unlock", pytest.approx(0.7), "k1")]
    assert run(UnlockRules.from_settings(Settings(), [1]), [[Match(None, 0.9)]] * 5) == []


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        rules().update(datetime(2024, 3, 4, 8, 0), [Verdict(1, ANN)])


def test_buttons_mode_reports_nobody_until_a_direction_is_chosen(site):
    r = AttendanceRules.from_settings(Settings(cooldown_s=300, kiosk_id="k1", checkin_mode="buttons"))
    assert run(r, [[ANN]] * 3) == [] and r.needs_direction
    r.choose("check-out")
    (out,) = run(r, [[ANN]] * 3, start=T0 + timedelta(seconds=1))
    assert out.kind == "check-out" and r.choice is None  # one press, one person
    rule = CheckinRule(r.cooldown_s, chosen=True)
    assert site.record_attendance(out, rule, UTC).stored.kind == "check-out"
    # In right after Out is stored; In pressed again within the cooldown is answered as a repeat.
    r.choose("check-in")
    (back_in,) = run(r, [[ANN]], start=T0 + timedelta(seconds=30))
    assert site.record_attendance(back_in, rule, UTC).stored.kind == "check-in"
    r.choose("check-in")
    assert run(r, [[ANN]], start=T0 + timedelta(seconds=60)) == [] and r.repeats == [ANN.person_id]
    with pytest.raises(ValueError):
        r.choose("unlock")


def test_a_person_back_on_a_new_track_within_the_cooldown_is_a_repeat_once(site):
    r = rules()
    run(r, [[ANN]])
    # The same track standing there: nothing to say (the welcome is still showing).
    r.update(T0 + timedelta(seconds=5), [Verdict(1, ANN)])
    assert r.repeats == []
    r.update(T0 + timedelta(seconds=60), [Verdict(7, ANN)])  # they walked off and came back
    assert r.repeats == [ANN.person_id]
    r.update(T0 + timedelta(seconds=61), [Verdict(7, ANN)])
    assert r.repeats == []
