"""The kiosk loop body: one frame in, who is there and which events were committed out.

The Qt frame worker and `facegate checkin` / `facegate unlock` all run this class, so the app and
the command line decide identically.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import numpy as np

from .attendance import AttendanceRules, Event, UnlockRules
from .enroll import load_gallery
from .errors import FaceGateError, StoreError
from .pipeline import FacePipeline
from .store import Store
from .thresholds import Thresholds, settings_thresholds

# Faces beyond the largest few are people walking past; embedding them would only cost frames.
MAX_FACES = 4
ADMIN_GROUP = "admin"


@dataclass(frozen=True)
class SeenFace:
    box: np.ndarray
    person_id: int | None
    name: str | None
    similarity: float

    @property
    def known(self) -> bool:
        return self.person_id is not None


@dataclass(frozen=True)
class KioskResult:
    """events were committed to the Store before this result was made; error says why an event
    is still waiting to be stored (it is retried with the next frame)."""

    frame: np.ndarray
    faces: tuple[SeenFace, ...]
    events: tuple[Event, ...]
    fps: float
    time: datetime
    error: str | None = None
    thresholds: Thresholds | None = None


class FpsMeter:
    """Frames per second over the last `window` frames."""

    def __init__(self, window: int = 30):
        self._ticks: deque[float] = deque(maxlen=window + 1)

    def tick(self) -> float:
        self._ticks.append(time.perf_counter())
        if len(self._ticks) < 2:
            return 0.0
        return (len(self._ticks) - 1) / max(self._ticks[-1] - self._ticks[0], 1e-9)


def unlock_people(store: Store, name: str | None = None) -> list[int]:
    """The person called name, or, without a name, every active member of the admin group."""
    if name:
        person = store.find_person_by_name(name)
        if person is None or not person.active:
            raise FaceGateError(f"nobody called {name!r} is enrolled and active")
        return [person.id]
    admins = [p.id for p in store.list_people() if (p.group or "").casefold() == ADMIN_GROUP]
    if not admins:
        raise FaceGateError(f"nobody is in the {ADMIN_GROUP!r} group: choose a person to unlock for")
    return admins


class Kiosk:
    """Attendance by default; with unlock_for, unlock mode for those people only (stricter
    threshold, several consecutive matching frames)."""

    def __init__(self, store: Store, pipeline: FacePipeline, unlock_for: Collection[int] | None = None):
        self.store = store
        self.pipeline = pipeline
        self.unlock_for = frozenset(unlock_for) if unlock_for is not None else None
        self._stale = threading.Event()
        self._pending: list[Event] = []
        self._fps = FpsMeter()
        self.reload()

    @property
    def unlock_mode(self) -> bool:
        return self.unlock_for is not None

    def invalidate(self) -> None:
        """Enrolment or settings changed; safe from any thread, applied before the next frame."""
        self._stale.set()

    def reload(self) -> None:
        self._stale.clear()
        self.settings = self.store.load_settings()
        self.pipeline.detector.min_face = self.settings.min_face
        self.gallery = load_gallery(self.store, self.pipeline.embedder)
        # The attendance threshold follows the number of templates enrolled now (core/thresholds.py).
        self.thresholds = settings_thresholds(self.pipeline.embedder, self.settings, len(self.gallery))
        if self.unlock_mode:
            self.threshold = self.thresholds.unlock
            self.rules: AttendanceRules | UnlockRules = UnlockRules.from_settings(
                replace(self.settings, unlock_threshold=self.threshold), self.unlock_for)
        else:
            self.threshold = self.thresholds.attendance
            self.rules = AttendanceRules.from_settings(replace(self.settings, match_threshold=self.threshold))
            # A restart (or a reload) must not check people in twice or forget today's check-ins.
            midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
            self.rules.seed(self.store.events(midnight, midnight + timedelta(days=1)))

    def process(self, frame: np.ndarray, now: datetime | None = None) -> KioskResult:
        if self._stale.is_set():
            self.reload()
        now = now or datetime.now(timezone.utc)
        faces = self.pipeline.faces(frame, max_faces=MAX_FACES)
        matches = self.gallery.identify(np.stack([f.embedding for f in faces]), self.threshold) if faces else []
        seen = tuple(SeenFace(f.box, m.person_id, m.name, m.similarity) for f, m in zip(faces, matches))
        self._pending.extend(self.rules.update(now, matches))
        committed, error = self._commit()
        return KioskResult(frame, seen, committed, self._fps.tick(), now, error, self.thresholds)

    def _commit(self) -> tuple[tuple[Event, ...], str | None]:
        committed = []
        try:
            while self._pending:
                self.store.record_event(self._pending[0])
                committed.append(self._pending.pop(0))
        except StoreError as exc:
            return tuple(committed), f"not saved yet, retrying: {exc}"
        return tuple(committed), None
