"""Per-site liveness calibration: live people in front of the site's own camera for a minute, and
the threshold that refuses at most 1 % of their frames, never below the model's secure floor.

A camera, its lens and the light of a room move every live score a little; calibration fits the
threshold to them. It only trusts what it saw when the scene was live people: it refuses, and
nothing is changed, when

- too few frames held a face close enough to judge (MIN_SCORED): no face, or faces too far away;
- the face did not change between frames in half of them or more (the rule pad.TemporalRule.frozen
  applies at the kiosk): a picture fed in as frames;
- ATTACK_SHARE of the faces or more scored like an attack: below the secure floor and below the
  score under which ATTACK_MASS of the model's shipped attack scores lie (the floor alone where
  the model ships none). A live person's odd frame is rare; a print or a screen held up for part of
  the minute is not.

The largest face of each frame is scored, through the kiosk's detector and PadModel, as the kiosk
scores it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from core.errors import FaceGateError
from core.i18n import QT_TRANSLATE_NOOP, Phrase
from core.liveness.pad import FROZEN_CHANGE, HINT_GRAYSCALE, HIST_BINS, GrayscaleFrameError, PadModel, face_change
from core.settings import Settings
from core.vision.detect import Detector

CALIBRATE_S = 60.0
# At most this share of the live frames may score under the proposed threshold.
REFUSE_SHARE = 0.01
# Fewer judged frames than this say too little about the site's live scores.
MIN_SCORED = 30
ATTACK_SHARE = 0.1
ATTACK_MASS = 0.9
# Small faces are found too, so that a person standing too far away is told so.
DETECT_MIN_FACE = 20
NO_FACE = QT_TRANSLATE_NOOP(
    "Calibration", "no face seen: stand in front of the camera, one person at a time, and calibrate again"
)


def _says(template: str, **values: object) -> Phrase:
    # Shown by the Calibrate dialog in the screen's language (core/i18n.py).
    return Phrase("Calibration", template, **values)


class SettingsStore(Protocol):
    """What applying a calibration needs of core.store.Store (a later room)."""

    def load_settings(self) -> Settings: ...

    def save_settings(self, settings: Settings, *, actor: str = ...) -> None: ...

    def audit(self, actor: str, action: str, detail: str = "") -> None: ...


def histogram(scores: Iterable[float]) -> tuple[int, ...]:
    """Counts in the model's bins (HIST_BINS equal bins over 0..1), as pad.attack_hist holds them."""
    counts, _ = np.histogram(np.asarray(list(scores), dtype=float), bins=HIST_BINS, range=(0.0, 1.0))
    return tuple(int(c) for c in counts)


def attack_level(model: PadModel) -> float:
    """A face scoring under this looks like an attack: under the secure floor, and under most of
    the model's shipped attack scores where it ships them."""
    if model.attack_hist is None or sum(model.attack_hist) == 0:
        return model.secure_floor
    cumulative = np.cumsum(model.attack_hist) / sum(model.attack_hist)
    upper = (int(np.searchsorted(cumulative, ATTACK_MASS)) + 1) / HIST_BINS
    return min(model.secure_floor, upper)


@dataclass(frozen=True)
class Calibration:
    """frames: read; no_face / too_small: frames without a face, or with one too small to judge;
    scores: the live score of each judged frame. proposal is None when refusal says why not."""

    frames: int
    no_face: int
    too_small: int
    scores: tuple[float, ...]
    floor: float
    attack_hist: tuple[int, ...] | None
    proposal: float | None
    floor_wins: bool
    refusal: Phrase | None

    @property
    def live_hist(self) -> tuple[int, ...]:
        return histogram(self.scores)

    @property
    def refused(self) -> int:
        """The live frames the proposal would refuse."""
        return 0 if self.proposal is None else sum(s < self.proposal for s in self.scores)

    def summary(self) -> list[Phrase]:
        """What was seen and what is proposed, a line each."""
        lines = [
            _says(
                QT_TRANSLATE_NOOP(
                    "Calibration",
                    "{frames} frames: {judged} with a face judged, {no_face} without a face, "
                    "{too_small} with a face too small to judge",
                ),
                frames=self.frames,
                judged=len(self.scores),
                no_face=self.no_face,
                too_small=self.too_small,
            )
        ]
        if self.proposal is None:
            return lines
        share = 100 * self.refused / len(self.scores)
        lines.append(
            _says(
                QT_TRANSLATE_NOOP(
                    "Calibration",
                    "proposed liveness threshold {threshold}: refuses {refused} of these {judged} live frames "
                    "({share} %)",
                ),
                threshold=f"{self.proposal:.3f}",
                refused=self.refused,
                judged=len(self.scores),
                share=f"{share:.1f}",
            )
        )
        if self.floor_wins:
            lines.append(
                _says(
                    QT_TRANSLATE_NOOP(
                        "Calibration",
                        "the secure floor wins: refusing only {share} % of these frames needs a threshold under "
                        "the model's secure floor {floor}, which would let photos and screens through; better "
                        "light or a closer camera lowers the share refused",
                    ),
                    share=f"{100 * REFUSE_SHARE:g}",
                    floor=f"{self.floor:.3f}",
                )
            )
        return lines

    def apply(self, store: SettingsStore, actor: str) -> None:
        """Saves the proposal as the site's liveness threshold (audited as a settings change)."""
        if self.proposal is None:
            raise FaceGateError(f"{self.refusal}; nothing was changed")
        store.save_settings(replace(store.load_settings(), pad_threshold=self.proposal), actor=actor)
        store.audit(
            actor,
            "calibrate liveness",
            f"threshold {self.proposal:.3f} from {len(self.scores)} live frames, secure floor {self.floor:.3f}"
            + (" (the floor won)" if self.floor_wins else ""),
        )


