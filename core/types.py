"""Result types that flow between pipeline stages: plain numpy, no framework types."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np


@dataclass(frozen=True, eq=False)
class Face:
    """One detected face in image pixel coordinates.

    box: float32 (4,) x1, y1, x2, y2.
    landmarks: float32 (5, 2) in the order eye on the image's left, eye on the image's right,
    nose tip, mouth corner on the left, mouth corner on the right (the ArcFace template order).
    embedding: L2-normalised float32 vector once an embedder has seen the face, else None.
    """

    box: np.ndarray
    score: float
    landmarks: np.ndarray
    embedding: np.ndarray | None = field(default=None, repr=False)

    @property
    def width(self) -> float:
        return float(self.box[2] - self.box[0])

    @property
    def height(self) -> float:
        return float(self.box[3] - self.box[1])

    @property
    def size(self) -> float:
        """Side of the face box, the number a minimum face size is compared with."""
        return min(self.width, self.height)

    def to_dict(self) -> dict:
        return {
            "box": [round(float(v), 1) for v in self.box],
            "score": round(float(self.score), 4),
            "landmarks": [[round(float(x), 1), round(float(y), 1)] for x, y in self.landmarks],
        }


@dataclass(frozen=True)
class Match:
    """The best gallery person for one face; person_id is None when nobody passed the threshold."""

    person_id: int | None
    similarity: float
    name: str | None = None


EventKind = Literal["check-in", "check-out", "unlock"]
CHECK_IN: EventKind = "check-in"
CHECK_OUT: EventKind = "check-out"
UNLOCK: EventKind = "unlock"


@dataclass(frozen=True)
class Event:
    """time is timezone-aware UTC; similarity is the mean over the frames that confirmed the person."""

    person_id: int
    name: str | None
    time: datetime
    kind: EventKind
    similarity: float
    kiosk_id: str
    # Made where the person was recognised: the Store keeps one event per uid, so resending an
    # event (a retry, the offline spool) never doubles it. Not part of equality.
    uid: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False)
