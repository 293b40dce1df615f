"""Turns per-track verdicts into attendance sightings and unlock events.

Who a face track is was decided before (core/kiosk/evidence.py over the track's frames, through
core/matching/cascade.py); these rules only decide what a verdict reports. Pure logic: the caller
passes the frame time in, so a test can step time. Whether a sighting is a check-in or a check-out
is the Store's decision (core/store/events.py), not this module's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from core.settings import DEFAULT_COOLDOWN_S, Settings, default_kiosk_id
from core.types import CHECK_IN, UNLOCK, Event, Match


@dataclass(frozen=True)
class Verdict:
    """A face track named as a person (the track's evidence reached the threshold in use)."""

    track: int
    match: Match


class AttendanceRules:
    """Named tracks become attendance sightings for the Store, which alone decides whether one
    is the day's check-in, a check-out, or nothing within the cooldown (core/store/events.py).

    What is kept here is only what spares the database a question every frame: a person this kiosk
    reported is not reported again for cooldown_s. A sighting carries CHECK_IN until the Store
    stores it with the kind it decides.
    """

    def __init__(self, cooldown_s: float = DEFAULT_COOLDOWN_S, kiosk_id: str | None = None):
        self.cooldown_s = cooldown_s
        self.kiosk_id = kiosk_id if kiosk_id is not None else default_kiosk_id()
        self._reported: dict[int, datetime] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> AttendanceRules:
        return cls(cooldown_s=settings.cooldown_s, kiosk_id=settings.kiosk_id)

    def update(self, now: datetime, verdicts: Sequence[Verdict]) -> list[Event]:
        """The sightings to send this frame: each person named now, unless reported within the cooldown."""
        if now.tzinfo is None:
            raise ValueError("frame time must be timezone-aware (UTC)")
        events = []
        for v in verdicts:
            pid = v.match.person_id
            if pid is None:
                continue
            last = self._reported.get(pid)
            if last is not None and (now - last).total_seconds() < self.cooldown_s:
                continue
            events.append(Event(pid, v.match.name, now, CHECK_IN, v.match.similarity, self.kiosk_id))
            self._reported[pid] = now
        return events


class UnlockRules:
    """One 'unlock' event for a track named as one of the allowed people (the kiosk decides at the
    stricter unlock threshold); a track unlocks at most once while it is followed."""

    def __init__(self, person_ids: Collection[int], kiosk_id: str | None = None):
        self.person_ids = frozenset(person_ids)
        self.kiosk_id = kiosk_id if kiosk_id is not None else default_kiosk_id()
        self._done: set[int] = set()

    @classmethod
    def from_settings(cls, settings: Settings, person_ids: Collection[int]) -> UnlockRules:
        return cls(person_ids, kiosk_id=settings.kiosk_id)

    def update(self, now: datetime, verdicts: Sequence[Verdict]) -> list[Event]:
        if now.tzinfo is None:
            raise ValueError("frame time must be timezone-aware (UTC)")
        # Everyone else in the frame is ignored: a bystander neither helps nor hinders.
        allowed = [v for v in verdicts if v.match.person_id in self.person_ids and v.track not in self._done]
        if not allowed:
            return []
        best = max(allowed, key=lambda v: v.match.similarity)
        self._done.update(v.track for v in allowed)
        pid = best.match.person_id
        assert pid is not None  # in person_ids
        return [Event(pid, best.match.name, now, UNLOCK, best.match.similarity, self.kiosk_id)]
