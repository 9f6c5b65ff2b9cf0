"""Creating and upgrading the database schema with Alembic."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from .db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(db: Database) -> None:
    """Bring the schema to the newest migration (creating it on an empty database)."""
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
