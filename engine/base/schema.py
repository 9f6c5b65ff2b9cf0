"""Creating and upgrading the database schema with Alembic."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from engine.base.db import Database, busy_as_error

MIGRATIONS = Path(__file__).parent / "schema_migrations"


def alembic_config(connection: Any = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(db: Database) -> None:
    """Bring the schema to the newest migration (creating it on an empty database)."""
    with busy_as_error(), db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def is_current(db: Database) -> bool:
    """Whether the schema is at the newest migration (read only: nothing is created or changed)."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with busy_as_error(), db.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads()) == heads
