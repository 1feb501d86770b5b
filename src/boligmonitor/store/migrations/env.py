"""Alembic environment: runs migrations on the connection handed over by :func:`boligmonitor.store.migrate`.

There is no alembic.ini and no URL here: the caller passes an open connection (inside its transaction)
through ``config.attributes["connection"]``.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from boligmonitor.store.reporting.coding import include_in_schema_comparison
from boligmonitor.store.schema import UtcDateTime, metadata


def render_item(kind: str, item: Any, _context: AutogenContext) -> str | Literal[False]:
    """Write the schema's own column types as plain SQLAlchemy types into generated migrations."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run migrations through boligmonitor.store.migrate(engine), which passes a connection")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place: let future migrations use batch (copy-and-move) mode.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_in_schema_comparison,  # SQLite's FTS5 tables: created by migration 0006 only
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported")
run_migrations()
