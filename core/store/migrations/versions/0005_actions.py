"""Actions on events (door, webhook, MQTT) and the outbox their deliveries wait in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kinds", sa.String(100), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("topic", sa.String(255), nullable=True),
        sa.Column("secret_file", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("method IN ('run', 'webhook', 'mqtt')", name=op.f("ck_actions_method")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
        sa.UniqueConstraint("name", name=op.f("uq_actions_name")),
    )
    op.create_table(
        "action_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("event_uid", sa.String(32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_outbox_action_id_actions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_outbox")),
        sa.UniqueConstraint("action_id", "event_uid", name="uq_action_outbox_action_event"),
    )
    op.create_index(op.f("ix_action_outbox_action_id"), "action_outbox", ["action_id"])
    op.create_index(op.f("ix_action_outbox_next_try"), "action_outbox", ["next_try"])


def downgrade() -> None:
    op.drop_index(op.f("ix_action_outbox_next_try"), "action_outbox")
    op.drop_index(op.f("ix_action_outbox_action_id"), "action_outbox")
    op.drop_table("action_outbox")
    op.drop_table("actions")
