"""Which face in this frame is which face in the last ones: a small IoU tracker.

Liveness is judged over a face's recent frames and the unlock challenge follows one head, so both
need the same face from frame to frame. Faces at a kiosk move little between frames, so the box
overlap alone links them; a face gone for longer than `max_gap_s` starts a new track.
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


@dataclass
class _Track:
    id: int
    box: np.ndarray
    seen: datetime


class IouTracker:
    def __init__(self, min_iou: float = 0.3, max_gap_s: float = 1.0):
        self.min_iou, self.max_gap_s = min_iou, max_gap_s
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
        for i, box in enumerate(boxes):
            if ids[i] is None:
                track = _Track(next(self._ids), box, now)
                live.append(track)
                ids[i] = track.id
        self._tracks = live
        return [i for i in ids if i is not None]

    def active(self) -> set[int]:
        return {t.id for t in self._tracks}
