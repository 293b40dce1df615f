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

from core.store import name_key

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

    bind = op.get_bind()
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("name_key", sa.String(400), nullable=True))
    people = sa.table("people", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String))
    taken: set[str] = set()
    for person_id, name in bind.execute(sa.select(people.c.id, people.c.name).order_by(people.c.id)).all():
        key = name_key(name)
        key = key if key not in taken else f"{key} #{person_id}"
        taken.add(key)
        bind.execute(people.update().where(people.c.id == person_id).values(name_key=key))
    with op.batch_alter_table("people") as batch:
        batch.alter_column("name_key", existing_type=sa.String(400), nullable=False)
        batch.create_unique_constraint(op.f("uq_people_name_key"), ["name_key"])

    with op.batch_alter_table("attendance_events") as batch:
        batch.add_column(sa.Column("uid", sa.String(32), nullable=True))
    events = sa.table("attendance_events", sa.column("id", sa.Integer), sa.column("uid", sa.String))
    for (event_id,) in bind.execute(sa.select(events.c.id)).all():
        bind.execute(events.update().where(events.c.id == event_id).values(uid=uuid.uuid4().hex))
    with op.batch_alter_table("attendance_events") as batch:
        batch.alter_column("uid", existing_type=sa.String(32), nullable=False)
        batch.create_unique_constraint(op.f("uq_attendance_events_uid"), ["uid"])


def downgrade() -> None:
    with op.batch_alter_table("attendance_events") as batch:
        batch.drop_constraint(op.f("uq_attendance_events_uid"), type_="unique")
        batch.drop_column("uid")
    with op.batch_alter_table("people") as batch:
        batch.drop_constraint(op.f("uq_people_name_key"), type_="unique")
        batch.drop_column("name_key")
    op.drop_table("site")
