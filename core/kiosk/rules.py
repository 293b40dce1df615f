"""Turns per-frame matches into attendance sightings and unlock events.

Pure logic: the caller passes the frame time in, so a test can step time. Whether a sighting is a
check-in or a check-out is the Store's decision (core/store/events.py), not this module's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from core.settings import (
    DEFAULT_CONSECUTIVE_FRAMES,
    DEFAULT_COOLDOWN_S,
    DEFAULT_WINDOW_S,
    Settings,
    default_kiosk_id,
)
from core.types import CHECK_IN, UNLOCK, Event, Match


@dataclass(frozen=True)
class _Confirmed:
    """A person whose last k frames all matched; similarity is the mean over them."""

    person_id: int
    similarity: float
    name: str | None


class _StreakTracker:
    """Per-person runs of consecutive matched frames.

    A person is confirmed once their last k frames were all matches and span at most window_s.
    A frame where they are missing (or matched nobody: the gallery applied the threshold) ends
    the run, so a face that flickers between people, or a single lucky frame, never confirms anyone.
    """

    def __init__(self, k: int, window_s: float):
        if k < 1 or window_s < 0:
            raise ValueError("need k >= 1 and window_s >= 0")
        self.k, self.window_s = k, window_s
        self._runs: dict[int, deque[tuple[datetime, float]]] = {}

    def update(self, now: datetime, matches: Iterable[Match]) -> list[_Confirmed]:
        """Confirmed people this frame, each with the mean similarity of their last k frames."""
        if now.tzinfo is None:
            raise ValueError("frame time must be timezone-aware (UTC)")
        best: dict[int, Match] = {}
        for m in matches:
            if m.person_id is None:
                continue
            if m.person_id not in best or m.similarity > best[m.person_id].similarity:
                best[m.person_id] = m
        self._runs = {pid: self._runs.get(pid) or deque(maxlen=self.k) for pid in best}
        confirmed = []
        for pid, m in best.items():
            run = self._runs[pid]
            run.append((now, m.similarity))
            if len(run) == self.k and (now - run[0][0]).total_seconds() <= self.window_s:
                confirmed.append(_Confirmed(pid, sum(s for _, s in run) / self.k, m.name))
        return confirmed

    def reset(self, person_id: int) -> None:
        self._runs.pop(person_id, None)


class AttendanceRules:
    """Confirmed people become attendance sightings for the Store, which alone decides whether one
    is the day's check-in, a check-out, or nothing within the cooldown (core/store/events.py).

    What is kept here is only what spares the database a question every frame: a person this kiosk
    reported is not reported again for cooldown_s. A sighting carries CHECK_IN until the Store
    stores it with the kind it decides.
    """

    def __init__(
        self,
        k: int = DEFAULT_CONSECUTIVE_FRAMES,
        window_s: float = DEFAULT_WINDOW_S,
        cooldown_s: float = DEFAULT_COOLDOWN_S,
        kiosk_id: str | None = None,
    ):
        self._streaks = _StreakTracker(k, window_s)
        self.cooldown_s = cooldown_s
        self.kiosk_id = kiosk_id if kiosk_id is not None else default_kiosk_id()
        self._reported: dict[int, datetime] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> AttendanceRules:
        return cls(
            k=settings.consecutive_frames,
            window_s=settings.window_s,
            cooldown_s=settings.cooldown_s,
            kiosk_id=settings.kiosk_id,
        )

    def update(self, now: datetime, matches: list[Match]) -> list[Event]:
        events = []
        for m in self._streaks.update(now, matches):
            last = self._reported.get(m.person_id)
            if last is not None and (now - last).total_seconds() < self.cooldown_s:
                continue
            events.append(Event(m.person_id, m.name, now, CHECK_IN, m.similarity, self.kiosk_id))
            self._reported[m.person_id] = now
            self._streaks.reset(m.person_id)
        return events


class UnlockRules:
    """One 'unlock' event once any of the allowed people is confirmed (the kiosk matches faces at
    the stricter unlock threshold)."""

    def __init__(
        self,
        person_ids: Collection[int],
        k: int = DEFAULT_CONSECUTIVE_FRAMES,
        window_s: float = DEFAULT_WINDOW_S,
        kiosk_id: str | None = None,
    ):
        self.person_ids = frozenset(person_ids)
        self._streaks = _StreakTracker(k, window_s)
        self.kiosk_id = kiosk_id if kiosk_id is not None else default_kiosk_id()

    @classmethod
    def from_settings(cls, settings: Settings, person_ids: Collection[int]) -> UnlockRules:
        return cls(
            person_ids,
            k=settings.consecutive_frames,
            window_s=settings.window_s,
            kiosk_id=settings.kiosk_id,
        )

    def update(self, now: datetime, matches: list[Match]) -> list[Event]:
        # Everyone else in the frame is ignored: a bystander neither helps nor breaks the run.
        confirmed = self._streaks.update(now, [m for m in matches if m.person_id in self.person_ids])
        if not confirmed:
            return []
        m = max(confirmed, key=lambda c: c.similarity)
        for c in confirmed:
            self._streaks.reset(c.person_id)
        return [Event(m.person_id, m.name, now, UNLOCK, m.similarity, self.kiosk_id)]
