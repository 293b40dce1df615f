"""Enrolment, check-in, cooldown and unlock end to end on the shipped sample faces, so that the
app's flows are tested on a checkout without ../shared (tests/fixtures.py's sample_people).

The cameras play still photos, which liveness rightly refuses (the liveness tests' subject: tests/liveness/), so
liveness and the unlock challenge are off here.
"""

import re
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from core.kiosk.kiosk import Kiosk
from core.kiosk.sources import open_source
from core.store import Store
from core.types import CHECK_IN, CHECK_OUT, UNLOCK
from core.vision.imaging import image_files
from tests.conftest import SAMPLE_ENROLLED, SAMPLE_PERSON, SAMPLE_STRANGERS, recognition_only

DAY = (datetime.now(timezone.utc) - timedelta(days=1), datetime.now(timezone.utc) + timedelta(days=1))
# Noon today, local time: a check-in and a check-out a cooldown later fall on the same day.
NOON = datetime.now().astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
FRAME_STEP = timedelta(milliseconds=100)


def _play(kiosk, folder, start=None):
    """Every frame of the folder through the kiosk; with start, frames FRAME_STEP apart from it."""
    with open_source(folder) as source:
        return [
            kiosk.process(frame, now=None if start is None else start + i * FRAME_STEP)
            for i, frame in enumerate(source)
        ]


def _events(results):
    return [(e.name, e.kind) for r in results for e in r.events]


@pytest.fixture(autouse=True)
def _recognition_only(store):
    recognition_only(store)


def test_the_student_tells_the_sample_people_apart(store, pipeline, sample_enrolled, sample_people):
    # What the flows below rely on: every camera frame shows one face, named as its own person
    # (by the student's guess, then by the track's verdict), and a stranger's is never named: the
    # student's guess stays below its attendance threshold.
    kiosk = Kiosk(store, pipeline)
    for name, person in sample_people.items():
        frames = image_files(person.camera)
        faces = [face for r in _play(kiosk, person.camera) for face in r.faces]
        assert len(faces) == len(frames), name
        if name in sample_enrolled:
            assert {f.person_id for f in faces} == {sample_enrolled[name].id}, name
        else:
            assert not any(f.known for f in faces), name
            assert max(f.similarity for f in faces) < kiosk.cascade.student_thresholds.attendance, name


def test_each_enrolled_person_checks_in_once_as_themselves_and_strangers_never(
    store, pipeline, sample_enrolled, sample_people, sample_stranger_folder
):
    kiosk = Kiosk(store, pipeline)
    assert not _events(_play(kiosk, sample_stranger_folder))
    for name in SAMPLE_ENROLLED:
        assert _events(_play(kiosk, sample_people[name].camera)) == [(name, CHECK_IN)]
    assert sorted((e.name, e.kind) for e in store.events(*DAY)) == sorted((n, CHECK_IN) for n in SAMPLE_ENROLLED)


def test_cooldown_keeps_a_second_pass_from_doubling_the_event(store, pipeline, sample_enrolled, sample_person_folder):
    kiosk = Kiosk(store, pipeline)
    cooldown = timedelta(seconds=store.load_settings().cooldown_s)
    assert _events(_play(kiosk, sample_person_folder, NOON)) == [(SAMPLE_PERSON, CHECK_IN)]
    gap = timedelta(seconds=store.load_settings().checkout_min_gap_s)
    # Walking past again within the cooldown, or after it but before the minimum gap, records
    # nothing; after the gap, the day's last sighting is the check-out.
    assert not _events(_play(kiosk, sample_person_folder, NOON + cooldown / 2))
    assert not _events(_play(kiosk, sample_person_folder, NOON + 2 * cooldown))
    assert _events(_play(kiosk, sample_person_folder, NOON + gap)) == [(SAMPLE_PERSON, CHECK_OUT)]
    assert [e.kind for e in store.events(*DAY)] == [CHECK_IN, CHECK_OUT]


def test_unlock_opens_for_the_chosen_person_only(store, pipeline, sample_enrolled, sample_people):
    # Everyone here is enrolled and recognised; the door is for one of them.
    chosen = sample_enrolled[SAMPLE_PERSON]
    kiosk = Kiosk(store, pipeline, unlock_for=[chosen.id])
    for name in SAMPLE_ENROLLED:
        if name != SAMPLE_PERSON:
            assert not any(r.events for r in _play(kiosk, sample_people[name].camera)), name
    events = [e for r in _play(kiosk, sample_people[SAMPLE_PERSON].camera) for e in r.events]
    assert events and {(e.kind, e.person_id) for e in events} == {(UNLOCK, chosen.id)}


def test_cli_enroll_then_checkin_from_a_folder_camera(
    tmp_path, cli_env, facegate, pipeline, sample_people, camera_folder
):
    def run(*args):
        return subprocess.run([*facegate, *args], env=cli_env, capture_output=True, text=True, timeout=120)

    for name in (SAMPLE_PERSON, "Group 1"):
        done = run("enroll", name, *map(str, sample_people[name].photos))
        assert done.returncode == 0, done.stderr
        assert f"enrolled {name} (#" in done.stdout and done.stdout.count(": ok") == len(sample_people[name].photos)
    with Store(f"sqlite:///{(tmp_path / 'facegate.db').as_posix()}") as store:
        recognition_only(store)
    # Tom Hanks, then the strangers, then Group 1 walk past the camera.
    names = (SAMPLE_PERSON, *SAMPLE_STRANGERS, "Group 1")
    camera = camera_folder("walk", [f for name in names for f in image_files(sample_people[name].camera)], repeats=1)

    done = run("checkin", "--camera", str(camera))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [re.match(r"check-in: (.+?) at ", line).group(1) for line in lines] == [SAMPLE_PERSON, "Group 1"]
    # A second run within the cooldown (a restarted kiosk) records nothing more.
    done = run("checkin", "--camera", str(camera), "--stats")
    assert done.returncode == 0, done.stderr
    assert not any(line.startswith("check-in") for line in done.stdout.splitlines())
    assert re.fullmatch(r"fps=\d+\.\d", done.stdout.splitlines()[-1])
    with Store(f"sqlite:///{(tmp_path / 'facegate.db').as_posix()}") as store:
        assert sorted(e.name for e in store.events(*DAY)) == sorted([SAMPLE_PERSON, "Group 1"])
