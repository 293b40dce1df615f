"""People: names unique by labels.name_key on every kiosk at once, edits, deactivation, erasure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import FaceGateError, StoreError
from core.store.engine import LOCK_NAME, Database, advisory_lock
from core.store.labels import KEY_LEN, clean_label, name_key
from core.store.records import Person, PersonFacts
from core.store.schema import VISIBLE, EventRow, PersonRow, TemplateRow, utc_now
from core.store.site import note_change


def person_record(row: PersonRow) -> Person:
    return Person(row.id, row.name, row.external_id, row.group, row.active, row.created_at)


def person_row(session: Session, person_id: int, lock: bool = False) -> PersonRow:
    query = select(PersonRow).where(PersonRow.id == person_id)
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise StoreError(f"there is no person #{person_id} (deleted from another window?)")
    return row


def checked_person(name: str, external_id: str | None, group: str | None) -> dict[str, Any]:
    """The person's columns as they are stored; FaceGateError for a name, id or group that cannot be."""
    name = " ".join(clean_label(name, "name").split())
    if not name:
        raise FaceGateError("a person needs a name")
    external_id = external_id and clean_label(external_id, "external id")
    group = group and clean_label(group, "group")
    key = name_key(name)
    if len(key) > KEY_LEN:  # a valid name whose fold outgrows the key column (PostgreSQL would refuse it raw)
        raise FaceGateError(
            f"the name is too long once its letters are spelled out for comparison ({len(key)} characters; "
            f"at most {KEY_LEN}): shorten it"
        )
    return {"name": name, "name_key": key, "external_id": external_id or None, "group": group or None}


def _named(session: Session, key: str) -> PersonRow | None:
    """The person whose name_key is key, if any."""
    return session.scalars(select(PersonRow).where(PersonRow.name_key == key)).first()


def holder_of(session: Session, key: str) -> PersonRow | None:
    """_named, with the name locked until commit on PostgreSQL, so no other writer can take it meanwhile."""
    advisory_lock(session, LOCK_NAME, key)
    return _named(session, key)


def _claim_name(session: Session, key: str, person_id: int) -> None:
    """StoreError if someone else already has that name."""
    other = holder_of(session, key)
    if other is not None and other.id != person_id:
        raise StoreError(f"{other.name} (#{other.id}) is already enrolled under that name; choose another name")


def new_person(session: Session, values: Mapping[str, Any], actor: str) -> PersonRow:
    """A new person row; the caller has made sure (and holds) that nobody else has the name."""
    row = PersonRow(**values, active=True, created_at=utc_now())
    session.add(row)
    session.flush()
    note_change(session, actor, "add person", f"#{row.id} {row.name}")
    return row


class People(Database):
    def update_person(self, person: Person, *, actor: str = "admin") -> Person:
        """Writes name, external_id and group from person (e.g. dataclasses.replace of get_person)."""
        new = checked_person(person.name, person.external_id, person.group)

        def work(s: Session) -> Person:
            row = person_row(s, person.id)
            changed = [key for key, value in new.items() if key != "name_key" and getattr(row, key) != value]
            if new["name_key"] != row.name_key:
                _claim_name(s, new["name_key"], person.id)
            for key, value in new.items():
                setattr(row, key, value)
            if changed:
                note_change(s, actor, "edit person", f"#{row.id} {row.name}: {', '.join(changed)}")
            return person_record(row)

        return self._run(work, write=True)

    def _set_active(self, person_id: int, active: bool, actor: str) -> None:
        def work(s: Session) -> None:
            row = person_row(s, person_id)
            row.active = active
            note_change(s, actor, "reactivate person" if active else "deactivate person", f"#{row.id} {row.name}")

        self._run(work, write=True)

    def deactivate(self, person_id: int, *, actor: str = "admin") -> None:
        """Stops recognising the person but keeps their templates and history."""
        self._set_active(person_id, False, actor)

    def reactivate(self, person_id: int, *, actor: str = "admin") -> None:
        self._set_active(person_id, True, actor)

    def delete_person(self, person_id: int, *, actor: str = "admin") -> None:
        """Erases the person with their templates, crops and attendance events (use deactivate to keep history)."""

        def work(s: Session) -> None:
            row = person_row(s, person_id)
            note_change(s, actor, "delete person", f"#{row.id} {row.name}")
            s.execute(delete(PersonRow).where(PersonRow.id == person_id))  # the schema cascades the rest

        self._run(work, write=True)

    def get_person(self, person_id: int) -> Person | None:
        return self._run(lambda s: person_record(row) if (row := s.get(PersonRow, person_id)) else None)

    def list_people(self, search: str | None = None, include_inactive: bool = False) -> list[Person]:
        """Sorted by name; search matches part of the name, external id or group, ignoring case."""
        query = select(PersonRow).order_by(PersonRow.name, PersonRow.id)
        if not include_inactive:
            query = query.where(PersonRow.active)
        people = self._run(lambda s: [person_record(row) for row in s.scalars(query)])
        if not search:
            return people
        # Filtered here rather than in SQL because SQLite's lower() folds only ASCII letters.
        needle = search.strip().casefold()
        return [p for p in people if any(needle in (v or "").casefold() for v in (p.name, p.external_id, p.group))]

    def find_person_by_name(self, name: str) -> Person | None:
        """The person of that name (ignoring case, accents' encoding and extra spaces), None if nobody."""
        key = name_key(name)
        return self._run(lambda s: person_record(row) if (row := _named(s, key)) else None)

    def people_facts(self, model_id: str) -> dict[int, PersonFacts]:
        """Each person's PersonFacts (templates of model_id), counted without unsealing any."""
        counted = select(TemplateRow.person_id, func.count(TemplateRow.id)).where(TemplateRow.model_id == model_id)
        seen = select(EventRow.person_id, func.max(EventRow.time)).where(VISIBLE)

        def work(s: Session) -> dict[int, PersonFacts]:
            counts = {pid: n for pid, n in s.execute(counted.group_by(TemplateRow.person_id))}
            last = {pid: when for pid, when in s.execute(seen.group_by(EventRow.person_id))}
            ids = s.scalars(select(PersonRow.id))
            return {pid: PersonFacts(counts.get(pid, 0), last.get(pid)) for pid in ids}

        return self._run(work)
