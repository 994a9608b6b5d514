"""Apply migrations and detect drift between migrations and models.

Each domain keeps its own Alembic branch (`branch_labels=("<domain>",)`) rooted at
`0001_foundation`, so domains add migrations without touching each other; `upgrade` applies
every head.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from dari.db.models import load_all_models

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / "versions"))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "heads")


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "render_as_batch": True}
    )
    return list(compare_metadata(context, load_all_models().metadata))


async def upgrade(engine: AsyncEngine) -> None:
    """Apply every pending migration (all branch heads)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def drift(engine: AsyncEngine) -> list[Any]:
    """Differences between the migrated database and the models; empty when in sync."""
    async with engine.connect() as connection:
        return await connection.run_sync(_diff)
