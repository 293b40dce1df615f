"""Name keys recomputed with NFKC and the Cyrillic/Greek look-alike fold (core.store.labels.name_key),
so "Ｃolin Powell" and "Сolin Powell" enrolled before it are found as "Colin Powell". People whose
new keys collide all stay, the later ones keyed with " #id" (labels.stored_keys).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from core.store.labels import stored_keys

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PEOPLE = sa.table("people", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("name_key", sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_PEOPLE.c.id, _PEOPLE.c.name).order_by(_PEOPLE.c.id)).all()
    new = dict(stored_keys(rows))
    # Cleared first: a key the fold gives one person may still be another's old key until updated.
    for person_id in new:
        bind.execute(_PEOPLE.update().where(_PEOPLE.c.id == person_id).values(name_key=f"\t{person_id}"))
    for person_id, key in new.items():
        bind.execute(_PEOPLE.update().where(_PEOPLE.c.id == person_id).values(name_key=key))


def downgrade() -> None:
    """The folded keys stay: still unique, and the schema is unchanged; the older fold is gone."""
