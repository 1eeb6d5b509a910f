"""Alembic, driven from code: upgrade a store to the newest schema, or tell which revision it is at.

Alembic itself is imported only when a migration has to run: opening an up-to-date store reads
`alembic_version` directly, which keeps the console's cold start short.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions; a test checks it against Alembic's own answer.
HEAD = "0018_holdings"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return HEAD


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    versions = list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    return versions[0] if len(versions) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    _all_or_nothing(engine, lambda connection: command.upgrade(alembic_config(connection), revision))


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    _all_or_nothing(engine, lambda connection: command.downgrade(alembic_config(connection), revision))


def _all_or_nothing(engine: Engine, migrate: Callable[[Connection], None]) -> None:
    """Run `migrate` in one transaction, so a migration failing half-way leaves the store as it was.

    Python's sqlite3 opens a transaction only before INSERT, UPDATE or DELETE (CREATE and ALTER
    would each commit at once), so on SQLite it is opened by hand. And SQLite changes a column by
    rebuilding its table, which dropping the old table would refuse while other tables point at it:
    as SQLite's documentation prescribes, foreign keys are off for the migration and checked before
    the commit.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # only outside a transaction
            connection.commit()
        try:
            with connection.begin():
                if sqlite:
                    connection.exec_driver_sql("BEGIN")
                migrate(connection)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("the migration left rows pointing at rows that are gone")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()