class LiveScores:
    """Collects the live score of the largest face of each frame fed to it; result() proposes.
    A camera thread may feed it while another asks for the result."""

    def __init__(self, model: PadModel):
        self.model = model
        self._lock = threading.Lock()
        self.detector = Detector(min_face=DETECT_MIN_FACE)
        self.frames = self.no_face = self.too_small = 0
        self.scores: list[float] = []
        self._changes: list[float] = []
        self._sample: np.ndarray | None = None
        self._gray = False

    def feed(self, frame: np.ndarray) -> None:
        with self._lock:
            self._feed(frame)

    def _feed(self, frame: np.ndarray) -> None:
        self.frames += 1
        faces = self.detector.detect(frame)[:1]
        if not faces:
            self.no_face += 1
            return
        try:
            (score,) = self.model.score(frame, faces)
        except GrayscaleFrameError:
            self._gray = True
            return
        if score.live is None:
            self.too_small += 1
            return
        self.scores.append(score.live)
        self._sample, change = face_change(self._sample, frame, faces[0].box)
        if change is not None:
            self._changes.append(change)

    def result(self) -> Calibration:
        with self._lock:
            return self._result()

    def _result(self) -> Calibration:
        scores = np.asarray(self.scores)
        refusal = self._refusal(scores)
        proposal, floor_wins = None, False
        if refusal is None:
            # Scores under the k-th lowest are at most k frames; rounded down, so no more.
            k = int(REFUSE_SHARE * len(scores))
            quantile = float(np.floor(np.sort(scores)[k] * 1000) / 1000)
            floor_wins = quantile < self.model.secure_floor
            proposal = max(quantile, self.model.secure_floor)
        return Calibration(
            self.frames,
            self.no_face,
            self.too_small,
            tuple(self.scores),
            self.model.secure_floor,
            self.model.attack_hist,
            proposal,
            floor_wins,
            refusal,
        )

    def _refusal(self, scores: np.ndarray) -> Phrase | None:
        if self.frames == 0:
            return _says(QT_TRANSLATE_NOOP("Calibration", "the camera gave no frames"))
        if self._gray:
            return Phrase("Kiosk", HINT_GRAYSCALE)
        if len(scores) == 0 and self.too_small == 0:
            return _says(NO_FACE)
        if len(scores) < MIN_SCORED:
            return _says(
                QT_TRANSLATE_NOOP(
                    "Calibration",
                    "only {judged} frames held a face close enough to judge ({needed} needed): "
                    "stand closer to the camera, and calibrate for longer",
                ),
                judged=len(scores),
                needed=MIN_SCORED,
            )
        still = sum(c < FROZEN_CHANGE for c in self._changes)
        if 2 * still >= len(self._changes):
            return _says(
                QT_TRANSLATE_NOOP(
                    "Calibration",
                    "the face did not change from frame to frame: this is a still picture fed in as a camera, "
                    "not live people; calibrate on the real camera",
                )
            )
        level = attack_level(self.model)
        attacks = int((scores < level).sum())
        if attacks >= ATTACK_SHARE * len(scores):
            return _says(
                QT_TRANSLATE_NOOP(
                    "Calibration",
                    "{attacks} of {judged} faces scored like a photo or screen (under {level}): "
                    "calibrate with live people only, no photos or screens in view",
                ),
                attacks=attacks,
                judged=len(scores),
                level=f"{level:.2f}",
            )
        return None


def calibrate(model: PadModel, frames: Iterable[np.ndarray]) -> Calibration:
    """The calibration over every frame of `frames` (the caller stops a camera after its time)."""
    collector = LiveScores(model)
    for frame in frames:
        collector.feed(frame)
    return collector.result()
