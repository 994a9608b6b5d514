"""Alembic environment: runs migrations on the connection `dari.db.migrate` hands over."""

from alembic import context
from sqlalchemy.engine import Connection

from dari.db.models import load_all_models

target_metadata = load_all_models().metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        user_module_prefix="dari.db.base.",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `dari db upgrade`, not the alembic command")
_run(connection)
