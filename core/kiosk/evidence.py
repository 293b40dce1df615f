"""A face track's evidence over its recent frames, and the one verdict it earns.

Requiring K frames that each pass alone turns real people away: one hard frame (a blink, a turn)
breaks the run. Instead a track collects its live sightings of the last window_s seconds; once it
has `frames_needed` of them, the verdict is taken on all of them at once: the quality-weighted mean
of the student's embeddings shortlists, and the mean of the verifier's embeddings of the
VERIFIER_FRAMES best sightings decides (core/matching/cascade.py). The verifier embeds each
sighting at most once, however often a verdict is retried.

A named track keeps its verdict while it is followed. A refused one is tried again as its evidence
doubles (at frames_needed, 2x, 4x ... sightings), so a stranger standing in front of the kiosk
costs the verifier a handful of runs, not one a frame. A retry's verifier frames are the best of
the sightings since the last try: the best ones overall were already refused, and a person who
turns towards the camera or steps into better light must be judged on that, not on the old frames.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from core.enrol.quality import frontal_pose
from core.types import Face, Match

# The verifier embeds this many of a track's best sightings per verdict.
VERIFIER_FRAMES = 3
# A face this many pixels wide is as sharp as the embedders' 112 px crops need.
FULL_QUALITY_PX = 112.0
# Below this student cosine with the track's mean, a sighting is another face on the same track
# (one person left and another stepped in where the tracker linked them): the evidence restarts,
# so no verdict is ever carried over to a different face. Same-person frames score far above it.
SAME_FACE = 0.3


def sighting_quality(face: Face) -> float:
    """How much one sighting counts: detector confidence x size (up to the crop's) x frontality."""
    return float(face.score) * min(face.size / FULL_QUALITY_PX, 1.0) * max(frontal_pose(face.landmarks)[1], 0.05)


@dataclass
class Sighting:
    time: datetime
    quality: float
    embedding: np.ndarray  # the student's
    frame: np.ndarray
    face: Face
    serial: int  # the track's count of live sightings when this one came
    verified: np.ndarray | None = None  # the verifier's, once a verdict needed it


@dataclass
class _Track:
    sightings: deque[Sighting]
    seen: int = 0  # live sightings since the track began, for the retry schedule
    next_try: int = 0
    tried: int = 0  # seen at the last verdict: later sightings are the fresh evidence
    verdict: Match | None = None  # a named verdict; refusals are retried, not kept


def unit(v: np.ndarray) -> np.ndarray:
    return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)


def _mean(sightings: deque[Sighting]) -> np.ndarray:
    return unit(np.mean(np.stack([s.embedding for s in sightings]), axis=0))


class TrackEvidence:
    def __init__(self, frames_needed: int, window_s: float, keep: int = 64):
        if frames_needed < 1 or window_s < 0:
            raise ValueError("need frames_needed >= 1 and window_s >= 0")
        self.frames_needed, self.window_s, self.keep = frames_needed, window_s, keep
        self._tracks: dict[int, _Track] = {}

    def prune(self, active: set[int]) -> None:
        """Forgets the tracks the tracker dropped."""
        self._tracks = {t: e for t, e in self._tracks.items() if t in active}

    def forget(self, track: int) -> None:
        """A track judged an attack earns nothing."""
        self._tracks.pop(track, None)

    def verdict(self, track: int) -> Match | None:
        entry = self._tracks.get(track)
        return entry.verdict if entry else None

    def add(self, track: int, now: datetime, face: Face, frame: np.ndarray) -> None:
        """One live sighting of track (face carries the student's embedding)."""
        if now.tzinfo is None:
            raise ValueError("frame time must be timezone-aware (UTC)")
        if face.embedding is None:
            raise ValueError("a sighting needs the student's embedding")
        entry = self._tracks.get(track)
        if entry is not None and float(face.embedding @ _mean(entry.sightings)) < SAME_FACE:
            entry = None
        if entry is None:
            entry = self._tracks[track] = _Track(deque(maxlen=self.keep), next_try=self.frames_needed)
        entry.seen += 1
        entry.sightings.append(Sighting(now, sighting_quality(face), face.embedding, frame, face, entry.seen))
        while (now - entry.sightings[0].time).total_seconds() > self.window_s:
            entry.sightings.popleft()

    def decide(
        self,
        track: int,
        judge: Callable[[np.ndarray, np.ndarray | None], Match],
        verify: Callable[[Sighting], np.ndarray] | None,
    ) -> Match | None:
        """The track's verdict: kept if named before; else judged now when its evidence is due
        (judge(student mean, verifier mean) is the cascade's), else None."""
        entry = self._tracks.get(track)
        if entry is None or entry.verdict is not None:
            return entry.verdict if entry else None
        if len(entry.sightings) < self.frames_needed or entry.seen < entry.next_try:
            return None
        sightings = list(entry.sightings)
        weights = np.array([s.quality for s in sightings], np.float64) + 1e-6
        student = unit(np.average(np.stack([s.embedding for s in sightings]), axis=0, weights=weights))
        verified = None
        if verify is not None:
            fresh = [s for s in sightings if s.serial > entry.tried] or sightings
            best = sorted(fresh, key=lambda s: -s.quality)[:VERIFIER_FRAMES]
            for s in best:
                if s.verified is None:
                    s.verified = verify(s)
            verified = unit(np.mean(np.stack([s.verified for s in best if s.verified is not None]), axis=0))
        match = judge(student, verified)
        entry.tried = entry.seen
        if match.person_id is not None:
            entry.verdict = match
            return match
        entry.next_try = 2 * entry.seen
        return match
