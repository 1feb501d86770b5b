"""Bring a database's schema up to date with the Alembic migrations shipped inside the package."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy import Engine

from boligmonitor.store.engine import write_transaction

# Alembic is imported inside the functions: it takes longer to import than SQLAlchemy itself, and most
# processes (command-line reads, a worker on an up-to-date database) never migrate.
if TYPE_CHECKING:
    from alembic.config import Config

# A package resource, so migrations run from an installed wheel without any alembic.ini.
MIGRATIONS_LOCATION: Final = "boligmonitor.store:migrations"


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migrations (also used by tests and tooling)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", MIGRATIONS_LOCATION)
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found in " + MIGRATIONS_LOCATION)
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest schema; does nothing when it is already there.

    Runs in one transaction holding the write lock, so two processes starting at once (web server and
    command line) do not both try to create the tables.
    """
    from alembic import command

    config = alembic_config()
    with write_transaction(engine) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
