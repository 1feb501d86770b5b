"""The JSON-RPC parameters the connector sends, built from a definition (husbanken-qlik.md §2, §3)."""

from __future__ import annotations

from typing import Any, Final

from boligmonitor.sources.connectors.husbanken.definitions import CubeDefinition

HYPERCUBE_PATH: Final = "/qHyperCubeDef"
OBJECT_TYPE: Final = "boligmonitor-hypercube"


def app_url(base_url: str, app_id: str, identity: str | None = None) -> str:
    """``wss://qlik.husbanken.no/public`` → ``…/public/app/<app id>[/identity/<identity>]``.

    An identity segment starts a session of its own, so two runs never share selections (§1, [I]).
    """
    url = f"{base_url.rstrip('/')}/app/{app_id}"
    return f"{url}/identity/{identity}" if identity else url


def object_id(definition: CubeDefinition) -> str:
    return f"boligmonitor-{definition.id}"


def hypercube_properties(definition: CubeDefinition, page_height: int) -> dict[str, Any]:
    """``qProp`` for ``CreateSessionObject``: the definition's fields and labelled measures, one initial page.

    Dimensions sort numerically then as text (Torcode's choice; the order is never relied on, §6.7), zero rows
    are kept and empty combinations dropped (qSuppressZero false, qSuppressMissing true, as Torcode's extract).
    """
    return {
        "qInfo": {"qId": object_id(definition), "qType": OBJECT_TYPE},
        "qHyperCubeDef": {
            "qDimensions": [
                {"qDef": {"qFieldDefs": [field.field], "qSortCriterias": [{"qSortByNumeric": 1, "qSortByAscii": 1}]}}
                for field in definition.fields
            ],
            "qMeasures": [{"qDef": {"qDef": m.expression, "qLabel": m.label}} for m in definition.measures],
            "qInterColumnSortOrder": list(range(len(definition.fields))),
            "qSuppressZero": False,
            "qSuppressMissing": True,
            "qInitialDataFetch": [{"qTop": 0, "qLeft": 0, "qWidth": definition.width, "qHeight": page_height}],
        },
    }


def page_request(top: int, width: int, height: int) -> dict[str, Any]:
    """``GetHyperCubeData`` parameters for rows ``top`` … ``top + height - 1``."""
    return {"qPath": HYPERCUBE_PATH, "qPages": [{"qTop": top, "qLeft": 0, "qWidth": width, "qHeight": height}]}
