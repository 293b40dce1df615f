"""The unlock challenge: turn your head the way a random prompt says, within a few seconds.

A photo or a screen held still cannot follow a prompt it could not know in advance. The turn is
read from the 5 landmarks alone: the nose tip moves sideways against the eyes as the head turns
(yaw), measured in inter-eye distances so it does not depend on how far away the face is. Pure
logic over (time, landmarks): the caller passes the time in, so tests replay recorded sequences.

Directions are the person's own: they face the camera, so turning to their left moves the nose
towards the right of an unmirrored camera frame.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import numpy as np

from core.i18n import QT_TRANSLATE_NOOP

Direction = Literal["left", "right"]
Status = Literal["pending", "passed", "failed"]
# Shown at the kiosk, translated there (context "Kiosk", core/i18n.py).
PROMPTS: dict[Direction, str] = {
    "left": QT_TRANSLATE_NOOP("Kiosk", "Turn your head to your left"),
    "right": QT_TRANSLATE_NOOP("Kiosk", "Turn your head to your right"),
}
# Why a challenge failed (ChallengeState.reason).
NO_TURN, WRONG_WAY, NOT_LIVE = (
    "no head turn in time",
    "the head turned the other way",
    "a photo or screen cannot unlock",
)
# In inter-eye distances: a frontal face sits within about +-0.1, a clear head turn (~30 degrees)
# moves the nose by 0.3 or more; 0.25 is a turn no one makes by holding still.
TURN = 0.25


def yaw_ratio(landmarks: np.ndarray) -> float:
    """Nose tip's offset from the eyes' midpoint along the eye line, in inter-eye distances;
    positive towards the right of the frame."""
    left_eye, right_eye, nose = (np.asarray(p, np.float64) for p in landmarks[:3])
    axis = right_eye - left_eye
    dist = float(np.linalg.norm(axis))
    if dist < 1e-6:
        return 0.0
    return float(np.dot(nose - (left_eye + right_eye) / 2, axis / dist) / dist)


@dataclass(frozen=True)
class ChallengeState:
    status: Status
    prompt: str
    reason: str | None = None


class HeadTurnChallenge:
    """Passes when the yaw moves at least TURN from where it started, the asked way, on `hold`
    consecutive frames before `timeout_s`; fails on a turn the other way or on time."""

    def __init__(self, direction: Direction, started: datetime, timeout_s: float = 5.0, hold: int = 2):
        if direction not in PROMPTS:
            raise ValueError(f"direction must be left or right, not {direction!r}")
        self.direction, self.started, self.timeout_s, self.hold = direction, started, timeout_s, hold
        self._sign = 1.0 if direction == "left" else -1.0
        self._baseline: float | None = None
        self._run = 0
        self.state = ChallengeState("pending", PROMPTS[direction])

    @classmethod
    def random(cls, started: datetime, timeout_s: float = 5.0) -> HeadTurnChallenge:
        # An attacker replaying a recorded turn must not be able to guess the prompt.
        return cls(secrets.choice(("left", "right")), started, timeout_s)

    def update(self, now: datetime, landmarks: np.ndarray | None) -> ChallengeState:
        """Feed the tracked face's landmarks (None when it is not seen this frame)."""
        if self.state.status != "pending":
            return self.state
        if (now - self.started).total_seconds() > self.timeout_s:
            return self._end("failed", NO_TURN)
        if landmarks is None:
            return self.state
        yaw = yaw_ratio(landmarks)
        if self._baseline is None:
            self._baseline = yaw
            return self.state
        moved = (yaw - self._baseline) * self._sign
        if moved <= -TURN:
            return self._end("failed", WRONG_WAY)
        self._run = self._run + 1 if moved >= TURN else 0
        if self._run >= self.hold:
            return self._end("passed")
        return self.state

    def fail(self, reason: str) -> ChallengeState:
        """End it from outside (the face was judged a photo or screen)."""
        return self._end("failed", reason)

    def _end(self, status: Status, reason: str | None = None) -> ChallengeState:
        self.state = ChallengeState(status, self.state.prompt, reason)
        return self.state
