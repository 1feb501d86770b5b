"""The indicator catalogue: themes, indicators, sources, recipes and programme goals, as validated data.

The catalogue ships as ``catalog/data/catalog.yaml`` (see docs/catalog.md). Typical use::

    from boligmonitor.catalog import load_catalog

    catalog = load_catalog()
    catalog.indicator("BEF03").recipe
"""

from boligmonitor.catalog.export import catalog_from_json, catalog_to_json, write_catalog_json
from boligmonitor.catalog.loader import load_catalog, parse_catalog
from boligmonitor.catalog.models import (
    SCHEMA_VERSION,
    UNIT_MULTIPLIER,
    AmbitionKind,
    Catalog,
    CodeRange,
    Goal,
    Indicator,
    Polarity,
    ProgrammeLink,
    Recipe,
    RecipeEvidence,
    Selection,
    SourceRef,
    Text,
    Theme,
)

__all__ = [
    "SCHEMA_VERSION",
    "UNIT_MULTIPLIER",
    "AmbitionKind",
    "Catalog",
    "CodeRange",
    "Goal",
    "Indicator",
    "Polarity",
    "ProgrammeLink",
    "Recipe",
    "RecipeEvidence",
    "Selection",
    "SourceRef",
    "Text",
    "Theme",
    "catalog_from_json",
    "catalog_to_json",
    "load_catalog",
    "parse_catalog",
    "write_catalog_json",
]
