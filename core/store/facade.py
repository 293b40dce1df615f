"""Persistence: the only package that speaks SQL, behind one class, Store.

Each public method is one unit of work (one Session, one transaction) and returns plain dataclasses
(core.store.records, core.types.Event), so no SQLAlchemy object outlives its session or leaks into
the app. Times are timezone-aware UTC in and out; the schema is created and upgraded by the Alembic
migrations beside this file. Each part of the Store lives in its own module: people, templates,
events (with the attendance rule), corrections (with their trail), export, site (settings, audit, PIN back-off), actions (and
their outbox), over engine's
connection handling.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import make_url

from core.errors import FaceGateError, StoreError
from core.paths import database_url
from core.store.actions import Actions
from core.store.audit import AuditLog
from core.store.corrections import Corrections
from core.store.events import Events
from core.store.export import Export
from core.store.keys import unlock_face_data
from core.store.people import People
from core.store.site import Site
from core.store.templates import Templates


class Store(People, Templates, Events, Corrections, Export, Site, AuditLog, Actions):
    """url: any SQLAlchemy URL, default paths.database_url(). Opening upgrades the schema to head and
    seals (encrypts) any face data not sealed yet with the key from core.paths.key_path().

    busy_timeout_s, retries, backoff_s and connect_timeout_s: how long a write waits for a locked
    or lost database before StoreUnavailable (engine.Database).
    """

    def _opened(self) -> None:
        try:
            self._run(self._upgrade, write=True)
            self._seal = self._run(lambda s: unlock_face_data(s, self._where), write=True)
        except FaceGateError:
            self.close()  # leave no handle on a file the user is told to move or restore
            raise

    @classmethod
    def for_reading(cls, url: str | None = None) -> Store:
        """A Store for jobs that only read (listing people, exporting): when a SQLite database cannot
        be opened for writing (a read-only folder or medium), it is opened read-only instead.
        `immutable` because SQLite cannot make its shared-memory file there, and nobody can be
        writing a database nobody may write."""
        try:
            return cls(url, narrow_mode=False)
        except StoreError as exc:
            parsed = make_url(url or database_url())
            if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.query:
                raise
            path = Path(parsed.database).resolve().as_posix()
            try:
                return cls(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")
            except StoreError:
                raise exc from None  # the reason it cannot be written says more than the read-only attempt
