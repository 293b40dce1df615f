"""Attendance corrections: events can be voided, and every correction is kept in a trail.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column needs no table rebuild on SQLite.
    op.add_column("attendance_events", sa.Column("voided_at", sa.DateTime(), nullable=True))
    op.create_table(
        "event_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_uid", sa.String(32), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("old_time", sa.DateTime(), nullable=True),
        sa.Column("new_time", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.String(255), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("time", sa.DateTime(), nullable=False),
        sa.CheckConstraint("action IN ('add', 'edit', 'void')", name=op.f("ck_event_corrections_action")),
        sa.ForeignKeyConstraint(
            ["event_uid"],
            ["attendance_events.uid"],
            name=op.f("fk_event_corrections_event_uid_attendance_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_corrections")),
    )
    op.create_index(op.f("ix_event_corrections_event_uid"), "event_corrections", ["event_uid"])
    op.create_index(op.f("ix_event_corrections_time"), "event_corrections", ["time"])


def downgrade() -> None:
    op.drop_index(op.f("ix_event_corrections_time"), "event_corrections")
    op.drop_index(op.f("ix_event_corrections_event_uid"), "event_corrections")
    op.drop_table("event_corrections")
    with op.batch_alter_table("attendance_events") as batch:
        batch.drop_column("voided_at")
