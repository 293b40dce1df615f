"""The tables: SQLAlchemy rows as the Alembic migrations beside this file create them.

Rows never leave core.store: every public Store method turns them into the plain records of
core.store.records inside its session.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from core.store.labels import GROUP_LEN, ID_LEN, KEY_LEN, NAME_LEN, REASON_LEN

# Column sizes, checked before writing: PostgreSQL refuses what does not fit, SQLite would store it.
KIOSK_LEN, DETAIL_LEN, MODEL_LEN, VERSION_LEN, ACTOR_LEN, ACTION_LEN = 100, 255, 100, 50, 100, 50
ACTION_NAME_LEN = 100
SOURCES = ("camera", "photo")


def utc_now() -> datetime:
    """What the Store stamps rows it makes with (created_at, audit times)."""
    return datetime.now(timezone.utc)


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
    # labels.name_key(name): unique, so two kiosks enrolling "Ann" at once make one person.
    name_key: Mapped[str] = mapped_column(String(KEY_LEN), unique=True, index=True)
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
    embedding: Mapped[bytes] = mapped_column(LargeBinary)  # sealed little-endian float32 x dim
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
    # Set when an admin voids the event (core.store.corrections): kept, but no longer attendance.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The corrected view: a voided event stays stored with its trail but is attendance no more. Every
# query that reads attendance (the check-in rule, summaries, exports, reports, last seen) holds to
# this one condition.
VISIBLE = EventRow.voided_at.is_(None)


class CorrectionRow(Base):
    """The attendance corrections' trail, append-only: an event added by hand, its time changed
    (old_time is what it was, so the first edit's keeps the kiosk's time), or voided."""

    __tablename__ = "event_corrections"
    __table_args__ = (CheckConstraint("action IN ('add', 'edit', 'void')", name="action"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event_uid: Mapped[str] = mapped_column(
        String(32), ForeignKey("attendance_events.uid", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(10))
    old_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(REASON_LEN))
    actor: Mapped[str] = mapped_column(String(ACTOR_LEN))
    time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class SiteRow(Base):
    """One row: state every kiosk of the site shares."""

    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Bumped by every change to people, templates or settings; kiosks poll it to reload.
    revision: Mapped[int]
    key_id: Mapped[str | None] = mapped_column(String(64))  # crypto.fingerprint of the face-data key
    seal_format: Mapped[int]  # what sealed face data is bound to (core.store.keys.SEAL_FORMAT)
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


class ActionRow(Base):
    """What to do when an event happens (core.store.actions). A webhook's secret stays in its file:
    only the file's path is stored."""

    __tablename__ = "actions"
    __table_args__ = (CheckConstraint("method IN ('run', 'webhook', 'mqtt')", name="method"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(ACTION_NAME_LEN), unique=True)
    kinds: Mapped[str] = mapped_column(String(100))  # comma list: check-in, check-out, unlock, attack
    method: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(Text)  # the command, the webhook URL or the MQTT broker URL
    topic: Mapped[str | None] = mapped_column(String(DETAIL_LEN))
    secret_file: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxRow(Base):
    """An event document waiting to be delivered to one action, written in the transaction that
    stored its event; deleted once delivered. (action, event uid) is unique, so an event stored
    again (a spooled resend) is not queued twice."""

    __tablename__ = "action_outbox"
    __table_args__ = (UniqueConstraint("action_id", "event_uid", name="uq_action_outbox_action_event"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    event_uid: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)  # the event document's JSON, as the receiver gets it
    attempts: Mapped[int]
    next_try: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
