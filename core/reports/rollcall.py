"""The roll-call for a fire drill: who is in now, read from today's events alone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

from core.days import day_of
from core.store import Store
from core.types import CHECK_IN, UNLOCK


@dataclass(frozen=True)
class InNow:
    person_id: int
    name: str
    group: str | None
    since: datetime  # their last check-in


def who_is_in(store: Store, now: datetime | None = None, tz: tzinfo | None = None) -> list[InNow]:
    """Exactly the people whose last attendance event today (the day of now, from local midnight in
    tz) is a check-in, by name. Unlocks open a door and say nothing about who is inside."""
    last = {}
    for e in store.events(*day_of(now or datetime.now(timezone.utc), tz)):
        if e.kind != UNLOCK:
            last[e.person_id] = e
    groups = {p.id: p.group for p in store.list_people(include_inactive=True)}
    inside = [
        InNow(e.person_id, e.name or "", groups.get(e.person_id), e.time) for e in last.values() if e.kind == CHECK_IN
    ]
    return sorted(inside, key=lambda i: (i.name.casefold(), i.person_id))
