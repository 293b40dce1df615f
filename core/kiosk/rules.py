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
from core.types import CHECK_IN, CHECK_OUT, UNLOCK, Event, EventKind, Match


@dataclass(frozen=True)
class Verdict:
    """A face track named as a person (the track's evidence reached the threshold in use)."""

    track: int
    match: Match


class AttendanceRules:
    """Named tracks become attendance sightings for the Store, which alone decides whether one
    is a check-in, a check-out, or a repeat (core/store/events.py).

    What is kept here is only what spares the database a question every frame: a person this kiosk
    reported is not reported again for cooldown_s. A sighting carries CHECK_IN until the Store
    stores it with the kind it decides; in buttons mode it carries the direction the person chose
    (choose()), and nobody is reported until one is chosen.
    """

    def __init__(self, cooldown_s: float = DEFAULT_COOLDOWN_S, kiosk_id: str | None = None, buttons: bool = False):
        self.cooldown_s = cooldown_s
        self.kiosk_id = kiosk_id if kiosk_id is not None else default_kiosk_id()
        self.buttons = buttons
        # (person, kind) -> when and on which track it was reported.
        self._reported: dict[tuple[int, EventKind], tuple[datetime, int]] = {}
        self._told: dict[int, datetime] = {}  # tracks already given their repeats
        self._choice: EventKind | None = None
        # Set by each update: people seen again on a new track within the cooldown (the kiosk says
        # "already checked in"), and whether someone named waits for In or Out to be chosen.
        self.repeats: list[int] = []
        self.needs_direction = False

    @classmethod
    def from_settings(cls, settings: Settings) -> AttendanceRules:
        return cls(
            cooldown_s=settings.cooldown_s, kiosk_id=settings.kiosk_id, buttons=settings.checkin_mode == "buttons"
        )

    @property
    def choice(self) -> EventKind | None:
        return self._choice

    def choose(self, direction: EventKind | None) -> None:
        """Buttons mode: the people named next are reported as `direction` (then the choice is
        used up); None takes a choice back. Safe from any thread (one assignment)."""
        if direction not in (CHECK_IN, CHECK_OUT, None):
            raise ValueError(f"a direction is check-in or check-out, not {direction!r}")
        self._choice = direction

    def update(self, now: datetime, verdicts: Sequence[Verdict]) -> list[Event]:
        """The sightings to send this frame: each person named now, unless reported within the cooldown."""
        if now.tzinfo is None:
            raise ValueError("frame time must be timezone-aware (UTC)")
        kind = self._choice if self.buttons else CHECK_IN
        self.repeats, self.needs_direction = [], False
        self._told = {track: at for track, at in self._told.items() if (now - at).total_seconds() < self.cooldown_s}
        events = []
        for v in verdicts:
            pid = v.match.person_id
            if pid is None:
                continue
            if kind is None:
                self.needs_direction = True
                continue
            last = self._reported.get((pid, kind))
            if last is not None and (now - last[0]).total_seconds() < self.cooldown_s:
                # Said once per track, so it does not cover the welcome while they stand there;
                # a button pressed again is answered.
                if self.buttons or (v.track != last[1] and v.track not in self._told):
                    self.repeats.append(pid)
                    self._told[v.track] = now
                continue
            events.append(Event(pid, v.match.name, now, kind, v.match.similarity, self.kiosk_id))
            self._reported[(pid, kind)] = (now, v.track)
        if self.buttons and (events or self.repeats):
            self._choice = None  # one press, one person's answer
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
