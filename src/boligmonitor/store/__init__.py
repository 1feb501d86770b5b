"""The database: an SQLite file (WAL) by default or PostgreSQL by URL, through SQLAlchemy Core.

Every write is one transaction that creates one data version (:meth:`Store.write`); readers see the data
before or after a write, never a mix. The schema is created and upgraded by Alembic (:func:`migrate`).
See docs/database.md.
"""

# Accounts and access (store/accounts/): importing the room puts its tables on schema.metadata, where the
# migrations' test expects every table of the database. They are not data tables: a build never replaces them.
from boligmonitor.store.accounts import tables as _account_tables  # noqa: F401
from boligmonitor.store.engine import DATABASE_URL_VARIABLE, create_engine_for, database_url
from boligmonitor.store.migrate import current_revision, head_revision, migrate
from boligmonitor.store.reader import Reader
from boligmonitor.store.reporting import tables as _reporting_tables  # noqa: F401
from boligmonitor.store.rows import (
    DATA_VERSION_KINDS,
    INDICATOR_STATES,
    OBSERVATION_CHANGE_KINDS,
    BuildChanges,
    CoverageRow,
    DatasetRow,
    DataVersion,
    GeometryRow,
    IndicatorStatusRow,
    ObservationChangeRow,
    RegionAttributeRow,
    RegionChangeRow,
    RegionRow,
    StoredValue,
)
from boligmonitor.store.writer import Store, Writer

__all__ = [
    "DATABASE_URL_VARIABLE",
    "DATA_VERSION_KINDS",
    "INDICATOR_STATES",
    "OBSERVATION_CHANGE_KINDS",
    "BuildChanges",
    "CoverageRow",
    "DataVersion",
    "DatasetRow",
    "GeometryRow",
    "IndicatorStatusRow",
    "ObservationChangeRow",
    "Reader",
    "RegionAttributeRow",
    "RegionChangeRow",
    "RegionRow",
    "Store",
    "StoredValue",
    "Writer",
    "create_engine_for",
    "current_revision",
    "database_url",
    "head_revision",
    "migrate",
]
