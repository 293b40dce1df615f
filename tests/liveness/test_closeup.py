"""A live person who leans in until the face fills the frame is still live.

The first fine-tuned model refused 16 of 40 such close-up selfie frames (issue #22): with the face
filling the frame the x2.7 context crop is clamped to the whole picture, unlike anything it saw in
training. This plays real webcam frames of one person, re-framed as close-ups, through the kiosk's
own liveness path (the bundled PadModel, the pipeline's faces, LivenessGate's tracks and temporal
rule).
"""

from datetime import datetime, timedelta, timezone

import cv2
import numpy as np
import pytest

from core.liveness.gate import LivenessGate
from core.liveness.pad import PadModel
from core.settings import Settings
from core.vision.imaging import load_image
from tests.fixtures import SHARED

LIVE_FRAMES = SHARED / "data" / "pad" / "replay" / "live"
# How much of the 480-px frame height the face box takes after re-framing.
FILL = 0.8


def close_up(frame: np.ndarray, box: np.ndarray) -> np.ndarray:
    """A 4:3 region around the face whose height is the face's / FILL, resized to 640x480."""
    face_h = float(box[3] - box[1])
    h = min(face_h / FILL, frame.shape[0])
    w = min(h * 4 / 3, frame.shape[1])
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    x1 = int(np.clip(cx - w / 2, 0, frame.shape[1] - w))
    y1 = int(np.clip(cy - h / 2, 0, frame.shape[0] - h))
    return cv2.resize(frame[y1 : y1 + int(h), x1 : x1 + int(w)], (640, 480), interpolation=cv2.INTER_LINEAR)


@pytest.mark.shared
def test_a_face_that_fills_the_frame_is_judged_live(pipeline):
    if not LIVE_FRAMES.is_dir():
        pytest.skip(f"live webcam frames not found at {LIVE_FRAMES}: ../shared/data/pad is needed")
    # One person's webcam session (the folder holds two people; the name before _ says whose).
    paths = sorted(p for p in LIVE_FRAMES.iterdir() if p.name.startswith("apfol_"))[:12]
    assert len(paths) == 12
    gate = LivenessGate(PadModel())
    start = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
    verdicts, fills = [], []
    for i, path in enumerate(paths):
        frame = load_image(path)
        # Found as the kiosk finds faces: from Settings.min_face up (core/kiosk/kiosk.py).
        frame = close_up(frame, pipeline.detector.detect(frame, min_face=Settings().min_face)[0].box)
        faces = pipeline.faces(frame, max_faces=1, min_face=Settings().min_face)
        assert faces, f"{path.name}: no face in the close-up"
        fills.append(float(faces[0].box[3] - faces[0].box[1]) / frame.shape[0])
        judged, hint = gate.update(start + timedelta(milliseconds=100 * i), frame, faces)
        assert hint is None
        verdicts.append(judged[0].live)
    # The re-framing really made close-ups: the detected face spans most of the frame's height.
    assert np.median(fills) > 0.6
    assert False not in verdicts, f"a close-up live face was refused: {verdicts}"
    assert verdicts[-1] is True
