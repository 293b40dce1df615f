"""A face track's evidence (core/kiosk/evidence.py) on real faces: a person whom no single frame
lets the student name is confirmed by their track, and a stranger's track is never confirmed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import cv2
import numpy as np
import pytest

from core.kiosk.evidence import TrackEvidence
from core.matching.cascade import Cascade
from core.settings import Settings
from core.types import Face, Match
from core.vision.imaging import image_files, load_image
from tests.conftest import SAMPLE_PERSON, SAMPLE_STRANGERS

START = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)
FRAME_STEP = timedelta(milliseconds=100)
FRAMES_NEEDED = 3
# A face far from the camera, out of focus and in a dim room: the sample frames shrunk to 60 %,
# blurred and darkened. The student's best score falls to 0.17-0.35 on every frame of Tom Hanks,
# well under its attendance threshold (0.47 for the five sample people); the detector still finds
# him on most frames.
SCALE, BLUR_SIGMA, GAIN = 0.6, 2.8, 0.85


def _poor(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    small = cv2.resize(frame, (round(w * SCALE), round(h * SCALE)), interpolation=cv2.INTER_AREA)
    out = np.full_like(frame, 128)
    top, left = (h - small.shape[0]) // 2, (w - small.shape[1]) // 2
    out[top : top + small.shape[0], left : left + small.shape[1]] = small
    return np.clip(cv2.GaussianBlur(out, (0, 0), BLUR_SIGMA) * GAIN, 0, 255).astype(np.uint8)


def _sightings(pipeline, frames: list[np.ndarray]) -> list[tuple[np.ndarray, Face]]:
    """(frame, its face) for the frames where the detector still finds the face."""
    # The kiosk's smallest face (core/kiosk/kiosk.py looks from Settings.min_face up).
    found = [(frame, pipeline.faces(frame, max_faces=1, min_face=Settings().min_face)) for frame in frames]
    return [(frame, faces[0]) for frame, faces in found if faces]


def _follow(cascade: Cascade, pipeline, sightings: list[tuple[np.ndarray, Face]]) -> list[Match | None]:
    """One track through TrackEvidence as the kiosk runs it: a sighting, then its verdict, per frame."""
    evidence = TrackEvidence(FRAMES_NEEDED, window_s=60.0)
    verdicts = []
    for i, (frame, face) in enumerate(sightings):
        evidence.add(1, START + i * FRAME_STEP, face, frame)
        verdicts.append(evidence.decide(1, cascade.decide, lambda s: pipeline.verify_embed(s.frame, [s.face])[0]))
    return verdicts


@pytest.fixture
def cascade(store, pipeline, sample_enrolled) -> Cascade:
    return Cascade(store, pipeline, store.load_settings(), unlock=False)


def test_a_track_confirms_someone_no_single_frame_lets_the_student_name(
    cascade, pipeline, sample_people, sample_enrolled
):
    frames = [_poor(load_image(f)) for f in image_files(sample_people[SAMPLE_PERSON].camera)]
    sightings = _sightings(pipeline, frames)
    assert len(sightings) > FRAMES_NEEDED
    # Frame by frame, the student names nobody: its best score on each is under its threshold.
    guesses = cascade.overlay(np.stack([face.embedding for _, face in sightings]))
    assert all(g.person_id is None and g.similarity < cascade.student_thresholds.attendance for g in guesses)

    verdicts = _follow(cascade, pipeline, sightings)
    assert verdicts[: FRAMES_NEEDED - 1] == [None] * (FRAMES_NEEDED - 1)  # too little evidence yet
    tom = sample_enrolled[SAMPLE_PERSON].id
    # Named on the first try, and the verdict is kept while the track is followed.
    assert all(v is not None and v.person_id == tom for v in verdicts[FRAMES_NEEDED - 1 :])
    assert verdicts[-1] is not None and verdicts[-1].similarity >= cascade.threshold


@pytest.mark.parametrize("stranger", SAMPLE_STRANGERS)
def test_a_strangers_track_is_never_confirmed(cascade, pipeline, sample_people, stranger):
    clear = [load_image(f) for f in image_files(sample_people[stranger].camera)]
    # Clear frames, then poor ones: the track is tried again as its evidence doubles (3, 6, 12 sightings).
    verdicts = _follow(cascade, pipeline, _sightings(pipeline, clear + [_poor(f) for f in clear]))
    tried = [v for v in verdicts if v is not None]
    assert len(tried) >= 2 and all(v.person_id is None for v in tried)
