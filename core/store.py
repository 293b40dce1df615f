"""Persistence: the only module that speaks SQL.

Each public method is one unit of work (one Session, one transaction) and returns plain dataclasses,
so no SQLAlchemy object outlives its session or leaks into the app. Times are timezone-aware UTC in
and out; the schema is created and upgraded by the Alembic migrations beside this file.
"""
from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone, tzinfo
from pathlib import Path
from typing import Any, TextIO, TypeVar

import numpy as np
from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import (
    CheckConstraint,
    Connection,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    create_engine,
    delete,
    event,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from .attendance import CHECK_OUT, UNLOCK, Event
from .errors import FaceGateError, StoreError
from .labels import clean_label
from .paths import database_url
from .settings import Settings

# Beside this file both from source and when frozen (the spec bundles core/migrations as data).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SOURCES = ("camera", "photo")
_WRITE = "facegate_write"
T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(timezone.utc)


# ---------------------------------------------------------------------------------------- schema


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC without a zone (SQLite has none) and hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass timezone-aware UTC times to the Store")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    # Named constraints, so later migrations can drop or alter them (SQLite batch mode needs names).
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class PersonRow(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    group: Mapped[str | None] = mapped_column(String(100), index=True)
    active: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TemplateRow(Base):
    __tablename__ = "face_templates"
    __table_args__ = (
        CheckConstraint("source IN ('camera', 'photo')", name="source"),
        Index("ix_face_templates_model", "model_id", "model_version"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    embedding: Mapped[bytes] = mapped_column(LargeBinary)  # little-endian float32 x dim
    dim: Mapped[int]
    model_id: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(50))
    quality: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10))
    source_detail: Mapped[str | None] = mapped_column(String(255))  # camera id or file name
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The aligned crop lets a new model recompute the template without the person coming back.
    crop_jpeg: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class EventRow(Base):
    __tablename__ = "attendance_events"
    __table_args__ = (CheckConstraint("kind IN ('check-in', 'check-out', 'unlock')", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(10))
    similarity: Mapped[float] = mapped_column(Float)
    kiosk_id: Mapped[str] = mapped_column(String(100))


class SettingRow(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(Text)


# ------------------------------------------------------------------------------ returned records


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    external_id: str | None
    group: str | None
    active: bool
    created_at: datetime


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
    """day is in the time zone daily_summary was asked for; last_out is None without a check-out."""

    day: date
    person_id: int
    name: str
    external_id: str | None
    group: str | None
    first_in: datetime
    last_out: datetime | None


@dataclass(frozen=True)
class AuditEntry:
    time: datetime
    actor: str
    action: str
    detail: str


def _person(row: PersonRow) -> Person:
    return Person(row.id, row.name, row.external_id, row.group, row.active, row.created_at)


# ------------------------------------------------------------------------------------ the engine

# SQLite primary result codes -> what the person in front of the screen can do about it.
_SQLITE_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED
_BUSY = "is busy: another FaceGate window or program is writing to it; close it or try again"
_ACCESS = (
    "cannot be opened or written: check that its folder exists and that you may write to it "
    "(or point FACEGATE_HOME / FACEGATE_DB elsewhere)"
)
_DAMAGED = "is damaged or not a FaceGate database: restore a backup, or move the file away for a fresh one"
_SQLITE_ADVICE = {
    5: _BUSY,
    6: _BUSY,
    3: _ACCESS,  # PERM
    8: _ACCESS,  # READONLY
    14: _ACCESS,  # CANTOPEN
    11: _DAMAGED,  # CORRUPT
    26: _DAMAGED,  # NOTADB
    10: "could not be read or written (disk error): check the drive",
    13: "cannot grow because the disk is full: free some space and try again",
}


def _sqlite_code(exc: DBAPIError) -> int:
    return getattr(exc.orig, "sqlite_errorcode", 0) & 0xFF


def _tune_sqlite(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLAlchemy, not the sqlite3 module, decides when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # WAL: the kiosk keeps reading while an admin window or a second process writes.
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A write takes the lock up front; a deferred BEGIN that later upgrades to a writer fails
        # at once with SQLITE_BUSY instead of waiting out the busy timeout.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")


def alembic_config(connection: Connection) -> Config:
    """Alembic without alembic.ini; also what a developer passes to command.revision(autogenerate=True)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.attributes["connection"] = connection
    config.attributes["target_metadata"] = Base.metadata
    return config


def _labels(name: str, external_id: str | None, group: str | None) -> tuple[str, str | None, str | None]:
    """A person's name, id and group checked and stripped (core.labels); a name is required."""
    name = clean_label(name, "name")
    if not name:
        raise FaceGateError("a person needs a name")
    return name, external_id and clean_label(external_id, "external id"), group and clean_label(group, "group")


def _cell(text: str | None) -> str:
    # A name like "=HYPERLINK(...)" would run as a formula when the export is opened in a spreadsheet.
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _each(value: Any, n: int, what: str) -> list[Any]:
    """One value for every template, or a sequence with one per template."""
    if value is None or isinstance(value, (str, bytes)) or np.ndim(value) == 0:
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise ValueError(f"{len(values)} {what} for {n} embeddings")
    return values


def _made_with(model_id: str, model_version: str | None) -> Any:
    made = TemplateRow.model_id == model_id
    return made if model_version is None else made & (TemplateRow.model_version == model_version)


class Store:
    """url: any SQLAlchemy URL, default paths.database_url(). Opening upgrades the schema to head.

    A write that finds the database locked waits busy_timeout_s, and is retried `retries` times with
    doubling pauses from backoff_s before StoreError; the caller keeps the event and may retry.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        busy_timeout_s: float = 2.0,
        retries: int = 3,
        backoff_s: float = 0.2,
    ):
        self.url = url or database_url()
        self._retries, self._backoff_s = retries, backoff_s
        try:
            self._engine = create_engine(self.url)
        except (ImportError, ValueError, SQLAlchemyError) as exc:  # a mistyped FACEGATE_DB, a missing driver
            raise StoreError(f"cannot use the database URL {self.url!r}: {exc}") from exc
        if self._engine.dialect.name == "sqlite":
            _tune_sqlite(self._engine, busy_timeout_s)
        self._writer = self._engine.execution_options(**{_WRITE: True})
        try:
            self._run(self._upgrade, write=True)
        except StoreError:
            self.close()  # leave no handle on a file the user is told to move or restore
            raise

    @classmethod
    def for_reading(cls, url: str | None = None) -> Store:
        """A Store for jobs that only read (listing people, exporting): when a SQLite database cannot
        be opened for writing (a read-only folder or medium), it is opened read-only instead.
        `immutable` because SQLite cannot make its shared-memory file there, and nobody can be
        writing a database nobody may write."""
        try:
            return cls(url)
        except StoreError:
            parsed = make_url(url or database_url())
            if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.query:
                raise
            path = Path(parsed.database).resolve().as_posix()
            try:
                return cls(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")
            except StoreError:
                pass
            raise

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def _where(self) -> str:
        url = self._engine.url
        return (url.database or "(in memory)") if url.get_backend_name() == "sqlite" else url.render_as_string()

    def _error(self, exc: DBAPIError) -> StoreError:
        advice = _SQLITE_ADVICE.get(_sqlite_code(exc))
        if advice is None and isinstance(exc, IntegrityError):
            text = str(exc.orig)
            if "external_id" in text:
                return StoreError("that external id is already used by another person")
            if "FOREIGN KEY" in text.upper():
                return StoreError("that person no longer exists (deleted from another window?)")
        return StoreError(f"the database {self._where} {advice or f'reported an error: {exc.orig}'}")

    def _run(self, work: Callable[[Session], T], write: bool = False) -> T:
        attempt = 0
        while True:
            try:
                with Session(self._writer if write else self._engine) as session, session.begin():
                    return work(session)
            except DBAPIError as exc:
                if attempt < self._retries and _sqlite_code(exc) in _SQLITE_BUSY:
                    time.sleep(self._backoff_s * 2**attempt)
                    attempt += 1
                    continue
                raise self._error(exc) from exc

    def _upgrade(self, session: Session) -> None:
        try:
            command.upgrade(alembic_config(session.connection()), "head")
        except CommandError as exc:
            raise StoreError(
                f"the database {self._where} has a schema this FaceGate cannot use ({exc}); "
                "open it with the FaceGate version that made it, or a newer one"
            ) from exc

    @staticmethod
    def _audit(session: Session, actor: str, action: str, detail: str) -> None:
        session.add(AuditRow(time=_now(), actor=actor, action=action, detail=detail))

    @staticmethod
    def _person_row(session: Session, person_id: int) -> PersonRow:
        row = session.get(PersonRow, person_id)
        if row is None:
            raise StoreError(f"there is no person #{person_id} (deleted from another window?)")
        return row

    # ------------------------------------------------------------------------------------ people

    def add_person(
        self, name: str, external_id: str | None = None, group: str | None = None, *, actor: str = "admin"
    ) -> Person:
        name, external_id, group = _labels(name, external_id, group)

        def work(s: Session) -> Person:
            row = PersonRow(
                name=name, external_id=external_id or None, group=group or None, active=True, created_at=_now()
            )
            s.add(row)
            s.flush()
            self._audit(s, actor, "add person", f"#{row.id} {row.name}")
            return _person(row)

        return self._run(work, write=True)

    def update_person(self, person: Person, *, actor: str = "admin") -> Person:
        """Writes name, external_id and group from person (e.g. dataclasses.replace of get_person)."""
        name, external_id, group = _labels(person.name, person.external_id, person.group)

        def work(s: Session) -> Person:
            row = self._person_row(s, person.id)
            new = {"name": name, "external_id": external_id or None, "group": group or None}
            changed = [key for key, value in new.items() if getattr(row, key) != value]
            for key in changed:
                setattr(row, key, new[key])
            if changed:
                self._audit(s, actor, "edit person", f"#{row.id} {row.name}: {', '.join(changed)}")
            return _person(row)

        return self._run(work, write=True)

    def _set_active(self, person_id: int, active: bool, actor: str) -> None:
        def work(s: Session) -> None:
            row = self._person_row(s, person_id)
            row.active = active
            self._audit(s, actor, "reactivate person" if active else "deactivate person", f"#{row.id} {row.name}")

        self._run(work, write=True)

    def deactivate(self, person_id: int, *, actor: str = "admin") -> None:
        """Stops recognising the person but keeps their templates and history."""
        self._set_active(person_id, False, actor)

    def reactivate(self, person_id: int, *, actor: str = "admin") -> None:
        self._set_active(person_id, True, actor)

    def delete_person(self, person_id: int, *, actor: str = "admin") -> None:
        """Erases the person with their templates, crops and attendance events (use deactivate to keep history)."""

        def work(s: Session) -> None:
            row = self._person_row(s, person_id)
            self._audit(s, actor, "delete person", f"#{row.id} {row.name}")
            s.execute(delete(PersonRow).where(PersonRow.id == person_id))  # the schema cascades the rest

        self._run(work, write=True)

    def get_person(self, person_id: int) -> Person | None:
        return self._run(lambda s: _person(row) if (row := s.get(PersonRow, person_id)) else None)

    def list_people(self, search: str | None = None, include_inactive: bool = False) -> list[Person]:
        """Sorted by name; search matches part of the name, external id or group, ignoring case."""
        query = select(PersonRow).order_by(PersonRow.name, PersonRow.id)
        if not include_inactive:
            query = query.where(PersonRow.active)
        people = self._run(lambda s: [_person(row) for row in s.scalars(query)])
        if not search:
            return people
        # Filtered here rather than in SQL because SQLite's lower() folds only ASCII letters.
        needle = search.strip().casefold()
        return [p for p in people if any(needle in (v or "").casefold() for v in (p.name, p.external_id, p.group))]

    def find_person_by_name(self, name: str) -> Person | None:
        """The one person of that name (ignoring case), None if nobody; StoreError if several."""
        wanted = name.strip().casefold()
        found = [p for p in self.list_people(include_inactive=True) if p.name.casefold() == wanted]
        if len(found) > 1:
            ids = ", ".join(f"#{p.id}" for p in found)
            raise StoreError(f"several people are called {name!r} ({ids}); choose one by id")
        return found[0] if found else None

    # --------------------------------------------------------------------------------- templates

    def add_templates(
        self,
        person_id: int,
        embeddings: np.ndarray | Sequence[np.ndarray],
        model_id: str,
        model_version: str,
        quality: float | Sequence[float],
        source: str,
        crops: bytes | Sequence[bytes | None] | None = None,
        source_detail: str | Sequence[str | None] | None = None,
        *,
        actor: str = "admin",
    ) -> list[int]:
        """Embeddings N x D (or one D vector); quality, crops (JPEG bytes of the aligned crop) and
        source_detail either one for all or one per embedding. Returns the new template ids."""
        matrix = np.asarray(embeddings, dtype="<f4")
        matrix = matrix[None] if matrix.ndim == 1 else matrix
        if matrix.ndim != 2 or not matrix.size:
            raise ValueError("embeddings must be a non-empty N x D array")
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}")
        n = len(matrix)
        qualities, jpegs, details = _each(quality, n, "qualities"), _each(crops, n, "crops"), _each(source_detail, n, "details")

        def work(s: Session) -> list[int]:
            person = self._person_row(s, person_id)
            now = _now()
            rows = [
                TemplateRow(
                    person_id=person_id,
                    embedding=vector.tobytes(),
                    dim=matrix.shape[1],
                    model_id=model_id,
                    model_version=model_version,
                    quality=float(q),
                    source=source,
                    source_detail=detail,
                    created_at=now,
                    crop_jpeg=jpeg,
                )
                for vector, q, jpeg, detail in zip(matrix, qualities, jpegs, details)
            ]
            s.add_all(rows)
            s.flush()
            self._audit(s, actor, "enrol", f"#{person.id} {person.name}: {n} templates from {source}")
            return [row.id for row in rows]

        return self._run(work, write=True)

    def templates_for_gallery(
        self, model_id: str, model_version: str | None = None
    ) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(float32 N x D, int64 person id per row, name per row) for active people, templates made
        with model_id (and model_version when given); (0 x 0, empty, []) when there are none."""
        query = (
            select(TemplateRow.person_id, TemplateRow.embedding, TemplateRow.dim, PersonRow.name)
            .join(PersonRow, PersonRow.id == TemplateRow.person_id)
            .where(PersonRow.active, _made_with(model_id, model_version))
            .order_by(TemplateRow.id)
        )
        rows = self._run(lambda s: s.execute(query).all())
        if not rows:
            return np.zeros((0, 0), np.float32), np.zeros(0, np.int64), []
        dims = {row.dim for row in rows}
        if len(dims) > 1:
            raise StoreError(f"templates for model {model_id} differ in size {sorted(dims)}; re-enrol its people")
        matrix = np.frombuffer(b"".join(row.embedding for row in rows), dtype="<f4").reshape(len(rows), dims.pop())
        return (
            matrix.astype(np.float32),
            np.array([row.person_id for row in rows], dtype=np.int64),
            [row.name for row in rows],
        )

    def stale_templates(self, model_id: str, model_version: str | None = None) -> list[TemplateInfo]:
        """Templates made with another model (or version), which the current one cannot compare."""
        query = (
            select(
                TemplateRow.id,
                TemplateRow.person_id,
                PersonRow.name,
                TemplateRow.model_id,
                TemplateRow.model_version,
                TemplateRow.quality,
                TemplateRow.source,
                TemplateRow.source_detail,
                TemplateRow.created_at,
                TemplateRow.crop_jpeg.is_not(None),
            )
            .join(PersonRow, PersonRow.id == TemplateRow.person_id)
            .where(~_made_with(model_id, model_version))
            .order_by(PersonRow.name, TemplateRow.id)
        )
        return self._run(lambda s: [TemplateInfo(*row[:-1], bool(row[-1])) for row in s.execute(query)])

    def crops_for_recompute(self, model_id: str, model_version: str | None = None) -> list[tuple[int, bytes]]:
        """(template id, JPEG crop) of stale templates that kept a crop; the rest need re-enrolment."""
        query = select(TemplateRow.id, TemplateRow.crop_jpeg).where(
            ~_made_with(model_id, model_version), TemplateRow.crop_jpeg.is_not(None)
        )
        return self._run(lambda s: [(row.id, row.crop_jpeg) for row in s.execute(query)])

    def replace_embeddings(
        self, embeddings: Mapping[int, np.ndarray], model_id: str, model_version: str, *, actor: str = "admin"
    ) -> int:
        """Overwrites templates (template id -> new embedding) recomputed with model_id/model_version;
        returns how many still existed."""

        def work(s: Session) -> int:
            count = 0
            for template_id, vector in embeddings.items():
                vector = np.asarray(vector, dtype="<f4").ravel()
                result = s.execute(
                    update(TemplateRow)
                    .where(TemplateRow.id == template_id)
                    .values(embedding=vector.tobytes(), dim=vector.size, model_id=model_id, model_version=model_version)
                )
                count += result.rowcount
            self._audit(s, actor, "recompute templates", f"{count} templates for {model_id} {model_version}")
            return count

        return self._run(work, write=True)

    # ------------------------------------------------------------------------------------ events

    def record_event(self, e: Event) -> None:
        """Committed when this returns, so the screen may confirm; StoreError means not stored."""
        self._run(
            lambda s: s.add(
                EventRow(
                    person_id=e.person_id, time=e.time, kind=e.kind, similarity=float(e.similarity), kiosk_id=e.kiosk_id
                )
            ),
            write=True,
        )

    def _event_rows(
        self, start: datetime, end: datetime, person_id: int | None = None, group: str | None = None
    ) -> list[Any]:
        query = (
            select(
                EventRow.person_id,
                EventRow.time,
                EventRow.kind,
                EventRow.similarity,
                EventRow.kiosk_id,
                PersonRow.name,
                PersonRow.external_id,
                PersonRow.group,
            )
            .join(PersonRow, PersonRow.id == EventRow.person_id)
            .where(EventRow.time >= start, EventRow.time < end)
            .order_by(EventRow.time, EventRow.id)
        )
        if person_id is not None:
            query = query.where(EventRow.person_id == person_id)
        if group is not None:
            query = query.where(PersonRow.group == group)
        return self._run(lambda s: s.execute(query).all())

    def events(
        self, start: datetime, end: datetime, person_id: int | None = None, group: str | None = None
    ) -> list[Event]:
        """Events with start <= time < end, oldest first."""
        return [
            Event(r.person_id, r.name, r.time, r.kind, r.similarity, r.kiosk_id)
            for r in self._event_rows(start, end, person_id, group)
        ]

    def daily_summary(self, start: datetime, end: datetime, tz: tzinfo | None = None) -> list[DaySummary]:
        """First event and last check-out per person per day; days in tz, None = this machine's zone."""
        days: dict[tuple[date, int], DaySummary] = {}
        for r in self._event_rows(start, end):
            if r.kind == UNLOCK:
                continue
            key = (r.time.astimezone(tz).date(), r.person_id)
            seen = days.get(key) or DaySummary(key[0], r.person_id, r.name, r.external_id, r.group, r.time, None)
            days[key] = replace(seen, last_out=r.time) if r.kind == CHECK_OUT else seen
        return sorted(days.values(), key=lambda d: (d.day, d.name.casefold(), d.person_id))

    def export_csv(self, path: str | Path, start: datetime, end: datetime) -> int:
        """Writes the events with start <= time < end to a CSV file; returns how many rows were written.

        Written beside `path` first and moved over it once complete, so a failure leaves any
        earlier file as it was."""
        path = Path(path)
        partial = path.with_name(f".{path.name}.partial")
        try:
            # utf-8-sig: Excel reads a file without the BOM as the local code page and garbles names.
            with open(partial, "w", newline="", encoding="utf-8-sig") as f:
                count = self.write_csv(f, start, end)
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise FaceGateError(f"cannot write {path}: {exc.strerror}; choose another file or folder") from exc
        return count

    def write_csv(self, out: TextIO, start: datetime, end: datetime) -> int:
        """The CSV rows of export_csv to an open text stream. Date and time are this machine's
        local ones, the days the range was chosen in; time_utc keeps the stored instant."""
        rows = self._event_rows(start, end)
        writer = csv.writer(out)
        writer.writerow(["date", "time", "time_utc", "person", "external_id", "group", "kind", "similarity", "kiosk"])
        for r in rows:
            local = r.time.astimezone()
            writer.writerow(
                [
                    local.date().isoformat(),
                    local.strftime("%H:%M:%S"),
                    r.time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    _cell(r.name),
                    _cell(r.external_id),
                    _cell(r.group),
                    r.kind,
                    f"{r.similarity:.3f}",
                    _cell(r.kiosk_id),
                ]
            )
        return len(rows)

    # --------------------------------------------------------------------------- settings, audit

    def load_settings(self) -> Settings:
        return Settings.from_items(self._run(lambda s: dict(s.execute(select(SettingRow.key, SettingRow.value)).all())))

    def save_settings(self, settings: Settings, *, actor: str = "admin") -> None:
        items = settings.to_items()

        def work(s: Session) -> None:
            stored = dict(s.execute(select(SettingRow.key, SettingRow.value)).all())
            changed = [key for key, value in items.items() if stored.get(key) != value]
            for key in changed:
                s.merge(SettingRow(key=key, value=items[key]))
            if changed:
                # Keys only: the log must not carry the PIN hash.
                self._audit(s, actor, "change settings", ", ".join(changed))

        self._run(work, write=True)

    def audit(self, actor: str, action: str, detail: str = "") -> None:
        self._run(lambda s: self._audit(s, actor, action, detail), write=True)

    def audit_log(self, limit: int | None = None) -> list[AuditEntry]:
        """Newest first."""
        query = select(AuditRow).order_by(AuditRow.time.desc(), AuditRow.id.desc()).limit(limit)
        return self._run(lambda s: [AuditEntry(r.time, r.actor, r.action, r.detail) for r in s.scalars(query)])
