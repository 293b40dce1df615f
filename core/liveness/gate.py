"""Per-face liveness over time: each face is followed by a track and judged on its recent frames.

Sits between the pipeline's faces and the attendance/unlock rules (core/kiosk/kiosk.py): a face whose
track is not judged live passes nobody to the rules. With PAD turned off every face counts as live
but is still tracked (the unlock challenge follows one head).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from core.liveness.pad import (
    HINT_ATTACK,
    HINT_CLOSER,
    GrayscaleFrameError,
    PadModel,
    PadScore,
    TemporalRule,
    face_change,
)
from core.liveness.tracking import IouTracker
from core.types import Face


@dataclass(frozen=True)
class FaceLiveness:
    """live: None while the track is too new to judge (or the face too small / frame gray).
    new_attack is True on the one frame a track is first judged an attack (audit it once)."""

    track: int
    live: bool | None
    score: float | None = None
    hint: str | None = None
    new_attack: bool = False
    # Why the face is not judged live, for an operator's log (`checkin -v`): "photo or screen",
    # "frozen frame" (the live score passes, the picture does not move), "face too small".
    refusal: str | None = None


class LivenessGate:
    def __init__(self, model: PadModel | None, tracker: IouTracker | None = None):
        self.model = model
        self.tracker = tracker or IouTracker()
        self._rules: dict[int, TemporalRule] = {}
        self._refused: set[int] = set()
        self._samples: dict[int, np.ndarray] = {}

    def update(self, now: datetime, frame: np.ndarray, faces: Sequence[Face]) -> tuple[list[FaceLiveness], str | None]:
        """A verdict per face, and a hint for the whole frame (a grayscale camera)."""
        tracks = self.tracker.update(now, [f.box for f in faces])
        active = self.tracker.active()
        self._rules = {t: r for t, r in self._rules.items() if t in active}
        self._refused &= active
        self._samples = {t: s for t, s in self._samples.items() if t in active}
        if self.model is None:
            return [FaceLiveness(t, True) for t in tracks], None
        try:
            scores = self.model.score(frame, faces)
        except GrayscaleFrameError as exc:
            return [FaceLiveness(t, None, hint=str(exc)) for t in tracks], str(exc)
        out = []
        for track, score, face in zip(tracks, scores, faces):
            rule = self._rules.setdefault(track, TemporalRule(self.model.threshold))
            self._samples[track], change = face_change(self._samples.get(track), frame, face.box)
            live = rule.add(score, change)
            new_attack = live is False and track not in self._refused
            if live is False:
                self._refused.add(track)
            hint = HINT_CLOSER if score.verdict == "too-small" else HINT_ATTACK if live is False else None
            out.append(FaceLiveness(track, live, rule.median, hint, new_attack, _refusal(score, rule, live)))
        return out, None


def _refusal(score: PadScore, rule: TemporalRule, live: bool | None) -> str | None:
    if score.verdict == "too-small":
        return "face too small"
    if live is not False:
        return None
    median = rule.median
    return "frozen frame" if rule.frozen and median is not None and median >= rule.threshold else "photo or screen"
