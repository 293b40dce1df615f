"""Sealed face data bound to its row: site.seal_format says which binding the sealed values use.

Existing databases get format 1 (a value bound to its column only). The Store re-seals their face
data to format 2 (bound to template, person and model) right after this runs, because the key is
not the migration's business (as in 0002).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("site", sa.Column("seal_format", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    op.drop_column("site", "seal_format")
