"""The kiosk loop on real faces: an enrolled person playing as the camera checks in once, a stranger never.

These play still photos of the shipped sample faces as the camera (no ../shared needed) to test
recognition and the attendance/unlock rules, so liveness and the unlock challenge are turned off
(a still photo is an attack to them; that is tests/liveness/test_liveness_in_the_kiosk.py's subject).
"""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from core.kiosk.kiosk import Kiosk, already_said, unlock_people
from core.kiosk.sources import open_source
from core.types import CHECK_IN, CHECK_OUT, UNLOCK
from tests.conftest import SAMPLE_PERSON, recognition_only

DAY = (datetime.now(timezone.utc) - timedelta(days=1), datetime.now(timezone.utc) + timedelta(days=1))


@pytest.fixture(autouse=True)
def _recognition_only(store):
    recognition_only(store)


# This module's person, cameras and strangers are the sample ones (tests/conftest.py), not LFW's:
# Tom Hanks among five enrolled, t1.jpg's two turned faces as the strangers.
@pytest.fixture
def enrolled(sample_enrolled):
    return sample_enrolled[SAMPLE_PERSON]


@pytest.fixture
def person_folder(sample_person_folder):
    return sample_person_folder


@pytest.fixture
def stranger_folder(sample_stranger_folder):
    return sample_stranger_folder


def _play(kiosk, folder):
    with open_source(folder) as source:
        return [kiosk.process(frame) for frame in source]


def test_enrolled_person_checks_in_exactly_once_and_fast(store, pipeline, enrolled, person_folder):
    kiosk = Kiosk(store, pipeline)
    confirmed_at = None
    results = []
    with open_source(person_folder) as source:
        for frame in source:
            result = kiosk.process(frame)
            results.append(result)
            if result.events and confirmed_at is None:
                confirmed_at = len(results)
                # Committed before the result could show it.
                assert [e.kind for e in store.events(*DAY)] == [CHECK_IN]
    events = [e for r in results for e in r.events]
    assert [(e.person_id, e.kind, e.name) for e in events] == [(enrolled.id, CHECK_IN, SAMPLE_PERSON)]
    assert len(store.events(*DAY)) == 1
    # Fast: confirmed on the K-th frame, the first the K-frame rule allows. The time that takes is
    # measured by `facegate checkin --camera DIR --stats` (fps) and `facegate bench`, not here.
    assert confirmed_at == store.load_settings().consecutive_frames
    # Nobody else is ever named, and he is named in (with the bundled student: every one of)
    # his frames; a hard photo that slips is what the K-frame rule absorbs.
    names = [face.name for r in results for face in r.faces]
    assert set(names) <= {SAMPLE_PERSON, None} and names.count(SAMPLE_PERSON) >= 0.9 * len(names)
    assert results[-1].fps > 0


def test_stranger_is_seen_but_never_recorded(store, pipeline, enrolled, stranger_folder):
    results = _play(Kiosk(store, pipeline), stranger_folder)
    assert all(r.faces and not any(face.known for face in r.faces) for r in results)
    assert not any(r.events for r in results)
    assert store.events(*DAY) == []


def test_restart_keeps_todays_check_in(store, pipeline, enrolled, person_folder):
    _play(Kiosk(store, pipeline), person_folder)
    # A new kiosk (the app restarted) seeds today's history: no second check-in within the cooldown.
    assert not any(r.events for r in _play(Kiosk(store, pipeline), person_folder))
    assert len(store.events(*DAY)) == 1


def test_seen_again_within_the_cooldown_says_already_checked_in_at(store, pipeline, enrolled, person_folder):
    (checked_in,) = [e for r in _play(Kiosk(store, pipeline), person_folder) for e in r.events]
    # A restarted kiosk (or the one by the other door) sees him again a moment later.
    results = _play(Kiosk(store, pipeline), person_folder)
    assert not any(r.events for r in results)
    (already,) = [e for r in results for e in r.already]
    assert already == checked_in
    assert already_said(already) == f"{SAMPLE_PERSON} — already checked in at {checked_in.time.astimezone():%H:%M}"
    assert len(store.events(*DAY)) == 1


def test_buttons_mode_records_the_direction_chosen(store, pipeline, enrolled, person_folder):
    store.save_settings(replace(store.load_settings(), checkin_mode="buttons"))
    kiosk = Kiosk(store, pipeline)
    with open_source(person_folder) as source:
        frames = list(source)
    waiting = [kiosk.process(frame) for frame in frames[:5]]
    assert not any(r.events for r in waiting) and waiting[-1].buttons and waiting[-1].direction is None
    assert "press In or Out" in (waiting[-1].hint or "")
    kiosk.choose(CHECK_OUT)
    results = [kiosk.process(frame) for frame in frames[5:]]
    assert [(e.person_id, e.kind) for r in results for e in r.events] == [(enrolled.id, CHECK_OUT)]
    assert [e.kind for e in store.events(*DAY)] == [CHECK_OUT]
    assert results[-1].direction is None  # used up by the person it recorded


def test_gallery_follows_the_store_after_invalidate(store, pipeline, enrolled, person_folder):
    kiosk = Kiosk(store, pipeline)
    store.deactivate(enrolled.id)
    kiosk.invalidate()
    assert not any(face.known for r in _play(kiosk, person_folder) for face in r.faces)


def test_unlock_for_the_chosen_person_or_the_admin_group(store, pipeline, enrolled, person_folder, stranger_folder):
    events = [e for r in _play(Kiosk(store, pipeline, unlock_for=[enrolled.id]), person_folder) for e in r.events]
    assert events and {(e.kind, e.person_id) for e in events} == {(UNLOCK, enrolled.id)}
    assert not any(r.events for r in _play(Kiosk(store, pipeline, unlock_for=[enrolled.id]), stranger_folder))
    store.update_person(replace(enrolled, group="admin"))
    assert unlock_people(store) == [enrolled.id]
    assert unlock_people(store, SAMPLE_PERSON.lower()) == [enrolled.id]


def test_unlock_needs_k_consecutive_frames_at_the_stricter_threshold(
    store, pipeline, enrolled, camera_folder, person_folder
):
    settings = store.load_settings()
    store.save_settings(replace(settings, consecutive_frames=4))
    photo = sorted(person_folder.iterdir())[0]
    kiosk = Kiosk(store, pipeline, unlock_for=[enrolled.id])
    assert kiosk.threshold == kiosk.thresholds.unlock >= settings.unlock_threshold > settings.match_threshold
    # Three frames of the person are one short of the four needed.
    assert not any(r.events for r in _play(kiosk, camera_folder("three", [photo], repeats=3)))
    kiosk = Kiosk(store, pipeline, unlock_for=[enrolled.id])
    assert any(r.events for r in _play(kiosk, camera_folder("four", [photo], repeats=4)))


def test_the_kiosk_sizes_faces_per_frame_and_leaves_the_shared_detector_alone(store, pipeline, enrolled, person_folder):
    # The kiosk's smallest face is larger than every face in the sample frames: it names nobody,
    # while the detector it shares with enrolment keeps its own size.
    store.save_settings(replace(store.load_settings(), min_face=900))
    before = pipeline.detector.min_face
    results = _play(Kiosk(store, pipeline), person_folder)
    assert not any(r.faces for r in results)
    assert pipeline.detector.min_face == before
