"""Persistence: the only module that speaks SQL.

Each public method is one unit of work (one Session, one transaction) and returns plain dataclasses,
so no SQLAlchemy object outlives its session or leaks into the app. Times are timezone-aware UTC in
and out; the schema is created and upgraded by the Alembic migrations beside this file.
"""

from __future__ import annotations

import csv
import os
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone, tzinfo
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
    func,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core.errors import FaceGateError, StoreError, StoreUnavailable
from core.paths import data_dir, database_url, key_path, private_file
from core.settings import Settings
from core.store import crypto
from core.store.labels import GROUP_LEN, ID_LEN, NAME_LEN, check_length, clean_label
from core.types import CHECK_IN, CHECK_OUT, UNLOCK, Event

# Beside this file both from source and when frozen (the spec bundles core/store/migrations as data).
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SOURCES = ("camera", "photo")
_WRITE = "facegate_write"
T = TypeVar("T")
# Column sizes, checked before writing: PostgreSQL refuses what does not fit, SQLite would store it.
KIOSK_LEN, DETAIL_LEN, MODEL_LEN, VERSION_LEN, ACTOR_LEN, ACTION_LEN = 100, 255, 100, 50, 100, 50
# pg_advisory_xact_lock namespaces (PostgreSQL only; SQLite's BEGIN IMMEDIATE already serialises writers).
_LOCK_SCHEMA, _LOCK_NAME = 1, 2
_AAD_EMBEDDING, _AAD_CROP = b"face_templates.embedding", b"face_templates.crop_jpeg"


