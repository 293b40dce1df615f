"""Site-wide rules in the database: unique names, event uids, the site row (revision counter,
face-data key fingerprint, PIN back-off).

Existing data is kept: people get the name key of their name (a person whose name collides with
an earlier one's keeps it, with " #id" appended to the key only, so they stay reachable by id),
every stored event gets a fresh uid. Face data is sealed by the Store right after this runs,
because the key is not the migration's business.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

import uuid

import sqlalchemy as sa
from alembic import op

from core.store.labels import stored_keys

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    site = op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=True),
        sa.Column("pin_failures", sa.Integer(), nullable=False),
        sa.Column("pin_locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
    )
    op.bulk_insert(site, [{"id": 1, "revision": 0, "key_id": None, "pin_failures": 0, "pin_locked_until": None}])

    # Plain ADD COLUMN and CREATE UNIQUE INDEX, never batch mode's copy-and-drop: with foreign keys
    # on, SQLite's DROP TABLE of people would cascade-delete every template and event.
    bind = op.get_bind()
    op.add_column("people", sa.Column("name_key", sa.String(400), nullable=False, server_default=""))
    people = sa.table(
        "people", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String)
    )
    rows = bind.execute(sa.select(people.c.id, people.c.name).order_by(people.c.id)).all()
    for person_id, key in stored_keys(rows):
        bind.execute(people.update().where(people.c.id == person_id).values(name_key=key))
    op.create_index(op.f("ix_people_name_key"), "people", ["name_key"], unique=True)

    op.add_column("attendance_events", sa.Column("uid", sa.String(32), nullable=False, server_default=""))
    events = sa.table("attendance_events", sa.column("id", sa.Integer), sa.column("uid", sa.String))
    for (event_id,) in bind.execute(sa.select(events.c.id)).all():
        bind.execute(events.update().where(events.c.id == event_id).values(uid=uuid.uuid4().hex))
    op.create_index(op.f("ix_attendance_events_uid"), "attendance_events", ["uid"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_attendance_events_uid"), "attendance_events")
    op.drop_column("attendance_events", "uid")
    op.drop_index(op.f("ix_people_name_key"), "people")
    op.drop_column("people", "name_key")
    op.drop_table("site")
