"""The unlock head-turn challenge fed landmark sequences the detector found on real photos of one
person: frontal frames, then the head turned, frame by frame at 10 fps."""

from datetime import datetime, timedelta, timezone

import cv2
import pytest

from core.liveness.challenge import PROMPTS, TURN, HeadTurnChallenge, yaw_ratio
from core.vision.imaging import load_image

PERSON = "George_W_Bush"
FRONTAL = ("0203", "0065", "0482")  # |yaw| < 0.06
TURNING = ("0150", "0238", "0145")  # yaw -0.18, -0.22, -0.51: the nose towards the frame's left
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
STEP = timedelta(milliseconds=100)


@pytest.fixture(scope="module")
def landmarks(lfw, detector):
    def of(number, mirrored=False):
        image = load_image(lfw / PERSON / f"{PERSON}_{number}.jpg")
        if mirrored:
            image = cv2.flip(image, 1)
        return detector.detect(image)[0].landmarks

    return of


def _sequence(landmarks, mirrored=False):
    frames = [landmarks(n, mirrored) for n in FRONTAL] + [landmarks(n, mirrored) for n in TURNING]
    return frames + frames[-1:] * 2  # and holds the turn


def _play(challenge, frames):
    state = challenge.state
    for i, lm in enumerate(frames):
        state = challenge.update(START + i * STEP, lm)
    return state


def test_yaw_follows_the_nose_and_flips_with_the_mirror(landmarks):
    turned = landmarks("0145")
    assert yaw_ratio(turned) < -2 * TURN
    assert yaw_ratio(landmarks("0145", mirrored=True)) == pytest.approx(-yaw_ratio(turned), abs=0.1)
    assert all(abs(yaw_ratio(landmarks(n))) < 0.1 for n in FRONTAL)


def test_a_head_turning_as_asked_passes(landmarks):
    # Nose towards the frame's left is the person's right (they face the camera).
    state = _play(HeadTurnChallenge("right", START), _sequence(landmarks))
    assert state.status == "passed" and state.prompt == PROMPTS["right"]
    assert _play(HeadTurnChallenge("left", START), _sequence(landmarks, mirrored=True)).status == "passed"


def test_a_turn_the_wrong_way_fails(landmarks):
    state = _play(HeadTurnChallenge("left", START), _sequence(landmarks))
    assert state.status == "failed" and "other way" in state.reason
    # Once failed it stays failed, whatever follows.
    assert _play(HeadTurnChallenge("right", START), _sequence(landmarks, mirrored=True)).status == "failed"


def test_a_still_head_fails_on_time(landmarks):
    challenge = HeadTurnChallenge("left", START, timeout_s=3.0)
    still = landmarks(FRONTAL[0])
    states = [challenge.update(START + i * STEP, still) for i in range(40)]
    assert {s.status for s in states[:30]} == {"pending"}
    assert states[-1].status == "failed" and "in time" in states[-1].reason


def test_one_frame_of_turn_is_not_enough(landmarks):
    # A single odd landmark set (a detector glitch) must not pass: the turn is held two frames.
    frames = [landmarks(FRONTAL[0]), landmarks("0145"), landmarks(FRONTAL[0]), landmarks(FRONTAL[1])]
    assert _play(HeadTurnChallenge("right", START), frames).status == "pending"


def test_random_prompts_cover_both_ways():
    assert {HeadTurnChallenge.random(START).direction for _ in range(64)} == {"left", "right"}
