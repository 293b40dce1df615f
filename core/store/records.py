"""What the Store hands out: plain frozen dataclasses, so no SQLAlchemy object outlives its session.

Times are timezone-aware UTC. Events are core.types.Event, shared with the kiosk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.types import Event


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    external_id: str | None
    group: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True)
class PersonFacts:
    """What the People page lists beside a person: their templates of one model (how many faces
    they are enrolled with) and when any kiosk last recorded them (None: never)."""

    templates: int
    last_seen: datetime | None


@dataclass(frozen=True)
class TemplateInfo:
    """A template without its embedding, for the admin's re-enrolment list."""

    id: int
    person_id: int
    person_name: str
    model_id: str
    model_version: str
    quality: float
    source: str
    source_detail: str | None
    created_at: datetime
    has_crop: bool


@dataclass(frozen=True)
class DaySummary:
    """One person's shift: day is the local date it began on (in the time zone daily_summary was
    asked for), even when its check-out is after midnight; last_out is None without a check-out,
    first_in None for a check-out that follows no check-in of its shift (chosen on the kiosk)."""

    day: date
    person_id: int
    name: str
    external_id: str | None
    group: str | None
    first_in: datetime | None
    last_out: datetime | None


@dataclass(frozen=True)
class Attendance:
    """What the Store made of a kiosk's sighting: the event it stored, or none and the earlier event
    that makes the sighting a repeat (within the cooldown, or too soon after the check-in to be a
    check-out): the kiosk says "already checked in at 08:12"."""

    stored: Event | None
    earlier: Event | None = None


@dataclass(frozen=True)
class AuditEntry:
    time: datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True)
class Enrolment:
    person: Person
    template_ids: list[int]
    created: bool  # the person was new


@dataclass(frozen=True)
class PinState:
    failures: int  # wrong PINs in a row
    locked_until: datetime | None


@dataclass(frozen=True)
class Action:
    """What to do on some kinds of event (core.store.actions): run a command, post to a webhook,
    or publish to an MQTT broker. target is the command or the URL; a webhook's secret stays in
    secret_file, read when a document is sent."""

    name: str
    kinds: tuple[str, ...]
    method: str
    target: str
    topic: str | None = None
    secret_file: str | None = None


@dataclass(frozen=True)
class OutboxItem:
    """One event document waiting for one action; attempts counts the failed deliveries so far."""

    id: int
    action: Action
    event_uid: str
    body: str
    attempts: int


@dataclass(frozen=True)
class CorrectedEvent:
    """An attendance event as the corrections left it: added by hand, its time before the first
    change (None when never changed), voided."""

    event: Event
    added: bool
    original_time: datetime | None
    voided: bool


@dataclass(frozen=True)
class Correction:
    """One entry of the corrections' trail: action add, edit or void; old_time None for an add,
    new_time None for a void."""

    time: datetime
    actor: str
    action: str
    event_uid: str
    person_id: int
    name: str
    kind: str
    old_time: datetime | None
    new_time: datetime | None
    reason: str