def name_key(name: str) -> str:
    """What makes two names the same person's: Unicode-normalised, trimmed, inner spaces collapsed,
    case-folded ("ZOË  Smith " and "zoë smith" collide; casefold also maps ß to ss)."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


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
    name: Mapped[str] = mapped_column(String(NAME_LEN))
    # name_key(name): unique, so two kiosks enrolling "Ann" at once make one person.
    name_key: Mapped[str] = mapped_column(String(2 * NAME_LEN), unique=True, index=True)
    external_id: Mapped[str | None] = mapped_column(String(ID_LEN), unique=True)
    group: Mapped[str | None] = mapped_column(String(GROUP_LEN), index=True)
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
    model_id: Mapped[str] = mapped_column(String(MODEL_LEN))
    model_version: Mapped[str] = mapped_column(String(VERSION_LEN))
    quality: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10))
    source_detail: Mapped[str | None] = mapped_column(String(DETAIL_LEN))  # camera id or file name
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
    kiosk_id: Mapped[str] = mapped_column(String(KIOSK_LEN))
    # Made by the kiosk that recognised the person, so a retry (or a spooled resend) never doubles.
    uid: Mapped[str] = mapped_column(String(32), unique=True, index=True)


class SiteRow(Base):
    """One row: state every kiosk of the site shares."""

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Bumped by every change to people, templates or settings; kiosks poll it to reload.
    revision: Mapped[int]
    key_id: Mapped[str | None] = mapped_column(String(64))  # crypto.fingerprint of the face-data key
    pin_failures: Mapped[int]
    pin_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SettingRow(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(ACTOR_LEN))
    action: Mapped[str] = mapped_column(String(ACTION_LEN))
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


@dataclass(frozen=True)
class Enrolment:
    person: Person
    template_ids: list[int]
    created: bool  # the person was new


@dataclass(frozen=True)
class PinState:
    failures: int  # wrong PINs in a row
    locked_until: datetime | None


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
        # Deleted rows and the plain values a sealing migration replaced are zeroed on disk.
        cursor.execute("PRAGMA secure_delete = ON")
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


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        # Not parseable, so its password cannot be told apart: show none of it.
        return "(not a URL like sqlite:///path/facegate.db or postgresql://user@host/db)"


def _engine_url(url: str) -> URL | str:
    """postgresql:// means psycopg 3 here (SQLAlchemy would pick psycopg2, which FaceGate does not use)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    return parsed.set(drivername="postgresql+psycopg") if parsed.drivername == "postgresql" else parsed


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
    """url: any SQLAlchemy URL, default paths.database_url(). Opening upgrades the schema to head and
    seals (encrypts) any face data not sealed yet with the key from core.paths.key_path().

    A write that finds the database locked waits busy_timeout_s, and is retried `retries` times with
    doubling pauses from backoff_s before StoreUnavailable; the caller keeps the event and may retry.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        busy_timeout_s: float = 2.0,
        retries: int = 3,
        backoff_s: float = 0.2,
        connect_timeout_s: int = 3,
    ):
        self.url = url or database_url()
        self._retries, self._backoff_s = retries, backoff_s
        try:
            target = _engine_url(self.url)
            postgres = not isinstance(target, str) and target.get_backend_name() == "postgresql"
            self._engine = create_engine(
                target,
                # A kiosk must notice a lost server in seconds (and spool), not hang on a dead socket.
                connect_args={"connect_timeout": connect_timeout_s} if postgres else {},
                pool_pre_ping=postgres,
            )
        except ModuleNotFoundError as exc:
            install = 'pip install -e ".[postgres]"' if "postgres" in self.url.split(":", 1)[0] else "install it"
            raise StoreError(f"the database URL {safe_url(self.url)} needs the {exc.name} driver: {install}") from exc
        except (ImportError, ValueError, SQLAlchemyError) as exc:  # a mistyped FACEGATE_DB
            raise StoreError(f"cannot use the database URL {safe_url(self.url)}: {self._scrub(str(exc))}") from exc
        self._postgres = self._engine.dialect.name == "postgresql"
        if self._engine.dialect.name == "sqlite":
            database = self._engine.url.database
            if database and database != ":memory:" and not database.startswith("file:"):
                private_file(Path(database))
            _tune_sqlite(self._engine, busy_timeout_s)
        self._writer = self._engine.execution_options(**{_WRITE: True})
        try:
            self._run(self._upgrade, write=True)
            self._sealer = self._run(self._unlock_face_data, write=True)
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
            return cls(url)
        except StoreError as exc:
            parsed = make_url(url or database_url())
            if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.query:
                raise
            path = Path(parsed.database).resolve().as_posix()
            try:
                return cls(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")
            except StoreError:
                raise exc from None  # the reason it cannot be written says more than the read-only attempt

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def local_folder(self) -> Path:
        """This machine's folder for files beside the database (the kiosk's spool): the SQLite
        file's folder, else the data folder."""
        database = self._engine.url.database
        if self._engine.dialect.name == "sqlite" and database and database != ":memory:":
            return Path(database).resolve().parent
        return data_dir()

    @property
    def _where(self) -> str:
        url = self._engine.url
        return (url.database or "(in memory)") if url.get_backend_name() == "sqlite" else url.render_as_string()

    def _scrub(self, text: str) -> str:
        """A driver message with any password of the URL taken out."""
        try:
            password = make_url(self.url).password
        except ArgumentError:
            return text
        return text.replace(str(password), "***") if password else text

    def _error(self, exc: DBAPIError) -> StoreError:
        advice = _SQLITE_ADVICE.get(_sqlite_code(exc))
        if advice is None and isinstance(exc, IntegrityError):
            text = str(exc.orig)
            if "external_id" in text:
                return StoreError("that external id is already used by another person")
            if "name_key" in text:
                return StoreError("someone of that name is already enrolled; choose another name")
            if "FOREIGN KEY" in text.upper():
                return StoreError("that person no longer exists (deleted from another window?)")
        message = f"the database {self._where} {advice or f'reported an error: {self._scrub(str(exc.orig))}'}"
        if _sqlite_code(exc) in _SQLITE_BUSY or (self._postgres and isinstance(exc, OperationalError)):
            return StoreUnavailable(message.strip())
        return StoreError(message.strip())

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

    def _lock(self, session: Session, namespace: int, key: str | int) -> None:
        """A PostgreSQL lock held to the end of the transaction; SQLite writers are serialised already."""
        if self._postgres:
            session.execute(
                text("SELECT pg_advisory_xact_lock(:ns, hashtext(:key))"), {"ns": namespace, "key": str(key)}
            )

    def _upgrade(self, session: Session) -> None:
        self._lock(session, _LOCK_SCHEMA, "upgrade")  # two kiosks opening a new database migrate it once
        try:
            command.upgrade(alembic_config(session.connection()), "head")
        except CommandError as exc:
            raise StoreError(
                f"the database {self._where} has a schema this FaceGate cannot use ({exc}); "
                "open it with the FaceGate version that made it, or a newer one"
            ) from exc

    @staticmethod
    def _site(session: Session, lock: bool = False) -> SiteRow:
        query = select(SiteRow).where(SiteRow.id == 1)
        return session.scalars(query.with_for_update() if lock else query).one()

    def _unlock_face_data(self, session: Session) -> crypto.Sealer:
        """The key this database's face data is sealed with; seals what an older FaceGate left plain."""
        site = self._site(session, lock=True)
        path = key_path()
        key = crypto.read_key(path)
        if site.key_id is not None:
            if key is None:
                raise crypto.KeyFileError(
                    f"the face data in {self._where} is encrypted and its key file {path} is missing: "
                    "restore that file (or set FACEGATE_KEY_FILE to the site's key), "
                    "or move the database away and enrol everyone again"
                )
            if crypto.fingerprint(key) != site.key_id:
                raise crypto.KeyFileError(
                    f"the key file {path} is not the key the face data in {self._where} was encrypted with: "
                    "restore the right key file (or FACEGATE_KEY_FILE), or move the database away and enrol everyone again"
                )
            return crypto.Sealer(key)
        sealer = crypto.Sealer(key or crypto.create_key(path))
        for row in session.scalars(select(TemplateRow)):
            if not crypto.is_sealed(row.embedding):
                row.embedding = sealer.seal(row.embedding, _AAD_EMBEDDING)
            if row.crop_jpeg is not None and not crypto.is_sealed(row.crop_jpeg):
                row.crop_jpeg = sealer.seal(row.crop_jpeg, _AAD_CROP)
        site.key_id = sealer.id
        return sealer

    def _embedding(self, sealed: bytes) -> bytes:
        return self._sealer.open(sealed, _AAD_EMBEDDING)

    def _crop(self, sealed: bytes) -> bytes:
        return self._sealer.open(sealed, _AAD_CROP)

    @staticmethod
    def _audit(session: Session, actor: str, action: str, detail: str) -> None:
        check_length("actor", actor, ACTOR_LEN)
        check_length("audit action", action, ACTION_LEN)
        session.add(AuditRow(time=_now(), actor=actor, action=action, detail=detail))

    def _changed(self, session: Session, actor: str, action: str, detail: str) -> None:
        """Audits a change to people, templates or settings and tells the other kiosks (revision)."""
        self._audit(session, actor, action, detail)
        session.execute(update(SiteRow).where(SiteRow.id == 1).values(revision=SiteRow.revision + 1))

    @staticmethod
    def _person_row(session: Session, person_id: int, lock: bool = False) -> PersonRow:
        query = select(PersonRow).where(PersonRow.id == person_id)
        row = session.scalars(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise StoreError(f"there is no person #{person_id} (deleted from another window?)")
        return row

    def revision(self) -> int:
        """Changes whenever people, templates or settings change, on any kiosk of the site."""
        return self._run(lambda s: s.scalar(select(SiteRow.revision).where(SiteRow.id == 1)) or 0)

    # ------------------------------------------------------------------------------------ people

    @staticmethod
    def _checked_person(name: str, external_id: str | None, group: str | None) -> dict[str, Any]:
        name = " ".join(clean_label(name, "name").split())
        if not name:
            raise FaceGateError("a person needs a name")
        external_id = external_id and clean_label(external_id, "external id")
        group = group and clean_label(group, "group")
        return {"name": name, "name_key": name_key(name), "external_id": external_id or None, "group": group or None}

    @staticmethod
    def _named(session: Session, key: str) -> PersonRow | None:
        """The person whose name_key is key, if any."""
        return session.scalars(select(PersonRow).where(PersonRow.name_key == key)).first()

    def _holder_of(self, session: Session, key: str) -> PersonRow | None:
        """_named, with the name locked until commit on PostgreSQL, so no other writer can take it meanwhile."""
        self._lock(session, _LOCK_NAME, key)
        return self._named(session, key)

    def _claim_name(self, session: Session, key: str, person_id: int | None = None) -> None:
        """StoreError if someone else already has that name."""
        other = self._holder_of(session, key)
        if other is not None and other.id != person_id:
            raise StoreError(f"{other.name} (#{other.id}) is already enrolled under that name; choose another name")

    def _new_person(self, session: Session, values: Mapping[str, Any], actor: str) -> PersonRow:
        """A new person row; the caller has made sure (and holds) that nobody else has the name."""
        row = PersonRow(**values, active=True, created_at=_now())
        session.add(row)
        session.flush()
        self._changed(session, actor, "add person", f"#{row.id} {row.name}")
        return row

    def add_person(
        self, name: str, external_id: str | None = None, group: str | None = None, *, actor: str = "admin"
    ) -> Person:
        values = self._checked_person(name, external_id, group)

        def work(s: Session) -> Person:
            self._claim_name(s, values["name_key"])
            return _person(self._new_person(s, values, actor))

        return self._run(work, write=True)

    def update_person(self, person: Person, *, actor: str = "admin") -> Person:
        """Writes name, external_id and group from person (e.g. dataclasses.replace of get_person)."""
        new = self._checked_person(person.name, person.external_id, person.group)

        def work(s: Session) -> Person:
            row = self._person_row(s, person.id)
            changed = [key for key, value in new.items() if key != "name_key" and getattr(row, key) != value]
            if new["name_key"] != row.name_key:
                self._claim_name(s, new["name_key"], person.id)
            for key, value in new.items():
                setattr(row, key, value)
            if changed:
                self._changed(s, actor, "edit person", f"#{row.id} {row.name}: {', '.join(changed)}")
            return _person(row)

        return self._run(work, write=True)

    def _set_active(self, person_id: int, active: bool, actor: str) -> None:
        def work(s: Session) -> None:
            row = self._person_row(s, person_id)
            row.active = active
            self._changed(s, actor, "reactivate person" if active else "deactivate person", f"#{row.id} {row.name}")

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
            self._changed(s, actor, "delete person", f"#{row.id} {row.name}")
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
        """The person of that name (ignoring case, accents' encoding and extra spaces), None if nobody."""
        key = name_key(name)
        return self._run(lambda s: _person(row) if (row := self._named(s, key)) else None)

    # --------------------------------------------------------------------------------- templates

    def enrol(
        self,
        embeddings: np.ndarray | Sequence[np.ndarray],
        model_id: str,
        model_version: str,
        quality: float | Sequence[float],
        source: str,
        crops: bytes | Sequence[bytes | None] | None = None,
        source_detail: str | Sequence[str | None] | None = None,
        *,
        person_id: int | None = None,
        name: str | None = None,
        group: str | None = None,
        external_id: str | None = None,
        actor: str = "admin",
    ) -> Enrolment:
        """The templates for person_id, or for the person called name (created with group and
        external_id when new), in one transaction: a crash leaves both or neither.

        Embeddings N x D (or one D vector); quality, crops (JPEG bytes of the aligned crop) and
        source_detail either one for all or one per embedding."""
        matrix = np.asarray(embeddings, dtype="<f4")
        matrix = matrix[None] if matrix.ndim == 1 else matrix
        if matrix.ndim != 2 or not matrix.size:
            raise ValueError("embeddings must be a non-empty N x D array")
        if source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}")
        n = len(matrix)
        qualities, jpegs, details = (
            _each(quality, n, "qualities"),
            _each(crops, n, "crops"),
            _each(source_detail, n, "details"),
        )
        check_length("model id", model_id, MODEL_LEN)
        check_length("model version", model_version, VERSION_LEN)
        for detail in details:
            check_length("source detail", detail, DETAIL_LEN)
        values = None if person_id is not None else self._checked_person(name or "", external_id, group)

        def work(s: Session) -> Enrolment:
            created = False
            if values is None:
                person = self._person_row(s, person_id or 0)
            else:
                found = self._holder_of(s, values["name_key"])
                created = found is None
                person = found or self._new_person(s, values, actor)
            now = _now()
            rows = [
                TemplateRow(
                    person_id=person.id,
                    embedding=self._sealer.seal(vector.tobytes(), _AAD_EMBEDDING),
                    dim=matrix.shape[1],
                    model_id=model_id,
                    model_version=model_version,
                    quality=float(q),
                    source=source,
                    source_detail=detail,
                    created_at=now,
                    crop_jpeg=None if jpeg is None else self._sealer.seal(jpeg, _AAD_CROP),
                )
                for vector, q, jpeg, detail in zip(matrix, qualities, jpegs, details)
            ]
            s.add_all(rows)
            s.flush()
            self._changed(s, actor, "enrol", f"#{person.id} {person.name}: {n} templates from {source}")
            return Enrolment(_person(person), [row.id for row in rows], created)

        return self._run(work, write=True)

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
        """enrol() for a person who exists; returns the new template ids."""
        return self.enrol(
            embeddings, model_id, model_version, quality, source, crops, source_detail, person_id=person_id, actor=actor
        ).template_ids

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
        plain = b"".join(self._embedding(row.embedding) for row in rows)
        matrix = np.frombuffer(plain, dtype="<f4").reshape(len(rows), dims.pop())
        return (
            matrix.astype(np.float32),
            np.array([row.person_id for row in rows], dtype=np.int64),
            [row.name for row in rows],
        )

    def template_count(self, model_id: str, model_version: str | None = None) -> int:
        """How many templates of active people templates_for_gallery would return, without
        unsealing any: the gallery-size rule needs only the count."""
        query = (
            select(func.count(TemplateRow.id))
            .join(PersonRow, PersonRow.id == TemplateRow.person_id)
            .where(PersonRow.active, _made_with(model_id, model_version))
        )
        return int(self._run(lambda s: s.execute(query).scalar_one()))

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
        return [(row.id, self._crop(row.crop_jpeg)) for row in self._run(lambda s: s.execute(query).all())]

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
                    .values(
                        embedding=self._sealer.seal(vector.tobytes(), _AAD_EMBEDDING),
                        dim=vector.size,
                        model_id=model_id,
                        model_version=model_version,
                    )
                )
                count += result.rowcount
            self._changed(s, actor, "recompute templates", f"{count} templates for {model_id} {model_version}")
            return count

        return self._run(work, write=True)

    # ------------------------------------------------------------------------------------ events

    def _insert_event(self, session: Session, e: Event, kind: str, name: str | None = None) -> Event:
        check_length("kiosk id", e.kiosk_id, KIOSK_LEN)
        session.add(
            EventRow(
                person_id=e.person_id,
                time=e.time,
                kind=kind,
                similarity=float(e.similarity),
                kiosk_id=e.kiosk_id,
                uid=e.uid,
            )
        )
        return replace(e, kind=kind, name=name or e.name)

    @staticmethod
    def _stored(session: Session, uid: str) -> Event | None:
        row = session.execute(
            select(EventRow, PersonRow.name)
            .join(PersonRow, PersonRow.id == EventRow.person_id)
            .where(EventRow.uid == uid)
        ).first()
        if row is None:
            return None
        r = row[0]
        return Event(r.person_id, row[1], r.time, r.kind, r.similarity, r.kiosk_id, r.uid)

    def record_event(self, e: Event) -> bool:
        """Stores e as it is; False when an event with its uid is stored already (a retry).
        Committed when this returns, so the screen may confirm; StoreError means not stored."""

        def work(s: Session) -> bool:
            if self._stored(s, e.uid) is not None:
                return False
            self._insert_event(s, e, e.kind)
            return True

        return self._run(work, write=True)

    def record_attendance(self, e: Event, cooldown_s: float, tz: tzinfo | None = None) -> Event | None:
        """The attendance rules, applied by the database for every kiosk at once: e (a confirmed
        sighting) is stored as the person's check-in if they have no attendance event earlier on
        its day (in tz, None = this machine's zone), else as a check-out; it is dropped (None)
        when any kiosk stored an event for them less than cooldown_s before or after it.

        One transaction holding the person's row lock, so kiosks racing on one person store one
        event. Sending the same uid again returns the event stored the first time, so a retry
        after a lost connection, or a spooled resend, never doubles."""
        if e.kind == UNLOCK:
            raise ValueError("unlock events are not attendance; use record_event")
        day_start = e.time.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
        near = (e.time - timedelta(seconds=cooldown_s), e.time + timedelta(seconds=cooldown_s))

        def work(s: Session) -> Event | None:
            person = self._person_row(s, e.person_id, lock=True)  # serialises this person's events on PostgreSQL
            stored = self._stored(s, e.uid)
            if stored is not None:
                return stored
            attendance = (EventRow.person_id == e.person_id) & (EventRow.kind != UNLOCK)
            if cooldown_s > 0 and s.scalar(
                select(func.count()).where(attendance, EventRow.time > near[0], EventRow.time < near[1])
            ):
                return None
            earlier = s.scalar(
                select(func.count()).where(attendance, EventRow.time >= day_start, EventRow.time < e.time)
            )
            return self._insert_event(s, e, CHECK_OUT if earlier else CHECK_IN, person.name)

        return self._run(work, write=True)

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
                EventRow.uid,
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
            Event(r.person_id, r.name, r.time, r.kind, r.similarity, r.kiosk_id, r.uid)
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
        """Turning keep_face_crops off also erases the crops already kept."""
        check_length("kiosk id", settings.kiosk_id, KIOSK_LEN)
        items = settings.to_items()

        def work(s: Session) -> None:
            stored = dict(s.execute(select(SettingRow.key, SettingRow.value)).all())
            changed = [key for key, value in items.items() if stored.get(key) != value]
            for key in changed:
                s.merge(SettingRow(key=key, value=items[key]))
            if changed:
                # Keys only: the log must not carry the PIN hash.
                self._changed(s, actor, "change settings", ", ".join(changed))
            if not settings.keep_face_crops:
                erased = s.scalar(select(func.count()).where(TemplateRow.crop_jpeg.is_not(None)))
                s.execute(update(TemplateRow).where(TemplateRow.crop_jpeg.is_not(None)).values(crop_jpeg=None))
                if erased:
                    self._audit(s, actor, "erase face crops", f"{erased} crops")

        self._run(work, write=True)

    def audit(self, actor: str, action: str, detail: str = "") -> None:
        self._run(lambda s: self._audit(s, actor, action, detail), write=True)

    def audit_log(self, limit: int | None = None) -> list[AuditEntry]:
        """Newest first."""
        query = select(AuditRow).order_by(AuditRow.time.desc(), AuditRow.id.desc()).limit(limit)
        return self._run(lambda s: [AuditEntry(r.time, r.actor, r.action, r.detail) for r in s.scalars(query)])

    # ------------------------------------------------------------------------------- PIN back-off

    def pin_state(self) -> PinState:
        return self._run(lambda s: PinState((site := self._site(s)).pin_failures, site.pin_locked_until))

    def pin_result(self, ok: bool, wait_s: Callable[[int], float], *, actor: str = "kiosk") -> PinState:
        """Records one PIN try (a failure is audited); wait_s(failures in a row) is how long the next
        try is refused. Stored in the database, so a restart does not reset the back-off."""

        def work(s: Session) -> PinState:
            site = self._site(s, lock=True)
            if ok:
                site.pin_failures, site.pin_locked_until = 0, None
            else:
                site.pin_failures += 1
                wait = wait_s(site.pin_failures)
                site.pin_locked_until = _now() + timedelta(seconds=wait) if wait > 0 else None
                self._audit(s, actor, "wrong admin PIN", f"{site.pin_failures} in a row")
            return PinState(site.pin_failures, site.pin_locked_until)

        return self._run(work, write=True)
