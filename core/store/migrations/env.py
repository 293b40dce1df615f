"""Alembic environment, run by core.store.engine (no alembic.ini): the Store hands over an open connection
inside its write transaction, so two processes opening a new database migrate it once."""

from alembic import context

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=context.config.attributes["target_metadata"],
    # SQLite cannot ALTER most things in place; batch mode copies the table instead. Never on a
    # table others point at (people): with foreign keys on, dropping the old copy cascades.
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
