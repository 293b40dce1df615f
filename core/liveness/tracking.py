"""Which face in this frame is which face in the last ones: a small IoU tracker.

Liveness is judged over a face's recent frames and the unlock challenge follows one head, so both
need the same face from frame to frame, and so does the verdict, taken on a track's frames
together (core/kiosk/evidence.py). Faces at a kiosk move little between frames, so the box overlap
links most of them; a face that moved further (a slow camera, a quick step) is linked to a track
left over when its centre is within `max_jump` face sides of it and its size within `max_scale`,
nearest first. A face gone for longer than `max_gap_s` starts a new track.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

import numpy as np


def iou(a: np.ndarray, b: np.ndarray) -> float:
    x1, y1 = max(a[0], b[0]), max(a[1], b[1])
    x2, y2 = min(a[2], b[2]), min(a[3], b[3])
    inter = max(0.0, float(x2 - x1)) * max(0.0, float(y2 - y1))
    union = float((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])) - inter
    return inter / union if union > 0 else 0.0


def _side(box: np.ndarray) -> float:
    return float(min(box[2] - box[0], box[3] - box[1]))


def _jump(a: np.ndarray, b: np.ndarray) -> float:
    """How far the box centre moved, in face sides (the larger of the two)."""
    moved = np.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2)
    return float(moved) / max(_side(a), _side(b), 1e-6)


def _alike(a: np.ndarray, b: np.ndarray, max_scale: float) -> bool:
    small, large = sorted((_side(a), _side(b)))
    return large <= max_scale * max(small, 1e-6)


@dataclass
class _Track:
    id: int
    box: np.ndarray
    seen: datetime


class IouTracker:
    def __init__(self, min_iou: float = 0.3, max_gap_s: float = 1.0, max_jump: float = 1.0, max_scale: float = 1.5):
        self.min_iou, self.max_gap_s = min_iou, max_gap_s
        self.max_jump, self.max_scale = max_jump, max_scale
        self._tracks: list[_Track] = []
        self._ids = itertools.count(1)

    def update(self, now: datetime, boxes: list[np.ndarray]) -> list[int]:
        """A track id per box (in order); new faces get new ids, best overlaps are linked first."""
        live = [t for t in self._tracks if (now - t.seen).total_seconds() <= self.max_gap_s]
        pairs = sorted(((iou(b, t.box), i, j) for i, b in enumerate(boxes) for j, t in enumerate(live)), reverse=True)
        ids: list[int | None] = [None] * len(boxes)
        taken = set()
        for overlap, i, j in pairs:
            if overlap < self.min_iou:
                break
            if ids[i] is None and j not in taken:
                ids[i] = live[j].id
                taken.add(j)
                live[j].box, live[j].seen = boxes[i], now
        for jump, i, j in sorted(
            (_jump(b, t.box), i, j)
            for i, b in enumerate(boxes)
            for j, t in enumerate(live)
            if _alike(b, t.box, self.max_scale)
        ):
            if jump > self.max_jump:
                break
            if ids[i] is None and j not in taken:
                ids[i] = live[j].id
                taken.add(j)
                live[j].box, live[j].seen = boxes[i], now
        for i, box in enumerate(boxes):
            if ids[i] is None:
                track = _Track(next(self._ids), box, now)
                live.append(track)
                ids[i] = track.id
        self._tracks = live
        return [i for i in ids if i is not None]

    def active(self) -> set[int]:
        return {t.id for t in self._tracks}
