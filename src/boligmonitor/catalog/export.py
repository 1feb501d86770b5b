"""The catalogue as versioned JSON, for the web monitor, the API and anyone who downloads it.

The export carries two versions: ``schema_version`` (the shape of this JSON; changes only when fields are
renamed or removed) and ``catalog_version`` (the content; see docs/catalog.md for the bump rules). Keys come
in a stable order (the models' field order), so two exports of the same catalogue are byte-identical.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from boligmonitor.catalog.models import Catalog


def catalog_to_json(catalog: Catalog) -> dict[str, Any]:
    """``{"schema_version", "catalog_version", "themes", "indicators", "goals"}`` as plain JSON values."""
    return {
        "schema_version": catalog.schema_version,
        "catalog_version": catalog.version,
        "themes": [theme.model_dump(mode="json") for theme in catalog.themes],
        "indicators": [indicator.model_dump(mode="json") for indicator in catalog.indicators],
        "goals": [goal.model_dump(mode="json") for goal in catalog.goals],
    }


def catalog_from_json(data: dict[str, Any]) -> Catalog:
    """The inverse of :func:`catalog_to_json` (raises pydantic's ValidationError on a bad document)."""
    fields = {key: value for key, value in data.items() if key != "catalog_version"}
    return Catalog.model_validate({**fields, "version": data.get("catalog_version")})


def write_catalog_json(catalog: Catalog, out: TextIO) -> None:
    """Write the export as indented UTF-8 JSON (non-ASCII letters kept as they are) and a final newline."""
    json.dump(catalog_to_json(catalog), out, ensure_ascii=False, indent=2)
    out.write("\n")
